import { and, asc, desc, eq, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { z } from "zod";
import { splitListOperators } from "../../shared/lists";
import type { LookupItem, RepositoryItem, RepositoryListQuery, RepositorySort } from "../../shared/repositories";
import type { Db } from "../db/client";
import { analyses, repositories, stars, tagAliases } from "../db/schema";
import { ApiError } from "../lib/errors";
import { parseQuery, termExpressions } from "./terms";
import { aliasesOf, aliasesQuery, inVocabulary, vocabularyOf, vocabularyQuery } from "./vocabulary";

// The library query: a user's repositories as the list, the lookup and the export read
// them (one select, one sort and cursor scheme, one mapping to the contract).

/** Every column a RepositoryItem is made of: the repository's facts and the user's stars row. */
export const libraryColumns = {
  id: repositories.id,
  fullName: repositories.fullName,
  name: repositories.name,
  ownerLogin: repositories.ownerLogin,
  ownerAvatarUrl: repositories.ownerAvatarUrl,
  description: repositories.description,
  htmlUrl: repositories.htmlUrl,
  homepage: repositories.homepage,
  stargazersCount: repositories.stargazersCount,
  language: repositories.language,
  topics: repositories.topics,
  license: repositories.license,
  archived: repositories.archived,
  fork: repositories.fork,
  isPrivate: repositories.isPrivate,
  pushedAt: repositories.githubPushedAt,
  disabled: repositories.disabled,
  archivedAt: repositories.archivedAt,
  latestReleaseTag: repositories.latestReleaseTag,
  latestReleaseName: repositories.latestReleaseName,
  latestReleaseAt: repositories.latestReleaseAt,
  latestReleasePrerelease: repositories.latestReleasePrerelease,
  lastCommitAt: repositories.lastCommitAt,
  healthCheckedAt: repositories.healthCheckedAt,
  goneReason: stars.goneReason,
  goneAt: stars.goneAt,
  // The analysis this user reads (per language and model; docs/architecture.md §2).
  aiSummary: analyses.summary,
  aiTags: analyses.tags,
  aiPlatforms: analyses.platforms,
  openrank: repositories.openrank,
  openrankPeriod: repositories.openrankPeriod,
  starredAt: stars.starredAt,
  addedAt: stars.createdAt,
  isStarred: stars.isStarred,
  isSaved: stars.isSaved,
  unstarredAt: stars.unstarredAt,
  accessState: stars.accessState,
  accessMessage: stars.accessMessage,
  accessUrl: stars.accessUrl,
  accessCheckedAt: stars.accessCheckedAt,
  customDescription: stars.customDescription,
  customTags: stars.customTags,
  customCategory: stars.customCategory,
  notes: stars.notes,
  lastEdited: stars.lastEdited,
  watchReleases: stars.watchReleases,
  // The GitHub Lists it is in, by name (docs/architecture.md §4, "Lists"): the membership index's prefix.
  lists: sql<string>`(select json_group_array(name) from (select l.name from github_list_items i
    join github_lists l on l.user_id = i.user_id and l.list_id = i.list_id
    where i.user_id = ${stars.userId} and i.repository_id = ${stars.repositoryId} order by l.name collate nocase))`,
};
export type LibraryRow = Awaited<ReturnType<typeof selectLibrary>>[number];

/**
 * The session user's rows only: the join on `stars.user_id` is the privacy boundary. The AI tags
 * come as this user reads them: through their aliases and in their own vocabulary
 * (worker/library/vocabulary.ts), read in the same round trip.
 */
export async function selectLibrary(db: Db, userId: number, conditions: SQL[], order: SQL[], limit: number) {
  const [rows, vocabulary, aliasRows] = await db.batch([
    db
      .select(libraryColumns)
      .from(stars)
      .innerJoin(repositories, eq(repositories.id, stars.repositoryId))
      .leftJoin(analyses, eq(analyses.id, stars.analysisId))
      .where(and(eq(stars.userId, userId), ...conditions))
      .orderBy(...order)
      .limit(limit),
    vocabularyQuery(db, userId),
    aliasesQuery(db, userId),
  ]);
  const own = vocabularyOf(vocabulary);
  const aliases = aliasesOf(aliasRows);
  if (own.size === 0 && aliases.size === 0) return rows;
  return rows.map((row) => ({ ...row, aiTags: inVocabulary(strings(row.aiTags), own, aliases) }));
}

/** Starred now, or saved. Unstarred rows kept only for the user's notes are not "in the library". */
export const inLibrary = sql`(${stars.isStarred} = 1 or ${stars.isSaved} = 1)`;

/** When it entered the library: the star time, or for a saved repository the time it was saved. */
const addedAt = sql<number>`coalesce(${stars.starredAt}, ${stars.createdAt})`;
const nameNocase = sql`${repositories.name} collate nocase`;

/** Each sort ends with the repository id, so ties have a stable order and cursors never skip. */
export const sortOrder: Record<RepositorySort, SQL[]> = {
  starred_at: [desc(addedAt), desc(repositories.id)],
  stars: [desc(repositories.stargazersCount), desc(repositories.id)],
  openrank: [sql`${repositories.openrank} is null`, desc(repositories.openrank), desc(repositories.id)],
  name: [asc(nameNocase), asc(repositories.id)],
};

// Cursors are opaque to clients: base64url of the last row's sort key and repository id.
const Cursor = z.discriminatedUnion("s", [
  z.object({ s: z.literal("starred_at"), k: z.number().int(), i: z.number().int() }),
  z.object({ s: z.literal("stars"), k: z.number().int(), i: z.number().int() }),
  z.object({ s: z.literal("openrank"), k: z.number().nullable(), i: z.number().int() }),
  z.object({ s: z.literal("name"), k: z.string(), i: z.number().int() }),
]);
export type Cursor = z.infer<typeof Cursor>;

export function cursorOf(sort: RepositorySort, row: LibraryRow): Cursor {
  switch (sort) {
    case "starred_at":
      return { s: sort, k: (row.starredAt ?? row.addedAt).getTime(), i: row.id };
    case "stars":
      return { s: sort, k: row.stargazersCount, i: row.id };
    case "openrank":
      return { s: sort, k: row.openrank, i: row.id };
    case "name":
      return { s: sort, k: row.name, i: row.id };
  }
}

/** Rows strictly after the cursor in `sortOrder[cursor.s]`. */
export function afterCursor(cursor: Cursor): SQL {
  const id = repositories.id;
  switch (cursor.s) {
    case "starred_at":
      return sql`(${addedAt} < ${cursor.k} or (${addedAt} = ${cursor.k} and ${id} < ${cursor.i}))`;
    case "stars": {
      const count = repositories.stargazersCount;
      return sql`(${count} < ${cursor.k} or (${count} = ${cursor.k} and ${id} < ${cursor.i}))`;
    }
    case "openrank": {
      const rank = repositories.openrank;
      // Nulls come last: after a null key only nulls with smaller ids remain.
      if (cursor.k === null) return sql`(${rank} is null and ${id} < ${cursor.i})`;
      return sql`(${rank} < ${cursor.k} or (${rank} = ${cursor.k} and ${id} < ${cursor.i}) or ${rank} is null)`;
    }
    case "name":
      return sql`(${nameNocase} > ${cursor.k} or (${nameNocase} = ${cursor.k} and ${id} > ${cursor.i}))`;
  }
}

export function encodeCursor(cursor: Cursor): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(JSON.stringify(cursor))) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function decodeCursor(text: string, sort: RepositorySort): Cursor {
  let decoded: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new Error("not base64url");
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    decoded = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0))),
    );
  } catch {
    throw new ApiError("bad_request", "Invalid query: cursor is not one this API gave out");
  }
  const parsed = Cursor.safeParse(decoded);
  if (!parsed.success) throw new ApiError("bad_request", "Invalid query: cursor is not one this API gave out");
  if (parsed.data.s !== sort) {
    throw new ApiError("bad_request", `Invalid query: cursor belongs to sort=${parsed.data.s}, not sort=${sort}`);
  }
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// Filters.

