// Everything the emulator knows, in one place, so `POST /_emulator/reset` can rebuild it at once.
import { FaultList, type SelectedRequest } from "../common/faults.ts";
import { loadCorpus, type Corpus } from "./corpus.ts";
import { GITHUB_FAULTS, type FaultRuleInput } from "./faults.ts";
import { ListStore } from "./lists.ts";
import { hash, sequence } from "./random.ts";
import { ConcurrencyGuard, RateLimiter, type Bucket, type Resource } from "./ratelimit.ts";
import { SecondaryMeter, emptyTokenStats, type RealismConfig, type TokenRealismStats } from "./realism.ts";
import { Universe } from "./repos.ts";
import { TriggerList } from "./triggers.ts";
import { UserStore, type User } from "./users.ts";

export interface EmulatorConfig {
  /** Added to every request. */
  latencyMs: number;
  /** Secondary limit: more concurrent requests than this per token are rejected. */
  maxConcurrentRequests: number;
  /** retry-after (seconds) sent with a concurrency rejection; the token is blocked that long. */
  secondaryRetryAfter: number;
  /** Hourly budgets. */
  coreLimit: number;
  graphqlLimit: number;
  /** REST budget of unauthenticated clients (per IP). */
  anonymousLimit: number;
  /** Length of a budget window in seconds (GitHub: 3600). */
  rateWindowSeconds: number;
  /** Benchmarks: skip the rest of an exhausted hour and count it instead (ratelimit.ts `refused`). */
  fastForwardWaits: boolean;
  /** GitHub's server-time model, cut-off and secondary limits (see realism.ts). */
  realism: RealismConfig;
}

export interface StateOptions {
  stars: number;
  seed: number;
  corpusDir?: string;
  config: EmulatorConfig;
}

export class Stats {
  total = 0;
  byRoute: Record<string, number> = {};
  byStatus: Record<string, number> = {};
  readmeDownloads: Record<string, number> = {};
  /** Per identity: server time used, timeouts, secondary-limit hits (realism.ts). */
  tokens: Record<string, TokenRealismStats> = {};

  token(identity: string): TokenRealismStats {
    this.tokens[identity] ??= emptyTokenStats();
    return this.tokens[identity];
  }

  request(route: string): void {
    this.total++;
    this.byRoute[route] = (this.byRoute[route] ?? 0) + 1;
  }

  response(status: number): void {
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
  }

  readme(login: string): void {
    this.readmeDownloads[login] = (this.readmeDownloads[login] ?? 0) + 1;
  }
}

export class EmulatorState {
  readonly corpus: Corpus;
  readonly options: StateOptions;
  config!: EmulatorConfig;
  universe!: Universe;
  users!: UserStore;
  /** Every user's star Lists (lists.ts). */
  lists!: ListStore;
  limiter!: RateLimiter;
  concurrency!: ConcurrencyGuard;
  faults!: FaultList<FaultRuleInput, SelectedRequest>;
  /** Changes that run once a given request has been answered (triggers.ts). */
  triggers!: TriggerList;
  stats!: Stats;
  /** Sliding-window usage behind GitHub's secondary limits. */
  meter!: SecondaryMeter;
  /** Seeded draws for server-time spread and timeout shapes. */
  timing!: () => number;
  timeouts = 0;
  /** Realism for one user's token instead of the global one (tests that share an emulator). */
  userRealism = new Map<string, RealismConfig>();

  realismFor(user: User | undefined): RealismConfig {
    return (user && this.userRealism.get(user.login.toLowerCase())) ?? this.config.realism;
  }
  /** Seeded draws for fault probabilities. */
  random!: () => number;
  private requestCounter = 0;

  constructor(options: StateOptions) {
    this.options = options;
    this.corpus = loadCorpus(options.corpusDir);
    this.reset();
  }

  /** Back to the initial state: default user only, no faults or triggers, budgets and counters zeroed. */
  reset(): void {
    this.config = { ...this.options.config, realism: structuredClone(this.options.config.realism) };
    this.userRealism = new Map();
    this.universe = new Universe(this.corpus, this.options.seed);
    this.users = new UserStore(this.universe, this.options.seed);
    this.users.create("octocat", this.options.stars);
    this.lists = new ListStore(this.options.seed);
    this.limiter = new RateLimiter();
    // Requests that are still in flight during a reset leave the old guard, so they can't skew the new one.
    this.concurrency = new ConcurrencyGuard();
    this.faults = new FaultList(GITHUB_FAULTS);
    this.triggers = new TriggerList();
    this.stats = new Stats();
    this.meter = new SecondaryMeter();
    this.random = sequence(hash(this.options.seed, "faults"));
    this.timing = sequence(hash(this.options.seed, "timing"));
    this.timeouts = 0;
  }

  now(): number {
    return Date.now();
  }

  nextRequestId(): string {
    const n = ++this.requestCounter;
    const hex = (value: number, width: number) => value.toString(16).toUpperCase().padStart(width, "0");
    return `${hex(hash(this.options.seed, n) & 0xffff, 4)}:${hex(n, 6)}:${hex(hash(n, "rid"), 8)}`;
  }

  /** The budget a request draws from: the user's for tokens, the client IP's otherwise. */
  bucketFor(identity: string, user: User | undefined, resource: Resource): Bucket {
    const limit = !user
      ? this.config.anonymousLimit
      : resource === "core"
        ? this.config.coreLimit
        : this.config.graphqlLimit;
    return this.limiter.bucket(identity, resource, limit, this.now(), this.config.rateWindowSeconds * 1000);
  }
}

/** Rate-limit identity of a user: budgets belong to the user's token, one per user. */
export function userIdentity(login: string): string {
  return `user:${login.toLowerCase()}`;
}

export function identityOf(user: User | undefined, remoteAddress: string | undefined): string {
  return user ? userIdentity(user.login) : `ip:${remoteAddress ?? "unknown"}`;
}
