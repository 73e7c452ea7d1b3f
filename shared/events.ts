import { z } from "zod";
import { ErrorCode } from "./errors.ts";

/**
 * Extra, on any phase: the run is waiting, not stuck — for what, why, and until when (epoch ms).
 * `github`: GitHub's rate limit or its per-minute budget (the Workflow's `wait for GitHub …` sleeps);
 * `ai`/`embedding`: the provider's 429 slept out durably.
 */
export const ProgressWait = z.object({
  for: z.enum(["github", "ai", "embedding"]),
  until: z.number().int(),
  reason: z.string().optional(),
});
export type ProgressWait = z.infer<typeof ProgressWait>;
const wait = { wait: ProgressWait.optional() };

/**
 * Live sync progress (docs/architecture.md §5): the seed's event names and fields, kept byte for byte.
 * Sent as SSE frames `event: <name>\ndata: <json>\n\n` and over WebSocket as `{event, data}`.
 */
export const ProgressData = z.discriminatedUnion("phase", [
  // Extra fields on the seed's event. `listed`/`total`: "1,200 of 5,000" as pages land (a listed
  // star is in the library, findable by name). `readmes`: READMEs looked up since the listing
  // ended; `readmesLeft`: still queued after the last README step.
  z.object({
    phase: z.literal("fetching"),
    ...wait,
    listed: z.number().int().optional(),
    total: z.number().int().optional(),
    readmes: z.number().int().optional(),
    readmesLeft: z.number().int().optional(),
  }),
  // `at` (extra): when the GitHub part of the run ended, epoch ms on the Worker's clock.
  z.object({
    phase: z.literal("fetched"),
    ...wait,
    total: z.number().int(),
    needsReadme: z.number().int(),
    at: z.number().int().optional(),
  }),
  z.object({
    phase: z.literal("analyzing"),
    ...wait,
    current: z.string(),
    completed: z.number().int(),
    total: z.number().int(),
  }),
  z.object({ phase: z.literal("saving"), ...wait, savedCount: z.number().int(), saveTotal: z.number().int() }),
  z.object({
    phase: z.literal("openrank"),
    ...wait,
    completed: z.number().int().optional(),
    total: z.number().int().optional(),
  }),
  z.object({
    phase: z.literal("embedding"),
    ...wait,
    current: z.string(),
    completed: z.number().int(),
    total: z.number().int(),
  }),
  // Not a sync: an unstar run or its undo (shared/unstar.ts) under the same lock, on the same stream, so the popup
  // shows it as it shows a sync. `done`: repositories GitHub has answered for, of `total`.
  z.object({
    phase: z.literal("unstarring"),
    ...wait,
    action: z.enum(["unstar", "restar"]),
    unstarRunId: z.string(),
    done: z.number().int(),
    total: z.number().int(),
  }),
]);
export type ProgressData = z.infer<typeof ProgressData>;
export type SyncPhase = ProgressData["phase"];

export const enrichmentPhases = ["analyse", "openrank", "embed"] as const;

/**
 * Why an enrichment phase stopped before its work was done (docs/architecture.md §4, "Why work
 * waits"): a code the clients explain, the provider's own words (untrusted text), and what it left.
 */
export const EnrichmentStop = z.object({
  phase: z.enum(enrichmentPhases),
  code: ErrorCode,
  message: z.string(),
  /** `ai_rate_limited`: when the provider's limit resets (epoch ms). */
  until: z.number().int().optional(),
  /** Repositories this phase left for the next sync. */
  pending: z.number().int(),
  /** Repositories whose work failed in this run (each tried again at a later sync). */
  failed: z.number().int(),
});
export type EnrichmentStop = z.infer<typeof EnrichmentStop>;

