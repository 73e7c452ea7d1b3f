import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./users";

export type SyncCounters = Record<string, number | string | Record<string, number>>;

export const syncRuns = sqliteTable(
  "sync_runs",
  {
    /** The Workflow instance id. */
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    trigger: text("trigger", { enum: ["manual", "auto"] }).notNull(),
    status: text("status", { enum: ["running", "done", "error"] }).notNull().default("running"),
    phase: text("phase"),
    startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull().$defaultFn(() => new Date()),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
    /** requests by kind, rows written, new/updated/unstarred, analysed, embedded, failures. */
    counters: text("counters", { mode: "json" }).$type<SyncCounters>(),
    error: text("error", { mode: "json" }).$type<{ code: string; message: string }>(),
  },
  (t) => [index("sync_runs_user_started_idx").on(t.userId, t.startedAt)],
);
