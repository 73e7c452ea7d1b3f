import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { repositories } from "./repositories";
import { users } from "./users";

/** What one user did with one repository: starred, saved, annotated. A sync never touches the custom fields. */
export const stars = sqliteTable(
  "stars",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    repositoryId: integer("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    starredAt: integer("starred_at", { mode: "timestamp_ms" }),
    isStarred: integer("is_starred", { mode: "boolean" }).notNull().default(false),
    /** Added from a page without starring (the seed's "extracted" repositories). */
    isSaved: integer("is_saved", { mode: "boolean" }).notNull().default(false),
    unstarredAt: integer("unstarred_at", { mode: "timestamp_ms" }),
    customDescription: text("custom_description"),
    customTags: text("custom_tags", { mode: "json" }).$type<string[]>(),
    customCategory: text("custom_category"),
    notes: text("notes"),
    lastEdited: integer("last_edited", { mode: "timestamp_ms" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().$defaultFn(() => new Date()),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.repositoryId] }),
    // The library list: newest stars first, filtered by starred/saved.
    index("stars_user_starred_idx").on(t.userId, t.isStarred, t.starredAt),
    index("stars_user_category_idx").on(t.userId, t.customCategory),
    // Joins from a repository to its stargazers (account deletion, private-repo cleanup).
    index("stars_repository_idx").on(t.repositoryId),
  ],
);
