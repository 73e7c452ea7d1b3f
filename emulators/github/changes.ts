// Changes to the emulated world that both the control API (control.ts) and triggers (triggers.ts)
// make: star, unstar, a repository's access state, a rename. Bad input throws ControlError with
// the status the control API answers; a trigger records its message instead.
import { isRepoState, type RepoState } from "./access.ts";
import { isoSeconds } from "./http.ts";
import { isValidFullName, type CustomRepoInput, type Repo } from "./repos.ts";
import type { EmulatorState } from "./state.ts";
import { LOGIN_RE, type User } from "./users.ts";

export class ControlError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export function requireString(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== "string" || !value) throw new ControlError(422, `"${key}" must be a non-empty string`);
  return value;
}

export function requireUser(state: EmulatorState, login: string): User {
  const user = state.users.get(login);
  if (!user) throw new ControlError(404, `no user "${login}"`);
  return user;
}

/** A repository by its current name (a former name is not one; see `Universe.renamedFrom`). */
export function requireRepo(state: EmulatorState, fullName: string): Repo {
  const repo = state.universe.find(fullName);
  if (!repo) throw new ControlError(404, `no repository "${fullName}"`);
  return repo;
}

export interface StarOutcome {
  login: string;
  fullName: string;
  created: boolean;
  alreadyStarred: boolean;
  starredAt: string | null;
}

/** Stars `fullName` for `login` now; an unknown name creates that repository (from `repoInput`). */
export function starRepo(
  state: EmulatorState,
  login: string,
  fullName: string,
  repoInput: CustomRepoInput = {},
): StarOutcome {
  const user = requireUser(state, login);
  let repo = state.universe.find(fullName);
  let created = false;
  if (!repo) {
    if (!isValidFullName(fullName)) throw new ControlError(422, `invalid repository name "${fullName}"`);
    repo = state.universe.createCustom(fullName, repoInput, state.now());
    created = true;
  }
  const star = state.users.star(user, repo, state.now());
  return {
    login: user.login,
    fullName: repo.fullName,
    created,
    alreadyStarred: star === undefined,
    starredAt: star ? isoSeconds(star.starredAt) : null,
  };
}

export function unstarRepo(
  state: EmulatorState,
  login: string,
  fullName: string,
): { login: string; fullName: string; unstarred: boolean } {
  const user = requireUser(state, login);
  const repo = requireRepo(state, fullName);
  return { login: user.login, fullName: repo.fullName, unstarred: state.users.unstar(user, repo) };
}

export interface RepoStateInput {
  fullName: string;
  state: RepoState;
  /** `sso` only: the organisation that enforces SAML (default: the repository's owner). */
  org?: string;
}

/** Checks a `repo-state` body (the control call and a trigger's `state` action). */
export function parseRepoStateInput(input: Record<string, unknown>): RepoStateInput {
  const fullName = requireString(input, "fullName");
  if (!isRepoState(input.state))
    throw new ControlError(422, '"state" must be one of "ok", "blocked", "dmca", "sso", "deleted", "private"');
  if (input.org !== undefined && (typeof input.org !== "string" || !LOGIN_RE.test(input.org))) {
    throw new ControlError(422, '"org" must be an organisation login');
  }
  return { fullName, state: input.state, ...(typeof input.org === "string" ? { org: input.org } : {}) };
}

/** Sets a repository's access state (access.ts); `ok` clears it. */
export function setRepoState(state: EmulatorState, input: RepoStateInput): Repo {
  const repo = requireRepo(state, input.fullName);
  if (input.state === "ok") {
    state.universe.setAccess(repo, undefined);
  } else {
    const org = input.state === "sso" && input.org !== undefined ? { org: input.org } : {};
    state.universe.setAccess(repo, { state: input.state, since: state.now(), ...org });
    // Made private: GitHub erases everyone's star but the owner's, for good (users.ts, eraseStars).
    if (input.state === "private") state.users.eraseStars(repo);
  }
  return repo;
}

export interface ReleaseInput {
  fullName: string;
  tag: string;
  name?: string | null;
  prerelease?: boolean;
  /** ISO time; default now. */
  publishedAt?: string;
  /**
   * true: the tag was pushed with git (a push: `pushed_at` moves). false (default): made on github.com or through the
   * API on a commit already there, which pushes nothing.
   */
  tagPush?: boolean;
}

/** Checks a `release` body. */
export function parseReleaseInput(input: Record<string, unknown>): ReleaseInput {
  const fullName = requireString(input, "fullName");
  const tag = requireString(input, "tag");
  if (!/^[^\s~^:?*[\\]{1,255}$/.test(tag)) throw new ControlError(422, `invalid tag "${tag}"`);
  if (input.name !== undefined && input.name !== null && typeof input.name !== "string")
    throw new ControlError(422, '"name" must be a string or null');
  for (const key of ["prerelease", "tagPush"] as const) {
    if (input[key] !== undefined && typeof input[key] !== "boolean")
      throw new ControlError(422, `"${key}" must be true or false`);
  }
  if (input.publishedAt !== undefined && (typeof input.publishedAt !== "string" || !Date.parse(input.publishedAt)))
    throw new ControlError(422, '"publishedAt" must be an ISO time');
  return {
    fullName,
    tag,
    ...(input.name !== undefined ? { name: input.name as string | null } : {}),
    ...(input.prerelease !== undefined ? { prerelease: input.prerelease as boolean } : {}),
    ...(input.publishedAt !== undefined ? { publishedAt: input.publishedAt as string } : {}),
    ...(input.tagPush !== undefined ? { tagPush: input.tagPush as boolean } : {}),
  };
}

/** Publishes a release (repos.ts `Universe.release`). */
export function publishRelease(state: EmulatorState, input: ReleaseInput): Repo {
  const repo = requireRepo(state, input.fullName);
  const now = state.now();
  const publishedAt = input.publishedAt !== undefined ? Date.parse(input.publishedAt) : now;
  state.universe.release(
    repo,
    {
      tagName: input.tag,
      name: input.name === undefined ? input.tag : input.name,
      publishedAt: Math.floor(publishedAt / 1000) * 1000,
      isPrerelease: input.prerelease ?? false,
    },
    input.tagPush ?? false,
    now,
  );
  return repo;
}

export interface RenameInput {
  fullName: string;
  /** The new "owner/name"; a different owner moves the repository to that account. */
  newName: string;
}

export function parseRenameInput(input: Record<string, unknown>): RenameInput {
  return { fullName: requireString(input, "fullName"), newName: requireString(input, "newName") };
}

/** Renames a repository; 422 when the new name is invalid or another repository has it. */
export function renameRepo(state: EmulatorState, input: RenameInput): { repo: Repo; previousName: string } {
  const repo = requireRepo(state, input.fullName);
  if (!isValidFullName(input.newName)) throw new ControlError(422, `invalid repository name "${input.newName}"`);
  const holder = state.universe.find(input.newName);
  if (holder && holder !== repo) throw new ControlError(422, `"${input.newName}" is taken by another repository`);
  const previousName = repo.fullName;
  state.universe.rename(repo, input.newName);
  return { repo, previousName };
}
