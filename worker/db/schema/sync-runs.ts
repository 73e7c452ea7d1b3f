import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { repositories } from "./repositories";
import { users } from "./users";

/** `stats.enrichment.stops` is the one list (shared/events.ts, EnrichmentStop). */
type StopRows = Array<Record<string, string | number>>;
export type SyncCounters = Record<string, number | string | Record<string, number | boolean | StopRows>>;

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

/**
 * READMEs a user's sync still has to look up (docs/architecture.md §4, "rows first"): a listed
 * page writes its rows at once and queues the READMEs its plan asks for, in the same D1 batch;
 * README steps take the most recently starred first and delete each entry in the batch that
 * writes its README. The repository's `github_pushed_at` waits here (`pushed_at`) until then:
 * a run that stops before a README is looked up leaves the entry, and the next run's plan, which
 * compares pushed dates, asks for that README again.
 */
export const readmeQueue = sqliteTable(
  "readme_queue",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    repositoryId: integer("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    /** The listing's `pushed_at`, written to the repository with its README. */
    pushedAt: integer("pushed_at", { mode: "timestamp_ms" }),
    /** The star's date: README work goes most recent first (what a person searches for first). */
    starredAt: integer("starred_at", { mode: "timestamp_ms" }).notNull(),
    /** The run whose listing queued it: a later run queues it again as its own. */
    runId: text("run_id").notNull(),
    /** That run's listing counted this star new or updated (a changed README then adds nothing to `updated`). */
    counted: integer("counted", { mode: "boolean" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.repositoryId] }),
    index("readme_queue_user_starred_idx").on(t.userId, t.starredAt),
  ],
);