/** What a run cost and did; counted by the sync as it talks to GitHub and D1. */
export const SyncStats = z.object({
  requests: z.object({
    /** REST requests GitHub charged for (2xx/4xx/5xx answers). */
    rest: z.number().int(),
    /** REST answers `304 Not Modified`: free. */
    restNotModified: z.number().int(),
    graphql: z.number().int(),
  }),
  graphqlPoints: z.number().int(),
  rowsWritten: z.number().int(),
  readmesFetched: z.number().int(),
  /** Requests GitHub cut off (10 s) or answered with RESOURCE_LIMITS_EXCEEDED; each was asked again smaller. */
  timeouts: z.number().int().optional(),
  /** Rows D1 wrote beyond the rows themselves (the FTS index, through its triggers). */
  triggerRows: z.number().int().optional(),
  /** Secondary rate limits met (the pacer aims at none). */
  secondaryLimits: z.number().int().optional(),
  /**
   * GitHub's server time as the sync measured it (response times, milliseconds) — what its
   * pacer counts against GitHub's per-minute budgets.
   */
  measuredMs: z.object({ graphql: z.number().int(), rest: z.number().int() }).optional(),
  /**
   * Where GraphQL waited, in milliseconds summed over requests: for GitHub's per-minute budget
   * (`paced`), and with nothing to ask while pages were still being listed (`starved`).
   */
  graphqlWaitedMs: z.object({ paced: z.number().int(), starved: z.number().int() }).optional(),
  /**
   * How true the listing was to GitHub (worker/sync/unstar.ts): passes over the list (a second
   * when stars moved while it was read), stars missing from it that GitHub says are still
   * starred, that GitHub refuses to this token (kept, with the reason on the star), and that
   * were not asked about this run (kept until a later one).
   */
  listing: z
    .object({
      passes: z.number().int(),
      drifted: z.boolean(),
      partial: z.boolean(),
      stillStarred: z.number().int(),
      refused: z.number().int(),
      deferred: z.number().int(),
      /** Left the list because the repository is gone from GitHub (deleted, blocked, made private): kept as gone. */
      gone: z.number().int().optional(),
    })
    .optional(),
  failures: z.number().int(),
  /** AI analysis, OpenRank and embeddings (docs/architecture.md §4 steps 5–7). */
  enrichment: z
    .object({
      /** Repositories given a new analysis (a model call, or the heuristic). */
      analysed: z.number().int(),
      /** Repositories pointed at an analysis that already existed (another user's, a fork's). */
      reused: z.number().int(),
      /** Analyses that failed after their retry (tried again next sync, a bounded number of times). */
      failed: z.number().int(),
      /** Analyses left for the next sync (provider down, rate-limit waits used up). */
      pending: z.number().int(),
      chatCalls: z.number().int(),
      /** Tokens the chat model reported for this run's calls. */
      inputTokens: z.number().int(),
      outputTokens: z.number().int(),
      /** Repositories whose OpenRank was fetched (a value or "no data"). */
      openrank: z.number().int(),
      opendiggerRequests: z.number().int(),
      /** Repositories whose vectors were written (with a model call or from the shared cache). */
      embedded: z.number().int(),
      embeddingRequests: z.number().int(),
      /** Phases that stopped early, and why (absent in runs recorded before it was kept). */
      stops: z.array(EnrichmentStop).optional(),
    })
    .optional(),
});
export type SyncStats = z.infer<typeof SyncStats>;

export const DoneData = z.object({
  total: z.number().int(),
  new_count: z.number().int(),
  updated_count: z.number().int(),
  unstarred_count: z.number().int(),
  runId: z.string(),
  stats: SyncStats,
  /**
   * Present when the run was an unstar run or its undo, not a sync: what it did (shared/unstar.ts). `total` is then
   * the run's repositories and `unstarred_count` those it unstarred.
   */
  unstar: z
    .object({
      action: z.enum(["unstar", "restar"]),
      unstarRunId: z.string(),
      done: z.number().int(),
      missing: z.number().int(),
      failed: z.number().int(),
    })
    .optional(),
});
export type DoneData = z.infer<typeof DoneData>;

/** Why a run ended without `done`: one of the contract's codes (shared/errors.ts). */
export const ErrorData = z.object({ message: z.string(), code: ErrorCode });
export type ErrorData = z.infer<typeof ErrorData>;

export const SyncEvent = z.discriminatedUnion("event", [
  z.object({ event: z.literal("progress"), data: ProgressData }),
  z.object({ event: z.literal("done"), data: DoneData }),
  z.object({ event: z.literal("error"), data: ErrorData }),
]);
export type SyncEvent = z.infer<typeof SyncEvent>;

export const isFinal = (event: SyncEvent) => event.event !== "progress";

/** One SSE frame. */
export function sseFrame(event: SyncEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** Parses a stream of SSE text into events (frames may be split across chunks). */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SyncEvent> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "";
      let data = "";
      for (const line of frame.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data += line.slice(5).trim();
      }
      if (!name || !data) continue; // a comment or keep-alive
      yield SyncEvent.parse({ event: name, data: JSON.parse(data) });
    }
  }
}

/**
 * What of the user's library is ready (docs/architecture.md §4, "rows first"): a listed star is
 * in at once, findable by name, description and topics; READMEs, analyses and vectors fill in behind.
 */
export const LibraryReadiness = z.object({
  /** Starred or saved repositories in the library; a star whose repository is gone from GitHub is not counted. */
  stars: z.number().int(),
  /**
   * Stars whose repository left GitHub (docs/architecture.md §4, "Gone is not unstarred"): kept for their notes,
   * apart from `stars`. Absent from a status stored before it was counted.
   */
  gone: z.number().int().nonnegative().default(0),
  /** Of them, those whose README lookup is still queued (a running sync, or the next one, does it). */
  readmesPending: z.number().int(),
  /** With the user's analysis (summary, tags, platforms). */
  analysed: z.number().int(),
  /** With vectors: findable by meaning. */
  embedded: z.number().int(),
});
export type LibraryReadiness = z.infer<typeof LibraryReadiness>;

export const SyncStatus = z.object({
  running: z.boolean(),
  runId: z.string().nullable(),
  phase: z.string().nullable(),
  progress: ProgressData.nullable(),
  lastSyncedAt: z.string().nullable(),
  nextSyncAt: z.string().nullable(),
  lastResult: z
    .union([DoneData.extend({ ok: z.literal(true) }), ErrorData.extend({ ok: z.literal(false) })])
    .nullable(),
  library: LibraryReadiness,
});
export type SyncStatus = z.infer<typeof SyncStatus>;
