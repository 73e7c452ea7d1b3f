import type { z } from "zod";
import type { SyncStats } from "../../shared/events";
import type { GithubConfig } from "./client";
import { GithubError, githubErrorFromResponse } from "./errors";

/** What one run asked of GitHub, counted as GitHub charges it. */
export class GithubUsage {
  rest = 0;
  restNotModified = 0;
  graphql = 0;
  graphqlPoints = 0;
  readmesFetched = 0;

  add(other: GithubUsageJson): void {
    this.rest += other.rest;
    this.restNotModified += other.restNotModified;
    this.graphql += other.graphql;
    this.graphqlPoints += other.graphqlPoints;
    this.readmesFetched += other.readmesFetched;
  }

  toJSON(): GithubUsageJson {
    const { rest, restNotModified, graphql, graphqlPoints, readmesFetched } = this;
    return { rest, restNotModified, graphql, graphqlPoints, readmesFetched };
  }
}
export type GithubUsageJson = Pick<GithubUsage, "rest" | "restNotModified" | "graphql" | "graphqlPoints" | "readmesFetched">;

export function usageToStats(usage: GithubUsageJson, rowsWritten: number, failures: number): SyncStats {
  return {
    requests: { rest: usage.rest, restNotModified: usage.restNotModified, graphql: usage.graphql },
    graphqlPoints: usage.graphqlPoints,
    rowsWritten,
    readmesFetched: usage.readmesFetched,
    failures,
  };
}

const REQUEST_TIMEOUT_MS = 30_000;
/** A Worker keeps at most 6 connections open at once (reference/cloudflare-limits.md). */
export const MAX_CONNECTIONS = 6;

/** A counting semaphore: at most `limit` holders at a time, the rest wait in order. */
class Semaphore {
  #free: number;
  readonly #waiting: Array<() => void> = [];
  constructor(limit: number) {
    this.#free = limit;
  }
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}

/**
 * GitHub with one user's token, for one sync step. Plain fetch rather than Octokit: the
 * Workflow already gives retries with backoff and durable sleeps (a rate-limit wait can
 * last an hour, which must not hold a request open), Octokit's throttling plugin would
 * serialise every GraphQL call with a 1 s gap, and @octokit/request throws on 304.
 */
export class GithubApi {
  readonly config: GithubConfig;
  readonly usage: GithubUsage;
  readonly #token: string;
  /** Shared by everything this client does at once: listing and README downloads together. */
  readonly #connections = new Semaphore(MAX_CONNECTIONS);

  constructor(config: GithubConfig, token: string, usage = new GithubUsage()) {
    this.config = config;
    this.#token = token;
    this.usage = usage;
  }

  /** A REST call. `304 Not Modified` is returned, not thrown (it is free and means "unchanged"). */
  async rest(path: string, init: { accept?: string; etag?: string | null; allow404?: boolean } = {}): Promise<Response> {
    const headers: Record<string, string> = {
      Accept: init.accept ?? "application/vnd.github+json",
      "X-GitHub-Api-Version": "2022-11-28",
      "User-Agent": this.config.userAgent,
      Authorization: `Bearer ${this.#token}`,
    };
    if (init.etag) headers["If-None-Match"] = `"${init.etag.replace(/^W\//, "").replaceAll('"', "")}"`;
    const response = await this.#fetch(path.startsWith("http") ? path : `${this.config.apiUrl}${path}`, {
      headers,
    });
    if (response.status === 304) {
      this.usage.restNotModified++;
      return response;
    }
    this.usage.rest++;
    if (response.status === 404 && init.allow404) return response;
    if (!response.ok) throw await githubErrorFromResponse(response);
    return response;
  }

  /**
   * A GraphQL query validated by `schema`. Queries should select `rateLimit { cost }` so
   * the points GitHub charged are counted exactly; without it one point is assumed.
   */
  async graphql<T>(query: string, variables: Record<string, unknown>, schema: z.ZodType<T>): Promise<T> {
    const response = await this.#fetch(this.config.graphqlUrl, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "User-Agent": this.config.userAgent,
        Authorization: `Bearer ${this.#token}`,
      },
      body: JSON.stringify({ query, variables }),
    });
    this.usage.graphql++;
    if (response.status === 502 || response.status === 504) {
      this.usage.graphqlPoints++;
      throw new GithubError("too_large", `GraphQL answered HTTP ${response.status}`, { status: response.status });
    }
    if (!response.ok) throw await githubErrorFromResponse(response);
    let body: { data?: unknown; errors?: Array<{ type?: string; code?: string; message?: string }> };
    try {
      body = (await response.json()) as typeof body;
    } catch (cause) {
      throw new GithubError("unavailable", "GraphQL answered with invalid JSON", { cause });
    }
    const cost = (body.data as { rateLimit?: { cost?: unknown } } | undefined)?.rateLimit?.cost;
    this.usage.graphqlPoints += typeof cost === "number" ? cost : 1;
    const errors = Array.isArray(body.errors) ? body.errors : [];
    const rateLimited = errors.find(
      (e) => e.type === "RATE_LIMITED" || e.type === "RATE_LIMIT" || e.code === "graphql_rate_limit",
    );
    if (rateLimited) {
      const reset = Number(response.headers.get("x-ratelimit-reset"));
      throw new GithubError("rate_limited", rateLimited.message ?? "GraphQL rate limit exceeded", {
        resetAt: Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : new Date(Date.now() + 60_000),
      });
    }
    if (errors.some((e) => e.type === "RESOURCE_LIMITS_EXCEEDED" || e.type === "MAX_NODE_LIMIT_EXCEEDED")) {
      throw new GithubError("too_large", errors[0]?.message ?? "GraphQL resource limits exceeded");
    }
    // NOT_FOUND / FORBIDDEN inside `nodes` or aliases come with partial data: the caller
    // sees nulls there. Anything else, or no data at all, is GitHub failing.
    const fatal = errors.filter((e) => e.type !== "NOT_FOUND" && e.type !== "FORBIDDEN");
    if (body.data == null || fatal.length > 0) {
      const message = (fatal.length ? fatal : errors).map((e) => e.message).join("; ") || "no data";
      throw new GithubError("unavailable", `GraphQL error: ${message}`);
    }
    const parsed = schema.safeParse(body.data);
    if (!parsed.success) {
      throw new GithubError("unavailable", `GraphQL answered in an unexpected shape: ${parsed.error.issues[0]?.message}`);
    }
    return parsed.data;
  }

  async #fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      // The body is read inside the slot: a connection is busy until its response is consumed.
      return await this.#connections.run(async () => {
        const response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        const body = await response.arrayBuffer();
        return new Response([101, 204, 205, 304].includes(response.status) ? null : body, {
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
        });
      });
    } catch (cause) {
      throw new GithubError("unavailable", `GitHub could not be reached: ${String(cause)}`, { cause });
    }
  }
}
