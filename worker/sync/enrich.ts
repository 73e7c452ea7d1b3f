import type { WorkflowStep, WorkflowStepConfig } from "cloudflare:workers";
import type { ProgressData, SyncStats } from "../../shared/events";
import { analyseRepositories, type AnalyseResult } from "../enrich/analyse";
import { embedRepositories, type EmbedResult } from "../enrich/embed";
import { refreshOpenrank, type OpenrankResult } from "../enrich/openrank";
import type { Bindings } from "../env";

// The enrichment phases of a sync (docs/architecture.md §5 steps 5–7): analyse, openrank, embed,
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

/** AI analysis: steps of up to 100 repositories, 429s slept out durably. */
export async function analysePhase(ctx: Context, totals: Enrichment): Promise<void> {
  const { env, step, userId } = ctx;
  const failedIds: number[] = [];
  let total: number | null = null;
  let completed = 0;
  let waits = 0;
  await ctx.publish({ phase: "analyzing", current: "", completed: 0, total: 0 });
  for (let i = 0; i < MAX_STEPS; i++) {
    const skip = [...failedIds];
    const live = throttled(ctx.publish);
    const base = completed;
    let result: AnalyseResult;
    try {
      result = await step.do(`analyse ${i}`, ctx.retry, () =>
        analyseRepositories(env, { userId, budget: ANALYSE_PER_STEP, skip }, (p) => {
          void live({ phase: "analyzing", current: p.current, completed: base + p.done, total: total ?? p.pendingAtStart });
        }),
      );
    } catch (error) {
      console.error(`analysis of user ${userId} stopped after step ${i}:`, error);
      break;
    }
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
    if (result.unavailable) {
      console.warn(`analysis of user ${userId} waits for the next sync: ${result.unavailable}`);
      break;
    }
    if (result.waitUntil) {
      if (++waits > MAX_WAITS) break;
      await step.sleepUntil(`wait for the AI provider ${waits}`, new Date(result.waitUntil));
      continue;
    }
    if (result.pending === 0) break;
    await ctx.publish({ phase: "analyzing", current: "", completed, total });
  }
  // The seed's `saving` follows `analyzing`. Results are written as they arrive (a step that
  // dies keeps what it did), so this says how many were saved in all.
  const saved = totals.analysed + totals.reused;
  if (saved > 0) await ctx.publish({ phase: "saving", savedCount: saved, saveTotal: total ?? saved });
}

/** OpenRank: steps of up to 250 repositories not fetched since OpenDigger's last export. */
export async function openrankPhase(ctx: Context, totals: Enrichment): Promise<void> {
  const { env, step, userId } = ctx;
  let afterId = 0;
  let completed = 0;
  let total: number | null = null;
  await ctx.publish({ phase: "openrank" });
  for (let i = 0; i < MAX_STEPS; i++) {
    const live = throttled(ctx.publish);
    const base = completed;
    const from = afterId;
    let result: OpenrankResult;
    try {
      result = await step.do(`openrank ${i}`, ctx.retry, () =>
        refreshOpenrank(env, { userId, budget: OPENRANK_PER_STEP, afterId: from }, (done, due) => {
          void live({ phase: "openrank", completed: base + done, total: total ?? due });
        }),
      );
    } catch (error) {
      console.error(`OpenRank of user ${userId} stopped after step ${i}:`, error);
      break;
    }
    total ??= result.pendingAtStart;
    totals.openrank += result.fetched;
    totals.opendiggerRequests += result.requests;
    completed += result.fetched + result.failed;
    afterId = result.lastId;
    if (total > 0) await ctx.publish({ phase: "openrank", completed, total });
    if (result.unavailable) {
      console.warn(`OpenRank of user ${userId} waits for the next sync: ${result.unavailable}`);
      break;
    }
    if (result.pending === 0) break;
  }
}

/** Embeddings (worker/enrich/embed.ts): steps until nothing is pending, 429s slept out durably. */
export async function embedPhase(ctx: Context, totals: Enrichment): Promise<void> {
  const { env, step, userId } = ctx;
  let completed = 0;
  let waits = 0;
  await ctx.publish({ phase: "embedding", current: "", completed: 0, total: 0 });
  for (let i = 0; i < MAX_STEPS; i++) {
    const live = throttled(ctx.publish);
    const base = completed;
    let result: EmbedResult;
    try {
      result = await step.do(`embed ${i}`, ctx.retry, () =>
        embedRepositories(env, { userId }, (current, done, total) => {
          void live({ phase: "embedding", current, completed: base + done, total: base + total });
        }),
      );
    } catch (error) {
      console.error(`embeddings of user ${userId} stopped after step ${i}:`, error);
      break;
    }
    totals.embedded += result.embedded + result.reused;
    totals.embeddingRequests += result.requests;
    completed += result.embedded + result.reused + result.unchanged;
    if (result.waitUntil) {
      if (++waits > MAX_WAITS) break;
      await step.sleepUntil(`wait for the embedding provider ${waits}`, new Date(result.waitUntil));
      continue;
    }
    if (result.pending === 0) break;
  }
}
