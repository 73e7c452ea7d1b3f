import type { WorkflowStep, WorkflowStepConfig } from "cloudflare:workers";
import type { ErrorCode } from "../../shared/errors";
import type { EnrichmentStop, ProgressData, SyncStats } from "../../shared/events";
import { analyseRepositories, type AnalyseResult } from "../enrich/analyse";
import { embedRepositories, type EmbedResult } from "../enrich/embed";
import { refreshOpenrank, type OpenrankResult } from "../enrich/openrank";
import type { Bindings } from "../env";
import { createServices } from "../services";

// The enrichment phases of a sync (docs/architecture.md §4 steps 5–7): analyse, openrank, embed,
// each a loop of bounded steps until nothing is pending. A step's result is small (counters,
// a few ids); what it did is in D1, so a replayed step finds its work done. A provider's 429
// becomes a durable `step.sleepUntil`; a provider that is down, or a step that keeps failing,
// ends that phase and leaves the rest for the next sync — the star sync never fails because
// of enrichment.

export type Enrichment = NonNullable<SyncStats["enrichment"]>;
type Publish = (progress: ProgressData) => Promise<void>;
type Context = { env: Bindings; step: WorkflowStep; userId: number; publish: Publish; retry: WorkflowStepConfig };

/** Repositories analysed per step (with concurrency 5 and ~1 s a call, well under a minute). */
const ANALYSE_PER_STEP = 100;
const OPENRANK_PER_STEP = 250;
/** Durable waits for a provider's rate limit per phase and run; then the rest waits for the next sync. */
const MAX_WAITS = 30;
/** Steps per phase and run: a bound far above 50,000 stars' worth, so a bug cannot loop forever. */
const MAX_STEPS = 1000;
/** Progress from inside a step at most this often (each is a call to the Durable Object). */
const PROGRESS_EVERY_MS = 250;

export const zeroEnrichment = (): Enrichment => ({
  analysed: 0,
  reused: 0,
  failed: 0,
  pending: 0,
  chatCalls: 0,
  inputTokens: 0,
  outputTokens: 0,
  openrank: 0,
  opendiggerRequests: 0,
  embedded: 0,
  embeddingRequests: 0,
});

function throttled(publish: Publish): Publish {
  let last = 0;
  return async (progress) => {
    const now = Date.now();
    if (now - last < PROGRESS_EVERY_MS) return;
    last = now;
    // Best effort, from inside a step.
    await publish(progress).catch(() => undefined);
  };
}

/** What every enrichment step answers about the phase: what is left, and why it stops early. */
type StepOutcome = {
  pending: number;
  unavailable?: string | null;
  stopCode?: ErrorCode | null;
  waitUntil?: number | null;
};

/**
 * Keeps why a phase stopped before its work was done (docs/architecture.md §4, "Why work waits"):
 * one entry a phase, the latest reason winning, in the run's `stats.enrichment.stops`.
 */
function recordStop(totals: Enrichment, stop: EnrichmentStop): void {
  totals.stops = [...(totals.stops ?? []).filter((s) => s.phase !== stop.phase), stop];
}

/**
 * One phase: its bounded steps until nothing is pending. A step that keeps failing or a provider
 * that is down ends the phase (the rest waits for the next sync); a provider's rate limit is a
 * durable sleep, at most MAX_WAITS a phase. Step and sleep names are the Workflow's memory of
 * what ran: they stay as they are, or a run in flight would redo its work after an update.
 */
async function runPhase<R extends StepOutcome>(
  ctx: Context,
  totals: Enrichment,
  phase: {
    /** Step names `<step> 0`, `<step> 1`, …; the phase's name in logs. */
    step: string;
    what: string;
    /** The phase in `stats.enrichment.stops`, and the code of a stop its step did not name. */
    stop: { phase: EnrichmentStop["phase"]; code: ErrorCode; waitFor?: "ai" | "embedding" };
    /** Left and failed, for the stop's counts (read after `done`). */
    left(): { pending: number; failed: number };
    /** The phase's progress while it sleeps until `until` (a provider's rate limit). */
    waiting?(until: number): ProgressData;
    /** Sleep names `wait for <provider> 1`, …. */
    provider?: string;
    work(live: Publish): Promise<R>;
    /** After each step, replayed or not: totals and progress. */
    done(result: R): Promise<void>;
  },
): Promise<void> {
  let waits = 0;
  for (let i = 0; i < MAX_STEPS; i++) {
    const live = throttled(ctx.publish);
    let result: R;
    try {
      // Each phase's result is plain JSON (counters and ids); the Workflow's Serializable<R> type cannot see that
      // through a generic.
      result = (await ctx.step.do(`${phase.step} ${i}`, ctx.retry, () => phase.work(live) as Promise<never>)) as R;
    } catch (error) {
      console.error(`${phase.what} of user ${ctx.userId} stopped after step ${i}:`, error);
      recordStop(totals, {
        phase: phase.stop.phase,
        code: "enrichment_failed",
        message: error instanceof Error ? error.message : String(error),
        ...phase.left(),
      });
      break;
    }
    await phase.done(result);
    if (result.unavailable) {
      console.warn(`${phase.what} of user ${ctx.userId} waits for the next sync: ${result.unavailable}`);
      recordStop(totals, {
        phase: phase.stop.phase,
        code: result.stopCode ?? phase.stop.code,
        message: result.unavailable,
        ...phase.left(),
      });
      break;
    }
    if (result.waitUntil && phase.provider) {
      if (++waits > MAX_WAITS) {
        recordStop(totals, {
          phase: phase.stop.phase,
          code: "ai_rate_limited",
          message: `${phase.provider} kept asking to wait (${MAX_WAITS} waits this run)`,
          until: result.waitUntil,
          ...phase.left(),
        });
        break;
      }
      // Said before the sleep: a wait of minutes reads as "waiting until 01:42", not as a stall. Outside a
      // step, so repeated on a replay: the same event, dropped by the user's object as a repeat.
      if (phase.waiting) await ctx.publish(phase.waiting(result.waitUntil)).catch(() => undefined);
      await ctx.step.sleepUntil(`wait for ${phase.provider} ${waits}`, new Date(result.waitUntil));
      continue;
    }
    if (result.pending === 0) break;
  }
}

