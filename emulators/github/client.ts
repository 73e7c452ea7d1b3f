// A typed client for the emulator's control API (`/_emulator/…`). Runtime-neutral: plain fetch and
// type-only imports, so node tests, the benchmark, the demo and workerd tests can all use it.
//
//   const emulator = createEmulatorClient("http://127.0.0.1:9100");
//   const carol = await emulator.createUser({ login: "carol", stars: 120, scopes: "repo" });
//   const truth = await emulator.stars("carol", { sha: true });
import type { RepoState } from "./access.ts";
import type { ReleaseInput, RenameInput, RepoStateInput } from "./changes.ts";
import type { ListSummary, RepoSummary, UserSummary, statsSnapshot } from "./control.ts";
import type { FaultRule, FaultRuleInput } from "./faults.ts";
import type { RealismConfig, ServerTimeModel } from "./realism.ts";
import type { CustomRepoInput } from "./repos.ts";
import type { EmulatorConfig } from "./state.ts";
import type { Trigger, TriggerInput } from "./triggers.ts";

export type { RepoState } from "./access.ts";
export type { ReleaseInput, RenameInput, RepoStateInput } from "./changes.ts";
export type { ListSummary, RepoSummary, UserSummary } from "./control.ts";
export type { FaultRule, FaultRuleInput } from "./faults.ts";
export type { Trigger, TriggerAction, TriggerInput } from "./triggers.ts";

export interface CreateUserInput {
  login: string;
  /** Generated stars (0..50,000), universe entries 0..N-1. */
  stars?: number;
  /** The token's `X-OAuth-Scopes`, e.g. "repo, read:user" or ["repo"]; default none (""). */
  scopes?: string | string[];
  /** `classic` (default: scopes) or `fine-grained` (permissions; no scopes). */
  tokenKind?: "classic" | "fine-grained";
  /** Fine-grained only: the user permission "Starring" (default "read"). */
  permissions?: { starring?: "none" | "read" | "write" };
}

export interface StarInput {
  login: string;
  fullName: string;
  /** For an unknown name: the repository to create. */
  repo?: CustomRepoInput;
}
export interface StarResult {
  login: string;
  fullName: string;
  created: boolean;
  alreadyStarred: boolean;
  starredAt: string | null;
}
export interface UnstarResult {
  login: string;
  fullName: string;
  unstarred: boolean;
}
export interface PushInput {
  fullName: string;
  /** A new README text (a new blob sha); without it only pushed_at and the head commit change. */
  readme?: string;
  /** Move the README to this path (the same blob under a new name unless `readme` is given too). */
  readmePath?: string;
  /** Make the README a symlink (mode 120000) to this path, which holds the text. */
  readmeLinkTo?: string;
}
export type PushResult = RepoSummary & { readmeSha: string | null; updatedAt: string };
export interface RevokeResult {
  login: string;
  revoked: true;
}

export interface RateLimitInput {
  login: string;
  resource?: "core" | "graphql";
  /** Default 0. */
  remaining?: number;
  resetInSeconds?: number;
}
export interface RateLimitResult {
  login: string;
  resource: "core" | "graphql";
  limit: number;
  remaining: number;
  reset: number;
}

/**
 * A star in the ground truth (newest first): what the user's `/user/starred` lists now. `state`
 * is there only when not "ok" (e.g. "blocked": still listed, its routes answer 403).
 */
export type GroundTruthStar = RepoSummary & { starredAt: string; state?: RepoState };

/** `POST repo-state` and `GET repo`: the summary with its access state (always present). */
export type RepoStateResult = RepoSummary & { state: RepoState };
export type RenameResult = RepoStateResult & { previousName: string };
export interface StarsResult {
  login: string;
  stars: GroundTruthStar[];
}

export type EmulatorStats = ReturnType<typeof statsSnapshot>;

/** `POST config`: any subset; `realism` is a preset name or fields to override. */
export type ConfigPatch = Partial<Omit<EmulatorConfig, "realism">> & {
  /** GitHub's lists per account (default 32, reported), until the next reset. */
  listLimit?: number;
  realism?: "ideal" | "github" | (Partial<Omit<RealismConfig, "model">> & { model?: Partial<ServerTimeModel> });
};

/** A control call that did not answer 2xx. */
export class EmulatorControlError extends Error {
  readonly status: number;
  readonly body: string;
  constructor(method: string, path: string, status: number, body: string) {
    super(`emulator control ${method} /_emulator/${path}: ${status} ${body}`);
    this.name = "EmulatorControlError";
    this.status = status;
    this.body = body;
  }
}

