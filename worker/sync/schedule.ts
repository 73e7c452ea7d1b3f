import type { Bindings } from "../env";
import { userSync } from "../durable-objects/user-sync";
import { mapPool } from "../github/source";
import { SYNC_INTERVAL_MS } from "./finish";

/**
 * Users started per cron tick; the rest are due on the next tick (every 5 minutes), so one
 * deployment keeps up to 12 × 250 = 3,000 users hourly. Each start is one Durable Object
 * call and one Workflow creation, well within a cron invocation's subrequest budget.
 */
export const CRON_BATCH = 250;

/**
 * The hourly re-sync (DESIGN §7): start a run for each user with auto_sync whose
 * next_sync_at has passed, in a bounded batch. Each is moved an hour ahead at once so
 * the next tick takes the next batch; the run's own finish sets it again.
 */
export async function startDueSyncs(env: Bindings, now = Date.now()): Promise<{ started: number; attached: number }> {
  const { results } = await env.DB.prepare(
    `select id from users where auto_sync = 1 and token_status = 'valid' and next_sync_at <= ?1
     order by next_sync_at limit ?2`,
  )
    .bind(now, CRON_BATCH)
    .all<{ id: number }>();
  if (results.length === 0) return { started: 0, attached: 0 };
  await env.DB.prepare("update users set next_sync_at = ?1 where id in (select value from json_each(?2))")
    .bind(now + SYNC_INTERVAL_MS, JSON.stringify(results.map((r) => r.id)))
    .run();
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
