import { and, desc, eq, sql } from "drizzle-orm";
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
} from "../../shared/repositories";
import { SEARCH_LIMIT_DEFAULT, SimilarQuery } from "../../shared/search";
import { metaValues } from "../db/repository-meta";
import { repositories, stars, users } from "../db/schema";
import type { AppEnv } from "../env";
import { GithubError } from "../github/errors";
import { fetchRepository } from "../github/repository";
import { requireSession } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { loadGithubUser } from "../lib/github-token";
import type { Services } from "../services";
import { validate } from "../lib/validator";
import {
  afterCursor,
  cursorOf,
  decodeCursor,
  encodeCursor,
  findByFullName,
  inLibrary,
  libraryFilters,
  selectLibrary,
  sortOrder,
  toLookupItem,
  toRepositoryItem,
} from "../library/query";
import { updateUserFields } from "../library/edit";
import { spendSearch } from "../search/budget";
import { libraryFacets } from "../library/facets";
import { libraryIndex } from "../library/index-list";
import { similarRepositories } from "../search/similar";
import { noteTagViewed } from "../tags/gardener";

/** `:owner/:name` of a repository URL (evaluated when the route chain is built, so declared first). */
const RepositoryParams = z.object({
  owner: z.string().regex(GITHUB_OWNER, "not a GitHub owner name"),
  name: z.string().regex(GITHUB_REPO_NAME, "not a GitHub repository name"),
});

/**
 * The user's library (docs/architecture.md §3). Privacy (docs/architecture.md §2): every read starts from the session
 * user's `stars` rows, so a repository — private or not — is only visible through one.
 */