/** AI analysis: steps of up to 100 repositories, 429s slept out durably. */
export async function analysePhase(ctx: Context, totals: Enrichment): Promise<void> {
  const { env, userId } = ctx;
  const failedIds: number[] = [];
  let total: number | null = null;
  let completed = 0;
  await ctx.publish({ phase: "analyzing", current: "", completed: 0, total: 0 });
  await runPhase<AnalyseResult>(ctx, totals, {
    step: "analyse",
    what: "analysis",
    provider: "the AI provider",
    stop: { phase: "analyse", code: "ai_unreachable" },
    left: () => ({ pending: totals.pending, failed: totals.failed }),
    waiting: (until) => ({
      phase: "analyzing",
      current: "",
      completed,
      total: total ?? completed,
      wait: { for: "ai", until },
    }),
    work: (live) => {
      const base = completed;
      return analyseRepositories(
        createServices(env),
        { userId, budget: ANALYSE_PER_STEP, skip: [...failedIds] },
        (p) => {
          void live({
            phase: "analyzing",
            current: p.current,
            completed: base + p.done,
            total: total ?? p.pendingAtStart,
          });
        },
      );
    },
    async done(result) {
      total ??= result.pendingAtStart;
      totals.analysed += result.analysed;
      totals.reused += result.reused;
      totals.failed += result.failed;
      totals.chatCalls += result.calls;
      totals.inputTokens += result.inputTokens;
      totals.outputTokens += result.outputTokens;
      totals.pending = result.pending;
      failedIds.push(...result.failedIds);
      completed += result.analysed + result.reused + result.failed;
      if (!result.unavailable && !result.waitUntil && result.pending > 0)
        await ctx.publish({ phase: "analyzing", current: "", completed, total });
    },
  });
  // The seed's `saving` follows `analyzing`. Results are written as they arrive (a step that
  // dies keeps what it did), so this says how many were saved in all.
  const saved = totals.analysed + totals.reused;
  if (saved > 0) await ctx.publish({ phase: "saving", savedCount: saved, saveTotal: total ?? saved });
}

/** OpenRank: steps of up to 250 repositories not fetched since OpenDigger's last export. */
export async function openrankPhase(ctx: Context, totals: Enrichment): Promise<void> {
  const { env, userId } = ctx;
  let afterId = 0;
  let completed = 0;
  let total: number | null = null;
  let openrankPending = 0;
  let openrankFailed = 0;
  await ctx.publish({ phase: "openrank" });
  await runPhase<OpenrankResult>(ctx, totals, {
    step: "openrank",
    what: "OpenRank",
    stop: { phase: "openrank", code: "opendigger_unavailable" },
    left: () => ({ pending: openrankPending, failed: openrankFailed }),
    work: (live) => {
      const base = completed;
      return refreshOpenrank(createServices(env), { userId, budget: OPENRANK_PER_STEP, afterId }, (done, due) => {
        void live({ phase: "openrank", completed: base + done, total: total ?? due });
      });
    },
    async done(result) {
      total ??= result.pendingAtStart;
      totals.openrank += result.fetched;
      totals.opendiggerRequests += result.requests;
      completed += result.fetched + result.failed;
      openrankPending = result.pending;
      openrankFailed += result.failed;
      afterId = result.lastId;
      if (total > 0) await ctx.publish({ phase: "openrank", completed, total });
    },
  });
}

/** Embeddings (worker/enrich/embed.ts): steps until nothing is pending, 429s slept out durably. */
export async function embedPhase(ctx: Context, totals: Enrichment): Promise<void> {
  const { env, userId } = ctx;
  let completed = 0;
  let embedPending = 0;
  await ctx.publish({ phase: "embedding", current: "", completed: 0, total: 0 });
  await runPhase<EmbedResult>(ctx, totals, {
    step: "embed",
    what: "embeddings",
    provider: "the embedding provider",
    stop: { phase: "embed", code: "ai_unreachable" },
    left: () => ({ pending: embedPending, failed: 0 }),
    waiting: (until) => ({
      phase: "embedding",
      current: "",
      completed,
      total: completed + embedPending,
      wait: { for: "embedding", until },
    }),
    work: (live) => {
      const base = completed;
      return embedRepositories(createServices(env), { userId }, (current, done, total) => {
        void live({ phase: "embedding", current, completed: base + done, total: base + total });
      });
    },
    async done(result) {
      totals.embedded += result.embedded + result.reused;
      totals.embeddingRequests += result.requests;
      completed += result.embedded + result.reused + result.unchanged;
      embedPending = result.pending;
    },
  });
}
