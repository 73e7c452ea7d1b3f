// Fault rules for the OpenDigger emulator, in the GitHub emulator's manner: checked in order,
// latency-only rules add up, the first rule with status or timeout decides; `count` limits a rule
// to the next N matching requests, `probability` draws from the seeded generator.

export interface FaultRuleInput {
  /** Only this repository ("owner/repo", case-insensitive). */
  repo?: string;
  /** Only this file ("openrank.json", "meta.json", …). */
  file?: string;
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  latencyMs?: number;
  /** Hold the socket open without ever answering. */
  timeout?: boolean;
  /** Answer 200 with a body that is not JSON (an HTML error page from a proxy). */
  nonJson?: boolean;
  count?: number;
  probability?: number;
}

export interface FaultRule extends FaultRuleInput {
  id: number;
  fired: number;
}

export const isTerminal = (rule: FaultRuleInput) => rule.status !== undefined || rule.timeout === true || rule.nonJson === true;

export function validateRule(input: unknown): FaultRuleInput {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new Error("a fault rule must be an object");
  const rule = input as FaultRuleInput;
  if (rule.repo !== undefined && (typeof rule.repo !== "string" || !rule.repo.includes("/"))) throw new Error('repo must be "owner/repo"');
  if (rule.file !== undefined && typeof rule.file !== "string") throw new Error('file must be a string like "openrank.json"');
  if (rule.status !== undefined && !(Number.isInteger(rule.status) && rule.status >= 100 && rule.status <= 599)) throw new Error("status must be an HTTP status code");
  if (rule.latencyMs !== undefined && !(typeof rule.latencyMs === "number" && rule.latencyMs >= 0)) throw new Error("latencyMs must be >= 0");
  if (rule.count !== undefined && !(Number.isInteger(rule.count) && rule.count > 0)) throw new Error("count must be a positive integer");
  if (rule.probability !== undefined && !(typeof rule.probability === "number" && rule.probability >= 0 && rule.probability <= 1)) throw new Error("probability must be between 0 and 1");
  if (!isTerminal(rule) && rule.latencyMs === undefined) throw new Error("a rule needs at least one of status, latencyMs, timeout, nonJson");
  return rule;
}

export class FaultList {
  private rules: FaultRule[] = [];
  private nextId = 1;

  add(input: FaultRuleInput): FaultRule {
    const rule: FaultRule = { ...input, id: this.nextId++, fired: 0 };
    this.rules.push(rule);
    return rule;
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return [...this.rules];
  }

  fire(repo: string, file: string, random: () => number): FaultRule[] {
    const fired: FaultRule[] = [];
    for (const rule of this.rules) {
      if (rule.count !== undefined && rule.fired >= rule.count) continue;
      if (rule.repo !== undefined && rule.repo.toLowerCase() !== repo.toLowerCase()) continue;
      if (rule.file !== undefined && rule.file !== file) continue;
      if (rule.probability !== undefined && random() >= rule.probability) continue;
      rule.fired++;
      fired.push(rule);
      if (isTerminal(rule)) break;
    }
    return fired;
  }
}
