// How slow and strict GitHub really is: a server-time model, the 10 s cut-off, the secondary
// limits (server time per minute, points per minute), resource limits and `isOverLimit`.
//
// Preset `ideal` turns all of it off (fast unit tests); preset `github` is calibrated from
// GitHub's documentation and public field reports, listed with each figure in README.md
// ("Realism"). Every figure can be changed by CLI flag or `POST /_emulator/config {realism:{…}}`,
// and `timeScale` multiplies every server time at once (a slower or faster GitHub).

export interface ServerTimeModel {
  /** Fixed cost of any GraphQL request (parse, auth, validation). */
  graphqlBaseMs: number;
  /** Each Repository object resolved (in a connection, by `node(id:)` or `repository(…)`). */
  perRepositoryMs: number;
  /** Each connection or count resolved below the root (topics, languages, `stargazers{totalCount}`). */
  perNestedConnectionMs: number;
  /** Each `object(expression:)` / `object(oid:)` lookup: a git RPC. */
  perObjectMs: number;
  /** Each tree entry returned. */
  perTreeEntryMs: number;
  /**
   * Each `latestRelease` resolved: a single object, 0 points (only connections cost points), a lookup of the
   * repository's releases. A model, not a measurement: GitHub publishes no per-field time.
   */
  perReleaseMs: number;
  /** Each commit resolved through a ref (`defaultBranchRef { target }`): one git read, no path walk. A model. */
  perCommitMs: number;
  /** Each KB of blob text returned. */
  perBlobKbMs: number;
  /** Each mutation run (a write, then the payload read back). A model: GitHub publishes no per-mutation time. */
  perMutationMs: number;
  /** Fixed cost of a REST request. */
  restBaseMs: number;
  /** Each repository serialised in a REST list. */
  restPerItemMs: number;
  /** Each KB of README served by REST. */
  restPerKbMs: number;
  /** A 304 Not Modified (the ETag check still runs). */
  notModifiedMs: number;
  /** Spread: server times are multiplied by exp(N(0, spread²)), seeded. */
  spread: number;
  /** Each other request of the same token in flight makes this one this much slower (0.1 = +10 %). */
  concurrencySlowdown: number;
}

export interface RealismConfig {
  preset: "ideal" | "github";
  /** Multiplies every modelled server time (2 = GitHub twice as slow). */
  timeScale: number;
  /** Queries whose server time passes this are cut off (GitHub: 10 s). 0 = never. */
  cutoffMs: number;
  /**
   * How a cut-off answers, in turn: "502", "504" or "200" (HTTP 200, `data: null` and GitHub's
   * "Something went wrong while executing your query" error). GitHub sends all three.
   */
  timeoutShapes: Array<"502" | "504" | "200">;
  /** Extra points a timed-out GraphQL query costs (docs: "timeouts deduct additional points"). */
  timeoutPenaltyPoints: number;
  /** Secondary limit: server time per token per sliding window, GraphQL only and in all (ms). 0 = off. */
  cpuGraphqlMsPerWindow: number;
  cpuTotalMsPerWindow: number;
  /** Secondary limit: GraphQL points and REST points per endpoint per window. 0 = off. */
  graphqlPointsPerWindow: number;
  restPointsPerEndpointPerWindow: number;
  /** The sliding window of the secondary limits (GitHub: 60 s). */
  secondaryWindowMs: number;
  /** A GraphQL query whose server time passes this gets RESOURCE_LIMITS_EXCEEDED with partial data. 0 = off. */
  resourceLimitMs: number;
  /** `starredRepositories` of a user with more stars than this says `isOverLimit` and is truncated there. 0 = off. */
  overLimitStars: number;
  model: ServerTimeModel;
}

const ZERO_MODEL: ServerTimeModel = {
  graphqlBaseMs: 0,
  perRepositoryMs: 0,
  perNestedConnectionMs: 0,
  perObjectMs: 0,
  perTreeEntryMs: 0,
  perReleaseMs: 0,
  perCommitMs: 0,
  perBlobKbMs: 0,
  perMutationMs: 0,
  restBaseMs: 0,
  restPerItemMs: 0,
  restPerKbMs: 0,
  notModifiedMs: 0,
  spread: 0,
  concurrencySlowdown: 0,
};

