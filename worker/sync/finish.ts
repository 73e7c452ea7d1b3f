import { and, eq, sql } from "drizzle-orm";
import type { DoneData, ErrorData, SyncStats } from "../../shared/events";
import { syncPageCounts, syncRuns, users } from "../db/schema";
import type { Services } from "../services";

/** The hourly rhythm (docs/architecture.md): every finished run, manual or automatic, sets the next one. */
export const SYNC_INTERVAL_MS = 60 * 60_000;

/**
 * Records a finished run and schedules the next. Idempotent: only a running run is finished.
 * `new` and `updated` are read from what the pages recorded with their writes
 * (`sync_page_counts`), so a retried list step does not count its own earlier writes as unchanged.
 */
export async function finishRun(
  services: Pick<Services, "db">,
  runId: string,
  userId: number,
  result: Omit<DoneData, "runId" | "stats" | "new_count" | "updated_count"> & { stats: SyncStats },
): Promise<DoneData> {
  const { db } = services;
  const now = new Date();
  const [tally] = await db
    .select({
      added: sql<number>`coalesce(sum(${syncPageCounts.newCount}), 0)`,
      updated: sql<number>`coalesce(sum(${syncPageCounts.updatedCount}), 0)`,
    })
    .from(syncPageCounts)
    .where(eq(syncPageCounts.runId, runId));
  const done: DoneData = { ...result, new_count: tally?.added ?? 0, updated_count: tally?.updated ?? 0, runId };
  const counters = {
    ...result.stats,
    new: done.new_count,
    updated: done.updated_count,
    unstarred: result.unstarred_count,
    total: result.total,
  };
  await db.batch([
    db
      .update(syncRuns)
      .set({ status: "done", phase: null, finishedAt: now, counters })
      .where(and(eq(syncRuns.id, runId), eq(syncRuns.status, "running"))),
    db
      .update(users)
      .set({ lastSyncedAt: now, nextSyncAt: new Date(now.getTime() + SYNC_INTERVAL_MS) })
      .where(eq(users.id, userId)),
  ]);
  return done;
}

/**
 * Records a failed run. A rejected token marks the user so no automatic sync tries
 * again until they reconnect; nothing of theirs is deleted.
 */
export async function failRun(
  services: Pick<Services, "db">,
  runId: string,
  userId: number,
  error: ErrorData,
): Promise<ErrorData> {
  const { db } = services;
  const now = new Date();
  const tokenRejected = error.code === "github_token_invalid";
  await db.batch([
    db
      .update(syncRuns)
      .set({ status: "error", finishedAt: now, error })
      .where(and(eq(syncRuns.id, runId), eq(syncRuns.status, "running"))),
    db
      .update(users)
      .set({
        nextSyncAt: new Date(now.getTime() + SYNC_INTERVAL_MS),
        ...(tokenRejected ? { tokenStatus: "invalid", updatedAt: now } : {}),
      })
      .where(eq(users.id, userId)),
  ]);
  return error;
}
