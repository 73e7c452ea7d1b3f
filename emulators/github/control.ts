// The control API under /_emulator/: no auth, not counted in stats, no latency. Tests and
// benchmarks use it to shape the world (users, stars, pushes, repository states, renames), inject
// faults, set triggers and read counters.
import { ssoOrg, ssoOrgId, type RepoState } from "./access.ts";
import {
  ControlError,
  parseReleaseInput,
  parseRenameInput,
  parseRepoStateInput,
  publishRelease,
  renameRepo,
  requireRepo,
  requireString,
  requireUser,
  setRepoState,
  starRepo,
  unstarRepo,
} from "./changes.ts";
import { isoSeconds, json, type EmuResponse } from "./http.ts";
import { ListError, type EmuList } from "./lists.ts";
import { remaining, type Resource } from "./ratelimit.ts";
import { realismPreset, type RealismConfig } from "./realism.ts";
import { isPrivate, type CustomRepoInput, type ReadmeKind, type Release, type Repo } from "./repos.ts";
import { userIdentity, type EmulatorConfig, type EmulatorState } from "./state.ts";
import { validateTrigger, type TriggerInput } from "./triggers.ts";
import { LOGIN_RE, MAX_STARS, type TokenModel, type User } from "./users.ts";

export interface ControlRequest {
  method: string;
  /** Path below /_emulator/, e.g. "users". */
  path: string;
  query: URLSearchParams;
  body: string;
}

