import { and, asc, desc, eq, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import {
  GITHUB_OWNER,
  GITHUB_REPO_NAME,
  LookupRequest,
  REPOSITORY_PAGE_DEFAULT,
  RepositoryListQuery,
  RepositoryPatch,
  SaveRepositoryRequest,
  type LookupItem,
  type RepositoryItem,
  type RepositorySort,
} from "../../shared/repositories";
import type { Db } from "../db/client";
import { repositories, stars, users } from "../db/schema";
import type { AppEnv } from "../env";
import { GithubError } from "../github/errors";
import { fetchRepository } from "../github/repository";
import { requireSession } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { loadGithubUser } from "../lib/github-token";
import { validate } from "../lib/validator";

/** `:owner/:name` of a repository URL (evaluated when the route chain is built, so declared first). */
const RepositoryParams = z.object({
  owner: z.string().regex(GITHUB_OWNER, "not a GitHub owner name"),
  name: z.string().regex(GITHUB_REPO_NAME, "not a GitHub repository name"),
});

/**
 * The user's library (DESIGN §4). Privacy (DESIGN §3): every read starts from the session
 * user's `stars` rows, so a repository — private or not — is only visible through one.
 */
export const repositoriesRoutes = new Hono<AppEnv>()
  .use(requireSession)
  .get("/", validate("query", RepositoryListQuery), async (c) => {
    const query = c.req.valid("query");
    const sort = query.sort ?? "starred_at";
    const limit = query.limit ?? REPOSITORY_PAGE_DEFAULT;
    const conditions = listFilters(query);
    if (query.cursor) conditions.push(afterCursor(decodeCursor(query.cursor, sort)));
    // One row more than asked says whether another page exists.
    const rows = await selectLibrary(c.var.services.db, c.var.user.id, conditions, sortOrder[sort], limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const nextCursor = rows.length > limit && last ? encodeCursor(cursorOf(sort, last)) : null;
    return c.json({ items: page.map(toRepositoryItem), nextCursor }, 200);
  })
  // Add a repository without starring it; the next sync fetches its README and enriches it.
  .post("/save", validate("json", SaveRepositoryRequest), async (c) => {
    const { db, github } = c.var.services;
    const user = c.var.user;
    const [owner = "", name = ""] = c.req.valid("json").fullName.split("/");
    const token = await storedGithubToken(c.env, user.id);
    const meta = await fetchRepository(github.config, token, owner, name).catch(async (error: unknown) => {
      // GitHub said the token is no good: the sync must not keep trying it either (DESIGN §5).
      if (error instanceof GithubError && error.kind === "token_invalid" && error.status === 401) {
        await db.update(users).set({ tokenStatus: "invalid", updatedAt: new Date() }).where(eq(users.id, user.id));
      }
      throw error;
    });

    const [before] = await db
      .select({ isStarred: stars.isStarred, isSaved: stars.isSaved })
      .from(stars)
      .innerJoin(repositories, eq(repositories.id, stars.repositoryId))
      .where(and(eq(stars.userId, user.id), eq(repositories.githubId, meta.githubId)))
      .limit(1);
    const wasInLibrary = Boolean(before && (before.isStarred || before.isSaved));

    const now = new Date();
    const metadata = {
      nodeId: meta.nodeId,
      fullName: meta.fullName,
      name: meta.name,
      ownerLogin: meta.ownerLogin,
      ownerAvatarUrl: meta.ownerAvatarUrl,
      description: meta.description,
      htmlUrl: meta.htmlUrl,
      homepage: meta.homepage,
      stargazersCount: meta.stargazersCount,
      language: meta.language,
      topics: meta.topics,
      license: meta.license,
      archived: meta.archived,
      fork: meta.fork,
      isPrivate: meta.isPrivate,
      githubCreatedAt: toDate(meta.githubCreatedAt),
      githubUpdatedAt: toDate(meta.githubUpdatedAt),
      githubPushedAt: toDate(meta.githubPushedAt),
    };
    // One batch = one transaction. Keyed on natural ids, so a repeat is harmless. The README,
    // AI, OpenRank and embedding fields of a known repository are the sync's and stay as they
    // are; meta_hash is cleared so the next sync re-checks the metadata written here.
    await db.batch([
      db
        .insert(repositories)
        .values({ githubId: meta.githubId, ...metadata, createdAt: now, updatedAt: now })
        .onConflictDoUpdate({ target: repositories.githubId, set: { ...metadata, metaHash: null, updatedAt: now } }),
      db
        .insert(stars)
        .values({
          userId: user.id,
          repositoryId: sql`(select ${repositories.id} from ${repositories} where ${repositories.githubId} = ${meta.githubId})`,
          isSaved: true,
          createdAt: now,
        })
        // is_starred, starred_at and the user's own fields are left exactly as they were.
        .onConflictDoUpdate({ target: [stars.userId, stars.repositoryId], set: { isSaved: true } }),
    ]);

    const [row] = await selectLibrary(db, user.id, [eq(repositories.githubId, meta.githubId)], [], 1);
    if (!row) throw new Error(`saved repository ${meta.fullName} is not readable back`);
    return c.json(toRepositoryItem(row), wasInLibrary ? 200 : 201);
  })
  // Badge data for the repositories on a github.com page: one D1 statement whatever the count.
  .post("/lookup", validate("json", LookupRequest), async (c) => {
    const { fullNames } = c.req.valid("json");
    // Keys compare like SQLite's NOCASE (ASCII only), so the answer maps back exactly.
    const sentByKey = new Map<string, string[]>();
    for (const fullName of fullNames) {
      const key = asciiLower(fullName);
      sentByKey.set(key, [...(sentByKey.get(key) ?? []), fullName]);
    }
    const items: Record<string, LookupItem> = {};
    if (sentByKey.size === 0) return c.json({ items }, 200);

    // One JSON array parameter instead of one per name: D1 allows 100 bound parameters.
    const wanted = JSON.stringify([...sentByKey.keys()]);
    const rows = await selectLibrary(
      c.var.services.db,
      c.var.user.id,
      [
        inLibrary,
        sql`${repositories.fullName} collate nocase in (select value from json_each(${wanted}))`,
      ],
      // A renamed repository and a new one can briefly share a name: prefer the starred one.
      [desc(stars.isStarred), desc(repositories.id)],
      LOOKUP_ROW_LIMIT,
    );
    for (const row of rows) {
      for (const sent of sentByKey.get(asciiLower(row.fullName)) ?? []) {
        items[sent] ??= toLookupItem(row);
      }
    }
    return c.json({ items }, 200);
  })
  .get("/:owner/:name", validate("param", RepositoryParams), async (c) => {
    const { owner, name } = c.req.valid("param");
    const row = await findByFullName(c.var.services.db, c.var.user.id, `${owner}/${name}`);
    if (!row) throw notInLibrary(owner, name);
    return c.json(toRepositoryItem(row), 200);
  })
  .patch("/:owner/:name", validate("param", RepositoryParams), validate("json", RepositoryPatch), async (c) => {
    const { owner, name } = c.req.valid("param");
    const patch = c.req.valid("json");
    const { db } = c.var.services;
    const userId = c.var.user.id;
    const row = await findByFullName(db, userId, `${owner}/${name}`);
    if (!row) throw notInLibrary(owner, name);

    // A cleared text box arrives as "": stored as null, like an explicit null.
    const set: Partial<typeof stars.$inferInsert> = { lastEdited: new Date() };
    if (patch.customDescription !== undefined) set.customDescription = blankToNull(patch.customDescription);
    if (patch.customTags !== undefined) set.customTags = patch.customTags?.length ? patch.customTags : null;
    if (patch.customCategory !== undefined) set.customCategory = blankToNull(patch.customCategory);
    if (patch.notes !== undefined) set.notes = blankToNull(patch.notes);
    await db
      .update(stars)
      .set(set)
      .where(and(eq(stars.userId, userId), eq(stars.repositoryId, row.id)));

    const [updated] = await selectLibrary(db, userId, [eq(repositories.id, row.id)], [], 1);
    if (!updated) throw notInLibrary(owner, name);
    return c.json(toRepositoryItem(updated), 200);
  });

/** More rows than names can only come from renamed duplicates; this bounds the answer anyway. */
const LOOKUP_ROW_LIMIT = 500;

// ---------------------------------------------------------------------------------------------
// The library query, shared with the export (worker/routes/export.ts).

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
  aiSummary: repositories.aiSummary,
  aiTags: repositories.aiTags,
  aiPlatforms: repositories.aiPlatforms,
  openrank: repositories.openrank,
  openrankPeriod: repositories.openrankPeriod,
  starredAt: stars.starredAt,
  addedAt: stars.createdAt,
  isStarred: stars.isStarred,
  isSaved: stars.isSaved,
  unstarredAt: stars.unstarredAt,
  customDescription: stars.customDescription,
  customTags: stars.customTags,
  customCategory: stars.customCategory,
  notes: stars.notes,
  lastEdited: stars.lastEdited,
};
export type LibraryRow = Awaited<ReturnType<typeof selectLibrary>>[number];

/** The session user's rows only: the join on `stars.user_id` is the privacy boundary. */
export function selectLibrary(db: Db, userId: number, conditions: SQL[], order: SQL[], limit: number) {
  return db
    .select(libraryColumns)
    .from(stars)
    .innerJoin(repositories, eq(repositories.id, stars.repositoryId))
    .where(and(eq(stars.userId, userId), ...conditions))
    .orderBy(...order)
    .limit(limit);
}

/** Starred now, or saved. Unstarred rows kept only for the user's notes are not "in the library". */
const inLibrary = sql`(${stars.isStarred} = 1 or ${stars.isSaved} = 1)`;

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
    decoded = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0))));
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

