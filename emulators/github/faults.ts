// Fault injection rules (control API `POST /_emulator/faults`).
//
// Rules are checked in the order they were added. Latency-only rules add up and let the request
// continue; the first rule that decides the outcome (status, timeout, rateLimit, secondary) stops
// the search. `count` limits how many matching requests a rule fires for; `probability` draws from
// the emulator's seeded generator so runs with the same seed fail the same requests.
import type { Resource } from "./ratelimit.ts";

export interface FaultRuleInput {
  /** "METHOD /path/pattern": `*` or `{name}` match one segment, `**` any number. Default: every request. */
  route?: string;
  /** Query parameters that must all equal the request's (`{"page": "4"}`): one page of a listing. */
  query?: Record<string, string>;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  latencyMs?: number;
  /** Hold the socket open without ever answering. */
  timeout?: boolean;
  /** Reset the connection (TCP RST) instead of answering, as a proxy or load balancer that drops it does. */
  reset?: boolean;
  /** Exhaust this budget of the requesting token; it resets after `resetInSeconds` (default 3600). */
  rateLimit?: Resource;
  resetInSeconds?: number;
  /** Answer with a secondary rate limit and block the token for `retryAfter` seconds (default 60). */
  secondary?: { retryAfter?: number };
  count?: number;
  probability?: number;
  /** Only requests authenticated as this login. */
  login?: string;
}

export interface FaultRule extends FaultRuleInput {
  id: number;
  /** How many times the rule has fired. */
  fired: number;
}

export function isTerminal(rule: FaultRuleInput): boolean {
  return rule.status !== undefined || rule.timeout === true || rule.reset === true || rule.rateLimit !== undefined || rule.secondary !== undefined;
}

/** Throws a readable error for a malformed rule (the control API answers 422 with it). */
export function validateRule(input: unknown): FaultRuleInput {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new Error("a fault rule must be an object");
  const rule = input as FaultRuleInput;
  if (rule.route !== undefined && typeof rule.route !== "string") throw new Error("route must be a string like \"GET /user/starred\"");
  if (
    rule.query !== undefined &&
    (typeof rule.query !== "object" || rule.query === null || Array.isArray(rule.query) || !Object.values(rule.query).every((v) => typeof v === "string"))
  ) {
    throw new Error('query must be an object of strings like {"page": "4"}');
  }
  if (rule.status !== undefined && !(Number.isInteger(rule.status) && rule.status >= 100 && rule.status <= 599)) {
    throw new Error("status must be an HTTP status code");
  }
  if (rule.latencyMs !== undefined && !(typeof rule.latencyMs === "number" && rule.latencyMs >= 0)) throw new Error("latencyMs must be >= 0");
  if (rule.rateLimit !== undefined && rule.rateLimit !== "core" && rule.rateLimit !== "graphql") {
    throw new Error('rateLimit must be "core" or "graphql"');
  }
  if (rule.resetInSeconds !== undefined && !(typeof rule.resetInSeconds === "number" && rule.resetInSeconds >= 0)) {
    throw new Error("resetInSeconds must be >= 0");
  }
  if (rule.secondary !== undefined && (typeof rule.secondary !== "object" || rule.secondary === null)) {
    throw new Error("secondary must be an object like {retryAfter: 60}");
  }
  if (rule.count !== undefined && !(Number.isInteger(rule.count) && rule.count > 0)) throw new Error("count must be a positive integer");
  if (rule.probability !== undefined && !(typeof rule.probability === "number" && rule.probability >= 0 && rule.probability <= 1)) {
    throw new Error("probability must be between 0 and 1");
  }
  if (!isTerminal(rule) && rule.latencyMs === undefined) {
    throw new Error("a rule needs at least one of status, latencyMs, timeout, reset, rateLimit, secondary");
  }
  return rule;
}

/** A matcher for the rules' route syntax (see FaultRuleInput.route); shared with triggers.ts. */
export function routeMatcher(pattern: string | undefined): (method: string, path: string) => boolean {
  if (pattern === undefined || pattern.trim() === "*") return () => true;
  const trimmed = pattern.trim();
  const space = trimmed.indexOf(" ");
  const method = space === -1 ? "*" : trimmed.slice(0, space).toUpperCase();
  const segments = (space === -1 ? trimmed : trimmed.slice(space + 1).trim()).split("/").filter(Boolean);
  const matchFrom = (pat: number, parts: string[], at: number): boolean => {
    if (pat === segments.length) return at === parts.length;
    const seg = segments[pat] as string;
    if (seg === "**") {
      for (let skip = at; skip <= parts.length; skip++) if (matchFrom(pat + 1, parts, skip)) return true;
      return false;
    }
    if (at >= parts.length) return false;
    const part = parts[at] as string;
    const wildcard = seg === "*" || (seg.startsWith("{") && seg.endsWith("}"));
    return (wildcard || seg.toLowerCase() === part.toLowerCase()) && matchFrom(pat + 1, parts, at + 1);
  };
  return (reqMethod, path) => (method === "*" || method === reqMethod) && matchFrom(0, path.split("/").filter(Boolean), 0);
}

export class FaultList {
  private rules: Array<{ rule: FaultRule; matches: (method: string, path: string) => boolean }> = [];
  private nextId = 1;

  add(input: FaultRuleInput): FaultRule {
    const rule: FaultRule = { ...input, id: this.nextId++, fired: 0 };
    this.rules.push({ rule, matches: routeMatcher(input.route) });
    return rule;
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map((r) => r.rule);
  }

  /** The rules that fire for this request, consuming their counts. */
  fire(method: string, path: string, login: string | undefined, random: () => number, search = new URLSearchParams()): FaultRule[] {
    const fired: FaultRule[] = [];
    for (const { rule, matches } of this.rules) {
      if (rule.count !== undefined && rule.fired >= rule.count) continue;
      if (rule.login !== undefined && rule.login.toLowerCase() !== login?.toLowerCase()) continue;
      if (!matches(method, path)) continue;
      if (rule.query && !Object.entries(rule.query).every(([name, value]) => search.get(name) === value)) continue;
      if (rule.probability !== undefined && random() >= rule.probability) continue;
      rule.fired++;
      fired.push(rule);
      if (isTerminal(rule)) break;
    }
    return fired;
  }
}
