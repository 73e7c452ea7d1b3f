// Over 300 lines on purpose: the analyse step's selection, reuse of shared analyses, model calls, breaker and writes.
import { APICallError, generateText, NoObjectGeneratedError, Output, type LanguageModel } from "ai";
import { and, desc, eq, inArray, notInArray, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { analyses, repositories, stars } from "../db/schema";
import { mapPool, sleep } from "../lib/concurrency";
import { analysisPrompt, attemptKeyOf, inputShaOf, preparedReadme, type AnalysisSource } from "./analysis-input";
import { checkOutput, modelOutputSchema, PLATFORMS, type AnalysisOutput } from "./analysis-output";
import type { ErrorCode } from "../../shared/errors";
import { chatModel, loadChatProvider, urlPolicy } from "../providers/chat";
import { stopReason } from "../providers/stop-reason";
import { heuristicAnalysis } from "./heuristic";
import type { Services } from "../services";

// The analyse phase of a sync (docs/architecture.md §4 "analyse"), one bounded call per
// Workflow step. Which of the user's repositories need an analysis follows from small columns
// (README blob sha, metadata) and the analysis the user points at; the analysis itself is a
// shared row per (input, model, language), so a second user — or a fork with the same README —
// is pointed at the existing row and no model is called. Safe to repeat: every result is
// written as it arrives, and a repeated call finds it done.

/** Failed attempts (each one call and one retry) for one input before it waits for a new README, model or language. */
export const MAX_ANALYSIS_ATTEMPTS = 3;
/**
 * Wait after the first failed attempt of an input; each further failure waits 4× longer
 * (6 h, then 24 h before the last of the 3). A model that answers one README badly (wrong
 * language, broken JSON) does so again at the next hourly sync: retrying it every hour costs
 * two calls a sync and changes nothing, while a retry a day later may meet a fixed provider.
 */
export const ANALYSIS_RETRY_BASE_MS = 6 * 60 * 60_000;

/** When an input that has failed `attempts` times may be tried again. */
export function analysisRetryAt(attempts: number, now: number): Date {
  return new Date(now + ANALYSIS_RETRY_BASE_MS * 4 ** Math.max(0, attempts - 1));
}
/**
 * A 429 whose retry-after is this short is waited out inside the step; a longer one becomes a durable sleep of the
 * Workflow.
 */
const IN_STEP_WAIT_MS = 10_000;
/** A step stops starting analyses after this long (Workflow steps should stay short; the next one continues). */
const STEP_DEADLINE_MS = 3 * 60_000;
const CALL_TIMEOUT_MS = 60_000;
const MAX_OUTPUT_TOKENS = 600;
/**
 * Analyses that fail in a row (each a call and its stricter retry) before the provider is taken
 * for broken in this run (answers that never fit the schema, every request refused): the rest
 * waits for the next sync instead of costing two calls each. A provider that is down stops the
 * phase at its first failure already (`unavailable`).
 */
export const ANALYSIS_BREAKER = 10;
/** D1 allows 100 bound parameters per statement. */
const IN_CHUNK = 90;

export type AnalyseParams = {
  userId: number;
  /** At most this many repositories per call. */
  budget: number;
  /** Repositories whose analysis failed earlier in this run: they wait for the next sync. */
  skip?: readonly number[];
};

export type AnalyseProgress = { current: string; done: number; pendingAtStart: number };

export type AnalyseResult = {
  /** Stars that got an analysis a model (or the heuristic) wrote in this call. */
  analysed: number;
  /** Stars pointed at an analysis that already existed (another user's, a fork's, or made earlier). */
  reused: number;
  /** Stars whose analysis failed after its retry (their attempts were counted). */
  failed: number;
  failedIds: number[];
  /** Still needing an analysis after this call (failures of this run excluded). */
  pending: number;
  pendingAtStart: number;
  /** Model requests made, retries included, and the tokens they reported. */
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** The provider asked us to wait (429) longer than a step should: sleep until then (ms), then call again. */
  waitUntil?: number;
  /** The provider cannot be used now (down, misconfigured, refused): the rest waits for the next sync. */
  unavailable?: string;
  /** With `unavailable`: why, as a code the clients explain (worker/providers/stop-reason.ts). */
  stopCode?: ErrorCode;
};

type Candidate = AnalysisSource & {
  repositoryId: number;
  fullName: string;
  inputSha: string;
  key: string;
  /** Failed attempts of exactly this input (key) so far. */
  attempts: number;
};

type Outcome =
  | { kind: "ok"; output: AnalysisOutput; inputTokens: number | null; outputTokens: number | null }
  | { kind: "invalid"; reason: string }
  | { kind: "wait"; until: number }
  | { kind: "unavailable"; reason: string; code: ErrorCode }
  | { kind: "skipped" };

export async function analyseRepositories(
  services: Services,
  params: AnalyseParams,
  onProgress?: (progress: AnalyseProgress) => void,
): Promise<AnalyseResult> {
  const started = Date.now();
  const { db, config } = services;
  const provider = await loadChatProvider(services, params.userId);
  const language = provider.language;
  const result: AnalyseResult = {
    analysed: 0,
    reused: 0,
    failed: 0,
    failedIds: [],
    pending: 0,
    pendingAtStart: 0,
    calls: 0,
    inputTokens: 0,
    outputTokens: 0,
  };

  const pending = await pendingAnalyses(db, params.userId, provider.modelId, language, params.skip ?? []);
  result.pendingAtStart = pending.length;
  result.pending = pending.length;
  if (pending.length === 0) return result;

  let model: LanguageModel | null;
  try {
    model = chatModel(services.ai, provider, urlPolicy(config));
  } catch (error) {
    const why = stopReason(error);
    return { ...result, unavailable: why.message, stopCode: why.code };
  }

  const batch = pending.slice(0, params.budget);
  let done = 0;
  const progress = (current: string) => onProgress?.({ current, done, pendingAtStart: pending.length });

  // 1. Analyses that already exist for these inputs: point at them, no model call.
  const existing = await existingAnalyses(
    db,
    batch.map((c) => c.inputSha),
    provider.modelId,
    language,
  );
  const hits = batch.filter((c) => existing.has(c.inputSha));
  await pointAt(
    db,
    params.userId,
    hits.map((c) => ({ repositoryId: c.repositoryId, analysisId: existing.get(c.inputSha)!, key: c.key })),
  );
  result.reused += hits.length;
  done += hits.length;
  if (hits.length) progress(hits.at(-1)!.fullName);

  // 2. The rest, one model call per distinct input (forks sharing a README in one batch: one call).
  const groups = new Map<string, Candidate[]>();
  for (const candidate of batch) {
    if (existing.has(candidate.inputSha)) continue;
    groups.set(candidate.inputSha, [...(groups.get(candidate.inputSha) ?? []), candidate]);
  }
  const readmes = await readmesOf(
    db,
    [...groups.values()].map((group) => group[0]!.repositoryId),
  );
  const gate = new CallGate();
  // Set by the first call that meets a long wait or a provider that is down: the others start nothing new.
  const halt: { outcome: Extract<Outcome, { kind: "wait" | "unavailable" }> | null } = { outcome: null };
  let failedInARow = 0;

  await mapPool([...groups.values()], model ? config.chat.concurrency : 1, async (group) => {
    const first = group[0]!;
    if (halt.outcome || Date.now() - started > STEP_DEADLINE_MS) return;
    const readme = readmes.get(first.repositoryId) ?? null;
    const outcome: Outcome = model
      ? await analyseWithModel(model, first, readme, language, gate, result, () => halt.outcome !== null)
      : {
          kind: "ok",
          output: heuristicAnalysis(first, preparedReadme(readme, false), language),
          inputTokens: null,
          outputTokens: null,
        };

    if (outcome.kind === "wait" || outcome.kind === "unavailable") {
      halt.outcome ??= outcome;
      return;
    }
    if (outcome.kind === "skipped") return;
    if (outcome.kind === "invalid") {
      await recordFailure(db, params.userId, group);
      result.failed += group.length;
      result.failedIds.push(...group.map((c) => c.repositoryId));
      console.warn(`analysis of ${first.fullName} failed twice: ${outcome.reason}`);
      if (++failedInARow >= ANALYSIS_BREAKER)
        halt.outcome ??= {
          kind: "unavailable",
          code: "ai_failing",
          reason: `${failedInARow} analyses failed in a row (last: ${outcome.reason})`,
        };
    } else {
      failedInARow = 0;
      const analysisId = await storeAnalysis(db, first.inputSha, provider.modelId, language, outcome);
      await pointAt(
        db,
        params.userId,
        group.map((c) => ({ repositoryId: c.repositoryId, analysisId, key: c.key })),
      );
      result.analysed += 1;
      result.reused += group.length - 1;
    }
    done += group.length;
    progress(first.fullName);
  });

  result.pending = pending.length - result.analysed - result.reused - result.failed;
  const stop = halt.outcome;
  if (stop?.kind === "wait") result.waitUntil = stop.until;
  if (stop?.kind === "unavailable") {
    result.unavailable = stop.reason;
    result.stopCode = stop.code;
  }
  return result;
}

/**
 * What the next sync would write if the user's language were `language` (`GET /api/settings/language-cost`):
 * analyses are rows per (input, model, language), so a language used before finds most of its rows again.
 * `toWrite` counts distinct inputs (one summary each, forks share); `reused` the repositories pointed at a row.
 */
export async function languageCost(
  services: Services,
  userId: number,
  language: "en" | "zh",
): Promise<{ toWrite: number; reused: number }> {
  const provider = await loadChatProvider(services, userId);
  const pending = await pendingAnalyses(services.db, userId, provider.modelId, language, []);
  const existing = await existingAnalyses(
    services.db,
    pending.map((c) => c.inputSha),
    provider.modelId,
    language,
  );
  const fresh = new Set(pending.filter((c) => !existing.has(c.inputSha)).map((c) => c.inputSha));
  return { toWrite: fresh.size, reused: pending.filter((c) => existing.has(c.inputSha)).length };
}

/** The user's repositories whose current analysis is not for their README, model and language, newest stars first. */
async function pendingAnalyses(
  db: Db,
  userId: number,
  model: string,
  language: "en" | "zh",
  skip: readonly number[],
): Promise<Candidate[]> {
  const rows = await db
    .select({
      repositoryId: repositories.id,
      fullName: repositories.fullName,
      name: repositories.name,
      description: repositories.description,
      topics: repositories.topics,
      language: repositories.language,
      readmeSha: repositories.readmeSha,
      readmeStatus: repositories.readmeStatus,
      attempts: stars.analysisAttempts,
      attemptKey: stars.analysisInputKey,
      retryAt: stars.analysisRetryAt,
      currentSha: analyses.inputSha,
      currentModel: analyses.model,
      currentLanguage: analyses.language,
    })
    .from(stars)
    .innerJoin(repositories, eq(repositories.id, stars.repositoryId))
    .leftJoin(analyses, eq(analyses.id, stars.analysisId))
    .where(
      and(
        eq(stars.userId, userId),
        sql`(${stars.isStarred} = 1 or ${stars.isSaved} = 1)`,
        // A README not looked at yet, or whose fetch failed, is analysed once the sync has it.
        inArray(repositories.readmeStatus, ["ok", "missing"]),
        ...(skip.length && skip.length <= IN_CHUNK ? [notInArray(repositories.id, [...skip])] : []),
      ),
    )
    .orderBy(desc(sql`coalesce(${stars.starredAt}, ${stars.createdAt})`), desc(repositories.id));
  const skipped = new Set(skip);
  const now = Date.now();
  const out: Candidate[] = [];
  for (const row of rows) {
    if (skipped.has(row.repositoryId)) continue;
    const source: AnalysisSource = {
      name: row.name,
      description: row.description,
      topics: Array.isArray(row.topics) ? row.topics.filter((t): t is string => typeof t === "string") : [],
      language: row.language,
      readmeSha: row.readmeStatus === "ok" ? row.readmeSha : null,
    };
    const inputSha = await inputShaOf(source);
    if (row.currentSha === inputSha && row.currentModel === model && row.currentLanguage === language) continue;
    const key = await attemptKeyOf(inputSha, model, language);
    // The backoff and the cap hold for the input that failed; a new README, model or language starts afresh.
    const attempts = row.attemptKey === key ? row.attempts : 0;
    if (attempts >= MAX_ANALYSIS_ATTEMPTS || (attempts > 0 && row.retryAt !== null && row.retryAt.getTime() > now))
      continue;
    out.push({ ...source, repositoryId: row.repositoryId, fullName: row.fullName, inputSha, key, attempts });
  }
  return out;
}

async function existingAnalyses(
  db: Db,
  shas: string[],
  model: string,
  language: "en" | "zh",
): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  const distinct = [...new Set(shas)];
  for (let i = 0; i < distinct.length; i += IN_CHUNK) {
    const rows = await db
      .select({ id: analyses.id, inputSha: analyses.inputSha })
      .from(analyses)
      .where(
        and(
          eq(analyses.model, model),
          eq(analyses.language, language),
          inArray(analyses.inputSha, distinct.slice(i, i + IN_CHUNK)),
        ),
      );
    for (const row of rows) found.set(row.inputSha, row.id);
  }
  return found;
}

