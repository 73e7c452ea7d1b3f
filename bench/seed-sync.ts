// The seed's sync algorithm (the sync this product was first derived from, as its steps below
// describe it), run from Node straight against GitHub (the emulator in `npm run bench:sync`): the
// baseline the Worker is measured against. No Worker, no D1: its database is a Map kept by the
// caller across syncs.
//
// 1. List every star with REST `GET /user/starred` (100 a page, `sort=updated`, the star media
//    type for `starred_at`), one page after another, 0.1 s between pages, 30 s timeout each.
// 2. A repository needs its README when it is new, when its `pushed_at` changed, or when the
//    stored README is empty (a repository without one is asked again every sync, as in the seed).
// 3. READMEs with `GET /repos/{owner}/{repo}/readme` (raw media type), 10 at a time, 50 ms
//    between a slot's requests, 10 s timeout each; one failing leaves that README empty.
// 4. Upsert: a row is written when its content changed (new, metadata changed, README changed);
//    a star no longer listed is one more row (the unstar).
//
// Rate limits: a 403/429 with `x-ratelimit-remaining: 0` waits until `x-ratelimit-reset`, one with
// `retry-after` (a secondary limit) waits that long; then the request is asked again. (The seed
// gave up with "rate limit exceeded"; a baseline that stops at the limit would measure nothing.)
import { createHash } from "node:crypto";

/** What the seed's `repositories` table keeps of one star, by GitHub id. */
export type SeedRow = {
  pushedAt: string | null;
  hasReadme: boolean;
  /** Of the README bytes; null without one. */
  readmeHash: string | null;
  /** Of the metadata the table stores (name, description, counts, dates, `starred_at`). */
  metadataHash: string;
};

/** The seed's database: one user's rows, by GitHub id. */
export type SeedStore = Map<number, SeedRow>;

export type SeedSyncOptions = {
  /** GitHub's REST API root, e.g. the emulator's URL. */
  apiUrl: string;
  token: string;
  store: SeedStore;
  /** Called with each listed page's running total. */
  onListed?: (listed: number) => void;
};

export type SeedSyncResult = {
  /** Stars listed. */
  total: number;
  newCount: number;
  /** Existing rows rewritten (metadata or README changed). */
  updatedCount: number;
  /** Rows dropped because their star was no longer listed. */
  unstarredCount: number;
  /** newCount + updatedCount + unstarredCount. */
  rowsWritten: number;
  pages: number;
  /** `/readme` requests answered (rate-limit refusals asked again not counted twice). */
  readmeRequests: number;
  /** READMEs that came back with content. */
  readmesFetched: number;
  /** READMEs that failed (timeout, 5xx, refused repository): left empty, asked again next sync. */
  readmeFailures: number;
  /** Waits for GitHub's rate limits (primary or secondary). */
  rateLimitWaits: number;
  /** From the start until the last README was answered (until the listing ended when none was needed). */
  wallMs: number;
  /** Epoch milliseconds at the start. */
  startedAt: number;
  /** Summed response times of the requests: GitHub's server time as the client sees it. */
  measuredRestMs: number;
};

const PER_PAGE = 100;
const PAGE_DELAY_MS = 100;
const PAGE_TIMEOUT_MS = 30_000;
const README_CONCURRENCY = 10;
const README_DELAY_MS = 50;
const README_TIMEOUT_MS = 10_000;
const STAR_MEDIA_TYPE = "application/vnd.github.star+json";
const RAW_MEDIA_TYPE = "application/vnd.github.raw+json";

type Answer = { status: number; headers: Headers; body: Buffer };

