// The GitHub emulator: a real HTTP server (node:http) serving the REST and GraphQL endpoints a
// stars sync uses, with GitHub's authentication, rate limits and failure modes.
//
// Request pipeline, in GitHub's order: route → authentication (401) → secondary limit (concurrency,
// 403 + retry-after) → injected faults → latency → primary limit (403/429, or RATE_LIMITED in
// GraphQL) → handler → charge (304s are free) → x-ratelimit-* headers on every authenticated answer.
//
// The handler reads the state when it runs, after the latency sleep and before the modelled server
// time is slept; triggers (triggers.ts) whose request this was run right after its answer is sent.
import { listen } from "../common/listen.ts";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { handleControl } from "./control.ts";
import { graphqlRoute } from "./graphql.ts";
import {
  DOCS,
  badCredentials,
  json,
  oauthScopeHeaders,
  notFound,
  parseAuthorization,
  readBody,
  secondaryRateLimit,
  sleep,
  type EmuResponse,
} from "./http.ts";
import { rateLimitHeaders, refused, remaining, type Bucket } from "./ratelimit.ts";
import { realismPreset, recordGraphqlSpan, recordMinute, restServerMs, type RealismConfig } from "./realism.ts";
import { restRoutes } from "./rest.ts";
import { Router, type RequestContext } from "./routes.ts";
import { EmulatorState, identityOf, type EmulatorConfig } from "./state.ts";
import { runTriggers, type DueTriggers } from "./triggers.ts";
import type { User } from "./users.ts";

export interface GithubEmulatorOptions {
  /** 0 = a random free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Stars of the default user octocat (default 100, at most 50,000). */
  stars?: number;
  /** Seed of all generated data (default 1). */
  seed?: number;
  /** Latency added to every request (default 0); big GraphQL answers take longer. */
  latencyMs?: number;
  /** Directory with repos.jsonl and readmes/ (default: STARWISE_CORPUS_DIR or emulators/github/corpus). */
  corpusDir?: string;
  /** No logs on stderr. */
  quiet?: boolean;
  /** Secondary limit: concurrent requests allowed per token (default 100). */
  maxConcurrentRequests?: number;
  /** retry-after of a concurrency rejection, in seconds (default 60). */
  secondaryRetryAfter?: number;
  /** Hourly budgets (default 5000 each). */
  coreLimit?: number;
  graphqlLimit?: number;
  /** Length of a budget window in seconds (default 3600, as on GitHub); shorter for benchmarks. */
  rateWindowSeconds?: number;
  /** Benchmarks: an exhausted hourly budget ends a second later and the skipped wait is counted (`virtualWaitMs`). */
  fastForwardWaits?: boolean;
  /**
   * GitHub's speed and strictness (realism.ts): a preset name, or a preset with overrides. The
   * library default is "ideal" (fast tests); the CLI's default is "github".
   */
  realism?:
    | RealismConfig["preset"]
    | (Partial<Omit<RealismConfig, "model">> & { model?: Partial<RealismConfig["model"]> });
}

export function resolveRealism(input: GithubEmulatorOptions["realism"]): RealismConfig {
  if (input === undefined || typeof input === "string") return realismPreset(input ?? "ideal");
  const base = realismPreset(input.preset ?? "github");
  return { ...base, ...input, model: { ...base.model, ...input.model } };
}

