import type { Db } from "../db/client";
import type { GithubClient } from "../github/client";
import { mayWriteLists, readListIndex, readListItems, setMemberships, type RemoteList } from "../github/lists";
import type { Pacer } from "../github/pacer";
import {
  goneListsWrite,
  listWrite,
  memberWrites,
  nodeIdsOf,
  readStateWrite,
  runWrites,
  storedLists,
  storedMembers,
  taggedIds,
  tagWrites,
  type StoredList,
} from "./store";

// Reading a user's GitHub Lists into D1, and the two-way merge of the Lists linked to a tag
// (docs/architecture.md §4, "Lists").

/** A List's items are read again at least this often, even when GitHub's count and `lastAddedAt` say unchanged. */
export const ITEMS_RECHECK_MS = 24 * 60 * 60_000;

export type ListsOutcome = {
  lists: number;
  /** Lists whose items were read this time (the rest were unchanged by GitHub's count and lastAddedAt). */
  listsRead: number;
  /** Memberships pushed to GitHub (one `updateUserListsForItem` each), and tags changed here from GitHub. */
  pushed: number;
  pulled: number;
  /** Linked Lists' changes from here that wait for a token with the `user` scope. */
  waiting: number;
  /** Links that ended because their List was deleted on GitHub: `[list name, tag]`. */
  unlinked: Array<[string, string]>;
  scopes: string | null;
};

/** Whether a stored List's items must be read again: new, changed by GitHub's count or lastAddedAt, or due. */
function stale(remote: RemoteList, stored: StoredList | undefined, now: number): boolean {
  if (!stored?.itemsReadAt) return true;
  if (stored.itemCount !== remote.itemCount) return true;
  if ((stored.lastAddedAt?.getTime() ?? null) !== (remote.lastAddedAt?.getTime() ?? null)) return true;
  return now - stored.itemsReadAt.getTime() > ITEMS_RECHECK_MS;
}

/**
 * Reads the Lists (one point for the index; items only of the Lists GitHub shows changed, or all of them when a
 * linked List has a change to push, so every item's current memberships are known before one is written), merges
 * the linked Lists both ways, and stores what GitHub holds afterwards.
 *
 * The merge, per repository of a linked List (tag T ↔ List L), three-way against the membership both sides agreed on
 * at the last sync (the stored members): when GitHub and the tag agree, nothing is done; when only the tag changed
 * since, GitHub is told (added to or removed from L); when only GitHub changed, the tag follows (T added or taken
 * away). Membership is yes or no, so the two sides cannot both have changed and disagree. A List deleted on GitHub
 * ends its link and keeps the tag (nothing is made again); a rename on GitHub renames it here, memberships kept.
 * The first sync after linking has no base: it unites both sides, removing nothing.
 */
