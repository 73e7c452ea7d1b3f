// GitHub's star Lists (`User.lists`, `UserList`), GraphQL only: no REST endpoint exists for them.
//
// What the emulator models, and where each rule comes from (docs/…/github-lists-health.md in the project's shared
// reference; README.md "Lists"):
// - `updateUserListsForItem` REPLACES an item's whole membership: every list of the viewer not named in `listIds`
//   loses the item (GitHub's schema: "Updates which of the viewer's lists an item belongs to").
// - At most `listLimit` lists per account (default 32: reported by users, dead-claudia/github-limits#8, not in
//   GitHub's docs); the next `createUserList` is refused with an UNPROCESSABLE error at the field's path.
// - Writes need the classic `user` scope (GithubStarsManager PR #273 asks users for `gh auth refresh -s user`).
//   A fine-grained token has no permission for Lists: its writes are refused as GitHub refuses what a fine-grained
//   token may not do (FORBIDDEN, "Resource not accessible by personal access token"). Not documented by GitHub:
//   the emulator's reading, and the Worker never writes without `user` in `X-OAuth-Scopes` anyway.
// - Reads need no scope: the viewer sees all its lists, private ones too; others see the public ones.
// - `items` come in no documented order: here a seeded shuffle per list (stable while the list is unchanged), so a
//   client that assumes star order or insertion order fails here as it would on GitHub.
// - `lastAddedAt` moves when an item is added; `updatedAt` when the name, description or privacy change.
// - Adding a repository through the mutation does not star it (GitHub's UI stars it; whether the mutation does is
//   not documented: the emulator takes the narrower reading).
import { encodeNodeId } from "./git.ts";
import { hash } from "./random.ts";
import type { Repo } from "./repos.ts";
import type { User } from "./users.ts";

/** Lists per account GitHub is reported to allow (dead-claudia/github-limits#8: "I was able to reach 32"). */
export const DEFAULT_LIST_LIMIT = 32;
/** Reported as well: a list's name up to 32 characters, its description up to 160. */
export const LIST_NAME_MAX = 32;
export const LIST_DESCRIPTION_MAX = 160;

export interface EmuList {
  /** Database id; the node id is `UL_…` of it. */
  id: number;
  nodeId: string;
  ownerLogin: string;
  name: string;
  slug: string;
  description: string | null;
  isPrivate: boolean;
  /** Universe uids, in the order they were added. */
  items: number[];
  createdAt: number;
  updatedAt: number;
  lastAddedAt: number;
}

/** Why a list write is refused: GitHub's error type and words. */
export class ListError extends Error {
  readonly type: "UNPROCESSABLE" | "NOT_FOUND";
  constructor(type: "UNPROCESSABLE" | "NOT_FOUND", message: string) {
    super(message);
    this.type = type;
  }
}

/** GitHub's slug of a list name: lower case, runs of anything but letters and digits as one hyphen. */
export function slugOf(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, "-")
      .replace(/^-+|-+$/g, "") || "list"
  );
}

export interface ListInput {
  name?: string | null;
  description?: string | null;
  isPrivate?: boolean | null;
}

/** Every user's lists, rebuilt by `POST /_emulator/reset`. */
export class ListStore {
  private readonly byLogin = new Map<string, EmuList[]>();
  private nextId = 1;
  private readonly seed: number;
  limit: number;

  constructor(seed: number, limit = DEFAULT_LIST_LIMIT) {
    this.seed = seed;
    this.limit = limit;
  }

  of(user: User): EmuList[] {
    return this.byLogin.get(user.login.toLowerCase()) ?? [];
  }

  /** A list by node id, whoever owns it. */
  byNodeId(nodeId: string): EmuList | undefined {
    for (const lists of this.byLogin.values()) {
      const found = lists.find((list) => list.nodeId === nodeId);
      if (found) return found;
    }
    return undefined;
  }

  /** A user made again (`POST /_emulator/users`) starts without lists. */
  forget(login: string): void {
    this.byLogin.delete(login.toLowerCase());
  }

