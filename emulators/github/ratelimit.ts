// GitHub's rate limits: per-token hourly budgets (primary) and a concurrency cap (secondary).
//
// Budgets follow GitHub's rolling window: it starts with the first request that touches it and
// resets one hour later (x-ratelimit-reset), independently for REST (`core`) and GraphQL. The window
// length is configurable so benchmarks can hit and survive the limit in reasonable time.

export type Resource = "core" | "graphql";

export interface Bucket {
  resource: Resource;
  limit: number;
  used: number;
  /** Epoch milliseconds at which this window ends. */
  resetAt: number;
  /** Everything ever charged to this bucket, across windows (for benchmarks). */
  total: number;
  /** Status of primary-limit rejections (GitHub answers 403 or 429). */
  exceededStatus: 403 | 429;
  /** Windows in which this budget ran out and requests were refused (for benchmarks). */
  exhaustedWindows: number;
  /** resetAt of the window last counted in `exhaustedWindows`. */
  exhaustedWindowEnd?: number;
  /** Waits skipped by fast-forwarding exhausted windows (benchmarks), in ms. */
  virtualWaitMs?: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** The current window of `identity`'s budget for `resource` (a new window once the old one ended). */
  bucket(identity: string, resource: Resource, limit: number, now: number, windowMs: number): Bucket {
    const key = `${identity}\n${resource}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = {
        resource,
        limit,
        used: 0,
        resetAt: now + windowMs,
        total: 0,
        exceededStatus: 403,
        exhaustedWindows: 0,
      };
      this.buckets.set(key, bucket);
    } else if (now >= bucket.resetAt) {
      bucket.used = 0;
      bucket.resetAt = now + windowMs;
      bucket.exceededStatus = 403;
    }
    bucket.limit = limit;
    return bucket;
  }

  /** Looks at a bucket without starting a window (for stats). */
  peek(identity: string, resource: Resource): Bucket | undefined {
    return this.buckets.get(`${identity}\n${resource}`);
  }

  /** Drops all budgets of an identity (a replaced user starts afresh). */
  forget(identity: string): void {
    this.buckets.delete(`${identity}\ncore`);
    this.buckets.delete(`${identity}\ngraphql`);
  }

  charge(bucket: Bucket, cost: number): void {
    bucket.used += cost;
    bucket.total += cost;
  }

  /** Uses up the budget so that it resets in `resetInSeconds` (a forced primary limit). */
  exhaust(bucket: Bucket, now: number, resetInSeconds: number, status: 403 | 429 = 403): void {
    bucket.used = Math.max(bucket.used, bucket.limit);
    bucket.resetAt = now + resetInSeconds * 1000;
    bucket.exceededStatus = status;
  }

  /** Sets the remaining budget directly (control API). */
  set(bucket: Bucket, now: number, remaining: number, resetInSeconds?: number): void {
    bucket.used = Math.max(0, bucket.limit - remaining);
    if (resetInSeconds !== undefined) bucket.resetAt = now + resetInSeconds * 1000;
  }
}

/**
 * A request was refused for the primary limit: counts the window once. With `fastForwardMs`
 * (benchmarks), the rest of the hour is not waited for real: the time it would have lasted is
 * added to `virtualWaitMs` and the window ends a second from now, so the refused client's
 * `x-ratelimit-reset` says "in 1 s" and the benchmark adds the hour back to its wall time.
 */
export function refused(bucket: Bucket, now: number, fastForward = false): void {
  if (bucket.exhaustedWindowEnd === bucket.resetAt) return;
  if (fastForward) {
    bucket.virtualWaitMs = (bucket.virtualWaitMs ?? 0) + Math.max(0, bucket.resetAt - now - 1000);
    bucket.resetAt = now + 1000;
  }
  bucket.exhaustedWindowEnd = bucket.resetAt;
  bucket.exhaustedWindows++;
}

export function remaining(bucket: Bucket): number {
  return Math.max(0, bucket.limit - bucket.used);
}

/** The x-ratelimit-* headers GitHub sends on every authenticated response. */
export function rateLimitHeaders(bucket: Bucket): Record<string, string> {
  return {
    "x-ratelimit-limit": String(bucket.limit),
    "x-ratelimit-remaining": String(remaining(bucket)),
    "x-ratelimit-reset": String(Math.ceil(bucket.resetAt / 1000)),
    "x-ratelimit-used": String(Math.min(bucket.used, bucket.limit)),
    "x-ratelimit-resource": bucket.resource,
  };
}

/**
 * Secondary limit on concurrency: more than `limit` requests in flight for one token are
 * rejected, and the token is then blocked for `retry-after` seconds, as GitHub does.
 */
export class ConcurrencyGuard {
  private readonly inFlight = new Map<string, number>();
  private readonly blockedUntil = new Map<string, number>();
  total = 0;
  max = 0;

  /** Counts a request (any identity) as in flight overall. */
  enterGlobal(): void {
    this.total++;
    if (this.total > this.max) this.max = this.total;
  }

  leaveGlobal(): void {
    this.total--;
  }

  /** Counts a request for `identity`; returns how many are now in flight for it. */
  enter(identity: string): number {
    const count = (this.inFlight.get(identity) ?? 0) + 1;
    this.inFlight.set(identity, count);
    return count;
  }

  leave(identity: string): void {
    const count = (this.inFlight.get(identity) ?? 1) - 1;
    if (count <= 0) this.inFlight.delete(identity);
    else this.inFlight.set(identity, count);
  }

  block(identity: string, now: number, retryAfterSeconds: number): void {
    this.blockedUntil.set(identity, Math.max(this.blockedUntil.get(identity) ?? 0, now + retryAfterSeconds * 1000));
  }

  /** Seconds until `identity` may send again (0 when not blocked). */
  blockedFor(identity: string, now: number): number {
    const until = this.blockedUntil.get(identity);
    if (until === undefined) return 0;
    if (until <= now) {
      this.blockedUntil.delete(identity);
      return 0;
    }
    return Math.ceil((until - now) / 1000);
  }
}
