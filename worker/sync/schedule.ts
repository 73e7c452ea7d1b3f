import { and, asc, eq, lte } from "drizzle-orm";
import { createDb } from "../db/client";
import { users } from "../db/schema";
import { inJsonArray } from "../db/sql";
import type { Bindings } from "../env";
import { userSync } from "../lib/sync-run";
import { mapPool } from "../lib/concurrency";
import { SYNC_INTERVAL_MS } from "./finish";

/**
 * Users started per cron tick; the rest are due on the next tick (every 5 minutes), so one
 * deployment keeps up to 12 × 250 = 3,000 users hourly. Each start is one Durable Object
 * call and one Workflow creation, well within a cron invocation's subrequest budget.
 */
export const CRON_BATCH = 250;

/**
 * The hourly re-sync (docs/architecture.md): start a run for each user with auto_sync whose
 * next_sync_at has passed, in a bounded batch. Each is moved an hour ahead at once so
 * the next tick takes the next batch; the run's own finish sets it again.
 */
export async function startDueSyncs(env: Bindings, now = Date.now()): Promise<{ started: number; attached: number }> {
  const db = createDb(env.DB);
  const results = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.autoSync, true), eq(users.tokenStatus, "valid"), lte(users.nextSyncAt, new Date(now))))
    .orderBy(asc(users.nextSyncAt))
    .limit(CRON_BATCH);
  if (results.length === 0) return { started: 0, attached: 0 };
  await db
    .update(users)
    .set({ nextSyncAt: new Date(now + SYNC_INTERVAL_MS) })
    .where(
      inJsonArray(
        users.id,
        results.map((r) => r.id),
      ),
    );
  const outcomes = await mapPool(results, 6, async ({ id }) => {
    try {
      return (await userSync(env, id).startOrAttach({ userId: id, trigger: "auto" })).attached ? "attached" : "started";
    } catch (error) {
      console.error(`cron: could not start the sync of user ${id}:`, error);
      return "failed";
    }
  });
  return {
    started: outcomes.filter((o) => o === "started").length,
    attached: outcomes.filter((o) => o === "attached").length,
  };
}
