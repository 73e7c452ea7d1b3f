// Fault injection rules (control API `POST /_emulator/faults`), one implementation for the three
// emulators.
//
// Rules are checked in the order they were added. Latency-only rules add up and let the request
// continue; the first rule that decides the outcome (status, timeout, or one of the emulator's own
// outcomes) stops the search. `count` limits how many matching requests a rule fires for;
// `probability` draws from the emulator's seeded generator so runs with the same seed fail the
// same requests. What a rule selects requests by, and the outcomes only one emulator has (the
// GitHub emulator's rate limits, the AI emulator's spoiled output), are each emulator's: its
// FaultKind describes them.

/** The fields every emulator's rules have. */
export interface FaultRuleBase {
  status?: number;
  headers?: Record<string, string>;
  latencyMs?: number;
  /** Hold the socket open without ever answering. */
  timeout?: boolean;
  count?: number;
  probability?: number;
}

export type AddedRule<R extends FaultRuleBase> = R & {
  id: number;
  /** How many times the rule has fired. */
  fired: number;
};

/** One emulator's rules: `R` the rule, `Q` what a request offers to be matched by. */
export interface FaultKind<R extends FaultRuleBase, Q> {
  /** Throws for a malformed field that selects requests (checked first, so its error comes first). */
  checkSelectors(rule: R): void;
  /** Throws for a malformed field of the emulator's own outcomes (checked after status and latencyMs). */
  checkOutcomes?(rule: R): void;
  /** The names of the emulator's own outcomes, for the error of a rule that does nothing. */
  outcomes: readonly string[];
  /** Whether one of the emulator's own outcomes is set, so the rule decides the answer. */
  decides(rule: R): boolean;
  /** The rule's test of a request, built once when the rule is added. */
  matcher(rule: R): (request: Q) => boolean;
}

/** What the rules do to a request: their latency added up, and the rule that decides the answer (none: it goes on). */
export interface FaultOutcome<R extends FaultRuleBase> {
  latencyMs: number;
  fault: AddedRule<R> | undefined;
}

/** Throws a readable error for a malformed `route` (the control API answers 422 with it). */
export function checkRoute(route: unknown, example: string): void {
  if (route !== undefined && typeof route !== "string") throw new Error(`route must be a string like "${example}"`);
}

/** Throws a readable error for a malformed `query`. */
export function checkQuery(query: unknown): void {
  if (
    query !== undefined &&
    (typeof query !== "object" ||
      query === null ||
      Array.isArray(query) ||
      !Object.values(query).every((v) => typeof v === "string"))
  ) {
    throw new Error('query must be an object of strings like {"page": "4"}');
  }
}

/**
 * A matcher for the rules' route syntax: "METHOD /path/pattern", `*` or `{name}` match one segment,
 * `**` any number, literal segments ignore case; no pattern (or "*") matches every request.
 * `normalize` is applied to the pattern's segments and the request's alike (the AI emulator makes
 * "/v1" optional with it, as its server does).
 */
export function routeMatcher(
  pattern: string | undefined,
  normalize = (segments: string[]) => segments,
): (method: string, path: string) => boolean {
  if (pattern === undefined || pattern.trim() === "*") return () => true;
  const trimmed = pattern.trim();
  const space = trimmed.indexOf(" ");
  const method = space === -1 ? "*" : trimmed.slice(0, space).toUpperCase();
  const segments = normalize((space === -1 ? trimmed : trimmed.slice(space + 1).trim()).split("/").filter(Boolean));
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
  return (reqMethod, path) =>
    (method === "*" || method === reqMethod) && matchFrom(0, normalize(path.split("/").filter(Boolean)), 0);
}

/** What the GitHub emulator's fault rules and triggers select requests by. */
export interface RequestSelector {
  /** "METHOD /path/pattern" (routeMatcher). Default: every request. */
  route?: string;
  /** Query parameters that must all equal the request's (`{"page": "4"}`): one page of a listing. */
  query?: Record<string, string>;
  /** Only requests authenticated as this login. */
  login?: string;
}

export interface SelectedRequest {
  method: string;
  path: string;
  search: URLSearchParams;
  login: string | undefined;
}

