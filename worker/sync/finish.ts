import type { DoneData, ErrorData, SyncStats } from "../../shared/events";
import type { Bindings } from "../env";

/** The hourly rhythm (DESIGN §7): every finished run, manual or automatic, sets the next one. */
export const SYNC_INTERVAL_MS = 60 * 60_000;

/** Records a finished run and schedules the next. Idempotent: only a running run is finished. */
export async function finishRun(
  env: Bindings,
  runId: string,
  userId: number,
  result: Omit<DoneData, "runId" | "stats"> & { stats: SyncStats },
): Promise<DoneData> {
  const now = Date.now();
  const done: DoneData = { ...result, runId };
  await env.DB.batch([
    env.DB.prepare(
      "update sync_runs set status = 'done', phase = null, finished_at = ?1, counters = ?2 where id = ?3 and status = 'running'",
    ).bind(now, JSON.stringify({ ...result.stats, new: result.new_count, updated: result.updated_count, unstarred: result.unstarred_count, total: result.total }), runId),
    env.DB.prepare("update users set last_synced_at = ?1, next_sync_at = ?2 where id = ?3").bind(now, now + SYNC_INTERVAL_MS, userId),
  ]);
  return done;
}

/**
 * Records a failed run. A rejected token marks the user so no automatic sync tries
 * again until they reconnect; nothing of theirs is deleted.
 */
export async function failRun(env: Bindings, runId: string, userId: number, error: ErrorData): Promise<ErrorData> {
  const now = Date.now();
  const statements = [
    env.DB.prepare("update sync_runs set status = 'error', finished_at = ?1, error = ?2 where id = ?3 and status = 'running'").bind(
      now,
      JSON.stringify(error),
      runId,
    ),
    env.DB.prepare("update users set next_sync_at = ?1 where id = ?2").bind(now + SYNC_INTERVAL_MS, userId),
  ];
  if (error.code === "github_token_invalid") {
    statements.push(env.DB.prepare("update users set token_status = 'invalid', updated_at = ?1 where id = ?2").bind(now, userId));
  }
  await env.DB.batch(statements);
  return error;
}
