import { z } from "zod";
import type { GithubApi } from "./api";
import { GithubError } from "./errors";
import { mapPool, type ReadmeOutcome, type ReadmeRequest, type StarPage, type StarSource } from "./source";
import type { RepoMetadata, StarredRepo } from "./types";

const PAGE_SIZE = 100;
/** README requests in flight; the listing may hold one more connection (limit 6). */
const README_CONCURRENCY = 5;

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
    fork: repo.fork ?? false,
    isPrivate: repo.private ?? false,
    githubCreatedAt: time(repo.created_at),
    githubUpdatedAt: time(repo.updated_at),
    githubPushedAt: time(repo.pushed_at),
  };
}

/** The seed's algorithm, made correct: the fallback and the benchmark's baseline. */
export class RestStarSource implements StarSource {
  readonly strategy = "rest" as const;
  readonly #api: GithubApi;

  constructor(api: GithubApi) {
    this.#api = api;
  }

  async listPage(cursor: string | null): Promise<StarPage> {
    const page = cursor ? Number(cursor) : 1;
    // sort=created is star time: a stable order with starred_at (the seed used `updated`).
    const response = await this.#api.rest(
      `/user/starred?sort=created&direction=desc&per_page=${PAGE_SIZE}&page=${page}`,
      { accept: "application/vnd.github.star+json" },
    );
    const parsed = z.array(StarredItem).safeParse(await response.json().catch(() => null));
    if (!parsed.success) throw new GithubError("unavailable", "GitHub listed stars in an unexpected shape");
    const items: StarredRepo[] = parsed.data.map((item) => ({
      starredAt: Date.parse(item.starred_at),
      repo: fromRestRepository(item.repo),
      readme: { kind: "unknown" },
    }));
    const hasNext = /<[^>]+>;\s*rel="next"/.test(response.headers.get("link") ?? "");
    return { items, next: hasNext ? String(page + 1) : null, totalCount: null };
  }

  fetchReadmes(requests: ReadmeRequest[]): Promise<ReadmeOutcome[]> {
    return mapPool(requests, README_CONCURRENCY, (request) => fetchReadmeRest(this.#api, request));
  }
}

/**
 * `GET /repos/{o}/{r}/readme` as raw text. Its ETag is the blob sha, so asking with
 * `If-None-Match: <known sha>` makes an unchanged README a free 304.
 */
export async function fetchReadmeRest(api: GithubApi, request: ReadmeRequest): Promise<ReadmeOutcome> {
  const { githubId } = request;
  try {
    const response = await api.rest(`/repos/${request.fullName}/readme`, {
      accept: "application/vnd.github.raw+json",
      etag: request.knownSha,
      allow404: true,
    });
    if (response.status === 304) return { githubId, kind: "unchanged" };
    if (response.status === 404) return { githubId, kind: "missing" };
    const text = await response.text();
    const sha = response.headers.get("etag")?.replace(/^W\//, "").replaceAll('"', "") || (await gitBlobSha(text));
    api.usage.readmesFetched++;
    return { githubId, kind: "ok", readme: { sha, path: "README", text, truncated: false } };
  } catch (error) {
    if (isRunWide(error)) throw error;
    return { githubId, kind: "error", message: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Trouble that concerns the whole run (the token, the rate limits) stops the step; a
 * 404, 5xx or timeout on one README is that repository's alone and is retried next sync.
 */
export function isRunWide(error: unknown): boolean {
  return (
    error instanceof GithubError &&
    (error.kind === "token_invalid" || error.kind === "rate_limited" || error.kind === "secondary_limited")
  );
}

/** The git blob sha of a text, as GitHub computes it. */
export async function gitBlobSha(text: string): Promise<string> {
  const body = new TextEncoder().encode(text);
  const header = new TextEncoder().encode(`blob ${body.byteLength}\0`);
  const data = new Uint8Array(header.byteLength + body.byteLength);
  data.set(header);
  data.set(body, header.byteLength);
  const digest = await crypto.subtle.digest("SHA-1", data);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
