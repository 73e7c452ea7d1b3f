// Emulated users, their tokens and their stars.
//
// A user with N generated stars stars universe uids 0..N-1 (a seed-dependent sample of the corpus
// first, then its variants), each at a time between the later of the account's and the
// repository's creation and DATA_NOW. Stars are kept newest first, which is GitHub's default order.
import { isListed, ssoOrg, ssoOrgId, type Sight } from "./access.ts";
import { encodeNodeId } from "./git.ts";
import { hash, hashString, unit } from "./random.ts";
import { DATA_NOW, DAY, secondPrecision, type Repo, type Universe } from "./repos.ts";

export const MAX_STARS = 50_000;
export const LOGIN_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

export interface Star {
  uid: number;
  starredAt: number;
}

export interface User {
  login: string;
  id: number;
  nodeId: string;
  token: string;
  name: string;
  createdAt: number;
  /** Newest first; ties (same second) broken by uid, descending. */
  stars: Star[];
  starred: Set<number>;
  /** Bumped whenever `stars` changes. */
  version: number;
  /** The classic token's scopes as GitHub lists them in `X-OAuth-Scopes` ("" = none, e.g. "repo, read:user"). */
  scopes: string;
  /** The token: classic (scopes) or fine-grained (permissions; GitHub sends no `X-OAuth-Scopes` for it). */
  tokenModel: TokenModel;
}

/**
 * What the user's token may do. Classic tokens have scopes (`User.scopes`); a fine-grained token has permissions, of
 * which the emulator models the user permission "Starring" (none, read, write).
 */
export type TokenModel = { kind: "classic" } | { kind: "fine-grained"; starring: "none" | "read" | "write" };

/**
 * Whether the token may star or unstar `repo` (`PUT`/`DELETE /user/starred/{owner}/{repo}`). GitHub: a fine-grained
 * token needs "Starring" user permissions (write); a classic one the `public_repo` scope, or `repo` (which includes
 * it and is needed for a private repository).
 */
export function maySetStar(user: User, repoIsPrivate: boolean): boolean {
  if (user.tokenModel.kind === "fine-grained") return user.tokenModel.starring === "write";
  const scopes = user.scopes.split(",").map((scope) => scope.trim());
  return scopes.includes("repo") || (!repoIsPrivate && scopes.includes("public_repo"));
}

/** Whether the token may read the user's stars: a fine-grained token needs "Starring" (read or write). */
export function mayReadStars(user: User): boolean {
  return user.tokenModel.kind === "classic" || user.tokenModel.starring !== "none";
}

/** A user's stars as a list shows them, and the SAML organisations whose repositories it left out. */
export interface StarList {
  stars: Star[];
  /** Ids of the organisations in `X-GitHub-SSO: partial-results; organizations=…`, ascending. */
  ssoOrgIds: number[];
}

export function tokenFor(login: string): string {
  return `emulator-token-${login}`;
}

/** Newest-first order of stars, the order GitHub lists them by default. */
export function compareStarsDesc(a: Star, b: Star): number {
  return b.starredAt - a.starredAt || b.uid - a.uid;
}

export class UserStore {
  private readonly universe: Universe;
  private readonly seed: number;
  private readonly byLogin = new Map<string, User>();
  private readonly byTokenMap = new Map<string, User>();
  private readonly revoked = new Set<string>();
  private issued = 0;
  private readonly pushedOrderCache = new Map<string, { key: string; stars: Star[] }>();

  constructor(universe: Universe, seed: number) {
    this.universe = universe;
    this.seed = seed;
  }

  all(): User[] {
    return [...this.byLogin.values()];
  }

  get(login: string): User | undefined {
    return this.byLogin.get(login.toLowerCase());
  }

  /** The user a token belongs to; undefined for unknown or revoked tokens. */
  byToken(token: string): User | undefined {
    return this.revoked.has(token) ? undefined : this.byTokenMap.get(token);
  }

  byId(id: number): User | undefined {
    for (const user of this.byLogin.values()) if (user.id === id) return user;
    return undefined;
  }

  /** Creates (or replaces) a user with `starCount` deterministic stars and a valid token with `scopes`. */
  create(login: string, starCount: number, scopes = "", model: TokenModel = { kind: "classic" }): User {
    if (!LOGIN_RE.test(login)) throw new Error(`invalid login: ${login}`);
    if (!Number.isInteger(starCount) || starCount < 0 || starCount > MAX_STARS) {
      throw new Error(`stars must be an integer from 0 to ${MAX_STARS}`);
    }
    const previous = this.get(login);
    if (previous) this.byTokenMap.delete(previous.token);

    const key = login.toLowerCase();
    // octocat keeps its real id; other ids are stable functions of the login (not of the seed).
    const id = key === "octocat" ? 583231 : 1_000_000 + (hashString(key) % 100_000_000);
    const createdAt =
      key === "octocat"
        ? Date.UTC(2011, 0, 25, 18, 44, 36)
        : secondPrecision(Date.UTC(2009, 0, 1) + unit(this.seed, "user-created", key) * 10 * 365 * DAY);

    const stars: Star[] = new Array<Star>(starCount);
    for (let uid = 0; uid < starCount; uid++) {
      stars[uid] = { uid, starredAt: this.generatedStarTime(key, createdAt, this.universe.repo(uid)) };
    }
    stars.sort(compareStarsDesc);

    const token = tokenFor(login);
    const user: User = {
      login,
      id,
      nodeId: encodeNodeId("U", id),
      token,
      name: login === "octocat" ? "The Octocat" : login,
      createdAt,
      stars,
      starred: new Set(stars.map((s) => s.uid)),
      version: 0,
      scopes: model.kind === "classic" ? scopes : "",
      tokenModel: model,
    };
    this.byLogin.set(key, user);
    this.byTokenMap.set(token, user);
    this.revoked.delete(token);
    return user;
  }

