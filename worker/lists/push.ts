import { and, count, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import type {
  CreateListBody,
  GithubList,
  ListItemsBody,
  ListItemsResponse,
  ListsResponse,
  ListWriteAccess,
  UpdateListBody,
} from "../../shared/lists";
import type { Db } from "../db/client";
import { githubListItems, githubLists, repositories, stars, users } from "../db/schema";
import type { GithubClient } from "../github/client";
import { GithubError } from "../github/errors";
import {
  createList,
  mayWriteLists,
  readListIndex,
  readListItems,
  setMemberships,
  updateList,
  type RemoteList,
} from "../github/lists";
import { Pacer } from "../github/pacer";
import { ApiError } from "../lib/errors";
import { loadGithubUser } from "../lib/github-token";
import { inLibrary } from "../library/query";
import type { Services } from "../services";
import {
  goneListsWrite,
  listWrite,
  memberWrites,
  readStateWrite,
  runWrites,
  storedLists,
  storedMembers,
  taggedIds,
  tagWrites,
} from "./store";

// What the user asks of their GitHub Lists from Starwise (docs/architecture.md §4, "Lists"): every write reads
// GitHub first — the token's scopes (`X-OAuth-Scopes`), the Lists, and the items' current memberships — and never
// drops a List the request did not name.

/** Who may write, from the scopes GitHub last sent (null = none sent), and whether they were ever read. */
export function writeAccess(scopes: string | null, readAt: Date | null): ListWriteAccess {
  if (scopes !== null && mayWriteLists(scopes)) return { canWrite: true, scopes };
  if (scopes !== null) return { canWrite: false, reason: "missing-scope", scopes };
  return { canWrite: false, reason: readAt ? "fine-grained" : "unknown", scopes: null };
}

function listUrl(login: string, slug: string): string {
  return `https://github.com/stars/${encodeURIComponent(login)}/lists/${encodeURIComponent(slug)}`;
}

/** `GET /api/lists`: the Lists as the last sync read them, what is in none, and whether Starwise may write them. */
export async function listsOverview(db: Db, userId: number, login: string): Promise<z.input<typeof ListsResponse>> {
  const inLibraryCount = db
    .select({ listId: githubListItems.listId, n: count().as("n") })
    .from(githubListItems)
    .innerJoin(
      stars,
      and(eq(stars.userId, githubListItems.userId), eq(stars.repositoryId, githubListItems.repositoryId)),
    )
    .where(and(eq(githubListItems.userId, userId), inLibrary))
    .groupBy(githubListItems.listId)
    .as("counted");
  const [rows, [unlisted], [user]] = await db.batch([
    db
      .select({ list: githubLists, inLibrary: sql<number>`coalesce(${inLibraryCount.n}, 0)` })
      .from(githubLists)
      .leftJoin(inLibraryCount, eq(inLibraryCount.listId, githubLists.listId))
      .where(eq(githubLists.userId, userId))
      .orderBy(sql`${githubLists.name} collate nocase`),
    db
      .select({ n: count() })
      .from(stars)
      .where(
        and(
          eq(stars.userId, userId),
          inLibrary,
          sql`not exists (select 1 from github_list_items i
            where i.user_id = ${stars.userId} and i.repository_id = ${stars.repositoryId})`,
        ),
      ),
    db
      .select({
        scopes: users.tokenScopes,
        scopesAt: users.tokenScopesAt,
        readAt: users.listsReadAt,
        error: users.listsError,
      })
      .from(users)
      .where(eq(users.id, userId)),
  ]);
  return {
    lists: rows.map(({ list, inLibrary: n }) => toGithubList(list, n, login)),
    notInAnyList: unlisted?.n ?? 0,
    write: writeAccess(user?.scopes ?? null, user?.scopesAt ?? user?.readAt ?? null),
    readAt: user?.readAt?.toISOString() ?? null,
    error: user?.error ?? null,
  };
}

function toGithubList(list: typeof githubLists.$inferSelect, inLibraryCount: number, login: string): GithubList {
  return {
    id: list.listId,
    name: list.name,
    slug: list.slug,
    description: list.description,
    isPrivate: list.isPrivate,
    itemCount: list.itemCount,
    inLibrary: inLibraryCount,
    linkedTag: list.linkedTag,
    url: listUrl(login, list.slug),
  };
}

type Writer = { client: GithubClient; pacer: Pacer; lists: RemoteList[]; login: string };

/**
 * The List as GitHub holds it now; when GitHub has it no more, the Lists gone from GitHub are forgotten here too
 * and the request is answered 404 with `gone` in words.
 */
async function remoteList(db: Db, userId: number, w: Writer, listId: string, gone: string): Promise<RemoteList> {
  const remote = w.lists.find((list) => list.id === listId);
  if (remote) return remote;
  await runWrites(
    db,
    goneListsWrite(
      db,
      userId,
      w.lists.map((list) => list.id),
    ),
  );
  throw new ApiError("not_found", gone);
}

/**
 * A client that may write the user's Lists, with the Lists as GitHub holds them now. Refused, with the fix in words,
 * when the token's scopes (GitHub's `X-OAuth-Scopes`, kept on the user's row) lack `user`.
 */
async function writer(services: Services, userId: number): Promise<Writer> {
  const github = await loadGithubUser(services, userId);
  if (!github?.token) throw new ApiError("github_token_invalid", "Sign in with GitHub again: the token is gone");
  const pacer = new Pacer(null);
  const client = services.github.forToken(github.token, { pacer });
  const index = await readListIndex(client).catch(rethrow);
  // GitHub was asked about the Lists just now: what it said of the token is kept (the lists' rows wait for a sync).
  await runWrites(services.db, [readStateWrite(services.db, userId, index.scopes, new Date(), null)]);
  const access = writeAccess(index.scopes, new Date());
  if (!access.canWrite) throw scopeMissing(access);
  return { client, pacer, lists: index.lists, login: github.login };
}

export function scopeMissing(access: Extract<ListWriteAccess, { canWrite: false }>): ApiError {
  const has = access.scopes ? `it has "${access.scopes}"` : "GitHub sent no scopes for it (a fine-grained token)";
  return new ApiError(
    "github_scope_missing",
    `Writing GitHub Lists needs a classic token with the "user" scope; ${has}. Lists stay read-only until you sign ` +
      "in with such a token (for the GitHub CLI: gh auth refresh -s user).",
  );
}

/** GitHub's refusals as the API says them: the List limit in GitHub's own words, any other refusal too. */
function rethrow(error: unknown): never {
  if (error instanceof GithubError && error.kind === "refused") {
    if (error.graphqlType === "INSUFFICIENT_SCOPES")
      throw scopeMissing({ canWrite: false, reason: "missing-scope", scopes: null });
    if (/more than|maximum|limit/i.test(error.message)) {
      throw new ApiError(
        "github_list_limit",
        `GitHub allows no more Lists on this account. GitHub said: "${error.message.slice(0, 200)}"`,
      );
    }
    throw new ApiError("github_list_refused", `GitHub refused: "${error.message.slice(0, 200)}"`);
  }
  if (error instanceof GithubError) throw error.toApiError();
  throw error;
}

/** Every item's memberships as GitHub holds them now (all Lists' items read): GitHub ids by List. */
async function currentMembers(w: Writer): Promise<Map<string, Set<number>>> {
  const items = await readListItems(w.client, w.pacer, w.lists).catch(rethrow);
  return new Map([...items].map(([listId, ids]) => [listId, new Set(ids)]));
}

/**
 * Puts `githubIds` into (`add`) or out of the List `listId` on GitHub: each item's WHOLE membership is sent, as
 * `updateUserListsForItem` replaces it, so it is the item's current Lists with only this one changed. Updates D1's
 * memberships of every List to what GitHub now holds. Returns the ids GitHub changed and those it did not resolve.
 */
async function pushMembership(
  services: Services,
  userId: number,
  w: Writer,
  listId: string,
  changes: ReadonlyArray<{ githubId: number; nodeId: string; add: boolean }>,
): Promise<{ changed: Set<number>; unchanged: Set<number>; missing: Set<number>; members: Map<string, Set<number>> }> {
  const members = await currentMembers(w);
  // What D1 holds, so only the difference is written.
  const before = await storedMembers(services.db, userId);
  const target = members.get(listId) ?? new Set<number>();
  members.set(listId, target);
  const entries: Array<{ itemId: string; githubId: number; listIds: string[] }> = [];
  const unchanged = new Set<number>();
  for (const change of changes) {
    if (target.has(change.githubId) === change.add) {
      unchanged.add(change.githubId);
      continue;
    }
    const listIds = w.lists.filter((list) => members.get(list.id)?.has(change.githubId)).map((list) => list.id);
    const next = change.add ? [...new Set([...listIds, listId])] : listIds.filter((id) => id !== listId);
    entries.push({ itemId: change.nodeId, githubId: change.githubId, listIds: next });
  }
  const missingNodes = await setMemberships(w.client, entries).catch(rethrow);
  const changed = new Set<number>();
  const missing = new Set<number>();
  for (const entry of entries) {
    if (missingNodes.has(entry.itemId)) {
      missing.add(entry.githubId);
      continue;
    }
    changed.add(entry.githubId);
    entry.listIds.includes(listId) ? target.add(entry.githubId) : target.delete(entry.githubId);
  }
  const at = new Date();
  await runWrites(services.db, [
    ...goneListsWrite(
      services.db,
      userId,
      w.lists.map((list) => list.id),
    ),
    ...w.lists.map((list) => listWrite(services.db, userId, list, at)),
    ...[...members].flatMap(([id, set]) => memberWrites(services.db, userId, id, before.get(id) ?? new Set(), set)),
  ]);
  return { changed, unchanged, missing, members };
}

/** The library stars named, with their GitHub and node ids (one statement; names ignore case). */
async function libraryRepositories(db: Db, userId: number, fullNames: readonly string[]) {
  if (fullNames.length === 0) return [];
  return db
    .select({ fullName: repositories.fullName, githubId: repositories.githubId, nodeId: repositories.nodeId })
    .from(stars)
    .innerJoin(repositories, eq(repositories.id, stars.repositoryId))
    .where(
      and(
        eq(stars.userId, userId),
        inLibrary,
        sql`lower(${repositories.fullName}) in (select lower(value) from json_each(${JSON.stringify(fullNames)}))`,
      ),
    );
}

/** `POST /api/lists`: a List made on GitHub from a tag, its stars added, the two linked. */
export async function createFromTag(
  services: Services,
  userId: number,
  body: z.output<typeof CreateListBody>,
): Promise<GithubList> {
  const { db } = services;
  const w = await writer(services, userId);
  const created = await createList(w.client, {
    name: body.name ?? body.tag,
    description: body.description ?? null,
    isPrivate: body.isPrivate ?? false,
  }).catch(rethrow);
  w.lists.push(created);
  const tagged = await taggedIds(db, userId, body.tag);
  const rows = await db
    .select({ githubId: repositories.githubId, nodeId: repositories.nodeId })
    .from(repositories)
    .where(sql`${repositories.githubId} in (select value from json_each(${JSON.stringify([...tagged])}))`);
  const changes = rows.flatMap((row) =>
    row.nodeId ? [{ githubId: row.githubId, nodeId: row.nodeId, add: true }] : [],
  );
  const pushed = await pushMembership(services, userId, w, created.id, changes);
  await db
    .update(githubLists)
    .set({ linkedTag: body.tag, itemCount: pushed.members.get(created.id)?.size ?? 0 })
    .where(and(eq(githubLists.userId, userId), eq(githubLists.listId, created.id)));
  const [row] = await db
    .select()
    .from(githubLists)
    .where(and(eq(githubLists.userId, userId), eq(githubLists.listId, created.id)));
  return toGithubList(row as typeof githubLists.$inferSelect, pushed.changed.size, w.login);
}

/**
 * `PATCH /api/lists/:id`. A rename or description is sent to GitHub only if GitHub still has the List as the last
 * sync read it: a List renamed or deleted on GitHub since then keeps GitHub's change (409 / 404 in words), and D1
 * follows GitHub. Linking to a tag needs write access (it pushes); unlinking does not.
 */
export async function updateFromHere(
  services: Services,
  userId: number,
  login: string,
  listId: string,
  body: z.output<typeof UpdateListBody>,
): Promise<GithubList> {
  const { db } = services;
  const [stored] = (await storedLists(db, userId)).filter((list) => list.listId === listId);
  if (!stored) throw new ApiError("not_found", "No such List: it is not one of yours, or a sync has not read it yet");
  const toGithub = body.name !== undefined || body.description !== undefined || typeof body.linkedTag === "string";
  if (toGithub) {
    const w = await writer(services, userId);
    const remote = await remoteList(
      db,
      userId,
      w,
      listId,
      `The List "${stored.name}" was deleted on GitHub since the last sync`,
    );
    if (remote.name !== stored.name || (remote.description ?? null) !== (stored.description ?? null)) {
      await runWrites(db, [listWrite(db, userId, remote, null)]);
      throw new ApiError(
        "conflict",
        `The List was changed on GitHub since the last sync (now "${remote.name}"): GitHub's change is kept. ` +
          "Change it again if you still want to.",
      );
    }
    if (body.name !== undefined || body.description !== undefined) {
      const updated = await updateList(w.client, {
        listId,
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.description !== undefined ? { description: body.description } : {}),
      }).catch(rethrow);
      await runWrites(db, [listWrite(db, userId, updated, null)]);
    }
  }
  if (body.linkedTag !== undefined) {
    // A new link has no agreed base: the next sync unites the List and the tag, removing nothing.
    await db
      .update(githubLists)
      .set({ linkedTag: body.linkedTag, ...(body.linkedTag ? { itemsReadAt: null } : {}) })
      .where(and(eq(githubLists.userId, userId), eq(githubLists.listId, listId)));
  }
  const overview = await listsOverview(db, userId, login);
  return overview.lists.find((list) => list.id === listId) as GithubList;
}