function parseJson(body: string): Record<string, unknown> {
  if (!body.trim()) return {};
  try {
    const value = JSON.parse(body) as unknown;
    if (typeof value === "object" && value !== null) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ControlError(400, "body must be a JSON object");
}

/** One user as the control API describes it (`POST users`, `GET users`). */
export interface UserSummary {
  login: string;
  id: number;
  nodeId: string;
  token: string;
  stars: number;
  /** The token's `X-OAuth-Scopes` ("" = a classic token with no scopes, or a fine-grained token). */
  scopes: string;
  /** `classic` (scopes) or `fine-grained` (permissions). */
  tokenKind: TokenModel["kind"];
  /** Fine-grained only: the user permission "Starring". */
  starring?: "none" | "read" | "write";
}

function userSummary(user: User): UserSummary {
  return {
    login: user.login,
    id: user.id,
    nodeId: user.nodeId,
    token: user.token,
    stars: user.stars.length,
    scopes: user.scopes,
    tokenKind: user.tokenModel.kind,
    ...(user.tokenModel.kind === "fine-grained" ? { starring: user.tokenModel.starring } : {}),
  };
}

/** `tokenKind` and `permissions.starring` of `POST users`. */
function parseTokenModel(input: Record<string, unknown>): TokenModel {
  const kind = input.tokenKind ?? "classic";
  if (kind === "classic") {
    if (input.permissions !== undefined) throw new ControlError(422, '"permissions" are for a fine-grained token');
    return { kind };
  }
  if (kind !== "fine-grained") throw new ControlError(422, '"tokenKind" must be "classic" or "fine-grained"');
  if (input.scopes !== undefined) throw new ControlError(422, "a fine-grained token has no scopes");
  const permissions = (input.permissions ?? {}) as Record<string, unknown>;
  const starring = permissions.starring ?? "read";
  if (starring !== "none" && starring !== "read" && starring !== "write")
    throw new ControlError(422, '"permissions.starring" must be "none", "read" or "write"');
  return { kind, starring };
}

/** `scopes` of `POST users`: a string ("repo, read:user") or a list; normalised to GitHub's "a, b" form. */
function parseScopes(value: unknown): string {
  if (value === undefined || value === null) return "";
  const parts =
    typeof value === "string"
      ? value.split(",")
      : Array.isArray(value) && value.every((v) => typeof v === "string")
        ? value
        : undefined;
  if (!parts) throw new ControlError(422, '"scopes" must be a string like "repo, read:user" or a list of strings');
  return parts
    .map((part) => part.trim())
    .filter(Boolean)
    .join(", ");
}

/** The stats document; its shape is a contract with the tests and benchmarks (keys may be added). */
export function statsSnapshot(state: EmulatorState) {
  const now = state.now();
  const rateLimit: Record<
    string,
    Record<
      Resource,
      {
        used: number;
        limit: number;
        remaining: number;
        reset: number;
        total: number;
        exhaustedWindows: number;
        virtualWaitMs: number;
      }
    >
  > = {};
  const readmeDownloads: Record<string, number> = {};
  for (const user of state.users.all()) {
    const entry = (resource: Resource) => {
      const limit = resource === "core" ? state.config.coreLimit : state.config.graphqlLimit;
      const bucket = state.limiter.peek(userIdentity(user.login), resource);
      const live = bucket && now < bucket.resetAt;
      const used = live ? bucket.used : 0;
      return {
        used,
        limit,
        remaining: Math.max(0, limit - used),
        reset: Math.ceil((live ? bucket.resetAt : now + state.config.rateWindowSeconds * 1000) / 1000),
        total: bucket?.total ?? 0,
        exhaustedWindows: bucket?.exhaustedWindows ?? 0,
        virtualWaitMs: bucket?.virtualWaitMs ?? 0,
      };
    };
    rateLimit[user.login] = { core: entry("core"), graphql: entry("graphql") };
    readmeDownloads[user.login] = state.stats.readmeDownloads[user.login] ?? 0;
  }
  return {
    requests: { total: state.stats.total, byRoute: { ...state.stats.byRoute }, byStatus: { ...state.stats.byStatus } },
    rateLimit,
    readmeDownloads,
    maxConcurrency: state.concurrency.max,
    /** Per token (`user:<login>`): server time by resource, timeouts, secondary-limit hits. */
    tokens: state.stats.tokens,
  };
}

const SHAPES = new Set(["502", "504", "200"]);

/** Applies `POST config {realism: {...}}`: a preset name resets to it, fields override. */
export function mergeRealism(current: RealismConfig, input: unknown): RealismConfig {
  if (
    typeof input === "string" ||
    (input && typeof input === "object" && "preset" in input && Object.keys(input).length === 1)
  ) {
    const preset = typeof input === "string" ? input : (input as { preset: unknown }).preset;
    if (preset !== "ideal" && preset !== "github")
      throw new ControlError(422, 'realism preset must be "ideal" or "github"');
    return realismPreset(preset);
  }
  if (!input || typeof input !== "object" || Array.isArray(input))
    throw new ControlError(422, "realism must be a preset name or an object");
  // A preset named beside overrides is the base they apply to.
  const preset = (input as { preset?: unknown }).preset;
  if (preset !== undefined && preset !== "ideal" && preset !== "github")
    throw new ControlError(422, 'realism.preset must be "ideal" or "github"');
  const next: RealismConfig = preset === undefined ? structuredClone(current) : realismPreset(preset);
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if (key === "preset") {
      if (value !== "ideal" && value !== "github")
        throw new ControlError(422, 'realism.preset must be "ideal" or "github"');
      next.preset = value;
    } else if (key === "timeoutShapes") {
      if (!Array.isArray(value) || value.length === 0 || !value.every((v) => SHAPES.has(String(v)))) {
        throw new ControlError(422, 'realism.timeoutShapes must be a non-empty list of "502", "504", "200"');
      }
      next.timeoutShapes = value.map(String) as RealismConfig["timeoutShapes"];
    } else if (key === "model") {
      if (!value || typeof value !== "object") throw new ControlError(422, "realism.model must be an object");
      for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
        if (!(name in next.model)) throw new ControlError(422, `unknown realism.model field "${name}"`);
        if (typeof v !== "number" || !(v >= 0))
          throw new ControlError(422, `realism.model.${name} must be a number >= 0`);
        next.model[name as keyof RealismConfig["model"]] = v;
      }
    } else if (key in next && typeof (next as unknown as Record<string, unknown>)[key] === "number") {
      if (typeof value !== "number" || !(value >= 0))
        throw new ControlError(422, `realism.${key} must be a number >= 0`);
      (next as unknown as Record<string, number>)[key] = value;
    } else {
      throw new ControlError(422, `unknown realism field "${key}"`);
    }
  }
  return next;
}

