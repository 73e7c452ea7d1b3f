import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./users";

// A user's tag vocabulary (docs/architecture.md §2, "Tags"; migrations/0019_tag_vocabulary.sql).

/**
 * How this user reads one AI tag of the shared analyses: as `canonical`, or not at all (null =
 * hidden). Keyed by the tag exactly as `analyses.tags` holds it; the `stars_fts` triggers read it too.
 */
export const tagAliases = sqliteTable(
  "tag_aliases",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    alias: text("alias").notNull(),
    canonical: text("canonical"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.alias] })],
);

/** One tag operation, logged with what undoing it needs (worker/tags/operations.ts). */
export const tagOperations = sqliteTable(
  "tag_operations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The client's `Idempotency-Key`: a retry with the same key answers with this operation. */
    idempotencyKey: text("idempotency_key"),
    kind: text("kind").notNull(),
    /** The request as validated (shared/tags.ts `TagOperationRequest`). */
    request: text("request").notNull(),
    /** The alias rows it changed, each as it was and as it became (`AliasChange[]`). */
    aliases: text("aliases").notNull(),
    /** `logging` (planned, not yet logged), `applying` (logged, being written), `applied`, `undone`. */
    status: text("status", { enum: ["logging", "applying", "applied", "undone"] }).notNull(),
    /** The answer (`TagOperation` counts), once applied. */
    result: text("result"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    undoneAt: integer("undone_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    uniqueIndex("tag_operations_user_key_idx").on(t.userId, t.idempotencyKey),
    index("tag_operations_user_idx").on(t.userId, t.id),
  ],
);

/** The custom tags of the stars an operation changed, as they were: ≤ 500 stars a chunk, one write statement each. */
export const tagOperationRows = sqliteTable(
  "tag_operation_rows",
  {
    operationId: integer("operation_id")
      .notNull()
      .references(() => tagOperations.id, { onDelete: "cascade" }),
    chunk: integer("chunk").notNull(),
    /** `[repositoryId, customTags as stored (JSON text) or null][]`. */
    rows: text("rows").notNull(),
  },
  (t) => [primaryKey({ columns: [t.operationId, t.chunk] })],
);

/** The gardener's proposals this user dismissed, by stable id (worker/tags/gardener.ts). */
export const tagDismissals = sqliteTable(
  "tag_dismissals",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    proposalId: text("proposal_id").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.proposalId] })],
);

/** Tags this user filtered the library by: an AI tag never filtered by is one they never looked at. */
export const tagViews = sqliteTable(
  "tag_views",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tag: text("tag").notNull(),
    viewedAt: integer("viewed_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.tag] })],
);
