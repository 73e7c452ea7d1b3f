import { and, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import { repositories, stars } from "../db/schema";
import { mapPool } from "../lib/concurrency";
import type { Services } from "../services";

// OpenRank from OpenDigger (docs/architecture.md §4 "openrank"): `openrank.json` per repository,
// a flat object of `YYYY-MM`, `YYYYQn` and `YYYY` keys, exported monthly (around the 5th) with
// data through the previous month, so the newest quarter and year in a file are usually partial
// (the seed took `sorted(keys)[-1]`: a partial quarter). Stored: the latest *complete* quarter —
// the one that ends at or before the export's last complete month. The columns are global, so a
// repository is fetched at most once a month whoever stars it. 404 = OpenDigger has no data.
// Never fatal: an error leaves the repository for the next sync.

/** OpenDigger's export has run by this day of the month (it runs around the 5th). */
const EXPORT_SETTLED_DAY = 8;
/** Requests in flight (the Worker's 6 connections, one left for D1). */
const CONCURRENCY = 5;
const TIMEOUT_MS = 15_000;
/**
 * Failures in a row after which OpenDigger is taken for unreachable in this run: the rest waits
 * for the next sync. Without it a provider that is down costs a failing request (and up to the
 * timeout) for every repository of the library, every hourly sync.
 */
export const OPENRANK_BREAKER = 10;

const OpenrankFile = z.record(z.string(), z.unknown());

export type OpenrankParams = {
  userId: number;
  budget: number;
  /** Repositories up to this id were handled earlier in this run (a failed one waits for the next sync). */
  afterId?: number;
};
export type OpenrankResult = {
  /** Repositories whose value was stored (a number, or "no data" after a 404). */
  fetched: number;
  noData: number;
  /** Requests that failed (5xx, timeout, not JSON): left for the next sync. */
  failed: number;
  requests: number;
  /** Repositories still due in this run after this call. */
  pending: number;
  pendingAtStart: number;
  /** Pass as `afterId` to the next call. */
  lastId: number;
  /** OpenDigger failed OPENRANK_BREAKER times in a row: the phase stops, the rest waits for the next sync. */
  unavailable?: string;
};

/** The start of the current OpenDigger month: after it, a value fetched before it is stale. */
export function refreshBoundary(now: Date): Date {
  const settled = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), EXPORT_SETTLED_DAY);
  if (now.getTime() >= settled) return new Date(settled);
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, EXPORT_SETTLED_DAY));
}

/** `YYYY-MM` of the month before `date` (UTC): the last month an export made on `date` covers. */
export function monthBefore(date: Date): { year: number; month: number } {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 1, 1));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1 };
}

/**
 * The latest complete quarter of a file whose data runs through `lastMonth`, and its value:
 * the quarter key when present, else the sum of its months (zero months are omitted from the
 * files, so absent months count 0, and a quarter without any key is 0).
 */
export function latestCompleteQuarter(
  file: Record<string, unknown>,
  lastMonth: { year: number; month: number },
): { period: string; value: number } {
  let { year, month } = lastMonth;
  // Step back to the last month that ends a quarter (3, 6, 9, 12).
  while (month % 3 !== 0) {
    month--;
    if (month === 0) {
      month = 12;
      year--;
    }
  }
  const quarter = month / 3;
  const period = `${year}Q${quarter}`;
  const direct = file[period];
  if (typeof direct === "number" && Number.isFinite(direct)) return { period, value: direct };
  let sum = 0;
  for (let m = month - 2; m <= month; m++) {
    const value = file[`${year}-${String(m).padStart(2, "0")}`];
    if (typeof value === "number" && Number.isFinite(value)) sum += value;
  }
  return { period, value: Math.round(sum * 100) / 100 };
}

type Fetched = { kind: "value"; period: string; value: number } | { kind: "none" } | { kind: "error"; reason: string };