export function requestMatcher(selector: RequestSelector): (request: SelectedRequest) => boolean {
  const route = routeMatcher(selector.route);
  return (request) =>
    (selector.login === undefined || selector.login.toLowerCase() === request.login?.toLowerCase()) &&
    route(request.method, request.path) &&
    (!selector.query || Object.entries(selector.query).every(([name, value]) => request.search.get(name) === value));
}

export class FaultList<R extends FaultRuleBase, Q> {
  private readonly kind: FaultKind<R, Q>;
  private rules: Array<{ rule: AddedRule<R>; matches: (request: Q) => boolean }> = [];
  private nextId = 1;

  constructor(kind: FaultKind<R, Q>) {
    this.kind = kind;
  }

  private isTerminal(rule: R): boolean {
    return rule.status !== undefined || rule.timeout === true || this.kind.decides(rule);
  }

  /** Throws a readable error for a malformed rule (the control API answers 422 with it). */
  private validate(input: unknown): R {
    if (typeof input !== "object" || input === null || Array.isArray(input))
      throw new Error("a fault rule must be an object");
    const rule = input as R;
    this.kind.checkSelectors(rule);
    if (rule.status !== undefined && !(Number.isInteger(rule.status) && rule.status >= 100 && rule.status <= 599))
      throw new Error("status must be an HTTP status code");
    if (rule.latencyMs !== undefined && !(typeof rule.latencyMs === "number" && rule.latencyMs >= 0))
      throw new Error("latencyMs must be >= 0");
    this.kind.checkOutcomes?.(rule);
    if (rule.count !== undefined && !(Number.isInteger(rule.count) && rule.count > 0))
      throw new Error("count must be a positive integer");
    if (
      rule.probability !== undefined &&
      !(typeof rule.probability === "number" && rule.probability >= 0 && rule.probability <= 1)
    ) {
      throw new Error("probability must be between 0 and 1");
    }
    if (!this.isTerminal(rule) && rule.latencyMs === undefined) {
      throw new Error(
        `a rule needs at least one of ${["status", "latencyMs", "timeout", ...this.kind.outcomes].join(", ")}`,
      );
    }
    return rule;
  }

  /**
   * Appends the rules of a `POST /_emulator/faults` body (a rule, an array of rules, or
   * `{rules: […]}`) once all of them are valid. Throws JSON.parse's SyntaxError or the first
   * malformed rule's error, having added none.
   */
  add(body: string): AddedRule<R>[] {
    const input = JSON.parse(body || "null") as unknown;
    const list = Array.isArray(input)
      ? input
      : typeof input === "object" && input !== null && Array.isArray((input as { rules?: unknown }).rules)
        ? (input as { rules: unknown[] }).rules
        : [input];
    return list
      .map((rule) => this.validate(rule))
      .map((valid) => {
        const rule = { ...valid, id: this.nextId++, fired: 0 };
        this.rules.push({ rule, matches: this.kind.matcher(valid) });
        return rule;
      });
  }

  clear(): void {
    this.rules = [];
  }

  list(): AddedRule<R>[] {
    return this.rules.map((r) => r.rule);
  }

  /**
   * The control API's `/_emulator/faults` for GET (the rules), POST (add) and DELETE (clear): the
   * answer's status and JSON body. `log` hears of the rules added.
   */
  answer(method: string, body: string, log?: (message: string) => void): { status: number; body: unknown } {
    if (method === "POST") {
      const added = this.add(body);
      log?.(`faults added: ${added.map((rule) => JSON.stringify(rule)).join(", ")}`);
      return { status: 201, body: { faults: added } };
    }
    if (method === "DELETE") {
      const cleared = this.rules.length;
      this.clear();
      return { status: 200, body: { cleared } };
    }
    return { status: 200, body: { faults: this.list() } };
  }

  /** Fires the rules for this request, consuming their counts. */
  fire(request: Q, random: () => number): FaultOutcome<R> {
    let latencyMs = 0;
    for (const { rule, matches } of this.rules) {
      if (rule.count !== undefined && rule.fired >= rule.count) continue;
      if (!matches(request)) continue;
      if (rule.probability !== undefined && random() >= rule.probability) continue;
      rule.fired++;
      latencyMs += rule.latencyMs ?? 0;
      if (this.isTerminal(rule)) return { latencyMs, fault: rule };
    }
    return { latencyMs, fault: undefined };
  }
}