/** The filters every reader of the library shares (the list, the search). */
export type LibraryFilter = Pick<
  z.output<typeof RepositoryListQuery>,
  "starred" | "saved" | "language" | "tag" | "category" | "list" | "unlisted"
>;

/** The list's filters (`GET /api/repositories`); `list:Name` and `no:list` in `q` are filters, not words. */
export function libraryFilters(query: z.output<typeof RepositoryListQuery>, userId: number): SQL[] {
  const { rest, list, unlisted } = splitListOperators(query.q ?? "");
  const conditions = filterConditions(
    { ...query, list: query.list ?? list, unlisted: query.unlisted ?? unlisted },
    userId,
  );
  if (rest) conditions.push(...keywordConditions(rest, userId));
  return conditions;
}

/** In one of the user's GitHub Lists (named: that one, any case). */
function inList(name?: string): SQL {
  const named = name === undefined ? sql`` : sql` and l.name = ${name} collate nocase`;
  return sql`exists (select 1 from github_list_items i join github_lists l
    on l.user_id = i.user_id and l.list_id = i.list_id
    where i.user_id = ${stars.userId} and i.repository_id = ${stars.repositoryId}${named})`;
}

/** Filters on the library's own columns; the search applies the same ones to both of its rankings. */
export function filterConditions(query: LibraryFilter, userId: number): SQL[] {
  const conditions: SQL[] = [];
  // Default: the library (starred or saved). `starred=false` is what reveals unstarred rows.
  if (query.starred === undefined) conditions.push(inLibrary);
  else conditions.push(eq(stars.isStarred, query.starred));
  if (query.saved !== undefined) conditions.push(eq(stars.isSaved, query.saved));
  if (query.language) conditions.push(sql`${repositories.language} = ${query.language} collate nocase`);
  if (query.category) conditions.push(sql`${stars.customCategory} = ${query.category} collate nocase`);
  if (query.list) conditions.push(inList(query.list));
  if (query.unlisted !== undefined) conditions.push(query.unlisted ? sql`not ${inList()}` : inList());
  if (query.tag) {
    const hasTag = (column: SQLWrapper) =>
      sql`exists (select 1 from json_each(${column}) where json_each.value = ${query.tag} collate nocase)`;
    // An AI tag through the user's aliases (as they read it; a hidden one matches nothing).
    const hasAiTag = sql`exists (select 1 from json_each(${analyses.tags}) j
      left join ${tagAliases} m on m.user_id = ${userId} and m.alias = j.value
      where (m.alias is null or m.canonical is not null)
        and coalesce(m.canonical, j.value) = ${query.tag} collate nocase)`;
    conditions.push(sql`(${hasTag(stars.customTags)} or ${hasAiTag} or ${hasTag(repositories.topics)})`);
  }
  return conditions;
}