async function readmesOf(db: Db, ids: number[]): Promise<Map<number, string | null>> {
  const out = new Map<number, string | null>();
  for (let i = 0; i < ids.length; i += IN_CHUNK) {
    const rows = await db
      .select({ id: repositories.id, readme: repositories.readmeContent, status: repositories.readmeStatus })
      .from(repositories)
      .where(inArray(repositories.id, ids.slice(i, i + IN_CHUNK)));
    for (const row of rows) out.set(row.id, row.status === "ok" ? row.readme : null);
  }
  return out;
}

async function pointAt(
  db: Db,
  userId: number,
  pointers: Array<{ repositoryId: number; analysisId: number; key: string }>,
): Promise<void> {
  for (let i = 0; i < pointers.length; i += 50) {
    const statements = pointers.slice(i, i + 50).map((p) =>
      db
        .update(stars)
        .set({ analysisId: p.analysisId, analysisAttempts: 0, analysisInputKey: p.key, analysisRetryAt: null })
        .where(and(eq(stars.userId, userId), eq(stars.repositoryId, p.repositoryId))),
    );
    const [first, ...rest] = statements;
    if (first) await db.batch([first, ...rest]);
  }
}

async function recordFailure(db: Db, userId: number, group: Candidate[]): Promise<void> {
  const now = Date.now();
  for (const candidate of group) {
    // Attempts count failures of exactly this input (a new one starts again at 1); the user's
    // sync lock keeps a second writer out between the read in pendingAnalyses and this write.
    const attempts = candidate.attempts + 1;
    await db
      .update(stars)
      .set({
        analysisAttempts: attempts,
        analysisRetryAt: analysisRetryAt(attempts, now),
        analysisInputKey: candidate.key,
      })
      .where(and(eq(stars.userId, userId), eq(stars.repositoryId, candidate.repositoryId)));
  }
}