export interface GithubEmulator {
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const EXPOSED_HEADERS =
  "ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, " +
  "X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, " +
  "X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset";

/** Marks a request whose socket is deliberately left hanging (fault `timeout`). */
const HOLD = Symbol("hold");
/** Marks a request whose connection is reset instead of answered (fault `reset`). */
const RESET = Symbol("reset");

function primaryRateLimit(user: User | undefined, bucket: Bucket, requestId: string): EmuResponse {
  const who = user ? `user ID ${user.id}` : "this IP address";
  return json(bucket.exceededStatus, {
    message:
      `API rate limit exceeded for ${who}. ` +
      `If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
    documentation_url: DOCS.rateLimits,
  });
}

function bodyBytes(body: unknown): number {
  if (body === undefined || body === null) return 0;
  if (typeof body === "string") return Buffer.byteLength(body);
  if (body instanceof Buffer) return body.length;
  return 0;
}

function defaultFaultBody(status: number): unknown {
  if (status === 502) return { message: "Server Error" };
  if (status === 503) return { message: "Service Unavailable" };
  if (status === 504)
    return {
      message:
        "We couldn't respond to your request in time. Sorry about that. " +
        "Please try resubmitting your request and contact us if the problem persists.",
    };
  if (status === 404) return { message: "Not Found", documentation_url: DOCS.rest, status: "404" };
  return { message: `Emulated fault (HTTP ${status})` };
}

export async function startGithubEmulator(options: GithubEmulatorOptions = {}): Promise<GithubEmulator> {
  const host = options.host ?? "127.0.0.1";
  const log = (message: string) => {
    if (!options.quiet) process.stderr.write(`[github-emulator] ${message}\n`);
  };
  const config: EmulatorConfig = {
    latencyMs: options.latencyMs ?? 0,
    maxConcurrentRequests: options.maxConcurrentRequests ?? 100,
    secondaryRetryAfter: options.secondaryRetryAfter ?? 60,
    coreLimit: options.coreLimit ?? 5000,
    graphqlLimit: options.graphqlLimit ?? 5000,
    anonymousLimit: 60,
    rateWindowSeconds: options.rateWindowSeconds ?? 3600,
    fastForwardWaits: options.fastForwardWaits ?? false,
    realism: resolveRealism(options.realism),
  };
  const state = new EmulatorState({
    stars: options.stars ?? 100,
    seed: options.seed ?? 1,
    corpusDir: options.corpusDir,
    config,
  });
  const router = new Router([...restRoutes, graphqlRoute]);
  let baseUrl = "";

  /**
   * Runs the pipeline for one API request; returns what to send, or HOLD to never answer. Triggers
   * for which this request counts as the deciding one are added to `due` (run once it is answered).
   */
  async function handleApiRequest(
    req: IncomingMessage,
    url: URL,
    requestId: string,
    enter: (identity: string) => number,
    due: DueTriggers,
  ): Promise<EmuResponse | typeof HOLD | typeof RESET> {
    const method = req.method ?? "GET";
    const match = router.match(method, url.pathname);
    state.stats.request(match ? `${method} ${match.route.template}` : `${method} (unmatched)`);
    const body = await readBody(req);

    const auth = parseAuthorization(req.headers.authorization);
    let user: User | undefined;
    if (auth.present) {
      user = auth.token ? state.users.byToken(auth.token) : undefined;
      if (!user) return badCredentials();
    } else if (match?.route.auth === "required") {
      return match.route.unauthenticated?.() ?? badCredentials();
    }
    const identity = identityOf(user, req.socket.remoteAddress);
    const inFlight = enter(identity);
    // Unknown paths still cost a REST request, as on GitHub.
    const resource = match ? match.route.resource : "core";
    const bucket = state.bucketFor(identity, user, resource ?? "core");
    const withLimits = (response: EmuResponse): EmuResponse => ({
      ...response,
      headers: { ...rateLimitHeaders(bucket), ...oauthScopeHeaders(user), ...response.headers },
    });

    const now = state.now();
    const tokenStats = state.stats.token(identity);
    const blockedFor = state.concurrency.blockedFor(identity, now);
    if (blockedFor > 0) {
      tokenStats.secondaryLimitHits++;
      return withLimits(secondaryRateLimit(blockedFor));
    }
    if (inFlight > state.config.maxConcurrentRequests) {
      tokenStats.secondaryLimitHits++;
      state.concurrency.block(identity, now, state.config.secondaryRetryAfter);
      return withLimits(secondaryRateLimit(state.config.secondaryRetryAfter));
    }
    const endpoint = match ? `${method} ${match.route.template}` : `${method} (unmatched)`;
    if (resource !== null && auth.present) {
      const waitMs = secondaryWait(user, identity, resource, endpoint, now);
      if (waitMs > 0) {
        // GitHub's secondary limits on server time and points per minute: retry-after says when
        // the sliding window has room again; the token is blocked until then.
        const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
        tokenStats.secondaryLimitHits++;
        state.concurrency.block(identity, now, retryAfter);
        return withLimits(secondaryRateLimit(retryAfter));
      }
    }

    const { latencyMs, fault } = state.faults.fire(
      { method, path: url.pathname, search: url.searchParams, login: user?.login },
      state.random,
    );
    const latency = state.config.latencyMs + latencyMs;
    if (fault) log(`fault #${fault.id} on ${method} ${url.pathname}`);
    if (fault?.rateLimit) {
      const exhausted = state.bucketFor(identity, user, fault.rateLimit);
      state.limiter.exhaust(exhausted, now, fault.resetInSeconds ?? 3600, fault.status === 429 ? 429 : 403);
    } else if (fault?.secondary) {
      const retryAfter = fault.secondary.retryAfter ?? 60;
      state.concurrency.block(identity, now, retryAfter);
      await sleep(latency);
      return withLimits(secondaryRateLimit(retryAfter));
    } else if (fault?.timeout) {
      await sleep(latency);
      return HOLD;
    } else if (fault?.reset) {
      await sleep(latency);
      return RESET;
    } else if (fault?.status !== undefined) {
      await sleep(latency);
      return withLimits({
        status: fault.status,
        body: fault.body ?? defaultFaultBody(fault.status),
        headers: fault.headers ?? {},
      });
    }
    await sleep(latency);
    // The modelled server time is all of GitHub's time for the answer: what this process spends
    // computing it (resolving a query, reading READMEs) is part of it, not added on top.
    const computing = performance.now();

    if (resource === "core" && remaining(bucket) === 0) {
      refused(bucket, now, state.config.fastForwardWaits);
      return withLimits(primaryRateLimit(user, bucket, requestId));
    }

    const ctx: RequestContext = {
      state,
      method,
      url,
      headers: req.headers,
      body,
      params: match?.params ?? {},
      user,
      token: auth.token,
      identity,
      bucket: resource ? bucket : undefined,
      baseUrl,
      othersInFlight: inFlight - 1,
      requestId,
    };
    // Only requests that get this far (past faults, limits and the latency sleep) count for triggers.
    due.triggers.push(...state.triggers.arrive(method, url, user?.login));
    due.login = user?.login;
    const response = match ? await match.route.handle(ctx) : notFound();
    // REST: one request unless the answer is a 304. GraphQL charges its computed cost itself, before executing.
    const cost = response.cost ?? (resource === "core" && response.status !== 304 ? 1 : 0);
    if (cost > 0) state.limiter.charge(bucket, cost);
    // Server time: GraphQL decided it after executing (cut-offs included); REST from the answer's size.
    const realism = state.realismFor(user);
    const serverMs =
      response.serverMs ??
      restServerMs(
        { items: response.items ?? 0, bytes: bodyBytes(response.body), notModified: response.status === 304 },
        realism,
        inFlight - 1,
        state.timing,
      );
    const lane = resource === "graphql" ? "graphql" : "rest";
    tokenStats.serverMs[lane] += serverMs;
    tokenStats.maxRequestMs = Math.max(tokenStats.maxRequestMs, serverMs);
    await sleep(serverMs - (performance.now() - computing));
    // Server time is known, and charged to the window, when the request ends: GitHub measures it
    // by the response time, so a request still running has not used any budget yet.
    const at = state.now();
    if (resource !== null && auth.present) {
      const windowMs = realism.secondaryWindowMs;
      state.meter.add(`${identity}\ncpu:${resource}`, at, windowMs, serverMs);
      state.meter.add(`${identity}\ncpu`, at, windowMs, serverMs);
      if (resource === "core") state.meter.add(`${identity}\npoints:${endpoint}`, at, windowMs, 1);
      else {
        const points = response.secondaryPoints ?? Math.max(1, response.pointsCharged ?? 1);
        state.meter.add(`${identity}\npoints:graphql`, at, windowMs, points);
      }
    }
    recordMinute(tokenStats, at, lane, serverMs);
    if (lane === "graphql") recordGraphqlSpan(tokenStats, now, at);
    return withLimits(response);
  }

  /** Milliseconds until GitHub's per-minute secondary limits let this token send (0 = now). */
  function secondaryWait(
    user: User | undefined,
    identity: string,
    resource: "core" | "graphql",
    endpoint: string,
    now: number,
  ): number {
    const r = state.realismFor(user);
    const windowMs = r.secondaryWindowMs;
    const waits = [0];
    if (r.cpuTotalMsPerWindow > 0)
      waits.push(state.meter.waitFor(`${identity}\ncpu`, now, windowMs, r.cpuTotalMsPerWindow));
    if (resource === "graphql") {
      if (r.cpuGraphqlMsPerWindow > 0)
        waits.push(state.meter.waitFor(`${identity}\ncpu:graphql`, now, windowMs, r.cpuGraphqlMsPerWindow));
      if (r.graphqlPointsPerWindow > 0)
        waits.push(state.meter.waitFor(`${identity}\npoints:graphql`, now, windowMs, r.graphqlPointsPerWindow));
    } else if (r.restPointsPerEndpointPerWindow > 0) {
      waits.push(
        state.meter.waitFor(`${identity}\npoints:${endpoint}`, now, windowMs, r.restPointsPerEndpointPerWindow),
      );
    }
    return Math.max(...waits);
  }

  function send(res: ServerResponse, response: EmuResponse, requestId: string, counted: boolean): void {
    if (res.destroyed || res.writableEnded) return;
    const headers: Record<string, string> = {
      "content-type": "application/json; charset=utf-8",
      "x-github-api-version-selected": "2022-11-28",
      "x-github-request-id": requestId,
      "access-control-allow-origin": "*",
      "access-control-expose-headers": EXPOSED_HEADERS,
      ...response.headers,
    };
    let payload: string | Buffer | undefined;
    if (response.status !== 304 && response.body !== undefined && response.body !== null) {
      const body: unknown = response.body;
      payload = typeof body === "string" ? body : body instanceof Buffer ? body : JSON.stringify(body);
    }
    if (payload === undefined) delete headers["content-type"];
    res.writeHead(response.status, headers);
    res.end(payload);
    if (counted) state.stats.response(response.status);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", baseUrl);
    const requestId = state.nextRequestId();

    if (url.pathname === "/_emulator" || url.pathname.startsWith("/_emulator/")) {
      readBody(req)
        .then((body) => {
          const path = url.pathname.slice("/_emulator/".length);
          send(
            res,
            handleControl(state, { method: req.method ?? "GET", path, query: url.searchParams, body }, log),
            requestId,
            false,
          );
        })
        .catch((error: unknown) => send(res, json(500, { message: String(error) }), requestId, false));
      return;
    }
    if (req.method === "OPTIONS") {
      res.writeHead(204, {
        "access-control-allow-origin": "*",
        "access-control-allow-headers":
          "Authorization, Content-Type, If-None-Match, If-Modified-Since, Accept, X-GitHub-Api-Version",
        "access-control-allow-methods": "GET, POST, PATCH, PUT, DELETE",
      });
      res.end();
      return;
    }

    // In-flight bookkeeping ends when the response is done or the client gave up.
    const guard = state.concurrency;
    guard.enterGlobal();
    let identity: string | undefined;
    res.on("close", () => {
      guard.leaveGlobal();
      if (identity !== undefined) guard.leave(identity);
    });
    const enter = (id: string) => {
      identity = id;
      return guard.enter(id);
    };

    const due: DueTriggers = { triggers: [], login: undefined };
    // Right after the answer is written, in the same tick: a request that starts later sees the change.
    const answered = () => runTriggers(state, due, log);
    handleApiRequest(req, url, requestId, enter, due)
      .then((response) => {
        if (response === RESET) req.socket.resetAndDestroy();
        else if (response !== HOLD) send(res, response, requestId, true);
        answered();
      })
      .catch((error: unknown) => {
        log(
          `error on ${req.method} ${url.pathname}: ` +
            `${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        send(res, json(500, { message: "Server Error" }), requestId, true);
        answered();
      });
  });
  const listening = await listen(server, options.port ?? 0, host);
  baseUrl = listening.url;
  log(
    `listening on ${baseUrl} (seed ${options.seed ?? 1}, octocat with ${options.stars ?? 100} stars, ` +
      `corpus ${state.corpus.dir})`,
  );

  return listening;
}