/** One repository as the ground truth describes it (`GET stars`, `GET repo`, `POST push`). */
export interface RepoSummary {
  fullName: string;
  id: number;
  nodeId: string;
  private: boolean;
  archived: boolean;
  /** When it was archived (null when not, or archived without a date). */
  archivedAt: string | null;
  disabled: boolean;
  defaultBranch: string;
  pushedAt: string;
  /** The default branch's head commit date (GraphQL `defaultBranchRef.target.committedDate`). */
  committedAt: string;
  /** GitHub's `latestRelease` (the newest release that is not a prerelease), null without one. */
  latestRelease: { tagName: string; name: string | null; publishedAt: string; isPrerelease: boolean } | null;
  /** Path of the README entry in the tree (for a symlink: the link), null without README. */
  readmePath: string | null;
  /** "text", "symlink" (README is a link to readmeTarget), "binary" or "bom" (UTF-8 with a BOM). */
  readmeKind: ReadmeKind | null;
  /** Symlinks only: the path the link points at (it holds the README text). */
  readmeTarget?: string;
  /**
   * With `sha=1`: the README blob sha a correct client stores. For a symlink the target's blob
   * (what REST `/readme` serves); for a BOM README the sha over the bytes including the BOM; for a
   * binary README null ("no usable README": the Worker stores none); null without README.
   */
  readmeSha?: string | null;
  /** With `sha=1`: the sha of the blob at readmePath itself (the link blob for a symlink, the image for binary). */
  readmeEntrySha?: string | null;
  /**
   * The access state (access.ts): always in `GET repo`, `POST repo-state` and `POST rename`; in `GET stars` only when
   * not "ok".
   */
  state?: RepoState;
  /** When the state was set (not for "ok"). */
  stateSince?: string;
  /**
   * State "sso": the organisation enforcing SAML and its id (as in `X-GitHub-SSO: partial-results;
   * organizations=<id>`).
   */
  org?: string;
  orgId?: number;
}

/** A repository's access state as the control API reports it. */
function accessSummary(repo: Repo): Pick<RepoSummary, "state" | "stateSince" | "org" | "orgId"> {
  const access = repo.access;
  if (!access) return { state: "ok" };
  const sso = access.state === "sso" ? { org: ssoOrg(repo), orgId: ssoOrgId(ssoOrg(repo)) } : {};
  return { state: access.state, stateSince: isoSeconds(access.since), ...sso };
}

function releaseSummary(release: Release | null): RepoSummary["latestRelease"] {
  return release && { ...release, publishedAt: isoSeconds(release.publishedAt) };
}

/** `{fullName, <flag>?: boolean}` (default true) of `POST archive` and `POST disable`. */
function flagInput(input: Record<string, unknown>, flag: string): { fullName: string; value: boolean } {
  const value = input[flag] ?? true;
  if (typeof value !== "boolean") throw new ControlError(422, `"${flag}" must be true or false`);
  return { fullName: requireString(input, "fullName"), value };
}

function repoSummary(state: EmulatorState, repo: Repo, withSha: boolean): RepoSummary {
  const readme = withSha ? state.universe.readme(repo) : null;
  return {
    fullName: repo.fullName,
    id: repo.id,
    nodeId: repo.nodeId,
    private: isPrivate(repo),
    archived: repo.archived,
    archivedAt: repo.archived && repo.archivedAt !== undefined ? isoSeconds(repo.archivedAt) : null,
    disabled: repo.disabled === true,
    defaultBranch: repo.defaultBranch,
    pushedAt: isoSeconds(repo.pushedAt),
    committedAt: isoSeconds(repo.committedAt ?? repo.pushedAt),
    latestRelease: releaseSummary(state.universe.latestRelease(repo)),
    readmePath: repo.readmePath,
    readmeKind: repo.readmePath === null ? null : repo.readmeKind,
    ...(repo.readmePath !== null && repo.readmeKind === "symlink"
      ? { readmeTarget: state.universe.linkTarget(repo) }
      : {}),
    ...(withSha
      ? {
          readmeSha: readme && readme.kind !== "binary" ? readme.sha : null,
          readmeEntrySha: readme ? (readme.linkSha ?? readme.sha) : null,
        }
      : {}),
  };
}

const CONFIG_KEYS: ReadonlyArray<Exclude<keyof EmulatorConfig, "realism" | "fastForwardWaits">> = [
  "latencyMs",
  "maxConcurrentRequests",
  "secondaryRetryAfter",
  "coreLimit",
  "graphqlLimit",
  "anonymousLimit",
  "rateWindowSeconds",
];

