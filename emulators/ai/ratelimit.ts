// Requests- and tokens-per-minute limits per model, as OpenAI applies them: a sliding window of
// the last 60 seconds, so at most `rpm` requests are accepted in any 60 s (bursts are not
// rewarded). A refused request is not counted. retry-after is the time until the oldest request
// in the window leaves it, rounded up to whole seconds (retry-after-ms has the exact figure).

export interface LimitConfig {
  /** Requests per minute per model; 0 = unlimited. */
  rpm: number;
  /** Tokens per minute per model (prompt + max completion estimate); 0 = unlimited. */
  tpm: number;
  /** Length of the window (60,000 ms: "per minute"); shorter makes tests and benchmarks fast. */
  windowMs: number;
}

interface Window {
  requests: number[];
  tokens: Array<{ at: number; tokens: number }>;
}

export interface LimitDecision {
  allowed: boolean;
  /** Which limit refused it. */
  kind?: "requests" | "tokens";
  retryAfterMs: number;
  headers: Record<string, string>;
}

/** OpenAI's duration format for x-ratelimit-reset-*: "20ms", "1s", "6m0s". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${Number(seconds.toFixed(3))}s`;
  return `${Math.floor(seconds / 60)}m${Math.round(seconds % 60)}s`;
}

export class RateLimiter {
  private windows = new Map<string, Window>();

  reset(): void {
    this.windows.clear();
  }

  private window(model: string, now: number, windowMs: number): Window {
    let w = this.windows.get(model);
    if (!w) {
      w = { requests: [], tokens: [] };
      this.windows.set(model, w);
    }
    while (w.requests.length && (w.requests[0] as number) <= now - windowMs) w.requests.shift();
    while (w.tokens.length && (w.tokens[0] as { at: number }).at <= now - windowMs) w.tokens.shift();
    return w;
  }

  /** Admits (and records) a request, or says how long to wait. */
  admit(model: string, tokens: number, config: LimitConfig, now: number): LimitDecision {
    const w = this.window(model, now, config.windowMs);
    const windowMs = config.windowMs;
    const usedTokens = w.tokens.reduce((sum, t) => sum + t.tokens, 0);
    const rpmLeft = config.rpm > 0 ? config.rpm - w.requests.length : Number.POSITIVE_INFINITY;
    const tpmLeft = config.tpm > 0 ? config.tpm - usedTokens : Number.POSITIVE_INFINITY;
    let retryAfterMs = 0;
    let kind: "requests" | "tokens" | undefined;
    if (rpmLeft <= 0) {
      kind = "requests";
      retryAfterMs = (w.requests[0] as number) + windowMs - now;
    } else if (tokens > tpmLeft) {
      kind = "tokens";
      // Wait until enough old tokens leave the window.
      let freed = tpmLeft;
      for (const t of w.tokens) {
        freed += t.tokens;
        retryAfterMs = t.at + windowMs - now;
        if (freed >= tokens) break;
      }
      if (tokens > config.tpm) retryAfterMs = windowMs;
    }
    if (!kind) {
      w.requests.push(now);
      if (tokens > 0) w.tokens.push({ at: now, tokens });
    }
    const requestsNow = w.requests.length;
    const tokensNow = w.tokens.reduce((sum, t) => sum + t.tokens, 0);
    const headers: Record<string, string> = {};
    if (config.rpm > 0) {
      headers["x-ratelimit-limit-requests"] = String(config.rpm);
      headers["x-ratelimit-remaining-requests"] = String(Math.max(0, config.rpm - requestsNow));
      headers["x-ratelimit-reset-requests"] = duration(requestsNow ? (w.requests[0] as number) + windowMs - now : 0);
    }
    if (config.tpm > 0) {
      headers["x-ratelimit-limit-tokens"] = String(config.tpm);
      headers["x-ratelimit-remaining-tokens"] = String(Math.max(0, config.tpm - tokensNow));
      headers["x-ratelimit-reset-tokens"] = duration(
        w.tokens.length ? (w.tokens[0] as { at: number }).at + windowMs - now : 0,
      );
    }
    if (kind) {
      retryAfterMs = Math.max(1, Math.ceil(retryAfterMs));
      headers["retry-after"] = String(Math.ceil(retryAfterMs / 1000));
      headers["retry-after-ms"] = String(retryAfterMs);
      return { allowed: false, kind, retryAfterMs, headers };
    }
    return { allowed: true, retryAfterMs: 0, headers };
  }
}
