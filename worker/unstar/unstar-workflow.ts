import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep, type WorkflowStepConfig } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import type { DoneData, ErrorData, SyncEvent } from "../../shared/events";
import { unstarRuns } from "../db/schema";
import type { Bindings } from "../env";
import { GithubUsage, usageToStats } from "../github/client";
import { userSync, type UnstarParams } from "../lib/sync-run";
import { createServices, type Services } from "../services";
import { runViews } from "./runs";
import { unstarStep, type UnstarStepResult } from "./unstar-step";

const RETRY: WorkflowStepConfig = {
  retries: { limit: 5, delay: "10 seconds", backoff: "exponential" },
  timeout: "10 minutes",
};
/** Waits for GitHub's limits a run sleeps out before it stops (resumable). */
const MAX_WAITS = 12;
/** Steps a run takes at most: 1,000 repositories at a second each are ~5 steps; a bug must not loop. */
const MAX_STEPS = 100;

/**
 * One unstar run or its undo (docs/architecture.md §4, "Unstar in bulk"), under the user's lock like a sync and on
 * its progress stream: steps of paced star changes (./unstar-step.ts) until none is pending, durable sleeps for
 * GitHub's limits, then finish. Progress is published from outside the steps; a replay may send an event again,
 * which the user's object drops as a repeat. The run's row says where it is, so a run that stops (a refused token,
 * GitHub down past the retries) is resumed by a new instance on the same row.
 */
export class UnstarWorkflow extends WorkflowEntrypoint<Bindings, UnstarParams> {
  private services(): Services {
    return createServices(this.env);
  }

  override async run(event: WorkflowEvent<UnstarParams>, step: WorkflowStep): Promise<DoneData | ErrorData> {
    const workflowId = event.instanceId;
    const params = event.payload;
    const publish = (e: SyncEvent) => userSync(this.env, params.userId).publish(workflowId, e);
    const usage = new GithubUsage();
    const progress = (done: number, total: number, wait?: { until: number; reason: string }) =>
      publish({
        event: "progress",
        data: {
          phase: "unstarring",
          action: params.action,
          unstarRunId: params.unstarRunId,
          done,
          total,
          ...(wait ? { wait: { for: "github" as const, ...wait } } : {}),
        },
      }).catch(() => undefined);
    const stop = async (error: ErrorData): Promise<ErrorData> => {
      await step.do("stop", RETRY, () => this.#finish(params, "stopped", error));
      await publish({ event: "error", data: error }).catch(() => undefined);
      return error;
    };

    try {
      let waits = 0;
      for (let i = 0; i < MAX_STEPS; i++) {
        const answer: UnstarStepResult = await step.do(`changes ${i}.${waits}`, RETRY, () =>
          unstarStep(this.services(), params, (done, total) => void progress(done, total)),
        );
        usage.add(answer.usage);
        if (answer.status === "fatal") return await stop({ code: answer.code, message: answer.message });
        if (answer.status === "wait") {
          if (++waits > MAX_WAITS) return await stop({ code: "github_rate_limited", message: answer.reason });
          const views = await step.do(`total ${i}.${waits}`, RETRY, () =>
            runViews(this.services().db, params.userId, [params.unstarRunId]),
          );
          await progress(answer.done, views[0]?.total ?? 0, { until: answer.until, reason: answer.reason });
          await step.sleepUntil(`wait for GitHub ${waits}`, new Date(answer.until));
          i--;
          continue;
        }
        if (answer.left === 0) break;
      }
      const done = await step.do("finish", RETRY, async () => {
        const view = await this.#finish(params, "done", null);
        const counts = view?.counts ?? { done: 0, missing: 0, failed: 0, pending: 0 };
        const data: DoneData = {
          total: view?.total ?? 0,
          new_count: 0,
          updated_count: 0,
          unstarred_count: params.action === "unstar" ? counts.done + counts.missing : 0,
          runId: workflowId,
          stats: usageToStats(usage.toJSON(), counts.done + counts.missing, counts.failed),
          unstar: {
            action: params.action,
            unstarRunId: params.unstarRunId,
            done: counts.done,
            missing: counts.missing,
            failed: counts.failed,
          },
        };
        return data;
      });
      await step
        .do("notify done", RETRY, async () => {
          await publish({ event: "done", data: done });
        })
        .catch((error: unknown) => console.error(`unstar ${workflowId}: the done event could not be published`, error));
      return done;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return await stop({
        code: "github_unavailable",
        message: `GitHub did not answer; what was done is kept and the rest can be resumed: ${message}`,
      });
    }
  }

  /** Ends the run's row (only while this instance's run is running) and returns its view. Idempotent. */
  async #finish(params: UnstarParams, status: "done" | "stopped", error: ErrorData | null) {
    const { db } = this.services();
    await db
      .update(unstarRuns)
      .set({ status, finishedAt: new Date(), error })
      .where(
        and(
          eq(unstarRuns.id, params.unstarRunId),
          eq(unstarRuns.userId, params.userId),
          eq(unstarRuns.status, "running"),
        ),
      );
    return (await runViews(db, params.userId, [params.unstarRunId]))[0] ?? null;
  }
}