async function storeAnalysis(
  db: Db,
  inputSha: string,
  model: string,
  language: "en" | "zh",
  outcome: Extract<Outcome, { kind: "ok" }>,
): Promise<number> {
  // Another user's sync may have stored the same analysis a moment ago: the unique index keeps one row.
  const [inserted] = await db
    .insert(analyses)
    .values({
      inputSha,
      model,
      language,
      summary: outcome.output.summary,
      tags: outcome.output.tags,
      platforms: outcome.output.platforms,
      inputTokens: outcome.inputTokens,
      outputTokens: outcome.outputTokens,
    })
    .onConflictDoNothing()
    .returning({ id: analyses.id });
  if (inserted) return inserted.id;
  const [row] = await db
    .select({ id: analyses.id })
    .from(analyses)
    .where(and(eq(analyses.inputSha, inputSha), eq(analyses.model, model), eq(analyses.language, language)))
    .limit(1);
  if (!row) throw new Error(`analysis ${inputSha} vanished after a conflicting insert`);
  return row.id;
}

/** Holds every caller of a step until a rate limit's reset, so one 429 does not become five. */
class CallGate {
  #until = 0;
  block(until: number) {
    this.#until = Math.max(this.#until, until);
  }
  async ready() {
    while (Date.now() < this.#until) await sleep(this.#until - Date.now());
  }
}

/** One analysis: a call, the checks, and once more (stricter) if the answer failed them. */
async function analyseWithModel(
  model: LanguageModel,
  source: Candidate,
  readme: string | null,
  language: "en" | "zh",
  gate: CallGate,
  totals: AnalyseResult,
  stopped: () => boolean,
): Promise<Outcome> {
  let reason = "";
  for (const strict of [false, true]) {
    const { system, prompt } = analysisPrompt(source, readme, language, PLATFORMS, strict);
    let transient = 0;
    for (;;) {
      if (stopped()) return { kind: "skipped" };
      await gate.ready();
      totals.calls++;
      try {
        const answer = await generateText({
          model,
          output: Output.object({ schema: modelOutputSchema(language), name: "repository_analysis" }),
          system,
          prompt,
          temperature: 0,
          maxOutputTokens: MAX_OUTPUT_TOKENS,
          // Retries are ours: a 429 is waited out (here or by the Workflow), never spent as an attempt.
          maxRetries: 0,
          abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS),
        });
        totals.inputTokens += answer.usage.inputTokens ?? 0;
        totals.outputTokens += answer.usage.outputTokens ?? 0;
        const reset = exhaustedUntil(answer.response.headers);
        if (reset) gate.block(reset);
        const checked = checkOutput(answer.output, {
          language,
          name: source.name,
          source: `${source.description ?? ""}\n${source.topics.join(" ")}\n${preparedReadme(readme, true)}`,
          instructions: system,
          topics: source.topics,
        });
        if (typeof checked !== "string") {
          return {
            kind: "ok",
            output: checked,
            inputTokens: answer.usage.inputTokens ?? null,
            outputTokens: answer.usage.outputTokens ?? null,
          };
        }
        reason = checked;
        break;
      } catch (error) {
        if (NoObjectGeneratedError.isInstance(error)) {
          totals.inputTokens += error.usage?.inputTokens ?? 0;
          totals.outputTokens += error.usage?.outputTokens ?? 0;
          reason = `the answer did not match the schema (${error.finishReason ?? "stop"})`;
          break;
        }
        if (APICallError.isInstance(error)) {
          if (error.statusCode === 429) {
            const until = Date.now() + retryAfterMs(error.responseHeaders);
            if (until - Date.now() > IN_STEP_WAIT_MS) return { kind: "wait", until };
            gate.block(until);
            continue; // the same attempt again: a refused request is not an answer
          }
          // The provider refused the request itself (too long, bad parameters): an attempt that failed.
          if (error.statusCode === 400 || error.statusCode === 422) {
            reason = `the provider refused the request (HTTP ${error.statusCode})`;
            break;
          }
          // 5xx and network errors: once more after a pause, then the provider is taken for down.
          if ((error.isRetryable || (error.statusCode ?? 0) >= 500) && transient++ < 1) {
            await sleep(1000);
            continue;
          }
          // A rejected key (401/403), an unknown model (404), a provider still down: the provider's words.
          const why = stopReason(error);
          return {
            kind: "unavailable",
            code: why.code,
            reason: `${error.statusCode ? `HTTP ${error.statusCode}: ` : ""}${why.message}`,
          };
        }
        // An SSRF refusal at call time (ApiError), a redirect (ProviderUnavailable), a timeout, a
        // misconfiguration: not the analysis's fault, so no attempt is counted.
        const why = stopReason(error);
        return { kind: "unavailable", code: why.code, reason: why.message };
      }
    }
  }
  return { kind: "invalid", reason };
}

