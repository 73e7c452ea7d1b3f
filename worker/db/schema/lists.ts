import { foreignKey, index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { repositories } from "./repositories";
import { users } from "./users";

/**
 * A user's GitHub star Lists as GitHub last answered them (docs/architecture.md §4, "Lists"), keyed by GitHub's node
 * id: a List renamed on GitHub keeps its row and its memberships.
 */
export const githubLists = sqliteTable(
  "github_lists",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** GitHub's node id (`UL_…`). */
    listId: text("list_id").notNull(),
    name: text("name").notNull(),
    slug: text("slug").notNull(),
    description: text("description"),
    isPrivate: integer("is_private", { mode: "boolean" }).notNull().default(false),
    /** GitHub's `items.totalCount`: repositories outside the library included. */
    itemCount: integer("item_count").notNull().default(0),
    /** GitHub's `lastAddedAt` and `updatedAt`: with the count, what says the items need reading again. */
    lastAddedAt: integer("last_added_at", { mode: "timestamp_ms" }),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }),
    /** When the items were last read whole; null = never. */
    itemsReadAt: integer("items_read_at", { mode: "timestamp_ms" }),
    /** Opt-in push: the custom tag this List mirrors both ways; null = the List is only read. */
    linkedTag: text("linked_tag"),
  },
  (t) => [primaryKey({ columns: [t.userId, t.listId] })],
);

/**
 * Which repositories of the library are in which List, as of the last read or push: the base the next sync's
 * three-way merge of a linked List compares both sides against.
 */
export const githubListItems = sqliteTable(
  "github_list_items",
  {
    userId: integer("user_id").notNull(),
    listId: text("list_id").notNull(),
    repositoryId: integer("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.listId, t.repositoryId] }),
    foreignKey({ columns: [t.userId, t.listId], foreignColumns: [githubLists.userId, githubLists.listId] }).onDelete(
      "cascade",
    ),
    index("github_list_items_repository_idx").on(t.userId, t.repositoryId),
  ],
);