  /**
   * A new token for an existing user, as a person makes one on github.com after revoking the old
   * one: the stars stay, the old token stays revoked. The user's `token` becomes the new one.
   */
  issueToken(user: User): string {
    const token = `${tokenFor(user.login)}-${++this.issued}`;
    user.token = token;
    this.byTokenMap.set(token, user);
    return token;
  }

  revoke(user: User): void {
    this.revoked.add(user.token);
  }

  /** Stars a repository at `now`; false when it was already starred (GitHub's PUT is idempotent). */
  star(user: User, repo: Repo, now: number): Star | undefined {
    if (user.starred.has(repo.uid)) return undefined;
    const star = { uid: repo.uid, starredAt: secondPrecision(now) };
    // Binary search for the insertion point keeps the list sorted (it is usually the front).
    let lo = 0;
    let hi = user.stars.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareStarsDesc(user.stars[mid] as Star, star) < 0) lo = mid + 1;
      else hi = mid;
    }
    user.stars.splice(lo, 0, star);
    user.starred.add(repo.uid);
    user.version++;
    return star;
  }

  unstar(user: User, repo: Repo): boolean {
    if (!user.starred.delete(repo.uid)) return false;
    const index = user.stars.findIndex((s) => s.uid === repo.uid);
    if (index >= 0) user.stars.splice(index, 1);
    user.version++;
    return true;
  }

  /**
   * A repository made private: GitHub erases its stars and watchers ("Stars and watchers for this repository will be
   * permanently erased", docs: Setting repository visibility), so they do not come back when it is made public again.
   * The owner's own star stays (the owner still sees it).
   */
  eraseStars(repo: Repo): number {
    let erased = 0;
    for (const user of this.byLogin.values()) {
      if (isOwner(user, repo)) continue;
      if (this.unstar(user, repo)) erased++;
    }
    return erased;
  }

  /** Private repositories are visible to the users who starred them and to their owner only. */
  canSee(viewer: User | undefined, repo: Repo): boolean {
    if (!repo.private) return true;
    if (!viewer) return false;
    return viewer.starred.has(repo.uid) || isOwner(viewer, repo);
  }

  /**
   * How `viewer` sees `repo` once its access state (access.ts) is applied. A repository made private
   * by its owner is gone for everyone else, including those who starred it (unlike the generated
   * private ones, which their stargazers keep seeing). SAML guards tokens only: anonymous callers
   * see a public repository of such an organisation as usual.
   */
  sight(viewer: User | undefined, repo: Repo): Sight {
    const state = repo.access?.state;
    if (state === "deleted") return "gone";
    if (state === "private" && !isOwner(viewer, repo)) return "gone";
    if (!this.canSee(viewer, repo)) return "gone";
    if (state === "blocked" || state === "dmca") return state;
    if (state === "sso" && viewer) return "sso";
    return "ok";
  }

  /**
   * `owner`'s stars as `viewer` sees them in a list (newest first): what is not listed (access.ts
   * `isListed`) is left out, so totals and pages are over what is listed, as on GitHub.
   */
  starList(owner: User, viewer: User | undefined): StarList {
    const restricted = this.universe.restricted;
    // The common case, a user's own list with no repository in a special state, needs no copy.
    if (viewer === owner && restricted.size === 0) return { stars: owner.stars, ssoOrgIds: [] };
    const orgIds = new Set<number>();
    const stars = owner.stars.filter((s) => {
      if (viewer === owner && !restricted.has(s.uid)) return true;
      const repo = this.universe.repo(s.uid);
      const sight = this.sight(viewer, repo);
      if (sight === "sso") orgIds.add(ssoOrgId(ssoOrg(repo)));
      return isListed(sight);
    });
    return { stars, ssoOrgIds: [...orgIds].sort((a, b) => a - b) };
  }

  /** `owner`'s stars as `viewer` sees them in a list (newest first). */
  visibleStars(owner: User, viewer: User | undefined): Star[] {
    return this.starList(owner, viewer).stars;
  }

  /** REST `sort=updated`: by the repository's last push, newest first (memoised per data version). */
  byPushed(owner: User, viewer: User | undefined): Star[] {
    const cacheKey = `${owner.login}|${viewer?.login ?? ""}`;
    const version = `${owner.version}|${this.universe.version}`;
    const cached = this.pushedOrderCache.get(cacheKey);
    if (cached?.key === version) return cached.stars;
    const pushed = (s: Star) => this.universe.repo(s.uid).pushedAt;
    const stars = [...this.visibleStars(owner, viewer)].sort((a, b) => pushed(b) - pushed(a) || b.uid - a.uid);
    this.pushedOrderCache.set(cacheKey, { key: version, stars });
    return stars;
  }

  private generatedStarTime(loginKey: string, userCreatedAt: number, repo: Repo): number {
    const hi = DATA_NOW - 3_600_000;
    let lo = Math.max(userCreatedAt, repo.createdAt + DAY);
    if (lo >= hi) lo = hi - DAY;
    // Mildly skewed towards recent years: people star more as they use GitHub longer.
    const u = hash(this.seed, "starred", loginKey, repo.uid) / 0x100000000;
    return secondPrecision(hi - (hi - lo) * u ** 1.3);
  }
}

function isOwner(viewer: User | undefined, repo: Repo): boolean {
  return viewer !== undefined && viewer.login.toLowerCase() === repo.owner.toLowerCase();
}
