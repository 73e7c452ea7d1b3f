import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { repositories } from "./repositories";
import { users } from "./users";

/**
 * One bulk unstar (`DELETE /user/starred/…`) or its undo (`PUT`), worker/unstar/ (docs/architecture.md §4,
 * "Unstar in bulk"). The run's repositories are rows of `unstar_run_items`, each written as GitHub answers it, so a
 * run stopped halfway continues with what is still pending and asks nothing twice.
 */
export const unstarRuns = sqliteTable(
  "unstar_runs",
  {
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    action: text("action", { enum: ["unstar", "restar"] }).notNull(),
    /** A `restar` run: the unstar run it undoes. */
    undoes: text("undoes"),
    /** `stopped`: ended before every repository was asked (a refused token, GitHub down); resumable. */
    status: text("status", { enum: ["running", "done", "stopped"] })
      .notNull()
      .default("running"),
    total: integer("total").notNull(),
    /** The Workflow instance working on it now (a resumed run gets a new one). */
    workflowId: text("workflow_id"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
    /** Why it stopped: a code of shared/errors.ts and our message. */
    error: text("error", { mode: "json" }).$type<{ code: string; message: string }>(),
  },
  (t) => [index("unstar_runs_user_created_idx").on(t.userId, t.createdAt)],
);

export const unstarRunItems = sqliteTable(
  "unstar_run_items",
  {
    runId: text("run_id")
      .notNull()
      .references(() => unstarRuns.id, { onDelete: "cascade" }),
    repositoryId: integer("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    /** The name it was asked by (GitHub's star routes take the name, not the id). */
    fullName: text("full_name").notNull(),
    /**
     * `pending` (not asked yet), `done` (GitHub answered 204), `missing` (GitHub has no such repository by this name:
     * deleted, made private, renamed since the last sync — nothing left to unstar), `failed` (refused for this
     * repository alone: a takedown, SAML, a private repository the token's scope does not reach).
     */
    state: text("state", { enum: ["pending", "done", "missing", "failed"] })
      .notNull()
      .default("pending"),
    /** `failed`: why (a code of shared/errors.ts). */
    errorCode: text("error_code"),
    /** The order the run asks them in. */
    position: integer("position").notNull(),
    doneAt: integer("done_at", { mode: "timestamp_ms" }),
  },
  (t) => [primaryKey({ columns: [t.runId, t.repositoryId] }), index("unstar_run_items_state_idx").on(t.runId, t.state)],
);
