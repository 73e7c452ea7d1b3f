import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep, type WorkflowStepConfig } from "cloudflare:workers";
import type { DoneData, ErrorData, ProgressData, SyncEvent } from "../../shared/events";
import { userSync, type SyncParams } from "../lib/sync-run";
import { createServices, type Services } from "../services";
import type { Bindings } from "../env";
import { GithubUsage, usageToStats } from "../github/client";
import type { PacingState } from "../github/pacer";
import { beginRun } from "./begin";
import { analysePhase, embedPhase, openrankPhase, zeroEnrichment } from "./enrich";
import { failRun, finishRun } from "./finish";
import { listStep, savePacing, type ListStepResult } from "./list-step";
import { addCounts, zeroCounts } from "./step-outcome";
import { readmeStep, type ReadmeStepResult } from "./readme-step";
import { catchUpHealth } from "./health-step";
import { listsStep } from "./lists-step";
import { fetchSavedReadmes } from "./saved-readmes";
import { markUnstarred } from "./unstar";

/** GitHub 5xx, timeouts and D1 hiccups: the step runs again with exponential backoff. */
const RETRY: WorkflowStepConfig = {
  retries: { limit: 5, delay: "10 seconds", backoff: "exponential" },
  timeout: "10 minutes",
};
/** Enrichment steps retry less: a phase that keeps failing is left for the next sync, never the run's end. */
const ENRICH_RETRY: WorkflowStepConfig = {
  retries: { limit: 2, delay: "5 seconds", backoff: "exponential" },
  timeout: "10 minutes",
};
/** Rate-limit waits per run before giving up (each can be up to an hour). */
const MAX_WAITS = 6;
/**
 * Listing passes per run: a second when the first drifted; a third would likely drift again (the user is busy
 * starring).
 */
const MAX_PASSES = 2;
/** README steps per run: far above 50,000 stars' worth (READMES_PER_STEP each), so a bug cannot loop forever. */
const MAX_README_STEPS = 200;

/**
 * Whether an offset listing moved while it was read: a star listed twice (one added before its
 * page), or a count at its start or end that differs from the stars seen (one removed, or added
 * and not shown). Any star added or removed before a later page was read shows one of these.
 */
export function listingMoved(
  seen: number[],
  countAtStart: number | null,
  countAtEnd: number | null | undefined,
): boolean {
  const distinct = new Set(seen).size;
  if (distinct !== seen.length) return true;
  if (countAtStart !== null && countAtStart !== distinct) return true;
  // null: the last page was past the end (the list shrank); undefined: the source does not say (cursors do not drift).
  return countAtEnd === null || (countAtEnd !== undefined && countAtEnd !== distinct);
}

/**
 * One sync run (docs/architecture.md §4). Reads top to bottom as its steps: begin → list (pages of
 * stars, each written into D1 as it lands: findable by name) → unstar → READMEs (queued by the
 * pages, most recently starred first) → saved READMEs → analyse → openrank → embed → finish.
 * Progress is published to the user's Durable Object from outside the steps: on a replay an event
 * may be sent again, which is harmless (the object drops a repeat of its latest event and ignores
 * runs that no longer hold the lock).
 */
export class SyncWorkflow extends WorkflowEntrypoint<Bindings, SyncParams> {
  /** D1, secrets and GitHub clients, built inside each step (a step may run in another isolate than the last). */
  private services(): Services {
    return createServices(this.env);
  }