function route(state: EmulatorState, request: ControlRequest, log: (message: string) => void): EmuResponse {
  const key = `${request.method} ${request.path.replace(/\/+$/, "")}`;
  const body = () => parseJson(request.body);
  switch (key) {
    case "GET stats":
      return json(200, statsSnapshot(state));

    case "POST reset":
      state.reset();
      log("reset");
      return json(200, { reset: true });

    case "GET users":
      return json(200, { users: state.users.all().map(userSummary) });

    case "POST users": {
      const input = body();
      const login = requireString(input, "login");
      if (!LOGIN_RE.test(login)) throw new ControlError(422, `invalid login "${login}"`);
      const stars = input.stars ?? 0;
      if (typeof stars !== "number" || !Number.isInteger(stars) || stars < 0 || stars > MAX_STARS) {
        throw new ControlError(422, `"stars" must be an integer from 0 to ${MAX_STARS}`);
      }
      const user = state.users.create(login, stars, parseScopes(input.scopes), parseTokenModel(input));
      // A replaced user starts with fresh budgets and no lists, like a new account would.
      state.limiter.forget(userIdentity(login));
      state.lists.forget(login);
      log(`user ${login} with ${stars} stars`);
      return json(201, userSummary(user));
    }

    case "POST revoke": {
      const user = requireUser(state, requireString(body(), "login"));
      state.users.revoke(user);
      log(`revoked token of ${user.login}`);
      return json(200, { login: user.login, revoked: true });
    }

    case "POST token": {
      const user = requireUser(state, requireString(body(), "login"));
      const token = state.users.issueToken(user);
      log(`new token for ${user.login}`);
      return json(201, { login: user.login, token });
    }

    case "POST star": {
      const input = body();
      const repoInput = (typeof input.repo === "object" && input.repo !== null ? input.repo : {}) as CustomRepoInput;
      return json(200, starRepo(state, requireString(input, "login"), requireString(input, "fullName"), repoInput));
    }

    case "POST unstar": {
      const input = body();
      return json(200, unstarRepo(state, requireString(input, "login"), requireString(input, "fullName")));
    }

    case "POST repo-state": {
      // Blocked for GitHub's terms, taken down (DMCA), behind SAML, deleted, made private; "ok" undoes it.
      const repo = setRepoState(state, parseRepoStateInput(body()));
      log(`repository ${repo.fullName} is now ${repo.access?.state ?? "ok"}`);
      return json(200, { ...repoSummary(state, repo, false), ...accessSummary(repo) });
    }

    case "POST rename": {
      const { repo, previousName } = renameRepo(state, parseRenameInput(body()));
      log(`renamed ${previousName} to ${repo.fullName}`);
      return json(200, { ...repoSummary(state, repo, false), ...accessSummary(repo), previousName });
    }

    case "POST archive": {
      // Archived (or, with `archived: false`, unarchived) by its owner: not a push.
      const { fullName, value } = flagInput(body(), "archived");
      const repo = requireRepo(state, fullName);
      state.universe.setArchived(repo, value, state.now());
      return json(200, { ...repoSummary(state, repo, false), ...accessSummary(repo) });
    }

    case "POST disable": {
      // Disabled by GitHub (`disabled: false` re-enables it).
      const { fullName, value } = flagInput(body(), "disabled");
      const repo = requireRepo(state, fullName);
      state.universe.setDisabled(repo, value);
      return json(200, { ...repoSummary(state, repo, false), ...accessSummary(repo) });
    }

    case "POST release": {
      const repo = publishRelease(state, parseReleaseInput(body()));
      log(`release in ${repo.fullName}`);
      return json(200, { ...repoSummary(state, repo, false), ...accessSummary(repo) });
    }

    case "POST push": {
      const input = body();
      const repo = requireRepo(state, requireString(input, "fullName"));
      if (input.readme !== undefined && typeof input.readme !== "string")
        throw new ControlError(422, '"readme" must be a string');
      const path = (key: string) => {
        const value = input[key];
        if (value === undefined) return undefined;
        if (typeof value !== "string" || !/^[\w.-]+(\/[\w.-]+)*$/.test(value) || value.split("/").includes("..")) {
          throw new ControlError(422, `"${key}" must be a path in the repository like "docs/README.md"`);
        }
        return value;
      };
      state.universe.push(repo, state.now(), input.readme as string | undefined, {
        path: path("readmePath"),
        linkTo: path("readmeLinkTo"),
      });
      return json(200, { ...repoSummary(state, repo, true), updatedAt: isoSeconds(repo.updatedAt) });
    }

    case "POST drift": {
      // Star counts move every hour on GitHub: a share of a user's repositories gain or lose a few.
      const input = body();
      const user = requireUser(state, typeof input.login === "string" ? input.login : "octocat");
      const fraction = input.fraction ?? 1 / 3;
      if (typeof fraction !== "number" || !(fraction >= 0 && fraction <= 1))
        throw new ControlError(422, '"fraction" must be between 0 and 1');
      let changed = 0;
      for (const star of user.stars) {
        if (state.random() >= fraction) continue;
        const repo = state.universe.repo(star.uid);
        repo.stargazers = Math.max(0, repo.stargazers + 1 + Math.floor(state.random() * 50));
        changed++;
      }
      return json(200, { changed });
    }

    case "GET repo": {
      const repo = requireRepo(state, request.query.get("fullName") ?? "");
      return json(200, { ...repoSummary(state, repo, true), ...accessSummary(repo) });
    }

    case "GET stars": {
      // Ground truth for sync tests: exactly what the user's own `/user/starred` lists now, newest
      // first (deleted, taken-down, SAML-guarded and others' made-private repositories are not).
      const user = requireUser(state, request.query.get("login") ?? "");
      const withSha = request.query.get("sha") === "1" || request.query.get("sha") === "true";
      return json(200, {
        login: user.login,
        stars: state.users.starList(user, user).stars.map((star) => {
          const repo = state.universe.repo(star.uid);
          return {
            starredAt: isoSeconds(star.starredAt),
            ...repoSummary(state, repo, withSha),
            ...(repo.access ? accessSummary(repo) : {}),
          };
        }),
      });
    }

    case "GET lists": {
      // Ground truth: the user's lists as GitHub holds them, items in the order they were added.
      const user = requireUser(state, request.query.get("login") ?? "");
      return json(200, { login: user.login, lists: state.lists.of(user).map((list) => listSummary(state, list)) });
    }

    case "POST lists": {
      // A list made on github.com: {login, name, description?, isPrivate?, items?: ["owner/name", …]}.
      const input = body();
      const user = requireUser(state, requireString(input, "login"));
      return listWrite(() => {
        const list = state.lists.create(user, listInput(input), state.now());
        if (input.items !== undefined) setItems(state, list, input.items);
        return json(201, listSummary(state, list));
      });
    }

    case "POST lists/update": {
      // Changed on github.com: {login, listId, name?, description?, isPrivate?, items?: the whole new membership}.
      const input = body();
      const user = requireUser(state, requireString(input, "login"));
      return listWrite(() => {
        const list = state.lists.own(user, requireString(input, "listId"));
        state.lists.update(user, list, listInput(input), state.now());
        if (input.items !== undefined) setItems(state, list, input.items);
        return json(200, listSummary(state, list));
      });
    }

    case "POST lists/delete": {
      const input = body();
      const user = requireUser(state, requireString(input, "login"));
      return listWrite(() => {
        state.lists.delete(user, state.lists.own(user, requireString(input, "listId")));
        return json(200, { deleted: true });
      });
    }

    case "GET triggers":
      return json(200, { triggers: state.triggers.list() });

    case "POST triggers": {
      let input: TriggerInput;
      try {
        input = validateTrigger(body());
      } catch (error) {
        if (error instanceof ControlError) throw error;
        throw new ControlError(422, (error as Error).message);
      }
      const trigger = state.triggers.add(input);
      log(`trigger added: ${JSON.stringify(trigger)}`);
      return json(201, { trigger });
    }

    case "DELETE triggers":
      return json(200, { cleared: state.triggers.clear() });

    case "GET faults":
    case "POST faults":
    case "DELETE faults": {
      // A malformed rule throws: handleControl answers 422 with its error, 400 for JSON that does not parse.
      const answer = state.faults.answer(request.method, request.body, log);
      return json(answer.status, answer.body);
    }

    case "GET config":
      return json(200, state.config);

    case "POST config": {
      const input = body();
      if (input.realism !== undefined && typeof input.login === "string") {
        // One user's GitHub only: tests that share an emulator do not slow each other down.
        const login = input.login.toLowerCase();
        state.userRealism.set(login, mergeRealism(state.userRealism.get(login) ?? state.config.realism, input.realism));
        return json(200, { login, realism: state.userRealism.get(login) });
      }
      if (input.realism !== undefined) state.config.realism = mergeRealism(state.config.realism, input.realism);
      if (input.listLimit !== undefined) {
        // GitHub's lists per account (reported 32): until the next reset.
        if (typeof input.listLimit !== "number" || !Number.isInteger(input.listLimit) || input.listLimit < 0)
          throw new ControlError(422, '"listLimit" must be an integer >= 0');
        state.lists.limit = input.listLimit;
      }
      for (const name of CONFIG_KEYS) {
        const value = input[name];
        if (value === undefined) continue;
        if (typeof value !== "number" || !(value >= 0)) throw new ControlError(422, `"${name}" must be a number >= 0`);
        state.config[name] = value;
      }
      return json(200, state.config);
    }

    case "POST rate-limit": {
      // Direct budget control: {login, resource, remaining?, resetInSeconds?}.
      const input = body();
      const user = requireUser(state, requireString(input, "login"));
      const resource = input.resource ?? "core";
      if (resource !== "core" && resource !== "graphql")
        throw new ControlError(422, '"resource" must be "core" or "graphql"');
      const bucket = state.bucketFor(userIdentity(user.login), user, resource);
      const left = typeof input.remaining === "number" ? input.remaining : 0;
      const resetIn = typeof input.resetInSeconds === "number" ? input.resetInSeconds : undefined;
      state.limiter.set(bucket, state.now(), left, resetIn);
      return json(200, {
        login: user.login,
        resource,
        limit: bucket.limit,
        remaining: remaining(bucket),
        reset: Math.ceil(bucket.resetAt / 1000),
      });
    }

    default:
      throw new ControlError(404, `unknown control endpoint ${request.method} /_emulator/${request.path}`);
  }
}