type Listed = {
  id: number;
  fullName: string;
  pushedAt: string | null;
  metadataHash: string;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hash = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/**
 * How long GitHub asks the client to wait before asking again, or null when the answer is not a
 * rate limit: the primary limit (`x-ratelimit-remaining: 0`) until `x-ratelimit-reset`, a
 * secondary one for `retry-after` seconds.
 */
export function rateLimitWaitMs(status: number, headers: Headers, now = Date.now()): number | null {
  if (status !== 403 && status !== 429) return null;
  const reset = Number(headers.get("x-ratelimit-reset"));
  if (headers.get("x-ratelimit-remaining") === "0" && Number.isFinite(reset) && reset > 0)
    return Math.max(0, reset * 1000 - now);
  const retryAfter = headers.get("retry-after");
  if (retryAfter !== null && Number(retryAfter) >= 0) return Number(retryAfter) * 1000;
  return null;
}

/** The seed's table stores these of a starred repository (and changes them on a sync). */
function metadataOf(item: unknown): Listed {
  const { starred_at, repo } = item as { starred_at: string; repo: Record<string, unknown> };
  if (!repo || typeof repo.id !== "number" || typeof repo.full_name !== "string")
    throw new Error("GitHub listed a star in an unexpected shape");
  const owner = repo.owner as { login?: string; avatar_url?: string } | null;
  const stored = [
    repo.full_name,
    repo.name,
    repo.description ?? null,
    repo.html_url,
    repo.stargazers_count,
    repo.language ?? null,
    repo.topics ?? [],
    owner?.login ?? null,
    owner?.avatar_url ?? null,
    starred_at,
    repo.created_at ?? null,
    repo.updated_at ?? null,
    repo.pushed_at ?? null,
  ];
  return {
    id: repo.id,
    fullName: repo.full_name,
    pushedAt: (repo.pushed_at as string | null) ?? null,
    metadataHash: hash(JSON.stringify(stored)),
  };
}

/** One sync of the seed's algorithm; `options.store` holds what earlier syncs wrote and is updated. */
export async function seedSync(options: SeedSyncOptions): Promise<SeedSyncResult> {
  const started = performance.now();
  const startedAt = Date.now();
  const root = options.apiUrl.replace(/\/+$/, "");
  let measuredRestMs = 0;
  let rateLimitWaits = 0;

  /** A GET that honours GitHub's rate-limit answers; the timeout covers each attempt's answer and body. */
  async function get(path: string, accept: string, timeoutMs: number): Promise<Answer> {
    for (;;) {
      const asked = performance.now();
      const response = await fetch(`${root}${path}`, {
        headers: { Authorization: `Bearer ${options.token}`, Accept: accept, "X-GitHub-Api-Version": "2022-11-28" },
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = Buffer.from(await response.arrayBuffer());
      measuredRestMs += performance.now() - asked;
      const wait = rateLimitWaitMs(response.status, response.headers);
      if (wait === null) return { status: response.status, headers: response.headers, body };
      rateLimitWaits++;
      await sleep(wait);
    }
  }

  // 1. Every star, page after page.
  const listed: Listed[] = [];
  let pages = 0;
  for (let page = 1; ; page++) {
    if (page > 1) await sleep(PAGE_DELAY_MS);
    const answer = await get(
      `/user/starred?per_page=${PER_PAGE}&sort=updated&page=${page}`,
      STAR_MEDIA_TYPE,
      PAGE_TIMEOUT_MS,
    );
    pages++;
    if (answer.status === 401) throw new Error("Invalid GitHub token");
    if (answer.status !== 200)
      throw new Error(
        `GET /user/starred page ${page}: HTTP ${answer.status} ${answer.body.toString("utf8").slice(0, 200)}`,
      );
    const items = JSON.parse(answer.body.toString("utf8")) as unknown;
    if (!Array.isArray(items)) throw new Error(`GET /user/starred page ${page}: not a list`);
    listed.push(...items.map(metadataOf));
    options.onListed?.(listed.length);
    if (!/rel="next"/.test(answer.headers.get("link") ?? "")) break;
  }
  // GitHub may list a repository twice when the order moves between pages: the seed upserts by id.
  const byId = new Map(listed.map((repo) => [repo.id, repo]));

  // 2. Which READMEs to fetch.
  const needing = [...byId.values()].filter((repo) => {
    const row = options.store.get(repo.id);
    return !row || row.pushedAt !== repo.pushedAt || !row.hasReadme;
  });

  // 3. The READMEs, ten at a time.
  const readmes = new Map<number, Buffer | null>();
  const failed = new Set<number>();
  let readmeRequests = 0;
  let lastReadmeAt: number | null = null;
  let next = 0;
  const slot = async () => {
    while (next < needing.length) {
      const repo = needing[next++]!;
      try {
        const path = repo.fullName.split("/").map(encodeURIComponent).join("/");
        const answer = await get(`/repos/${path}/readme`, RAW_MEDIA_TYPE, README_TIMEOUT_MS);
        readmeRequests++;
        if (answer.status === 200) readmes.set(repo.id, answer.body);
        else if (answer.status === 404) readmes.set(repo.id, null);
        else failed.add(repo.id);
      } catch {
        // A timeout or a dropped connection: this README is not updated (asked again next sync).
        readmeRequests++;
        failed.add(repo.id);
      }
      lastReadmeAt = performance.now();
      await sleep(README_DELAY_MS);
    }
  };
  await Promise.all(Array.from({ length: Math.min(README_CONCURRENCY, needing.length) }, slot));
  const wallMs = (lastReadmeAt ?? performance.now()) - started;

  // 4. Upsert what changed, drop what is no longer starred.
  let newCount = 0;
  let updatedCount = 0;
  for (const repo of byId.values()) {
    const row = options.store.get(repo.id);
    const fetched = readmes.get(repo.id);
    // Not fetched (not needed, or failed): the stored README stays. A failed one keeps the old
    // `pushed_at` too, so the next sync asks again (the seed did not upsert a row without its README).
    const readmeHash =
      fetched === undefined ? (row?.readmeHash ?? null) : fetched && fetched.length > 0 ? hash(fetched) : null;
    const fresh: SeedRow = {
      pushedAt: failed.has(repo.id) && row ? row.pushedAt : repo.pushedAt,
      hasReadme: readmeHash !== null,
      readmeHash,
      metadataHash: repo.metadataHash,
    };
    if (!row) newCount++;
    else if (row.metadataHash !== fresh.metadataHash || row.readmeHash !== fresh.readmeHash) updatedCount++;
    else continue;
    options.store.set(repo.id, fresh);
  }
  let unstarredCount = 0;
  for (const id of [...options.store.keys()]) {
    if (byId.has(id)) continue;
    options.store.delete(id);
    unstarredCount++;
  }

  return {
    total: byId.size,
    newCount,
    updatedCount,
    unstarredCount,
    rowsWritten: newCount + updatedCount + unstarredCount,
    pages,
    readmeRequests,
    readmesFetched: [...readmes.values()].filter((body) => body && body.length > 0).length,
    readmeFailures: failed.size,
    rateLimitWaits,
    wallMs,
    startedAt,
    measuredRestMs,
  };
}