export const repositoriesRoutes = new Hono<AppEnv>()
  .use(requireSession)
  .get("/", validate("query", RepositoryListQuery), async (c) => {
    const query = c.req.valid("query");
    const sort = query.sort ?? "starred_at";
    const limit = query.limit ?? REPOSITORY_PAGE_DEFAULT;
    const conditions = libraryFilters(query, c.var.user.id);
    if (query.cursor) conditions.push(afterCursor(decodeCursor(query.cursor, sort)));
    // One row more than asked says whether another page exists.
    const [rows] = await Promise.all([
      selectLibrary(c.var.services.db, c.var.user.id, conditions, sortOrder[sort], limit + 1),
      // A tag the user filtered by is one they looked at (the gardener's "never viewed": worker/tags/gardener.ts).
      query.tag && !query.cursor ? noteTagViewed(c.var.services.db, c.var.user.id, query.tag) : null,
    ]);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const nextCursor = rows.length > limit && last ? encodeCursor(cursorOf(sort, last)) : null;
    return c.json({ items: page.map(toRepositoryItem), nextCursor }, 200);
  })
  // What the filters can take, over the whole library (a page of results knows only its own).
  .get("/facets", async (c) => c.json(await libraryFacets(c.var.services.db, c.var.user.id), 200))
  // The whole library as a compact index: names, one line of summary, a few tags (address-bar suggestions).
  .get("/index", async (c) => c.json(await libraryIndex(c.var.services.db, c.var.user.id), 200))
  // Add a repository without starring it; the next sync fetches its README and enriches it.
  .post("/save", validate("json", SaveRepositoryRequest), async (c) => {
    const { db, github } = c.var.services;
    const user = c.var.user;
    const [owner = "", name = ""] = c.req.valid("json").fullName.split("/");
    const token = await storedGithubToken(c.var.services, user.id);
    const meta = await fetchRepository(github, token, owner, name).catch(async (error: unknown) => {
      // GitHub said the token is no good: the sync must not keep trying it either (docs/architecture.md §4).
      if (error instanceof GithubError && error.kind === "token_invalid" && error.status === 401) {
        await db.update(users).set({ tokenStatus: "invalid", updatedAt: new Date() }).where(eq(users.id, user.id));
      }
      throw error;
    });

    const now = new Date();
    const metadata = metaValues(meta);
    // One batch = one transaction, keyed on natural ids, so a repeat is harmless. The README,
    // OpenRank and embedding fields of a known repository are the sync's and stay as they
    // are; meta_hash is cleared so the next sync re-checks the metadata written here.
    // Whether this request added the repository is read from the writes themselves, not
    // from a read before them: concurrent saves each read "absent" and all said 201. D1 runs
    // one statement at a time, so exactly one request inserts the star row (ON CONFLICT DO
    // NOTHING RETURNING), or flips an existing row's is_saved (UPDATE … WHERE is_saved = 0
    // RETURNING: a star kept for its notes, or a starred repository now also saved).
    const sameGithubId = sql`${repositories.githubId} = ${meta.githubId}`;
    const repositoryId = sql`(select ${repositories.id} from ${repositories} where ${sameGithubId})`;
    const [, inserted, flipped] = await db.batch([
      db
        .insert(repositories)
        .values({ githubId: meta.githubId, ...metadata, createdAt: now, updatedAt: now })
        .onConflictDoUpdate({ target: repositories.githubId, set: { ...metadata, metaHash: null, updatedAt: now } }),
      db
        .insert(stars)
        .values({ userId: user.id, repositoryId, isSaved: true, createdAt: now })
        .onConflictDoNothing({ target: [stars.userId, stars.repositoryId] })
        .returning({ userId: stars.userId }),
      // is_starred, starred_at and the user's own fields are left exactly as they were.
      db
        .update(stars)
        .set({ isSaved: true })
        .where(and(eq(stars.userId, user.id), eq(stars.repositoryId, repositoryId), eq(stars.isSaved, false)))
        .returning({ isStarred: stars.isStarred }),
    ]);
    const added = inserted.length > 0 || flipped.some((row) => !row.isStarred);

    const [row] = await selectLibrary(db, user.id, [eq(repositories.githubId, meta.githubId)], [], 1);
    if (!row) throw new Error(`saved repository ${meta.fullName} is not readable back`);
    return c.json(toRepositoryItem(row), added ? 201 : 200);
  })
  // Badge data for the repositories on a github.com page: one D1 statement whatever the count.
  .post("/lookup", validate("json", LookupRequest), async (c) => {
    const { fullNames } = c.req.valid("json");
    // Matched without surrounding spaces (text scraped from a page carries them; GitHub names
    // have none) and like SQLite's NOCASE (ASCII only); answered under each name as sent.
    const sentByKey = new Map<string, string[]>();
    for (const fullName of fullNames) {
      const key = asciiLower(fullName.trim());
      if (!key) continue;
      sentByKey.set(key, [...(sentByKey.get(key) ?? []), fullName]);
    }
    const items: Record<string, LookupItem> = {};
    if (sentByKey.size === 0) return c.json({ items }, 200);

    // One JSON array parameter instead of one per name: D1 allows 100 bound parameters.
    const wanted = JSON.stringify([...sentByKey.keys()]);
    const rows = await selectLibrary(
      c.var.services.db,
      c.var.user.id,
      [inLibrary, sql`${repositories.fullName} collate nocase in (select value from json_each(${wanted}))`],
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
  // "Similar in your stars" (docs/architecture.md §7).
  .get("/:owner/:name/similar", validate("param", RepositoryParams), validate("query", SimilarQuery), async (c) => {
    const { owner, name } = c.req.valid("param");
    const { db, semantic, config } = c.var.services;
    const row = await findByFullName(db, c.var.user.id, `${owner}/${name}`);
    if (!row) throw notInLibrary(owner, name);
    if (semantic) await spendSearch(db, c.var.user.id, config.searchesPerMinute);
    const limit = c.req.valid("query").limit ?? SEARCH_LIMIT_DEFAULT;
    return c.json(await similarRepositories(db, c.var.user.id, row, semantic, limit), 200);
  })
  .patch("/:owner/:name", validate("param", RepositoryParams), validate("json", RepositoryPatch), async (c) => {
    const { owner, name } = c.req.valid("param");
    const patch = c.req.valid("json");
    const { db } = c.var.services;
    const userId = c.var.user.id;
    const row = await findByFullName(db, userId, `${owner}/${name}`);
    if (!row) throw notInLibrary(owner, name);

    await updateUserFields(db, userId, row.id, patch);

    const [updated] = await selectLibrary(db, userId, [eq(repositories.id, row.id)], [], 1);
    if (!updated) throw notInLibrary(owner, name);
    return c.json(toRepositoryItem(updated), 200);
  });

/** More rows than names can only come from renamed duplicates; this bounds the answer anyway. */
const LOOKUP_ROW_LIMIT = 500;

/** The user's GitHub token, decrypted for one call. */
async function storedGithubToken(services: Services, userId: number): Promise<string> {
  const user = await loadGithubUser(services, userId);
  if (!user) throw new ApiError("unauthorized", "The account no longer exists");
  // Sealed with a key that has since been rotated: only a new sign-in can fix it.
  if (user.token === null)
    throw new ApiError("github_token_invalid", "The stored GitHub token can no longer be read: sign in again");
  return user.token;
}

function notInLibrary(owner: string, name: string): ApiError {
  return new ApiError("not_found", `${owner}/${name} is not in your library`);
}

const asciiLower = (text: string) => text.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