export interface EmulatorClient {
  readonly baseUrl: string;
  createUser(input: CreateUserInput): Promise<UserSummary>;
  users(): Promise<UserSummary[]>;
  star(input: StarInput): Promise<StarResult>;
  unstar(input: { login: string; fullName: string }): Promise<UnstarResult>;
  push(input: PushInput): Promise<PushResult>;
  revoke(login: string): Promise<RevokeResult>;
  /** Appends one rule or several; answers the rules as stored (with ids). */
  addFaults(rules: FaultRuleInput | FaultRuleInput[]): Promise<FaultRule[]>;
  faults(): Promise<FaultRule[]>;
  clearFaults(): Promise<{ cleared: number }>;
  config(): Promise<EmulatorConfig>;
  setConfig(patch: ConfigPatch): Promise<EmulatorConfig>;
  setRateLimit(input: RateLimitInput): Promise<RateLimitResult>;
  /** Ground truth: the user's stars, newest first; `sha: true` adds README shas. */
  stars(login: string, options?: { sha?: boolean }): Promise<GroundTruthStar[]>;
  repo(fullName: string): Promise<RepoStateResult & { readmeSha: string | null }>;
  /** A repository's access state: "blocked", "dmca", "sso" (with `org`), "deleted", "private", or back to "ok". */
  setRepoState(input: RepoStateInput): Promise<RepoStateResult>;
  /** Renames a repository (`newName` is "owner/name"); id and node_id stay, the old name redirects. */
  rename(input: RenameInput): Promise<RenameResult>;
  /** Archives it (`archived: false` unarchives): `archived`, `archivedAt`; not a push. */
  archive(input: { fullName: string; archived?: boolean }): Promise<RepoStateResult>;
  /** GitHub disables it (`disabled: false` re-enables): `disabled`, `isDisabled`. */
  disable(input: { fullName: string; disabled?: boolean }): Promise<RepoStateResult>;
  /** Publishes a release; only `tagPush: true` moves `pushed_at`. */
  release(input: ReleaseInput): Promise<RepoStateResult>;
  /** Runs `action` once the `after`-th request matching `route`/`query`/`login` has been answered. */
  addTrigger(input: TriggerInput): Promise<Trigger>;
  triggers(): Promise<Trigger[]>;
  clearTriggers(): Promise<{ cleared: number }>;
  /** Star counts drift, as on GitHub every hour: `fraction` of the user's repositories gain a few. */
  drift(input: { login?: string; fraction?: number }): Promise<{ changed: number }>;
  /** Ground truth: the user's star Lists, items in the order they were added. */
  lists(login: string): Promise<ListSummary[]>;
  /** A list made on github.com; `items` by name. Past the list limit: EmulatorControlError 422 with GitHub's words. */
  createList(input: ListInput & { login: string; name: string }): Promise<ListSummary>;
  /** A list changed on github.com: rename, describe, make private, or replace its whole membership (`items`). */
  updateList(input: ListInput & { login: string; listId: string }): Promise<ListSummary>;
  deleteList(input: { login: string; listId: string }): Promise<{ deleted: true }>;
  stats(): Promise<EmulatorStats>;
  reset(): Promise<{ reset: true }>;
}

export interface ListInput {
  name?: string;
  description?: string | null;
  isPrivate?: boolean;
  items?: string[];
}

/** A client for the emulator at `baseUrl` (e.g. `github.url`); `fetchImpl` defaults to the global fetch. */
export function createEmulatorClient(
  baseUrl: string,
  fetchImpl: typeof fetch = (input, init) => fetch(input, init),
): EmulatorClient {
  const root = baseUrl.replace(/\/+$/, "");
  async function call<T>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method, headers: { "content-type": "application/json" } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await fetchImpl(`${root}/_emulator/${path}`, init);
    const text = await response.text();
    if (!response.ok) throw new EmulatorControlError(method, path, response.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }
  const q = encodeURIComponent;
  return {
    baseUrl: root,
    createUser: (input) => call("POST", "users", input),
    users: async () => (await call<{ users: UserSummary[] }>("GET", "users")).users,
    star: (input) => call("POST", "star", input),
    unstar: (input) => call("POST", "unstar", input),
    push: (input) => call("POST", "push", input),
    revoke: (login) => call("POST", "revoke", { login }),
    addFaults: async (rules) =>
      (await call<{ faults: FaultRule[] }>("POST", "faults", Array.isArray(rules) ? { rules } : rules)).faults,
    faults: async () => (await call<{ faults: FaultRule[] }>("GET", "faults")).faults,
    clearFaults: () => call("DELETE", "faults"),
    config: () => call("GET", "config"),
    setConfig: (patch) => call("POST", "config", patch),
    setRateLimit: (input) => call("POST", "rate-limit", input),
    stars: async (login, options = {}) =>
      (await call<StarsResult>("GET", `stars?login=${q(login)}${options.sha ? "&sha=1" : ""}`)).stars,
    repo: (fullName) => call("GET", `repo?fullName=${q(fullName)}`),
    setRepoState: (input) => call("POST", "repo-state", input),
    rename: (input) => call("POST", "rename", input),
    archive: (input) => call("POST", "archive", input),
    disable: (input) => call("POST", "disable", input),
    release: (input) => call("POST", "release", input),
    addTrigger: async (input) => (await call<{ trigger: Trigger }>("POST", "triggers", input)).trigger,
    triggers: async () => (await call<{ triggers: Trigger[] }>("GET", "triggers")).triggers,
    clearTriggers: () => call("DELETE", "triggers"),
    drift: (input) => call("POST", "drift", input),
    lists: async (login) => (await call<{ lists: ListSummary[] }>("GET", `lists?login=${q(login)}`)).lists,
    createList: (input) => call("POST", "lists", input),
    updateList: (input) => call("POST", "lists/update", input),
    deleteList: (input) => call("POST", "lists/delete", input),
    stats: () => call("GET", "stats"),
    reset: () => call("POST", "reset"),
  };
}
