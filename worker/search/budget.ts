import type { Db } from "../db/client";
import { ApiError } from "../lib/errors";
import { countInWindows } from "../lib/throttle";

/** The window of the per-user search budget (docs/architecture.md §7, "Budget"). */
export const SEARCH_WINDOW_MS = 60_000;

/**
 * Counts one search that is about to call the embedding model (a search or a "similar" with a
 * model configured: REST and MCP alike), and throws 429 `rate_limited` with `Retry-After` once
 * the user has spent `perMinute` (`SEARCHES_PER_MINUTE`) in the current minute. A person typing
 * asks a few a second at most (the new tab waits for a pause); an agent looping over a
 * library asks hundreds, each a model call the deployment pays for.
 */
export async function spendSearch(db: Db, userId: number, perMinute: number, now = Date.now()): Promise<void> {
  const keys = [{ key: `search:${userId}`, limit: perMinute }];
  const retryAfterMs = await countInWindows(db, keys, SEARCH_WINDOW_MS, now);
  if (retryAfterMs <= 0) return;
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  throw new ApiError(
    "rate_limited",
    `Too many searches by meaning: at most ${perMinute} a minute. Try again in ${retryAfterSeconds} s`,
    { retryAfterSeconds },
  );
}
