import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./users";

export type SyncCounters = Record<string, number | string | Record<string, number | boolean>>;

export const syncRuns = sqliteTable(
  "sync_runs",
  {
    /** The Workflow instance id. */
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    trigger: text("trigger", { enum: ["manual", "auto"] }).notNull(),
    status: text("status", { enum: ["running", "done", "error"] })
      .notNull()
      .default("running"),
    phase: text("phase"),
    startedAt: integer("started_at", { mode: "timestamp_ms" })
      .notNull()
      .$defaultFn(() => new Date()),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
    /** requests by kind, rows written, new/updated/unstarred, analysed, embedded, failures. */
    counters: text("counters", { mode: "json" }).$type<SyncCounters>(),
    error: text("error", { mode: "json" }).$type<{ code: string; message: string }>(),
  },
  (t) => [index("sync_runs_user_started_idx").on(t.userId, t.startedAt)],
);

/**
 * What each listed page of a run added and changed, written in the same D1 batch as the page's
 * first writes and never overwritten: a list step that is retried after some of its writes
 * landed finds them unchanged, so its own plan would count them as nothing. The run's `new` and
 * `updated` are the sums of these rows (worker/sync/finish.ts).
 */
export const syncPageCounts = sqliteTable(
  "sync_page_counts",
  {
    runId: text("run_id")
      .notNull()
      .references(() => syncRuns.id, { onDelete: "cascade" }),
    /** The listing pass and the page within it, e.g. "0:12". */
    page: text("page").notNull(),
    newCount: integer("new_count").notNull(),
    updatedCount: integer("updated_count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.page] })],
);