export async function fetchOpenrank(
  baseUrl: string,
  fullName: string,
  fetcher: typeof fetch = fetch,
): Promise<Fetched & { requests: number }> {
  const [owner, name] = fullName.split("/");
  if (!owner || !name) return { kind: "none", requests: 0 };
  const url = `${baseUrl}/github/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/openrank.json`;
  let requests = 1;
  try {
    const response = await fetcher(url, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    // OpenDigger answers 404 (with object storage's XML body) for a repository it does not cover.
    if (response.status === 404) {
      await response.body?.cancel();
      return { kind: "none", requests };
    }
    if (!response.ok) {
      await response.body?.cancel();
      return { kind: "error", reason: `HTTP ${response.status}`, requests };
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { kind: "error", reason: "not JSON (a proxy's page?)", requests };
    }
    const file = OpenrankFile.safeParse(json);
    if (!file.success) return { kind: "error", reason: "not an OpenDigger metric file", requests };
    // The file's Last-Modified is its export: data is complete through the month before it.
    // Without it, meta.json's updatedAt says the same thing.
    let exported = Date.parse(response.headers.get("last-modified") ?? "");
    if (!Number.isFinite(exported)) {
      requests++;
      const meta = await fetcher(url.replace(/openrank\.json$/, "meta.json"), {
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const parsed = z
        .object({ updatedAt: z.number() })
        .safeParse(meta.ok ? await meta.json().catch(() => null) : null);
      if (!parsed.success) return { kind: "error", reason: "no export date (Last-Modified or meta.json)", requests };
      exported = parsed.data.updatedAt;
    }
    const { period, value } = latestCompleteQuarter(file.data, monthBefore(new Date(exported)));
    return { kind: "value", period, value, requests };
  } catch (error) {
    return { kind: "error", reason: error instanceof Error ? error.message : String(error), requests };
  }
}

/** One bounded call of the openrank phase for a user's library: only repositories not fetched since the last export. */
export async function refreshOpenrank(
  { db, config }: Services,
  params: OpenrankParams,
  onProgress?: (done: number, pendingAtStart: number) => void,
): Promise<OpenrankResult> {
  const boundary = refreshBoundary(new Date());
  const due = await db
    .selectDistinct({ id: repositories.id, fullName: repositories.fullName })
    .from(stars)
    .innerJoin(repositories, eq(repositories.id, stars.repositoryId))
    .where(
      and(
        eq(stars.userId, params.userId),
        sql`(${stars.isStarred} = 1 or ${stars.isSaved} = 1)`,
        // OpenDigger covers public repositories only.
        eq(repositories.isPrivate, false),
        or(isNull(repositories.openrankFetchedAt), lt(repositories.openrankFetchedAt, boundary)),
        gt(repositories.id, params.afterId ?? 0),
      ),
    )
    .orderBy(repositories.id);
  const batch = due.slice(0, params.budget);
  const result: OpenrankResult = {
    fetched: 0,
    noData: 0,
    failed: 0,
    requests: 0,
    pending: due.length - batch.length,
    pendingAtStart: due.length,
    lastId: batch.at(-1)?.id ?? params.afterId ?? 0,
  };
  let done = 0;
  const now = new Date();
  const writes: Array<{ id: number; openrank: number | null; period: string | null }> = [];
  let inARow = 0;
  await mapPool(batch, CONCURRENCY, async (repo) => {
    if (result.unavailable) return;
    const answer = await fetchOpenrank(config.opendiggerUrl, repo.fullName);
    result.requests += answer.requests;
    if (answer.kind === "error") {
      result.failed++;
      console.warn(`OpenRank of ${repo.fullName}: ${answer.reason}`);
      if (++inARow >= OPENRANK_BREAKER)
        result.unavailable ??= `OpenDigger failed ${inARow} times in a row (last: ${answer.reason})`;
    } else {
      inARow = 0;
      writes.push(
        answer.kind === "value"
          ? { id: repo.id, openrank: answer.value, period: answer.period }
          : { id: repo.id, openrank: null, period: null },
      );
      if (answer.kind === "none") result.noData++;
      result.fetched++;
    }
    onProgress?.(++done, due.length);
  });
  // Repositories the breaker left out are still due (the next sync asks again).
  if (result.unavailable) result.pending = due.length - result.fetched - result.failed;
  for (let i = 0; i < writes.length; i += 50) {
    const statements = writes
      .slice(i, i + 50)
      .map((w) =>
        db
          .update(repositories)
          .set({ openrank: w.openrank, openrankPeriod: w.period, openrankFetchedAt: now })
          .where(eq(repositories.id, w.id)),
      );
    const [first, ...rest] = statements;
    if (first) await db.batch([first, ...rest]);
  }
  return result;
}
