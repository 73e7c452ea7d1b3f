import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { signInAttempts } from "../db/schema";

/**
 * Fixed-window counters in D1 (docs/architecture.md §3, "Throttles"): one upsert per key, atomic,
 * so every isolate, everywhere, counts against the same row. The table is `sign_in_attempts`,
 * named for its first use; the keys say whose window it is (`token:`, `client:`, `search:`).
 *
 * Counts this attempt against each key and returns how long until the fullest window over its
 * limit ends, in ms (0 when every key is within its limit).
 */
export async function countInWindows(
  db: Db,
  keys: ReadonlyArray<{ key: string; limit: number }>,
  windowMs: number,
  now = Date.now(),
): Promise<number> {
  const windowOver = sql`${signInAttempts.windowStart} <= ${now - windowMs}`;
  const [first, ...rest] = keys.map(({ key }) =>
    db
      .insert(signInAttempts)
      .values({ key, windowStart: new Date(now), count: 1 })
      .onConflictDoUpdate({
        target: signInAttempts.key,
        // Both read the row as it was (SQLite evaluates every SET from the old row).
        set: {
          count: sql`case when ${windowOver} then 1 else ${signInAttempts.count} + 1 end`,
          windowStart: sql`case when ${windowOver} then ${now} else ${signInAttempts.windowStart} end`,
        },
      })
      .returning({ count: signInAttempts.count, windowStart: signInAttempts.windowStart }),
  );
  if (!first) return 0;
  const results = await db.batch([first, ...rest]);
  let retryAfterMs = 0;
  results.forEach(([row], i) => {
    if (row && row.count > keys[i]!.limit)
      retryAfterMs = Math.max(retryAfterMs, row.windowStart.getTime() + windowMs - now);
  });
  return retryAfterMs;
}