export async function refreshLists(
  db: Db,
  client: GithubClient,
  pacer: Pacer,
  userId: number,
  now = Date.now(),
): Promise<ListsOutcome> {
  const index = await readListIndex(client);
  const stored = new Map((await storedLists(db, userId)).map((list) => [list.listId, list]));
  const members = await storedMembers(db, userId);
  const canWrite = mayWriteLists(index.scopes);

  const linked = index.lists.filter((list) => stored.get(list.id)?.linkedTag);
  // A linked List's items are read on every sync: its change decides what the tag does, and GitHub's signs of a
  // change (the count, `lastAddedAt` to the second) miss one item swapped for another within the second of the last
  // addition. Linked Lists are the few the user chose to keep in step.
  const toRead = index.lists.filter((list) => stored.get(list.id)?.linkedTag || stale(list, stored.get(list.id), now));
  let items = await readListItems(client, pacer, toRead);
  const current = (listId: string) =>
    items.get(listId) ? new Set(items.get(listId)) : (members.get(listId) ?? new Set<number>());

  // The merge of linked Lists: what to tell GitHub, what to change here.
  type Push = { githubId: number; listId: string; add: boolean };
  const pushes: Push[] = [];
  const pulls: Array<{ tag: string; githubIds: number[]; add: boolean }> = [];
  for (const list of linked) {
    const tag = stored.get(list.id)?.linkedTag as string;
    const base = members.get(list.id);
    const first = !stored.get(list.id)?.itemsReadAt;
    const onGithub = current(list.id);
    const here = await taggedIds(db, userId, tag);
    const toTag: number[] = [];
    const untag: number[] = [];
    for (const id of new Set([...onGithub, ...here, ...(base ?? [])])) {
      const [g, t, b] = [onGithub.has(id), here.has(id), base?.has(id) ?? false];
      if (g === t) continue;
      if (first) {
        // No agreed base yet: both sides are united.
        if (t) pushes.push({ githubId: id, listId: list.id, add: true });
        else toTag.push(id);
      } else if (g === b) pushes.push({ githubId: id, listId: list.id, add: t });
      else (g ? toTag : untag).push(id);
    }
    if (toTag.length) pulls.push({ tag, githubIds: toTag, add: true });
    if (untag.length) pulls.push({ tag, githubIds: untag, add: false });
  }

  let pushed = 0;
  let waiting = 0;
  if (pushes.length > 0 && !canWrite) waiting = pushes.length;
  if (pushes.length > 0 && canWrite) {
    // Every item's memberships must be current before one is replaced: read the Lists not read yet.
    const unread = index.lists.filter((list) => !items.has(list.id));
    if (unread.length > 0) items = new Map([...items, ...(await readListItems(client, pacer, unread))]);
    const byItem = new Map<number, Push[]>();
    for (const push of pushes) byItem.set(push.githubId, [...(byItem.get(push.githubId) ?? []), push]);
    const nodeIds = await nodeIdsOf(db, [...byItem.keys()]);
    const entries: Array<{ itemId: string; githubId: number; listIds: string[] }> = [];
    for (const [githubId, changes] of byItem) {
      const itemId = nodeIds.get(githubId);
      if (!itemId) continue;
      // The item's whole membership as GitHub holds it now, changed only where this merge says.
      const listIds = new Set(index.lists.filter((list) => current(list.id).has(githubId)).map((list) => list.id));
      for (const change of changes) change.add ? listIds.add(change.listId) : listIds.delete(change.listId);
      entries.push({ itemId, githubId, listIds: [...listIds] });
    }
    const missing = await setMemberships(client, entries);
    for (const entry of entries) {
      if (missing.has(entry.itemId)) continue;
      pushed++;
      for (const list of index.lists) {
        const set = current(list.id);
        entry.listIds.includes(list.id) ? set.add(entry.githubId) : set.delete(entry.githubId);
        items.set(list.id, [...set]);
      }
    }
  }

  // What GitHub holds now, and the tags that followed it.
  const at = new Date(now);
  const unlinked: Array<[string, string]> = [];
  const keep = index.lists.map((list) => list.id);
  for (const [listId, list] of stored) {
    if (!keep.includes(listId) && list.linkedTag) unlinked.push([list.name, list.linkedTag]);
  }
  const writes = [
    ...goneListsWrite(db, userId, keep),
    ...index.lists.map((list) => listWrite(db, userId, list, items.has(list.id) ? at : null)),
    ...[...items].flatMap(([listId, ids]) =>
      memberWrites(db, userId, listId, members.get(listId) ?? new Set(), new Set(ids)),
    ),
    ...pulls.flatMap((pull) => tagWrites(db, userId, pull.tag, pull.githubIds, pull.add)),
    readStateWrite(db, userId, index.scopes, at, null),
  ];
  await runWrites(db, writes);
  return {
    lists: index.lists.length,
    listsRead: toRead.length,
    pushed,
    pulled: pulls.reduce((sum, pull) => sum + pull.githubIds.length, 0),
    waiting,
    unlinked,
    scopes: index.scopes,
  };
}