/** Calibration and sources: README.md, "Realism". */
const GITHUB_MODEL: ServerTimeModel = {
  graphqlBaseMs: 150,
  perRepositoryMs: 30,
  perNestedConnectionMs: 15,
  perObjectMs: 25,
  perTreeEntryMs: 0.2,
  perReleaseMs: 10,
  perCommitMs: 15,
  perBlobKbMs: 0.4,
  perMutationMs: 200,
  restBaseMs: 90,
  restPerItemMs: 8,
  restPerKbMs: 0.1,
  notModifiedMs: 40,
  spread: 0.25,
  concurrencySlowdown: 0.1,
};

export function realismPreset(preset: RealismConfig["preset"]): RealismConfig {
  if (preset === "ideal") {
    return {
      preset,
      timeScale: 1,
      cutoffMs: 0,
      timeoutShapes: ["502", "504", "200"],
      timeoutPenaltyPoints: 0,
      cpuGraphqlMsPerWindow: 0,
      cpuTotalMsPerWindow: 0,
      graphqlPointsPerWindow: 0,
      restPointsPerEndpointPerWindow: 0,
      secondaryWindowMs: 60_000,
      resourceLimitMs: 0,
      overLimitStars: 0,
      model: { ...ZERO_MODEL },
    };
  }
  return {
    preset,
    timeScale: 1,
    cutoffMs: 10_000,
    timeoutShapes: ["502", "200", "504", "200"],
    timeoutPenaltyPoints: 5,
    cpuGraphqlMsPerWindow: 60_000,
    cpuTotalMsPerWindow: 90_000,
    graphqlPointsPerWindow: 2_000,
    restPointsPerEndpointPerWindow: 900,
    secondaryWindowMs: 60_000,
    resourceLimitMs: 0,
    overLimitStars: 0,
    model: { ...GITHUB_MODEL },
  };
}

/** What one GraphQL execution touched, counted by the resolvers. */
export interface GraphqlWork {
  repositories: number;
  nestedConnections: number;
  objects: number;
  treeEntries: number;
  blobBytes: number;
  /** `latestRelease` and ref-target commits resolved. */
  releases: number;
  commits: number;
  mutations: number;
}

export const noWork = (): GraphqlWork => ({
  repositories: 0,
  nestedConnections: 0,
  objects: 0,
  treeEntries: 0,
  blobBytes: 0,
  releases: 0,
  commits: 0,
  mutations: 0,
});