/** rowid of a user's row in `stars_fts` (migrations/0005_search.sql): their rows are one range. */
export const USER_ROWID_SPAN = 4_294_967_296;

/**
 * The keyword filter: every term must match, in the repository's text (`repositories_fts`, or
 * `private_repositories_fts` for a private one: migrations/0014) or in this user's own
 * (`stars_fts`: notes, custom fields, the AI analysis they read).
 * Terms the tokenizer would drop (`c++`, `100%`) are matched with LIKE on the name, full
 * name and description instead, wildcards taken literally. The text never reaches MATCH
 * as syntax (worker/library/terms.ts).
 */
export function keywordConditions(q: string, userId: number): SQL[] {
  const terms = parseQuery(q);
  const conditions: SQL[] = [];
  const first = userId * USER_ROWID_SPAN;
  for (const expression of termExpressions(terms)) {
    const inRepositories = sql`select rowid from repositories_fts where repositories_fts match ${expression}
      union all select rowid from private_repositories_fts where private_repositories_fts match ${expression}`;
    const inStars = sql`select rowid - ${first} from stars_fts where stars_fts match ${expression}`;
    conditions.push(sql`(${repositories.id} in (${inRepositories})
      or ${stars.repositoryId} in (${inStars} and rowid between ${first} and ${first + USER_ROWID_SPAN - 1}))`);
  }
  for (const term of terms) {
    if (term.kind !== "literal") continue;
    const pattern = `%${term.text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    const [name, fullName, description] = [repositories.name, repositories.fullName, repositories.description].map(
      (column) => sql`${column} like ${pattern} escape '\\'`,
    );
    conditions.push(sql`(${name} or ${fullName} or ${description})`);
  }
  return conditions;
}

// ---------------------------------------------------------------------------------------------
// Rows → contract.

export function toRepositoryItem(row: LibraryRow): RepositoryItem {
  return {
    fullName: row.fullName,
    name: row.name,
    owner: row.ownerLogin,
    ownerAvatarUrl: row.ownerAvatarUrl,
    description: row.description,
    htmlUrl: row.htmlUrl,
    homepage: row.homepage,
    stargazersCount: row.stargazersCount,
    language: row.language,
    topics: strings(row.topics),
    license: row.license,
    archived: row.archived,
    fork: row.fork,
    isPrivate: row.isPrivate,
    pushedAt: iso(row.pushedAt),
    starredAt: iso(row.starredAt),
    isStarred: row.isStarred,
    isSaved: row.isSaved,
    unstarredAt: iso(row.unstarredAt),
    access: row.accessState
      ? {
          state: row.accessState,
          message: row.accessMessage ?? "",
          url: row.accessUrl,
          checkedAt: iso(row.accessCheckedAt),
        }
      : null,
    health: {
      archived: row.archived,
      archivedAt: iso(row.archivedAt),
      disabled: row.disabled,
      latestRelease:
        row.latestReleaseTag !== null
          ? {
              tag: row.latestReleaseTag,
              name: row.latestReleaseName,
              publishedAt: iso(row.latestReleaseAt),
              prerelease: row.latestReleasePrerelease ?? false,
            }
          : null,
      lastCommitAt: iso(row.lastCommitAt),
      checkedAt: iso(row.healthCheckedAt),
      gone: row.goneReason ? { reason: row.goneReason, at: iso(row.goneAt) } : null,
    },
    aiSummary: row.aiSummary,
    aiTags: strings(row.aiTags),
    aiPlatforms: strings(row.aiPlatforms),
    openrank: row.openrank,
    openrankPeriod: row.openrankPeriod,
    customDescription: row.customDescription,
    customTags: strings(row.customTags),
    customCategory: row.customCategory,
    notes: row.notes,
    lastEdited: iso(row.lastEdited),
    watchReleases: row.watchReleases,
    lists: listNames(row.lists),
  };
}

/** The `lists` column: a JSON array of names from SQLite; anything else reads as none. */
function listNames(value: string | null): string[] {
  try {
    return strings(JSON.parse(value ?? "[]"));
  } catch {
    return [];
  }
}

/** What a github.com badge shows (`POST /api/repositories/lookup`). */
export function toLookupItem(row: LibraryRow): LookupItem {
  return {
    fullName: row.fullName,
    starred: row.isStarred,
    saved: row.isSaved,
    starredAt: iso(row.starredAt),
    aiSummary: row.aiSummary,
    aiTags: strings(row.aiTags),
    aiPlatforms: strings(row.aiPlatforms),
    openrank: row.openrank,
    customTags: strings(row.customTags),
    customCategory: row.customCategory,
    customDescription: row.customDescription,
    notes: row.notes,
    health: {
      archived: row.archived,
      latestRelease:
        row.latestReleaseTag !== null ? { tag: row.latestReleaseTag, publishedAt: iso(row.latestReleaseAt) } : null,
    },
  };
}

/** One repository of the library by name (GitHub names ignore case); the starred row wins over a renamed twin. */
export async function findByFullName(db: Db, userId: number, fullName: string): Promise<LibraryRow | undefined> {
  const [row] = await selectLibrary(
    db,
    userId,
    [sql`${repositories.fullName} = ${fullName} collate nocase`],
    [desc(stars.isStarred), desc(stars.isSaved), desc(repositories.id)],
    1,
  );
  return row;
}

export const iso = (date: Date | null) => date?.toISOString() ?? null;

/** JSON columns written by older code or by hand may hold anything: only strings survive. */
export const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
