// Over 300 lines on purpose: the one way to GitHub (REST, GraphQL, pacing, usage, error classification) in one place.
import { Octokit } from "@octokit/rest";
import { z } from "zod";
import type { SyncStats } from "../../shared/events";
import { configOf } from "../config";
import type { Bindings } from "../env";
import { Semaphore, sleep } from "../lib/concurrency";
import { classifyGraphqlAnswer, classifyRequestError, GithubError, isSecondary, scopeOfRoute } from "./errors";
import { Pacer, type Lane } from "./pacer";

export type GithubConfig = { apiUrl: string; graphqlUrl: string; userAgent: string };

/** GitHub's base URLs as worker/config.ts parsed them (defaults, trailing slashes removed). */
export function githubConfig(env: Pick<Bindings, "GITHUB_API_URL" | "GITHUB_GRAPHQL_URL">): GithubConfig {
  return { ...configOf(env).github, userAgent: "starwise" };
}

/** What one run asked of GitHub, counted as GitHub charges it. */
export class GithubUsage {
  rest = 0;
  restNotModified = 0;
  graphql = 0;
  graphqlPoints = 0;
  readmesFetched = 0;
  /** Requests GitHub cut off (both shapes) or answered with RESOURCE_LIMITS_EXCEEDED. */
  timeouts = 0;
  secondaryLimits = 0;
  /** Response times summed by lane: the server time the pacer counted. */
  graphqlMs = 0;
  restMs = 0;
  /** GraphQL requests' time waiting for the server-time budget (the pacer), summed. */
  graphqlPacedMs = 0;
  /** Time no README batch could go for want of work, while pages were still coming (see ReadmeFetcher). */
  graphqlStarvedMs = 0;

  add(other: GithubUsageJson): void {
    this.graphqlMs += other.graphqlMs ?? 0;
    this.graphqlPacedMs += other.graphqlPacedMs ?? 0;
    this.graphqlStarvedMs += other.graphqlStarvedMs ?? 0;
    this.restMs += other.restMs ?? 0;
    this.rest += other.rest;
    this.restNotModified += other.restNotModified;
    this.graphql += other.graphql;
    this.graphqlPoints += other.graphqlPoints;
    this.readmesFetched += other.readmesFetched;
    this.timeouts += other.timeouts ?? 0;
    this.secondaryLimits += other.secondaryLimits ?? 0;
  }

  toJSON(): GithubUsageJson {
    const { rest, restNotModified, graphql, graphqlPoints, readmesFetched, timeouts, secondaryLimits } = this;
    const [graphqlMs, restMs] = [Math.round(this.graphqlMs), Math.round(this.restMs)];
    const [graphqlPacedMs, graphqlStarvedMs] = [Math.round(this.graphqlPacedMs), Math.round(this.graphqlStarvedMs)];
    return {
      rest,
      restNotModified,
      graphql,
      graphqlPoints,
      readmesFetched,
      timeouts,
      secondaryLimits,
      graphqlMs,
      restMs,
      graphqlPacedMs,
      graphqlStarvedMs,
    };
  }
}
export type GithubUsageJson = Pick<
  GithubUsage,
  "rest" | "restNotModified" | "graphql" | "graphqlPoints" | "readmesFetched" | "timeouts" | "secondaryLimits"
> &
  Partial<Pick<GithubUsage, "graphqlMs" | "restMs" | "graphqlPacedMs" | "graphqlStarvedMs">>;

export function usageToStats(usage: GithubUsageJson, rowsWritten: number, failures: number): SyncStats {
  return {
    requests: { rest: usage.rest, restNotModified: usage.restNotModified, graphql: usage.graphql },
    graphqlPoints: usage.graphqlPoints,
    rowsWritten,
    readmesFetched: usage.readmesFetched,
    failures,
    timeouts: usage.timeouts,
    secondaryLimits: usage.secondaryLimits,
    measuredMs: { graphql: Math.round(usage.graphqlMs ?? 0), rest: Math.round(usage.restMs ?? 0) },
    graphqlWaitedMs: { paced: usage.graphqlPacedMs ?? 0, starved: usage.graphqlStarvedMs ?? 0 },
  };
}

