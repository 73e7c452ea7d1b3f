import { z } from "zod";
import { sleep } from "../lib/concurrency";

/**
 * Keeps a sync inside GitHub's secondary limits instead of tripping them, and sizes requests
 * so each one stays well under GitHub's 10 s cut-off.
 *
 * GitHub allows at most 90 s of server time per 60 s of real time per token, at most 60 s of
 * it for GraphQL, and says to estimate server time by the response time (docs.github.com,
 * "Rate limits for the REST API", secondary rate limits). The pacer measures every response,
 * keeps a sliding window of them (plus reservations for requests in flight) and makes a request
 * wait until the window has room. It learns milliseconds per item for each kind of request and
 * derives page and batch sizes from a target time. Everything it learned is plain JSON: it is
 * carried from step to step of a run, and from one run to the next per user.
 */

export type Lane = "graphql" | "rest";
/** Kinds of request whose size the pacer chooses. */
export type SizedKind = "readme-batch" | "health-batch" | "list-batch";
const Kind = z.enum(["readme-batch", "health-batch", "list-batch"]);
// Kinds an older version wrote are dropped, not refused: z.record of the known ones, loosely.
const PositiveRecord = z
  .record(z.string(), z.number().positive())
  .transform((record) => Object.fromEntries(Object.entries(record).filter(([key]) => Kind.safeParse(key).success)));
/** The stored shape, checked when read back (D1 or a step result). */
export const PacingStateSchema = z.object({
  v: z.literal(1),
  recent: z.array(z.tuple([z.number(), z.number().nonnegative(), z.union([z.literal(0), z.literal(1)])])).max(10_000),
  limits: z.object({ graphqlMs: z.number().positive(), totalMs: z.number().positive() }),
  msPerItem: PositiveRecord,
  failedAt: PositiveRecord,
  remaining: z.object({ core: z.number().nullable(), graphql: z.number().nullable() }),
  cutoffMs: z.number().positive().optional(),
  saturated: z.boolean().optional(),
});

export type PacingState = {
  v: 1;
  /** Completed requests inside the window: [ended at (epoch ms), server ms, 0 = graphql | 1 = rest]. */
  recent: Array<[number, number, 0 | 1]>;
  /** The budgets as learned: GitHub's documented ones, lowered after a secondary-limit hit. */
  limits: { graphqlMs: number; totalMs: number };
  /** Learned milliseconds per item, by kind (exponentially weighted). */
  msPerItem: Partial<Record<SizedKind, number>>;
  /** Smallest size that timed out, by kind: never ask for that many again. */
  failedAt: Partial<Record<SizedKind, number>>;
  /** The primary budgets' last known remaining points (from x-ratelimit-remaining). */
  remaining: { core: number | null; graphql: number | null };
  /** How long GitHub let a request run before cutting it off, as last seen (GitHub: 10 s). */
  cutoffMs?: number;
  /** The GraphQL budget has been reached since the window was last empty (see `burst`). */
  saturated?: boolean;
};

export const WINDOW_MS = 60_000;
const GITHUB = { graphqlMs: 60_000, totalMs: 90_000 } as const;
/**
 * Requests are sized at half the cut-off: GitHub's response times vary by about a factor of two,
 * so a slow draw still answers before it. A cut-off teaches a rate of at least the cut-off per
 * item, which halves the next request. (Sizing from the measured spread of response times, 2.5 σ
 * below the cut-off, was measured against this by `npm run bench:sync` on three realism settings
 * and never did better: README.md, the sync benchmark.)
 */
const TARGET_SHARE_OF_CUTOFF = 0.5;
const GITHUB_CUTOFF_MS = 10_000;
const MIN_LIMIT_MS = 5_000;
/** A size GitHub cut off is never asked again, nor anything above this share of it. */
const FAILED_SHARE = 0.9;

export const SIZE_BOUNDS: Record<SizedKind, { min: number; max: number; initial: number }> = {
  "readme-batch": { min: 1, max: 250, initial: 50 },
  // The daily health catch-up (worker/sync/health-step.ts): a repository and two single objects each.
  "health-batch": { min: 1, max: 250, initial: 100 },
  // Pages of GitHub Lists' items (worker/github/lists.ts), counted in repositories: a page is at most 100.
  "list-batch": { min: 1, max: 1000, initial: 200 },
};

export function freshPacing(): PacingState {
  return {
    v: 1,
    recent: [],
    limits: { ...GITHUB },
    msPerItem: {},
    failedAt: {},
    remaining: { core: null, graphql: null },
  };
}