/** A list as the control API shows it: GitHub's fields and the items' names in the order they were added. */
export interface ListSummary {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  isPrivate: boolean;
  items: string[];
  lastAddedAt: string;
  updatedAt: string;
}

function listSummary(state: EmulatorState, list: EmuList): ListSummary {
  return {
    id: list.nodeId,
    name: list.name,
    slug: list.slug,
    description: list.description,
    isPrivate: list.isPrivate,
    items: list.items.map((uid) => state.universe.repo(uid).fullName),
    lastAddedAt: isoSeconds(list.lastAddedAt),
    updatedAt: isoSeconds(list.updatedAt),
  };
}

function listInput(input: Record<string, unknown>) {
  const text = (key: string) => {
    const value = input[key];
    if (value === undefined || value === null || typeof value === "string") return value;
    throw new ControlError(422, `"${key}" must be a string`);
  };
  if (input.isPrivate !== undefined && typeof input.isPrivate !== "boolean")
    throw new ControlError(422, '"isPrivate" must be a boolean');
  return { name: text("name"), description: text("description"), isPrivate: input.isPrivate as boolean | undefined };
}

/** A list's whole membership, by repository names; an addition moves `lastAddedAt` as on GitHub. */
function setItems(state: EmulatorState, list: EmuList, raw: unknown): void {
  if (!Array.isArray(raw) || raw.some((name) => typeof name !== "string"))
    throw new ControlError(422, '"items" must be a list of "owner/name"');
  const uids = (raw as string[]).map((fullName) => requireRepo(state, fullName).uid);
  if (uids.some((uid) => !list.items.includes(uid))) list.lastAddedAt = state.now();
  list.items = [...new Set(uids)];
}

/** GitHub's refusals (the list limit, a taken name) as 422 with its words; an unknown list 404. */
function listWrite(write: () => EmuResponse): EmuResponse {
  try {
    return write();
  } catch (error) {
    if (error instanceof ListError) throw new ControlError(error.type === "NOT_FOUND" ? 404 : 422, error.message);
    throw error;
  }
}

export function handleControl(
  state: EmulatorState,
  request: ControlRequest,
  log: (message: string) => void,
): EmuResponse {
  try {
    return route(state, request, log);
  } catch (error) {
    if (error instanceof ControlError) return json(error.status, { message: error.message });
    if (error instanceof SyntaxError) return json(400, { message: "body must be JSON" });
    if (error instanceof Error) return json(422, { message: error.message });
    throw error;
  }
}