/** Longer than GitHub's own 10 s cut-off: GitHub answers first, with its timeout shapes. */
const REQUEST_TIMEOUT_MS = 30_000;
/** A Worker keeps at most 6 connections open at once (developers.cloudflare.com/workers/platform/limits). */
export const MAX_CONNECTIONS = 6;
/** A secondary limit asking for at most this long is waited out in place; longer waits end the step. */
const IN_PLACE_WAIT_S = 65;

type FetchLike = (url: string, init: RequestInit) => Promise<Response>;
/** The response time of one request, filled in when its headers arrive, and the token's scopes GitHub sent. */
type Timing = { ms: number | null; scopes?: string | null };

export type RestAnswer = { status: number; headers: Record<string, string | undefined>; body: ArrayBuffer; ms: number };

const AuthenticatedUser = z.object({
  id: z.number().int(),
  login: z.string().min(1),
  avatar_url: z.string().nullish(),
});
export type AuthenticatedUser = z.infer<typeof AuthenticatedUser>;

/**
 * The one way to GitHub: REST through `@octokit/rest`, GraphQL through its `graphql`, with a
 * connection semaphore, usage counting, pacing and error classification in one place. No
 * throttling or retry plugin: the Workflow owns retries and long waits (a rate-limit wait can
 * last an hour and must not hold a request open), and the pacer keeps requests under the
 * secondary limits in the first place. A 304 is the success it is, not an exception.
 */
export class GithubClient {
  readonly config: GithubConfig;
  readonly usage: GithubUsage;
  readonly pacer: Pacer;
  readonly #octokit: Octokit;
  readonly #graphql: Octokit["graphql"];
  /** Shared by everything this client does at once: listing and README downloads together. */
  readonly #connections = new Semaphore(MAX_CONNECTIONS);