  create(user: User, input: ListInput, now: number): EmuList {
    const lists = this.of(user);
    if (lists.length >= this.limit) {
      throw new ListError("UNPROCESSABLE", `You can't create more than ${this.limit} lists.`);
    }
    const name = this.checkName(user, input.name, undefined);
    const id = this.nextId++;
    const list: EmuList = {
      id,
      nodeId: encodeNodeId("UL", id),
      ownerLogin: user.login,
      name,
      slug: slugOf(name),
      description: checkDescription(input.description) ?? null,
      isPrivate: input.isPrivate ?? false,
      items: [],
      createdAt: now,
      updatedAt: now,
      lastAddedAt: now,
    };
    this.byLogin.set(user.login.toLowerCase(), [...lists, list]);
    return list;
  }

  update(user: User, list: EmuList, input: ListInput, now: number): EmuList {
    if (input.name !== undefined && input.name !== null) {
      list.name = this.checkName(user, input.name, list);
      list.slug = slugOf(list.name);
    }
    const description = checkDescription(input.description);
    if (description !== undefined) list.description = description;
    if (typeof input.isPrivate === "boolean") list.isPrivate = input.isPrivate;
    list.updatedAt = now;
    return list;
  }

  delete(user: User, list: EmuList): void {
    this.byLogin.set(
      user.login.toLowerCase(),
      this.of(user).filter((other) => other !== list),
    );
  }

  /** The viewer's own list by node id, or NOT_FOUND as GitHub answers for an id it cannot resolve. */
  own(user: User, nodeId: string): EmuList {
    const list = this.of(user).find((candidate) => candidate.nodeId === nodeId);
    if (!list) throw new ListError("NOT_FOUND", `Could not resolve to a node with the global id of '${nodeId}'`);
    return list;
  }

  /**
   * `updateUserListsForItem`: the item is in exactly the lists named, and in none of the user's others. Returns the
   * lists it is in now.
   */
  setMembership(user: User, repo: Repo, listIds: readonly string[], now: number): EmuList[] {
    const wanted = new Set(listIds.map((nodeId) => this.own(user, nodeId)));
    for (const list of this.of(user)) {
      const index = list.items.indexOf(repo.uid);
      if (wanted.has(list) && index < 0) {
        list.items.push(repo.uid);
        list.lastAddedAt = now;
      } else if (!wanted.has(list) && index >= 0) {
        list.items.splice(index, 1);
      }
    }
    return this.of(user).filter((list) => wanted.has(list));
  }

  /** A list's items in the order GitHub answers them: none documented, so a seeded shuffle (see above). */
  ordered(list: EmuList): number[] {
    const key = (uid: number) => hash(this.seed, "list-order", list.id, uid);
    return [...list.items].sort((a, b) => key(a) - key(b) || a - b);
  }

  private checkName(user: User, raw: string | null | undefined, self: EmuList | undefined): string {
    const name = (raw ?? "").trim();
    if (!name) throw new ListError("UNPROCESSABLE", "Name can't be blank");
    if ([...name].length > LIST_NAME_MAX) {
      throw new ListError("UNPROCESSABLE", `Name is too long (maximum is ${LIST_NAME_MAX} characters)`);
    }
    const slug = slugOf(name);
    if (this.of(user).some((other) => other !== self && other.slug === slug)) {
      throw new ListError("UNPROCESSABLE", "Name has already been taken");
    }
    return name;
  }
}

function checkDescription(raw: string | null | undefined): string | null | undefined {
  if (raw === undefined) return undefined;
  if (raw === null || raw.trim() === "") return null;
  if ([...raw].length > LIST_DESCRIPTION_MAX) {
    throw new ListError("UNPROCESSABLE", `Description is too long (maximum is ${LIST_DESCRIPTION_MAX} characters)`);
  }
  return raw;
}

/** The mutations that write lists, and the scope a classic token needs for them. */
export const LIST_MUTATIONS = ["createUserList", "updateUserList", "deleteUserList", "updateUserListsForItem"];
export const LIST_WRITE_SCOPE = "user";

/** Whether a classic token's scopes allow list writes (`user`; GitHub lists scopes as "a, b"). */
export function mayWriteLists(user: User): boolean {
  if (user.tokenModel.kind !== "classic") return false;
  return user.scopes
    .split(",")
    .map((scope) => scope.trim())
    .includes(LIST_WRITE_SCOPE);
}
