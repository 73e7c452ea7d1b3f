import { z } from "zod";
import { jsonOf, type GithubClient } from "./client";
import { GithubError } from "./errors";
import { isRunWide, type ReadmeFetcher } from "./readmes";
import type { ReadmeOutcome, ReadmeRequest, StarPage } from "./source";
import type { RepoMetadata, StarredRepo } from "./types";

const PAGE_SIZE = 100;
/** Expected server time of a REST page of 100 stars (GitHub serialises ~75 fields a repository). */
const REST_PAGE_MS = 1_000;

const RestRepository = z.object({
  id: z.number().int(),
  node_id: z.string(),
  full_name: z.string(),
  name: z.string(),
  owner: z.object({ login: z.string(), avatar_url: z.string().nullish() }),
  description: z.string().nullish(),
  html_url: z.string(),
  homepage: z.string().nullish(),
  stargazers_count: z.number().int(),
  language: z.string().nullish(),
  topics: z.array(z.string()).nullish(),
  license: z.object({ spdx_id: z.string().nullish() }).nullish(),
  archived: z.boolean().nullish(),
  disabled: z.boolean().nullish(),
  fork: z.boolean().nullish(),
  private: z.boolean().nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
  pushed_at: z.string().nullish(),
});
const StarredItem = z.object({ starred_at: z.string(), repo: RestRepository });

const time = (value: string | null | undefined) => (value ? Date.parse(value) : null);

export function fromRestRepository(repo: z.infer<typeof RestRepository>): RepoMetadata {
  return {
    githubId: repo.id,
    nodeId: repo.node_id,
    fullName: repo.full_name,
    name: repo.name,
    ownerLogin: repo.owner.login,
    ownerAvatarUrl: repo.owner.avatar_url ?? null,
    description: repo.description ?? null,
    htmlUrl: repo.html_url,
    homepage: repo.homepage || null,
    stargazersCount: repo.stargazers_count,
    language: repo.language ?? null,
    topics: repo.topics ?? [],
    license: repo.license?.spdx_id && repo.license.spdx_id !== "NOASSERTION" ? repo.license.spdx_id : null,
    archived: repo.archived ?? false,
    disabled: repo.disabled ?? false,
    fork: repo.fork ?? false,
    isPrivate: repo.private ?? false,
    githubCreatedAt: time(repo.created_at),
    githubUpdatedAt: time(repo.updated_at),
    githubPushedAt: time(repo.pushed_at),
  };
}

/** Stars pages: REST's `sort=created` is star time, a stable order with `starred_at` (the seed used `updated`). */
async function restPage(
  client: GithubClient,
  page: number,
): Promise<{ items: StarredRepo[]; last: number | null; hasNext: boolean; partial: boolean }> {
  const answer = await client.rest(
    "GET /user/starred",
    { sort: "created", direction: "desc", per_page: PAGE_SIZE, page },
    { accept: "application/vnd.github.star+json", estimateMs: REST_PAGE_MS },
  );
  const parsed = z.array(StarredItem).safeParse(jsonOf(answer));
  if (!parsed.success) throw new GithubError("unavailable", "GitHub listed stars in an unexpected shape");
  const items: StarredRepo[] = parsed.data.map((item) => ({
    starredAt: Date.parse(item.starred_at),
    repo: fromRestRepository(item.repo),
  }));
  const link = answer.headers.link ?? "";
  const last = /[?&]page=(\d+)[^>]*>;\s*rel="last"/.exec(link);
  const partial = /partial-results/i.test(answer.headers["x-github-sso"] ?? "");
  return { items, last: last ? Number(last[1]) : null, hasNext: /rel="next"/.test(link), partial };
}

/**
 * The list's length as its last page shows it; null for an empty page past the first (the list shrank while it was
 * read).
 */
const countAtEnd = (page: number, items: number): number | null =>
  items === 0 && page > 1 ? null : (page - 1) * PAGE_SIZE + items;

