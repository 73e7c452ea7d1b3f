import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./users";

/**
 * A user's Atom feeds of the digest (docs/architecture.md §3, "The feed"): a feed reader cannot send a header, so
 * the feed's URL is its only credential. Like a session, only the sha256 of its token is kept: the URL is shown
 * once, a leaked database holds no usable URL, and revoking is deleting the row.
 */
export const feedTokens = sqliteTable(
  "feed_tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** sha256 (hex) of the token in the feed's URL. */
    tokenHash: text("token_hash").notNull().unique(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The user chose to let the feed name their private repositories (off by default: worker/library/feed.ts). */
    includePrivate: integer("include_private", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .$defaultFn(() => new Date()),
    /** When a reader last fetched it, to the hour (written at most once an hour). */
    lastReadAt: integer("last_read_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("feed_tokens_user_idx").on(t.userId)],
);