/**
 * What a run keeps for the user's next run: the learned rates and limits, and the last minute
 * of requests (GitHub's window does not restart with a run: a sync right after another one
 * shares its minute). Entries older than the window are dropped when read.
 */
export function rememberedPacing(state: PacingState): PacingState {
  return { ...state, remaining: { core: null, graphql: null } };
}

type Reservation = { lane: Lane; ms: number };

export class Pacer {
  readonly #state: PacingState;
  readonly #inFlight = new Set<Reservation>();
  readonly #now: () => number;

  readonly #sleep: (ms: number) => Promise<void>;

  constructor(state: unknown, now: () => number = Date.now, sleepFor: (ms: number) => Promise<void> = sleep) {
    this.#sleep = sleepFor;
    const parsed = PacingStateSchema.safeParse(state);
    this.#state = parsed.success ? (structuredClone(parsed.data) as PacingState) : freshPacing();
    this.#now = now;
  }

  toJSON(): PacingState {
    this.#prune();
    return structuredClone(this.#state);
  }

  get remaining(): PacingState["remaining"] {
    return this.#state.remaining;
  }

  /** The size to ask for: the learned rate times the target time, below any size that timed out. */
  size(kind: SizedKind): number {
    const bounds = SIZE_BOUNDS[kind];
    const rate = this.#state.msPerItem[kind];
    let size = rate ? Math.floor(this.targetMs / rate) : bounds.initial;
    const failed = this.#state.failedAt[kind];
    // (The rate a cut-off teaches already halves the next request; this keeps sizes from creeping back up to it.)
    if (failed !== undefined) size = Math.min(size, Math.floor(failed * FAILED_SHARE));
    return Math.max(bounds.min, Math.min(bounds.max, size));
  }

  /** How long a request should take, on average: half the cut-off GitHub was last seen to apply. */
  get targetMs(): number {
    return TARGET_SHARE_OF_CUTOFF * (this.#state.cutoffMs ?? GITHUB_CUTOFF_MS);
  }

  /** Expected server time of a request of `items` of `kind`. */
  estimate(kind: SizedKind, items: number): number {
    const rate = this.#state.msPerItem[kind] ?? this.targetMs / SIZE_BOUNDS[kind].initial;
    return rate * items;
  }

  learn(kind: SizedKind, items: number, ms: number): void {
    if (items <= 0) return;
    const sample = ms / items;
    const old = this.#state.msPerItem[kind];
    this.#state.msPerItem[kind] = old === undefined ? sample : 0.6 * old + 0.4 * sample;
  }

  /**
   * A request of `items` was cut off after `elapsedMs`: that size never again, the rate is at
   * least the cut-off per item, and a cut-off earlier than GitHub's documented 10 s is remembered.
   */
  timedOut(kind: SizedKind, items: number, elapsedMs = GITHUB_CUTOFF_MS): void {
    const failed = this.#state.failedAt[kind];
    this.#state.failedAt[kind] = failed === undefined ? items : Math.min(failed, items);
    // A failure after a second or more is a real cut-off (an instant 502 says nothing about it).
    if (elapsedMs >= 1_000 && elapsedMs < (this.#state.cutoffMs ?? GITHUB_CUTOFF_MS)) this.#state.cutoffMs = elapsedMs;
    const cutoff = this.#state.cutoffMs ?? GITHUB_CUTOFF_MS;
    const rate = Math.min(cutoff, elapsedMs) / Math.max(1, items);
    this.#state.msPerItem[kind] = Math.max(this.#state.msPerItem[kind] ?? 0, rate);
  }

  /** GitHub said "secondary rate limit" although the pacer thought there was room: its budget is smaller. */
  secondaryHit(lane: Lane): void {
    this.#prune();
    const used = (which: 0 | 1 | null) =>
      this.#state.recent.filter(([, , l]) => which === null || l === which).reduce((sum, [, ms]) => sum + ms, 0);
    const limits = this.#state.limits;
    const total = used(null);
    limits.totalMs = Math.max(MIN_LIMIT_MS, Math.min(limits.totalMs, total) * 0.8);
    if (lane === "graphql") limits.graphqlMs = Math.max(MIN_LIMIT_MS, Math.min(limits.graphqlMs, used(0)) * 0.8);
    limits.graphqlMs = Math.min(limits.graphqlMs, limits.totalMs);
  }

  observeRemaining(resource: "core" | "graphql", remaining: number | null): void {
    if (remaining !== null && Number.isFinite(remaining)) this.#state.remaining[resource] = remaining;
  }

  /**
   * Waits until GitHub would take a request on `lane`, then reserves its estimate. Call
   * `done(ticket, measuredMs)` when its response has been read.
   *
   * GitHub counts a request's server time when it ends and refuses one only once the minute's
   * budget is spent, so a request may start while what ended in the window plus what is in
   * flight (counted at twice its estimate, at most the cut-off: a slow draw in flight may land
   * before this request arrives) is below the budget. Its own time counts when it lands. A
   * request that would go *beside* others asks `fits` first.
   */
  async admit(lane: Lane, estimateMs: number): Promise<Reservation> {
    for (;;) {
      const wait = this.#waitFor(lane);
      if (wait <= 0) break;
      await this.#sleep(wait);
    }
    const reservation = { lane, ms: estimateMs };
    this.#inFlight.add(reservation);
    return reservation;
  }

  done(reservation: Reservation, measuredMs: number): void {
    this.#inFlight.delete(reservation);
    this.#state.recent.push([this.#now(), measuredMs, reservation.lane === "graphql" ? 0 : 1]);
  }

  /**
   * Whether a request of `estimateMs` on `lane` fits in the window beside everything in flight,
   * as estimated: the test for a second request at once (GitHub serves a token's concurrent
   * requests more slowly, so a second one only goes while the budget has room for both).
   */
  fits(lane: Lane, estimateMs: number): boolean {
    this.#prune();
    const { cap, used } = this.#budget(lane, (r) => r.ms);
    return used(lane) + estimateMs <= cap && used(null) + estimateMs <= this.#state.limits.totalMs;
  }

  /** The budget `lane` may use now, and what of it (or of the total) is used, in flight counted by `inFlightMs`. */
  #budget(lane: Lane, inFlightMs: (r: Reservation) => number) {
    const { graphqlMs, totalMs } = this.#state.limits;
    const inFlight = [...this.#inFlight];
    // GraphQL may use its own budget. REST gets what the total leaves beside GraphQL's whole
    // budget while a GraphQL request is in flight, and otherwise the total minus what GraphQL
    // actually used in the window (the total's own check below): a listing right after a run's
    // README batches is not held to REST's share of a minute GraphQL no longer uses.
    const graphqlInFlight = inFlight.some((r) => r.lane === "graphql");
    const cap = lane === "graphql" ? graphqlMs : graphqlInFlight ? totalMs - graphqlMs : totalMs;
    const used = (which: Lane | null) =>
      this.#state.recent
        .filter(([, , l]) => which === null || l === (which === "graphql" ? 0 : 1))
        .reduce((s, [, ms]) => s + ms, 0) +
      inFlight.filter((r) => which === null || r.lane === which).reduce((s, r) => s + inFlightMs(r), 0);
    return { cap, used, inFlight };
  }

  /**
   * Whether a second GraphQL request may go beside one in flight: only while the budget has
   * room for both, and only until it is first reached. Once the budget is what holds a sync
   * back, one request after another spends it all (GitHub counts a request when it ends), and
   * requests side by side would only be served more slowly for the same budget; before that, at
   * the start of a run with an empty window, they spend the first minute's budget in half a minute.
   * Once all the work left (`remainingMs`) fits in one minute's budget, two go again whenever the
   * window has room for both.
   */
  burst(estimateMs: number, remainingMs = Number.POSITIVE_INFINITY): boolean {
    this.#prune();
    if (!this.fits("graphql", estimateMs)) return false;
    // The last of the work, when it all fits in one minute's budget: no later minute to keep
    // server time for, so what the window frees is spent as fast as it comes.
    return !this.#state.saturated || remainingMs <= this.#state.limits.graphqlMs;
  }

  #prune(): void {
    const cutoff = this.#now() - WINDOW_MS;
    this.#state.recent = this.#state.recent.filter(([at]) => at > cutoff);
    if (this.#state.saturated && this.#inFlight.size === 0 && !this.#state.recent.some(([, , l]) => l === 0))
      delete this.#state.saturated;
  }

  /** Milliseconds until GitHub would take a request on `lane` (0 = now). */
  #waitFor(lane: Lane): number {
    this.#prune();
    const cutoff = this.#state.cutoffMs ?? GITHUB_CUTOFF_MS;
    const { cap, used, inFlight } = this.#budget(lane, (r) => Math.min(cutoff, 2 * r.ms));
    if (used(lane) < cap && used(null) < this.#state.limits.totalMs) return 0;
    if (lane === "graphql") this.#state.saturated = true;
    // Room comes back as completed requests leave the window; in-flight ones will land first.
    if (inFlight.length > 0 && this.#state.recent.length === 0) return 250;
    const oldest = this.#state.recent[0];
    return oldest ? Math.max(50, oldest[0] + WINDOW_MS - this.#now() + 10) : 250;
  }
}
