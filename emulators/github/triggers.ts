// Triggers (control API `POST /_emulator/triggers`): change the world right after a given request
// has been answered, so tests can move stars while a sync's pages are in flight.
//
// A trigger counts the requests that match it (route, query, login) and that reach their handler
// after it was created; requests answered by a fault, a rate limit or a 401 do not count. When the
// `after`-th of them has been answered (its body computed and sent), the action runs once. A
// request's content is read when its handler runs (after the latency sleep, see rest.ts), so every
// request whose handler runs after that moment sees the change; one already being computed does not.
import { requestMatcher, type SelectedRequest } from "../common/faults.ts";
import {
  parseRenameInput,
  parseRepoStateInput,
  renameRepo,
  setRepoState,
  starRepo,
  unstarRepo,
  type RenameInput,
  type RepoStateInput,
} from "./changes.ts";
import { isoSeconds } from "./http.ts";
import type { EmulatorState } from "./state.ts";

/**
 * What a trigger does: star or unstar a repository (for `login`, else the trigger's login, else the
 * user whose request fired it, else octocat; `star` of an unknown name creates it), set a
 * repository's access state (as `POST repo-state`), or rename one (as `POST rename`).
 */
export type TriggerAction =
  | { unstar: string; login?: string }
  | { star: string; login?: string }
  | { state: RepoStateInput }
  | { rename: RenameInput };

export interface TriggerInput {
  /** The fault rules' route syntax, e.g. "GET /user/starred" (../common/faults.ts); default every request. */
  route?: string;
  /** Query parameters that must all equal the request's, e.g. {"page": "2", "per_page": "100"}. */
  query?: Record<string, string>;
  /** Fire after this many matching requests have been answered (1-based, counted from creation; default 1). */
  after?: number;
  /** Only requests authenticated as this login. */
  login?: string;
  action: TriggerAction;
}

/** The triggers a request decided (it was their `after`-th match), and whose request it was. */
export interface DueTriggers {
  triggers: Trigger[];
  login: string | undefined;
}

export interface Trigger extends TriggerInput {
  id: number;
  after: number;
  /** Matching requests counted so far (stops at `after`). */
  matched: number;
  fired: boolean;
  firedAt: string | null;
  /** Set when the action failed (e.g. the repository to unstar does not exist). */
  error?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function validateAction(input: unknown): TriggerAction {
  if (!isObject(input)) throw new Error('action must be an object like {"unstar": "owner/name"}');
  const keys = Object.keys(input).filter((key) => key !== "login");
  if (keys.length !== 1) throw new Error("action must have exactly one of unstar, star, state, rename");
  if (input.login !== undefined && typeof input.login !== "string") throw new Error("action.login must be a string");
  const login = typeof input.login === "string" ? { login: input.login } : {};
  const key = keys[0];
  if (key === "unstar" || key === "star") {
    const fullName = input[key];
    if (typeof fullName !== "string" || !fullName.includes("/")) throw new Error(`action.${key} must be "owner/name"`);
    return key === "star" ? { star: fullName, ...login } : { unstar: fullName, ...login };
  }
  if (key === "state") {
    if (!isObject(input.state)) throw new Error("action.state must be {fullName, state, org?}");
    return { state: parseRepoStateInput(input.state) };
  }
  if (key === "rename") {
    if (!isObject(input.rename)) throw new Error("action.rename must be {fullName, newName}");
    return { rename: parseRenameInput(input.rename) };
  }
  throw new Error(`unknown action "${key}"`);
}

/** Throws a readable error for a malformed trigger (the control API answers 422 with it). */
export function validateTrigger(input: unknown): TriggerInput {
  if (!isObject(input)) throw new Error("a trigger must be an object");
  if (input.route !== undefined && typeof input.route !== "string")
    throw new Error('route must be a string like "GET /user/starred"');
  if (input.login !== undefined && typeof input.login !== "string") throw new Error("login must be a string");
  const after = input.after ?? 1;
  if (!(typeof after === "number" && Number.isInteger(after) && after > 0))
    throw new Error("after must be a positive integer");
  let query: Record<string, string> | undefined;
  if (input.query !== undefined) {
    if (!isObject(input.query)) throw new Error('query must be an object like {"page": "2"}');
    query = {};
    for (const [name, value] of Object.entries(input.query)) {
      if (typeof value !== "string" && typeof value !== "number") throw new Error(`query.${name} must be a string`);
      query[name] = String(value);
    }
  }
  return {
    ...(input.route !== undefined ? { route: input.route as string } : {}),
    ...(query ? { query } : {}),
    after,
    ...(input.login !== undefined ? { login: input.login as string } : {}),
    action: validateAction(input.action),
  };
}

export class TriggerList {
  private triggers: Array<{ trigger: Trigger; matches: (request: SelectedRequest) => boolean }> = [];
  private nextId = 1;

  add(input: TriggerInput): Trigger {
    const trigger: Trigger = {
      ...input,
      id: this.nextId++,
      after: input.after ?? 1,
      matched: 0,
      fired: false,
      firedAt: null,
    };
    this.triggers.push({ trigger, matches: requestMatcher(trigger) });
    return trigger;
  }

  list(): Trigger[] {
    return this.triggers.map((t) => t.trigger);
  }

  clear(): number {
    const count = this.triggers.length;
    this.triggers = [];
    return count;
  }

  has(trigger: Trigger): boolean {
    return this.triggers.some((t) => t.trigger === trigger);
  }

  /**
   * Counts a request whose handler is about to run; answers the triggers for which it is the
   * `after`-th match. The caller runs them (runTriggers) once the answer has been sent.
   */
  arrive(method: string, url: URL, login: string | undefined): Trigger[] {
    const due: Trigger[] = [];
    for (const { trigger, matches } of this.triggers) {
      if (trigger.matched >= trigger.after) continue;
      if (!matches({ method, path: url.pathname, search: url.searchParams, login })) continue;
      trigger.matched++;
      if (trigger.matched === trigger.after) due.push(trigger);
    }
    return due;
  }
}

function runAction(state: EmulatorState, trigger: Trigger, requestLogin: string | undefined): void {
  const action = trigger.action;
  const login = ("login" in action ? action.login : undefined) ?? trigger.login ?? requestLogin ?? "octocat";
  if ("unstar" in action) unstarRepo(state, login, action.unstar);
  else if ("star" in action) starRepo(state, login, action.star);
  else if ("state" in action) setRepoState(state, action.state);
  else renameRepo(state, action.rename);
}

/** Runs the actions of triggers whose request has been answered (each once; failures are recorded on the trigger). */
export function runTriggers(state: EmulatorState, due: DueTriggers, log: (message: string) => void): void {
  for (const trigger of due.triggers) {
    // Cleared or reset while its request was in flight.
    if (trigger.fired || !state.triggers.has(trigger)) continue;
    trigger.fired = true;
    trigger.firedAt = isoSeconds(state.now());
    try {
      runAction(state, trigger, due.login);
      log(`trigger #${trigger.id} fired: ${JSON.stringify(trigger.action)}`);
    } catch (error) {
      trigger.error = error instanceof Error ? error.message : String(error);
      log(`trigger #${trigger.id} failed: ${trigger.error}`);
    }
  }
}
