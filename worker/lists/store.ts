import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { githubListItems, githubLists, repositories, stars, users } from "../db/schema";
import { inJsonArray } from "../db/sql";
import type { RemoteList } from "../github/lists";
import { inLibrary } from "../library/query";
import { runWrites, type Write } from "../sync/store";

// What D1 keeps of a user's GitHub Lists (docs/architecture.md §4, "Lists"): one row per List, one per membership
// of a repository Starwise knows. Memberships travel as GitHub ids in one JSON parameter a statement
// (`json_each`), in chunks, so a List of any size is a bounded number of statements that write only what changed.

/** GitHub ids a statement carries at most. */
const IDS_PER_STATEMENT = 500;

export type StoredList = typeof githubLists.$inferSelect;

export async function storedLists(db: Db, userId: number): Promise<StoredList[]> {
  return db.select().from(githubLists).where(eq(githubLists.userId, userId));
}

/** The GitHub ids of the repositories D1 holds as members of each of the user's Lists. */
export async function storedMembers(db: Db, userId: number): Promise<Map<string, Set<number>>> {
  const rows = await db
    .select({ listId: githubListItems.listId, githubId: repositories.githubId })
    .from(githubListItems)
    .innerJoin(repositories, eq(repositories.id, githubListItems.repositoryId))
    .where(eq(githubListItems.userId, userId));
  const members = new Map<string, Set<number>>();
  for (const row of rows) {
    const set = members.get(row.listId) ?? new Set<number>();
    set.add(row.githubId);
    members.set(row.listId, set);
  }
  return members;
}

/** GitHub ids of the user's library stars that carry `tag` among their own tags (any case). */
export async function taggedIds(db: Db, userId: number, tag: string): Promise<Set<number>> {
  const rows = await db
    .select({ githubId: repositories.githubId })
    .from(stars)
    .innerJoin(repositories, eq(repositories.id, stars.repositoryId))
    .where(
      and(
        eq(stars.userId, userId),
        inLibrary,
        sql`exists (select 1 from json_each(coalesce(${stars.customTags}, '[]')) where value = ${tag} collate nocase)`,
      ),
    );
  return new Set(rows.map((row) => row.githubId));
}

/** Node ids of repositories D1 knows, by GitHub id (rows saved without one are left out). */
export async function nodeIdsOf(db: Db, githubIds: readonly number[]): Promise<Map<number, string>> {
  const map = new Map<number, string>();
  for (let i = 0; i < githubIds.length; i += IDS_PER_STATEMENT) {
    const rows = await db
      .select({ githubId: repositories.githubId, nodeId: repositories.nodeId })
      .from(repositories)
      .where(inJsonArray(repositories.githubId, githubIds.slice(i, i + IDS_PER_STATEMENT)));
    for (const row of rows) if (row.nodeId) map.set(row.githubId, row.nodeId);
  }
  return map;
}

const chunks = <T>(values: readonly T[]) =>
  Array.from({ length: Math.ceil(values.length / IDS_PER_STATEMENT) }, (_, i) =>
    values.slice(i * IDS_PER_STATEMENT, (i + 1) * IDS_PER_STATEMENT),
  );

/** Statements that make one List's stored members `next` (GitHub ids), writing only the difference. */
export function memberWrites(
  db: Db,
  userId: number,
  listId: string,
  before: ReadonlySet<number>,
  next: ReadonlySet<number>,
): Write[] {
  const added = [...next].filter((id) => !before.has(id));
  const removed = [...before].filter((id) => !next.has(id));
  const writes: Write[] = [];
  for (const ids of chunks(removed)) {
    writes.push(
      db.delete(githubListItems).where(
        and(
          eq(githubListItems.userId, userId),
          eq(githubListItems.listId, listId),
          sql`${githubListItems.repositoryId} in (select id from repositories
              where github_id in (select value from json_each(${JSON.stringify(ids)})))`,
        ),
      ),
    );
  }
  for (const ids of chunks(added)) {
    writes.push(
      db
        .insert(githubListItems)
        .select(
          sql`select ${userId}, ${listId}, r.id from repositories r
            where r.github_id in (select value from json_each(${JSON.stringify(ids)}))`,
        )
        .onConflictDoNothing(),
    );
  }
  return writes;
}

/** Upsert of a List's row as GitHub answered it; `itemsRead` when its items were read whole just now. */
export function listWrite(db: Db, userId: number, list: RemoteList, itemsRead: Date | null): Write {
  const values = {
    name: list.name,
    slug: list.slug,
    description: list.description,
    isPrivate: list.isPrivate,
    itemCount: list.itemCount,
    lastAddedAt: list.lastAddedAt,
    updatedAt: list.updatedAt,
    ...(itemsRead ? { itemsReadAt: itemsRead } : {}),
  };
  return db
    .insert(githubLists)
    .values({ userId, listId: list.id, ...values })
    .onConflictDoUpdate({ target: [githubLists.userId, githubLists.listId], set: values });
}

/** Lists GitHub no longer has: gone with their memberships (a link to a tag ends; the tag stays). */
export function goneListsWrite(db: Db, userId: number, keep: readonly string[]): Write[] {
  const gone = sql`${githubLists.listId} not in (select value from json_each(${JSON.stringify(keep)}))`;
  return [
    db
      .delete(githubListItems)
      .where(
        and(
          eq(githubListItems.userId, userId),
          sql`${githubListItems.listId} not in (select value from json_each(${JSON.stringify(keep)}))`,
        ),
      ),
    db.delete(githubLists).where(and(eq(githubLists.userId, userId), gone)),
  ];
}

/**
 * Statements that add `tag` to, or take it from, the user's own tags on the library stars of `githubIds` (a linked
 * List's change on GitHub pulled in). Set-based: a chunk of ids a statement; a star that already agrees is not
 * written.
 */
export function tagWrites(db: Db, userId: number, tag: string, githubIds: readonly number[], add: boolean): Write[] {
  return chunks(githubIds).map((ids) => {
    const these = sql`${stars.repositoryId} in (select id from repositories
      where github_id in (select value from json_each(${JSON.stringify(ids)})))`;
    const has = sql`exists (select 1 from json_each(coalesce(${stars.customTags}, '[]'))
      where value = ${tag} collate nocase)`;
    return add
      ? db
          .update(stars)
          .set({ customTags: sql`json_insert(coalesce(${stars.customTags}, '[]'), '$[#]', ${tag})` })
          .where(and(eq(stars.userId, userId), these, sql`not ${has}`))
      : db
          .update(stars)
          .set({
            customTags: sql`(select json_group_array(value) from json_each(${stars.customTags})
              where value <> ${tag} collate nocase)`,
          })
          .where(and(eq(stars.userId, userId), these, has));
  });
}

/** What the last read of the Lists said about the token and how it went. */
export function readStateWrite(
  db: Db,
  userId: number,
  scopes: string | null | undefined,
  at: Date,
  error: string | null,
): Write {
  return (
    db
      .update(users)
      // The scopes GitHub sent with the Lists' answers keep the sign-in's record current (worker/unstar/star-write.ts
      // reads the same column).
      .set({
        ...(scopes !== undefined ? { tokenScopes: scopes, tokenScopesAt: at } : {}),
        listsReadAt: at,
        listsError: error,
      })
      .where(eq(users.id, userId))
  );
}

export { runWrites };