function listFilters(query: z.output<typeof RepositoryListQuery>): SQL[] {
  const conditions: SQL[] = [];
  // Default: the library (starred or saved). `starred=false` is what reveals unstarred rows.
  if (query.starred === undefined) conditions.push(inLibrary);
  else conditions.push(eq(stars.isStarred, query.starred));
  if (query.saved !== undefined) conditions.push(eq(stars.isSaved, query.saved));
  if (query.language) conditions.push(sql`${repositories.language} = ${query.language} collate nocase`);
  if (query.category) conditions.push(sql`${stars.customCategory} = ${query.category} collate nocase`);
  if (query.tag) {
    const hasTag = (column: SQLWrapper) =>
      sql`exists (select 1 from json_each(${column}) where json_each.value = ${query.tag} collate nocase)`;
    conditions.push(sql`(${hasTag(stars.customTags)} or ${hasTag(repositories.aiTags)} or ${hasTag(repositories.topics)})`);
  }
  if (query.q) conditions.push(...keywordConditions(query.q));
  return conditions;
}

/** Han, kana and Hangul: unicode61 keeps a CJK run as one token, so a word inside it only matches by LIKE. */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
/** What a term may contain and still be searched as FTS words; `c++`, `c#`, `.*` fall back to LIKE. */
const FTS_SAFE = /^[\p{L}\p{N}\p{M}_\-.'/:@]+$/u;
const MAX_TERMS = 10;

/**
 * The keyword filter. The user's text never reaches MATCH as syntax: each whitespace-separated
 * term becomes a quoted FTS5 phrase with a prefix star (`"node js"*` for `node.js`), all terms
 * ANDed. Terms the tokenizer would mangle (CJK, symbols) are matched with LIKE on the name,
 * full name and description instead. Exported for tests.
 */
export function keywordConditions(q: string): SQL[] {
  const terms = q
    .replaceAll('"', " ")
    .split(/\s+/)
    .filter((term) => term.length > 0)
    .slice(0, MAX_TERMS);
  const phrases: string[] = [];
  const conditions: SQL[] = [];
  for (const term of terms) {
    if (FTS_SAFE.test(term) && /[\p{L}\p{N}]/u.test(term) && !CJK.test(term)) {
      phrases.push(`"${term.replaceAll('"', '""')}"*`);
    } else {
      const pattern = `%${term.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      conditions.push(
        sql`(${repositories.name} like ${pattern} escape '\\' or ${repositories.fullName} like ${pattern} escape '\\' or ${repositories.description} like ${pattern} escape '\\')`,
      );
    }
  }
  if (phrases.length > 0) {
    conditions.unshift(sql`${repositories.id} in (select rowid from repositories_fts where repositories_fts match ${phrases.join(" ")})`);
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
  };
}

function toLookupItem(row: LibraryRow): LookupItem {
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
  };
}

async function findByFullName(db: Db, userId: number, fullName: string): Promise<LibraryRow | undefined> {
  const [row] = await selectLibrary(
    db,
    userId,
    [sql`${repositories.fullName} = ${fullName} collate nocase`],
    [desc(stars.isStarred), desc(stars.isSaved), desc(repositories.id)],
    1,
  );
  return row;
}

/** The user's GitHub token, decrypted for one call. */
async function storedGithubToken(env: AppEnv["Bindings"], userId: number): Promise<string> {
  const user = await loadGithubUser(env, userId);
  if (!user) throw new ApiError("unauthorized", "The account no longer exists");
  // Sealed with a key that has since been rotated: only a new sign-in can fix it.
  if (user.token === null) throw new ApiError("github_token_invalid", "The stored GitHub token can no longer be read: sign in again");
  return user.token;
}

function notInLibrary(owner: string, name: string): ApiError {
  return new ApiError("not_found", `${owner}/${name} is not in your library`);
}

const iso = (date: Date | null) => date?.toISOString() ?? null;
const toDate = (ms: number | null) => (ms === null ? null : new Date(ms));
const blankToNull = (text: string | null) => (text === null || text.trim() === "" ? null : text);
const asciiLower = (text: string) => text.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
/** JSON columns written by older code or by hand may hold anything: only strings survive. */
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