/** When a 429 says to retry: `retry-after-ms` (OpenAI), `retry-after` in seconds or as a date; 10 s without either. */
export function retryAfterMs(headers: Record<string, string> | undefined): number {
  const ms = Number(headers?.["retry-after-ms"]);
  if (Number.isFinite(ms) && ms > 0) return ms;
  const after = headers?.["retry-after"];
  if (after) {
    const seconds = Number(after);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(after);
    if (Number.isFinite(date)) return Math.max(0, date - Date.now());
  }
  return 10_000;
}

/**
 * When the request budget is used up (`x-ratelimit-remaining-requests: 0`), when it resets: calls wait instead of
 * meeting a 429.
 */
function exhaustedUntil(headers: Record<string, string> | undefined): number | null {
  if (headers?.["x-ratelimit-remaining-requests"] !== "0") return null;
  const reset = headers["x-ratelimit-reset-requests"];
  const match = reset ? /^(?:(\d+)m)?(?:([\d.]+)s)?(?:(\d+)ms)?$/.exec(reset) : null;
  if (!match) return null;
  const ms = Number(match[1] ?? 0) * 60_000 + Number(match[2] ?? 0) * 1000 + Number(match[3] ?? 0);
  return Date.now() + Math.min(ms, IN_STEP_WAIT_MS);
}