  override async run(event: WorkflowEvent<SyncParams>, step: WorkflowStep): Promise<DoneData | ErrorData> {
    const runId = event.instanceId;
    const params = event.payload;
    const publish = (e: SyncEvent) => userSync(this.env, params.userId).publish(runId, e);
    const fail = async (error: ErrorData) => {
      const failed = await step.do("fail", RETRY, () => failRun(this.services(), runId, params.userId, error));
      await publish({ event: "error", data: failed });
      return failed;
    };

    try {
      const begin = await step.do("begin", RETRY, () => beginRun(this.services(), runId, params));
      if (begin.status === "fatal") return await fail({ code: begin.code, message: begin.message });
      await publish({ event: "progress", data: { phase: "fetching" } });

      // list: page after page until GitHub says there is no next one. What the pacer learns
      // (sizes, budget used in the last minute) goes from each step to the next. The list is read
      // by offset, so stars added or removed while it is read shift later pages: a listing that
      // shows it (a star twice, or a count that moved) is read once more, and a star missing from
      // every pass is confirmed one by one before it is taken for unstarred (worker/sync/unstar.ts).
      const usage = new GithubUsage();
      let counts = zeroCounts();
      /** Every star seen by any pass (a star seen once was starred then). */
      const seen = new Set<number>();
      let passSeen: number[] = [];
      let countAtStart: number | null = null;
      let cursor: string | null = null;
      let chunk = 0;
      let waits = 0;
      let pass = 0;
      let drifted = false;
      let partial = false;
      let pacing: PacingState | null = null;
      /**
       * What a GitHub step's answer means for the run: its usage and counts are kept; a rate limit
       * is slept out (primary: until GitHub's reset; secondary: its retry-after; the seed gave up)
       * and the step asked again ("again"), at most MAX_WAITS a run; a fatal answer ends the run.
       */
      const settle = async <R extends ListStepResult | ReadmeStepResult>(
        result: R,
        sleepName: string,
        /** Where the run is, said with the wait before it sleeps (a 45 s wait reads as one, not as a stall). */
        where: () => Extract<ProgressData, { phase: "fetching" }>,
      ): Promise<Extract<R, { status: "ok" }> | "again" | ErrorData> => {
        usage.add(result.usage);
        counts = addCounts(counts, result.counts);
        pacing = result.pacing ?? pacing;
        if (result.status === "fatal") return await fail({ code: result.code, message: result.message });
        if (result.status === "wait") {
          if (++waits > MAX_WAITS) return await fail({ code: "github_rate_limited", message: result.reason });
          // Outside a step, so said again on a replay: the same event, which the user's object drops as a repeat.
          const wait = { for: "github" as const, until: result.until, reason: result.reason };
          await publish({ event: "progress", data: { ...where(), wait } }).catch(() => undefined);
          await step.sleepUntil(`${sleepName} ${waits}`, new Date(result.until));
          return "again";
        }
        return result as Extract<R, { status: "ok" }>;
      };
      for (;;) {
        const input: Parameters<typeof listStep>[1] = {
          userId: params.userId,
          runId,
          pass,
          cursor,
          pacing,
          listedBefore: passSeen.length,
        };
        const answer: ListStepResult = await step.do(`list ${chunk}.${waits}`, RETRY, () =>
          listStep(this.services(), input, (listed: number, total: number | null): void => {
            // Best effort, from inside the step: "1,200 of 5,000" as pages land.
            publish({
              event: "progress",
              data: { phase: "fetching", listed, ...(total !== null ? { total } : {}) },
            }).catch(() => undefined);
          }),
        );
        const result = await settle(answer, "wait for GitHub", () => ({
          phase: "fetching",
          listed: passSeen.length,
          ...(countAtStart !== null ? { total: countAtStart } : {}),
        }));
        if (result === "again") continue;
        if (!("status" in result)) return result;
        if (cursor === null) countAtStart = result.totalCount;
        passSeen.push(...result.seen);
        partial ||= result.partial;
        cursor = result.next;
        chunk++;
        if (cursor) continue;
        for (const id of passSeen) seen.add(id);
        const moved = listingMoved(passSeen, countAtStart, result.countAtEnd);
        drifted ||= moved;
        if (moved && ++pass < MAX_PASSES) {
          passSeen = [];
          continue;
        }
        break;
      }
      const listed = [...seen];
      const consistent = !drifted && !partial;
      const unstarred = await step.do("unstar", RETRY, () =>
        markUnstarred(this.services(), { userId: params.userId, seen: listed, consistent, pacing }),
      );
      usage.add(unstarred.usage);

      // READMEs: every listed row is in D1 and findable by now; the lookups its pages queued
      // follow, most recently starred first, a bounded step at a time.
      let readmesDone = 0;
      let readmesLeft: number | null = null;
      waits = 0;
      for (let i = 0; i < MAX_README_STEPS; ) {
        const answer: ReadmeStepResult = await step.do(`readmes ${i}.${waits}`, RETRY, () =>
          readmeStep(this.services(), { userId: params.userId, runId, pacing }, (done, left) => {
            publish({
              event: "progress",
              data: {
                phase: "fetching",
                listed: seen.size,
                total: seen.size,
                readmes: readmesDone + done,
                readmesLeft: left,
              },
            }).catch(() => undefined);
          }),
        );
        const result = await settle(answer, "wait for GitHub (READMEs)", () => ({
          phase: "fetching",
          listed: seen.size,
          total: seen.size,
          readmes: readmesDone,
          ...(readmesLeft !== null ? { readmesLeft } : {}),
        }));
        if (result === "again") continue;
        if (!("status" in result)) return result;
        readmesDone += result.counts.readmesChecked;
        readmesLeft = result.left;
        i++;
        // Nothing left, or nothing taken (a bug must not loop): the rest waits for the next sync.
        if (result.left === 0 || result.counts.readmesChecked === 0) break;
      }
      // Health the listing could not see move (a release that pushed nothing): once a day, bounded.
      const pacingBefore = pacing;
      const health = await step.do("health", RETRY, () =>
        catchUpHealth(this.services(), { userId: params.userId, pacing: pacingBefore }),
      );
      usage.add(health.usage);
      pacing = health.pacing ?? pacing;
      // GitHub Lists: the index and the Lists that changed; linked ones merged both ways. Never fails the run.
      const pacingForLists = pacing;
      const lists = await step.do("lists", RETRY, () =>
        listsStep(this.services(), { userId: params.userId, pacing: pacingForLists }),
      );
      usage.add(lists.usage);
      pacing = lists.pacing ?? pacing;
      if (pacing) {
        const learned = pacing;
        await step.do("remember pacing", RETRY, () => savePacing(this.services().db, params.userId, learned));
      }
      // The GitHub part ends with this step; its time is part of the step's result, so a replay publishes the same
      // event.
      const saved = await step.do("saved readmes", RETRY, async () => ({
        ...(await fetchSavedReadmes(this.services(), { userId: params.userId })),
        at: Date.now(),
      }));
      usage.add(saved.usage);
      counts = addCounts(counts, saved.counts);
      await publish({
        event: "progress",
        data: { phase: "fetched", total: seen.size, needsReadme: counts.readmesChecked, at: saved.at },
      });

      // analyse → openrank → embed: loops of bounded steps; none of them can fail the run.
      const enrichment = zeroEnrichment();
      const enrich = {
        env: this.env,
        step,
        userId: params.userId,
        retry: ENRICH_RETRY,
        publish: (data: ProgressData) => publish({ event: "progress", data }),
      };
      await analysePhase(enrich, enrichment);
      await openrankPhase(enrich, enrichment);
      await embedPhase(enrich, enrichment);

      const done = await step.do("finish", RETRY, () =>
        finishRun(this.services(), runId, params.userId, {
          total: seen.size,
          unstarred_count: unstarred.unstarred,
          stats: {
            ...usageToStats(usage.toJSON(), counts.rowsWritten + unstarred.rowsWritten, counts.failures),
            triggerRows: counts.triggerRows,
            listing: {
              passes: Math.min(pass + 1, MAX_PASSES),
              drifted,
              partial,
              stillStarred: unstarred.stillStarred,
              refused: unstarred.refused,
              deferred: unstarred.deferred,
              gone: unstarred.gone,
            },
            enrichment,
          },
        }),
      );
      // Its own retried step: a notification that fails never turns a finished run into a failed one.
      await step
        .do("notify done", RETRY, async () => {
          await publish({ event: "done", data: done });
        })
        .catch((error: unknown) => console.error(`run ${runId}: the done event could not be published`, error));
      return done;
    } catch (error) {
      // A step that failed all its retries (GitHub or D1 down for long): end the run
      // cleanly with what was saved so far; the next sync continues from there.
      const message = error instanceof Error ? error.message : String(error);
      return await fail({ code: "sync_failed", message: `The sync could not finish: ${message}` });
    }
  }
}