/** How many stars the user has: the `rel="last"` page of a one-per-page listing (null if GitHub does not say). */
async function starCount(client: GithubClient): Promise<number | null> {
  try {
    const answer = await client.rest("GET /user/starred", { per_page: 1 }, { estimateMs: 200 });
    const last = /[?&]page=(\d+)[^>]*>;\s*rel="last"/.exec(answer.headers.link ?? "");
    if (last) return Number(last[1]);
    const items = jsonOf(answer);
    return Array.isArray(items) ? items.length : null;
  } catch (error) {
    if (isRunWide(error)) throw error;
    return null;
  }
}

/** Pages fetched ahead of the one being processed (each ~1 s of GitHub's server time). */
const PAGES_AHEAD = 4;

/**
 * REST pages fetched in parallel: they are independent (`page=N`), so after the first page says
 * how many there are (Link `rel="last"`), the next ones are fetched ahead while one is being
 * processed, and yielded in order. READMEs come from the shared two-lane fetcher.
 * Cursor: `<page>/<last page>`.
 */
export class StarPages {
  readonly #client: GithubClient;
  readonly #readmes: ReadmeFetcher;

  constructor(client: GithubClient, readmes: ReadmeFetcher) {
    this.#client = client;
    this.#readmes = readmes;
  }

  async *pages(cursor: string | null, maxPages: number): AsyncGenerator<StarPage> {
    const match = cursor ? /^(\d+)\/(\d+)$/.exec(cursor) : null;
    let first = match ? Number(match[1]) : 1;
    let last = match ? Number(match[2]) : null;
    if (last === null) {
      // With per_page=1 the `last` page number is the star count (one cheap request): the
      // progress can say "1,200 of 5,000" from the first page on. Asked before the first page,
      // so it is the count before any page was read: a star removed or added while the pages
      // are read shows as a difference from it (worker/sync/sync-workflow.ts, listingMoved).
      const totalCount = await starCount(this.#client);
      const listed = await restPage(this.#client, 1);
      last = listed.last ?? 1;
      const next = listed.hasNext ? `2/${Math.max(2, last)}` : null;
      yield {
        items: listed.items,
        next,
        totalCount: totalCount ?? (next ? null : listed.items.length),
        partial: listed.partial,
        ...(next ? {} : { countAtEnd: listed.items.length }),
      };
      if (!next || maxPages <= 1) return;
      first = 2;
      maxPages--;
    }
    const end = Math.min(last, first + maxPages - 1);
    const ahead: Array<Promise<Awaited<ReturnType<typeof restPage>>>> = [];
    let toStart = first;
    const startNext = () => {
      if (toStart > end) return;
      const promise = restPage(this.#client, toStart++);
      promise.catch(() => undefined); // awaited in order below; this only keeps it from being "unhandled" meanwhile
      ahead.push(promise);
    };
    for (let i = 0; i < PAGES_AHEAD; i++) startNext();
    for (let page = first; ahead.length > 0; page++) {
      const listed = await ahead.shift()!;
      startNext();
      // A page beyond the end (stars removed since the count) is empty: the list ends there.
      const more = listed.hasNext || page < (listed.last ?? page);
      const next = more ? `${page + 1}/${Math.max(listed.last ?? last, page + 1)}` : null;
      yield {
        items: listed.items,
        next,
        totalCount: null,
        partial: listed.partial,
        ...(next ? {} : { countAtEnd: countAtEnd(page, listed.items.length) }),
      };
      if (!next) return;
    }
  }

  fetchReadmes(requests: ReadmeRequest[]): Promise<ReadmeOutcome[]> {
    return this.#readmes.fetch(requests);
  }

  /** Whether the README work would use more repositories now (the listing may run further ahead). */
  wantsMore(): boolean {
    return this.#readmes.wantsMore();
  }

  /** Resolves when the README work next changes (`wantsMore()` may have). */
  readmesChanged(): Promise<void> {
    return this.#readmes.changed();
  }

  /** How many more README lookups will be handed in after those queued now (ReadmeFetcher.comingLater). */
  readmesComingLater(count: number): void {
    this.#readmes.comingLater(count);
  }

  /** While pages are still being handed in, README batches wait to be full (ReadmeFetcher.expectMore). */
  expectMore(value: boolean): void {
    this.#readmes.expectMore(value);
  }
}