/** Seeded standard normal draws (Box–Muller over the emulator's uniform generator). */
function normal(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function spreadAndLoad(ms: number, config: RealismConfig, othersInFlight: number, random: () => number): number {
  const { model } = config;
  const spread = model.spread > 0 ? Math.exp(model.spread * normal(random)) : 1;
  return ms * config.timeScale * spread * (1 + model.concurrencySlowdown * Math.max(0, othersInFlight));
}

export function graphqlServerMs(
  work: GraphqlWork,
  config: RealismConfig,
  othersInFlight: number,
  random: () => number,
): number {
  const m = config.model;
  const ms =
    m.graphqlBaseMs +
    work.repositories * m.perRepositoryMs +
    work.nestedConnections * m.perNestedConnectionMs +
    work.objects * m.perObjectMs +
    work.treeEntries * m.perTreeEntryMs +
    work.releases * m.perReleaseMs +
    work.commits * m.perCommitMs +
    work.mutations * m.perMutationMs +
    (work.blobBytes / 1024) * m.perBlobKbMs;
  return spreadAndLoad(ms, config, othersInFlight, random);
}

export function restServerMs(
  answer: { items: number; bytes: number; notModified: boolean },
  config: RealismConfig,
  othersInFlight: number,
  random: () => number,
): number {
  const m = config.model;
  const ms = answer.notModified
    ? m.notModifiedMs
    : m.restBaseMs + answer.items * m.restPerItemMs + (answer.bytes / 1024) * m.restPerKbMs;
  return spreadAndLoad(ms, config, othersInFlight, random);
}

/**
 * A per-token sliding-window meter: server time (GraphQL and in all) and points (GraphQL, and
 * each REST endpoint), as GitHub's secondary limits count them. Entries older than the window
 * fall out.
 */
export class SecondaryMeter {
  private readonly entries = new Map<string, Array<{ at: number; amount: number }>>();

  private list(key: string, now: number, windowMs: number) {
    let list = this.entries.get(key);
    if (!list) {
      list = [];
      this.entries.set(key, list);
    }
    while (list.length > 0 && (list[0] as { at: number }).at <= now - windowMs) list.shift();
    return list;
  }

  used(key: string, now: number, windowMs: number): number {
    return this.list(key, now, windowMs).reduce((sum, e) => sum + e.amount, 0);
  }

  add(key: string, now: number, windowMs: number, amount: number): void {
    if (amount > 0) this.list(key, now, windowMs).push({ at: now, amount });
  }

  /** Milliseconds until usage under `key` drops to or below `limit - needed` (0 = now). */
  waitFor(key: string, now: number, windowMs: number, limit: number): number {
    const list = this.list(key, now, windowMs);
    let used = list.reduce((sum, e) => sum + e.amount, 0);
    for (const entry of list) {
      if (used < limit) break;
      used -= entry.amount;
      if (used < limit) return entry.at + windowMs - now;
    }
    return used < limit ? 0 : windowMs;
  }
}

/** Per-token figures for `GET /_emulator/stats`. */
export interface TokenRealismStats {
  serverMs: { graphql: number; rest: number };
  /** The lowest wall time GitHub's limits allow for that server time (see README, "Lower bound"). */
  timeouts: number;
  secondaryLimitHits: number;
  resourceLimitHits: number;
  penaltyPoints: number;
  /** Largest single-request server time seen. */
  maxRequestMs: number;
  /**
   * Server time by minute since the token's first request ended, [graphql ms, rest ms] per
   * minute: how full each minute's budget was, so a benchmark can say where a sync waited.
   */
  minutes: Array<[number, number]>;
  /** When the token's first request ended (emulator clock, epoch ms). */
  firstAt: number | null;
  /**
   * The last GraphQL requests of the token as [arrived, ended] (epoch ms), so a benchmark can
   * tell how long no GraphQL request was running at all, and how long two ran at once.
   */
  graphqlSpans: Array<[number, number]>;
}

/** Keeps at most this many GraphQL spans per token (a 50,000-star sync sends about a thousand). */
const MAX_SPANS = 5_000;

export function recordGraphqlSpan(stats: TokenRealismStats, arrived: number, ended: number): void {
  stats.graphqlSpans.push([arrived, ended]);
  if (stats.graphqlSpans.length > MAX_SPANS) stats.graphqlSpans.splice(0, stats.graphqlSpans.length - MAX_SPANS);
}

/** Adds a finished request's server time to its minute of the token's timeline. */
export function recordMinute(stats: TokenRealismStats, at: number, lane: "graphql" | "rest", serverMs: number): void {
  stats.firstAt ??= at;
  const minute = Math.floor((at - stats.firstAt) / 60_000);
  while (stats.minutes.length <= minute) stats.minutes.push([0, 0]);
  stats.minutes[minute]![lane === "graphql" ? 0 : 1] += Math.round(serverMs);
}

export const emptyTokenStats = (): TokenRealismStats => ({
  serverMs: { graphql: 0, rest: 0 },
  timeouts: 0,
  secondaryLimitHits: 0,
  resourceLimitHits: 0,
  penaltyPoints: 0,
  maxRequestMs: 0,
  minutes: [],
  firstAt: null,
  graphqlSpans: [],
});

/** The body GitHub sends with HTTP 200 when a query ran out of time. */
export function timeoutBody(requestId: string) {
  return {
    data: null,
    errors: [
      {
        message:
          "Something went wrong while executing your query. " +
          "This may be the result of a timeout, or it could be a GitHub bug. " +
          `Please include \`${requestId}\` when reporting this issue.`,
      },
    ],
  };
}
