// Fault injection rules (control API `POST /_emulator/faults`), in the GitHub emulator's manner:
// checked in order; latency-only rules add up; the first rule that decides the outcome (status,
// timeout, output) stops the search; `count` limits a rule to the next N matching requests;
// `probability` draws from the seeded generator, so the same seed fails the same requests.

/** How a chat answer is spoiled (the HTTP status stays 200). */
export const OUTPUT_FAULTS = ["invalid-json", "non-json", "truncated", "schema-violation", "empty"] as const;
export type OutputFault = (typeof OUTPUT_FAULTS)[number];

export interface FaultRuleInput {
  /** "POST /v1/chat/completions", "POST /v1/embeddings", "GET /v1/models"; `*` matches a segment. Default: every route. */
  route?: string;
  /** Only requests for this model. */
  model?: string;
  status?: number;
  /** Error body; default OpenAI's error shape for the status. */
  body?: unknown;
  headers?: Record<string, string>;
  latencyMs?: number;
  /** Hold the socket open without ever answering. */
  timeout?: boolean;
  /**
   * Spoil the output: invalid-json (a JSON object cut short), non-json (chatty prose), truncated
   * (cut at half with finish_reason "length"), schema-violation (valid JSON of the wrong shape),
   * empty (no content). On /v1/embeddings: non-json is an HTML page, truncated a cut-off body.
   */
  output?: OutputFault;
  count?: number;
  probability?: number;
}

export interface FaultRule extends FaultRuleInput {
  id: number;
  fired: number;
}

export function isTerminal(rule: FaultRuleInput): boolean {
  return rule.status !== undefined || rule.timeout === true || rule.output !== undefined;
}

export function validateRule(input: unknown): FaultRuleInput {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new Error("a fault rule must be an object");
  const rule = input as FaultRuleInput;
  if (rule.route !== undefined && typeof rule.route !== "string") throw new Error('route must be a string like "POST /v1/chat/completions"');
  if (rule.model !== undefined && typeof rule.model !== "string") throw new Error("model must be a string");
  if (rule.status !== undefined && !(Number.isInteger(rule.status) && rule.status >= 100 && rule.status <= 599)) throw new Error("status must be an HTTP status code");
  if (rule.latencyMs !== undefined && !(typeof rule.latencyMs === "number" && rule.latencyMs >= 0)) throw new Error("latencyMs must be >= 0");
  if (rule.output !== undefined && !OUTPUT_FAULTS.includes(rule.output)) throw new Error(`output must be one of ${OUTPUT_FAULTS.join(", ")}`);
  if (rule.count !== undefined && !(Number.isInteger(rule.count) && rule.count > 0)) throw new Error("count must be a positive integer");
  if (rule.probability !== undefined && !(typeof rule.probability === "number" && rule.probability >= 0 && rule.probability <= 1)) {
    throw new Error("probability must be between 0 and 1");
  }
  if (!isTerminal(rule) && rule.latencyMs === undefined) throw new Error("a rule needs at least one of status, latencyMs, timeout, output");
  return rule;
}

function routeMatcher(pattern: string | undefined): (method: string, path: string) => boolean {
  if (pattern === undefined || pattern.trim() === "*") return () => true;
  const trimmed = pattern.trim();
  const space = trimmed.indexOf(" ");
  const method = space === -1 ? "*" : trimmed.slice(0, space).toUpperCase();
  const segments = (space === -1 ? trimmed : trimmed.slice(space + 1).trim()).split("/").filter(Boolean);
  return (reqMethod, path) => {
    if (method !== "*" && method !== reqMethod) return false;
    const parts = path.split("/").filter(Boolean);
    // "/v1" is optional on both sides, as the server accepts both.
    const a = segments[0] === "v1" ? segments.slice(1) : segments;
    const b = parts[0] === "v1" ? parts.slice(1) : parts;
    if (a.length === 1 && a[0] === "**") return true;
    return a.length === b.length && a.every((seg, i) => seg === "*" || seg === b[i]);
  };
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

  fire(method: string, path: string, model: string | undefined, random: () => number): FaultRule[] {
    const fired: FaultRule[] = [];
    for (const { rule, matches } of this.rules) {
      if (rule.count !== undefined && rule.fired >= rule.count) continue;
      if (rule.model !== undefined && rule.model !== model) continue;
      if (!matches(method, path)) continue;
      if (rule.probability !== undefined && random() >= rule.probability) continue;
      rule.fired++;
      fired.push(rule);
      if (isTerminal(rule)) break;
    }
    return fired;
  }
}