  constructor(config: GithubConfig, token: string, options: { usage?: GithubUsage; pacer?: Pacer } = {}) {
    this.config = config;
    this.usage = options.usage ?? new GithubUsage();
    this.pacer = options.pacer ?? new Pacer(null);
    this.#octokit = new Octokit({
      auth: token,
      baseUrl: config.apiUrl,
      userAgent: config.userAgent,
      request: { fetch: (url: string, init: RequestInit) => this.#fetch(url, init), timeout: REQUEST_TIMEOUT_MS },
    });
    // GITHUB_GRAPHQL_URL may differ from `<api>/graphql` (GitHub Enterprise puts it at /api/graphql).
    this.#graphql = this.#octokit.graphql.defaults({ url: config.graphqlUrl });
  }

  /**
   * `GET /user`: proves the token works and says whose it is. `scopes`: a classic token's `X-OAuth-Scopes` ("" for
   * none); null when GitHub sends no such header (a fine-grained token, whose permissions no header announces).
   */
  async getAuthenticatedUser(): Promise<AuthenticatedUser & { scopes: string | null }> {
    const answer = await this.rest("GET /user", {});
    const parsed = AuthenticatedUser.safeParse(jsonOf(answer));
    if (!parsed.success) throw new GithubError("unavailable", "GitHub answered GET /user with an unexpected body");
    return { ...parsed.data, scopes: answer.headers["x-oauth-scopes"] ?? null };
  }

  /**
   * Stars (`PUT`) or unstars (`DELETE /user/starred/{owner}/{repo}`): 204 done (GitHub answers so when it already
   * was), 404 GitHub has no repository by that name for this token. Anything else throws a `GithubError`.
   */
  async setStar(fullName: string, starred: boolean): Promise<204 | 404> {
    const [owner = "", repo = ""] = fullName.split("/");
    const route = starred ? "PUT /user/starred/{owner}/{repo}" : "DELETE /user/starred/{owner}/{repo}";
    const answer = await this.rest(route, { owner, repo }, { allow404: true });
    return answer.status === 404 ? 404 : 204;
  }

  /**
   * A REST call; the body comes back as bytes (README blob shas are computed over bytes).
   * `304 Not Modified` is returned, not thrown: it is free and means "unchanged".
   */
  async rest(
    route: string,
    params: Record<string, string | number>,
    options: { accept?: string; etag?: string | null; allow404?: boolean; estimateMs?: number } = {},
  ): Promise<RestAnswer> {
    const headers: Record<string, string> = { accept: options.accept ?? "application/vnd.github+json" };
    if (options.etag) headers["if-none-match"] = `"${options.etag.replace(/^W\//, "").replaceAll('"', "")}"`;
    return this.#paced("rest", options.estimateMs ?? 300, async (fetch, timing) => {
      const started = Date.now();
      try {
        const response = await this.#octokit.request(route, {
          ...params,
          headers,
          request: { parseSuccessResponseBody: false, fetch },
        });
        const body = await new Response(response.data as ReadableStream | null).arrayBuffer();
        this.usage.rest++;
        const responseHeaders = stringHeaders(response.headers);
        this.#observe("core", responseHeaders);
        return { status: response.status, headers: responseHeaders, body, ms: timing.ms ?? Date.now() - started };
      } catch (error) {
        const status = (error as { status?: number }).status;
        const responseHeaders = stringHeaders(
          (error as { response?: { headers?: Record<string, unknown> } }).response?.headers,
        );
        if (status === 304) {
          this.usage.restNotModified++;
          return { status, headers: responseHeaders, body: new ArrayBuffer(0), ms: timing.ms ?? Date.now() - started };
        }
        if (status !== undefined) this.usage.rest++;
        this.#observe("core", responseHeaders);
        if (status === 404 && options.allow404)
          return { status, headers: responseHeaders, body: new ArrayBuffer(0), ms: timing.ms ?? Date.now() - started };
        throw classifyRequestError(error, scopeOfRoute(route));
      }
    });
  }

  /**
   * A GraphQL query validated by `schema`. Queries should select `rateLimit { cost }` so the
   * points are counted exactly. With `partial`, RESOURCE_LIMITS_EXCEEDED answers return the
   * partial data (`partial: true`) instead of throwing.
   */
  async graphql<T>(
    query: string,
    variables: Record<string, unknown>,
    schema: z.ZodType<T>,
    options: { estimateMs?: number; acceptPartial?: boolean } = {},
  ): Promise<GraphqlAnswer<T>> {
    return this.#paced("graphql", options.estimateMs ?? 1_000, async (fetch, timing) => {
      const started = Date.now();
      let data: unknown;
      let errors: unknown[] = [];
      let headers: Record<string, string | undefined> = {};
      try {
        data = await this.#graphql(query, { ...variables, request: { fetch } });
      } catch (error) {
        // GraphqlResponseError: HTTP 200 with `errors` (and maybe partial data).
        const answer = error as {
          name?: string;
          errors?: unknown[];
          data?: unknown;
          headers?: Record<string, string | undefined>;
        };
        if (answer.name !== "GraphqlResponseError") {
          this.usage.graphql++;
          if ((error as { status?: number }).status !== undefined) this.usage.graphqlPoints++;
          const classified = classifyRequestError(error);
          if (classified.kind === "too_large") this.usage.timeouts++;
          throw classified;
        }
        data = answer.data;
        errors = answer.errors ?? [];
        headers = answer.headers ?? {};
      }
      this.usage.graphql++;
      const cost = (data as { rateLimit?: { cost?: unknown } } | null | undefined)?.rateLimit?.cost;
      this.usage.graphqlPoints += typeof cost === "number" ? cost : 1;
      this.#observe("graphql", headers);
      const verdict = classifyGraphqlAnswer(data, errors, headers);
      if (verdict instanceof GithubError) {
        if (verdict.kind === "too_large") this.usage.timeouts++;
        throw verdict;
      }
      if (verdict.partial && !options.acceptPartial) {
        this.usage.timeouts++;
        throw new GithubError("too_large", "GraphQL resource limits exceeded (partial answer)");
      }
      const parsed = schema.safeParse(data);
      if (!parsed.success) {
        throw new GithubError(
          "unavailable",
          `GraphQL answered in an unexpected shape: ${parsed.error.issues[0]?.message}`,
        );
      }
      if (verdict.partial) this.usage.timeouts++;
      return {
        data: parsed.data,
        partial: verdict.partial,
        ms: timing.ms ?? Date.now() - started,
        nodeErrors: nodeErrorsOf(errors),
        scopes: timing.scopes ?? null,
      };
    });
  }

  /** Admits a request through the pacer, and waits out a short secondary limit in place. */
  async #paced<T extends { ms: number }>(
    lane: Lane,
    estimateMs: number,
    send: (fetch: FetchLike, timing: Timing) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const asked = Date.now();
      const ticket = await this.pacer.admit(lane, estimateMs);
      const started = Date.now();
      if (lane === "graphql") this.usage.graphqlPacedMs += started - asked;
      // GitHub's server time is estimated by the response time: from sending the request to its
      // answer's headers, on a connection of our own — not the wait for one of the Worker's 6
      // connections, nor reading and parsing the body, which GitHub does not spend.
      const timing: Timing = { ms: null };
      const fetch: FetchLike = (url, init) => this.#fetch(url, init, timing);
      try {
        const result = await send(fetch, timing);
        this.pacer.done(ticket, result.ms);
        this.usage[lane === "graphql" ? "graphqlMs" : "restMs"] += result.ms;
        return result;
      } catch (error) {
        const ms = timing.ms ?? Date.now() - started;
        this.pacer.done(ticket, ms);
        this.usage[lane === "graphql" ? "graphqlMs" : "restMs"] += ms;
        if (error instanceof GithubError && isSecondary(error)) {
          this.usage.secondaryLimits++;
          this.pacer.secondaryHit(lane);
          const wait = error.retryAfterSeconds ?? 60;
          if (wait <= IN_PLACE_WAIT_S && attempt < 2) {
            await new Promise((resolve) => setTimeout(resolve, wait * 1000));
            continue;
          }
        }
        throw error;
      }
    }
  }

  #observe(resource: "core" | "graphql", headers: Record<string, string | undefined>): void {
    const remaining = headers["x-ratelimit-remaining"];
    if (remaining !== undefined) this.pacer.observeRemaining(resource, Number(remaining));
  }

  async #fetch(url: string, init: RequestInit, timing?: Timing): Promise<Response> {
    try {
      // The body is read inside the slot: a connection is busy until its response is consumed.
      return await this.#connections.run(async () => {
        // A Worker's clock stands still while it computes and moves on with I/O: a timer's turn
        // reads it afresh, so the time this request waited behind the isolate's own work (pages
        // being diffed, READMEs parsed) is not counted as GitHub's.
        await sleep(0);
        const sent = Date.now();
        const response = await fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        if (timing) {
          timing.ms = Date.now() - sent;
          // A classic token's scopes come with every answer; a fine-grained token gets no such header.
          timing.scopes = response.headers.get("x-oauth-scopes");
        }
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

export type GraphqlAnswer<T> = {
  data: T;
  partial: boolean;
  ms: number;
  nodeErrors: NodeError[];
  /** `X-OAuth-Scopes` of the answer ("repo, user"); null when GitHub sent none (a fine-grained token). */
  scopes: string | null;
};

/** A GraphQL error about one field of the answer (NOT_FOUND, FORBIDDEN), by its path. */
export type NodeError = { type: string; path: Array<string | number>; message: string };

function nodeErrorsOf(errors: unknown[]): NodeError[] {
  return errors.flatMap((raw) => {
    const e = raw as { type?: unknown; path?: unknown; message?: unknown };
    if (typeof e?.type !== "string" || !Array.isArray(e.path)) return [];
    return [
      { type: e.type, path: e.path as Array<string | number>, message: typeof e.message === "string" ? e.message : "" },
    ];
  });
}

function stringHeaders(headers: Record<string, unknown> | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    out[name] = value === undefined ? undefined : String(value);
  return out;
}

export function jsonOf(answer: RestAnswer): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(answer.body));
  } catch {
    return null;
  }
}

/** A client for calls outside a sync (sign-in, save), built per request from the deployment's config. */
export class GithubClients {
  readonly config: GithubConfig;
  constructor(config: GithubConfig) {
    this.config = config;
  }
  forToken(token: string, options: { usage?: GithubUsage; pacer?: Pacer } = {}): GithubClient {
    return new GithubClient(this.config, token, options);
  }
}