/** `POST /api/lists/:id/items`: repositories of the library added to and taken out of the List on GitHub. */
export async function setItemsFromHere(
  services: Services,
  userId: number,
  listId: string,
  body: z.output<typeof ListItemsBody>,
): Promise<z.input<typeof ListItemsResponse>> {
  const { db } = services;
  const w = await writer(services, userId);
  await remoteList(db, userId, w, listId, "No such List on GitHub: it is not one of yours, or it was deleted there");
  const asked = [
    ...(body.add ?? []).map((name) => ({ name, add: true })),
    ...(body.remove ?? []).map((name) => ({ name, add: false })),
  ];
  const known = await libraryRepositories(
    db,
    userId,
    asked.map((entry) => entry.name),
  );
  const byName = new Map(known.map((row) => [row.fullName.toLowerCase(), row]));
  const skipped: string[] = [];
  const changes: Array<{ githubId: number; nodeId: string; add: boolean; name: string }> = [];
  for (const entry of asked) {
    const row = byName.get(entry.name.toLowerCase());
    if (!row?.nodeId) skipped.push(entry.name);
    else changes.push({ githubId: row.githubId, nodeId: row.nodeId, add: entry.add, name: row.fullName });
  }
  const pushed = await pushMembership(services, userId, w, listId, changes);
  const [stored] = (await storedLists(db, userId)).filter((list) => list.listId === listId);
  if (stored?.linkedTag) {
    // The tag follows, so the next sync's merge sees both sides agree (not a removal from here).
    const added = changes.filter((c) => c.add && !pushed.missing.has(c.githubId)).map((c) => c.githubId);
    const removed = changes.filter((c) => !c.add && !pushed.missing.has(c.githubId)).map((c) => c.githubId);
    await runWrites(db, [
      ...tagWrites(db, userId, stored.linkedTag, added, true),
      ...tagWrites(db, userId, stored.linkedTag, removed, false),
    ]);
  }
  const overview = await listsOverview(db, userId, w.login);
  const nameOf = (c: { name: string }) => c.name;
  return {
    changed: changes.filter((c) => pushed.changed.has(c.githubId)).map(nameOf),
    unchanged: changes.filter((c) => pushed.unchanged.has(c.githubId)).map(nameOf),
    skipped: [...skipped, ...changes.filter((c) => pushed.missing.has(c.githubId)).map(nameOf)],
    list: overview.lists.find((list) => list.id === listId) as GithubList,
  };
}
