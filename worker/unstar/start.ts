import { and, eq, sql } from "drizzle-orm";
import { UNSTAR_MAX, type UnstarRun, type UnstarSelection } from "../../shared/unstar";
import { unstarRunItems, unstarRuns } from "../db/schema";
import type { Bindings } from "../env";
import { ApiError } from "../lib/errors";
import { userSync } from "../lib/sync-run";
import type { Services } from "../services";
import { createRun, findRun, runViews, selectTargets, undoTargets } from "./runs";
import { ensureStarWrite } from "./star-write";

// Starting, undoing and resuming an unstar run (docs/architecture.md §4, "Unstar in bulk"), for the routes and the
// MCP tool alike. Each refuses a token that may not write before anything is asked of GitHub, and each takes the
// user's lock through their Durable Object: with a sync or another run going, `run_in_progress` and nothing starts.

type Ctx = { env: Bindings; services: Services; userId: number };

async function requireWrite(ctx: Ctx): Promise<void> {
  const write = await ensureStarWrite(ctx.services, ctx.userId);
  if (write.state === "missing") {
    throw new ApiError(
      "github_star_scope_missing",
      "This GitHub token may not star or unstar: a classic token needs the public_repo or repo scope",
    );
  }
}

/** Takes the lock for the run and starts its Workflow; a new run (`fresh`) is forgotten again when the lock is held. */
async function launch(ctx: Ctx, unstarRunId: string, action: "unstar" | "restar", fresh: boolean): Promise<UnstarRun> {
  const { db } = ctx.services;
  const started = await userSync(ctx.env, ctx.userId).startUnstar({ userId: ctx.userId, unstarRunId, action });
  if (!started.started) {
    if (fresh) await db.delete(unstarRuns).where(eq(unstarRuns.id, unstarRunId));
    throw new ApiError(
      "run_in_progress",
      started.busy === "sync"
        ? "A sync is running: unstarring can start when it ends (the popup shows its progress)"
        : "Another unstar run is going: wait for it to end (the popup shows its progress)",
    );
  }
  await db
    .update(unstarRuns)
    .set({ workflowId: started.runId, status: "running", finishedAt: null, error: null })
    .where(eq(unstarRuns.id, unstarRunId));
  const [view] = await runViews(db, ctx.userId, [unstarRunId]);
  return view!;
}

export async function startUnstar(ctx: Ctx, selection: UnstarSelection): Promise<UnstarRun> {
  await requireWrite(ctx);
  const { targets } = await selectTargets(ctx.services.db, ctx.userId, selection);
  if (targets.length > UNSTAR_MAX)
    throw new ApiError("bad_request", `At most ${UNSTAR_MAX} repositories a run: narrow the selection`);
  const id = crypto.randomUUID();
  await createRun(ctx.services.db, { id, userId: ctx.userId, action: "unstar", undoes: null }, targets);
  return launch(ctx, id, "unstar", true);
}

/** Re-stars what a run unstarred. A run is undone once; an undo is itself not undone (unstar again instead). */
export async function undoUnstar(ctx: Ctx, runId: string): Promise<UnstarRun> {
  const { db } = ctx.services;
  const [view] = await runViews(db, ctx.userId, [runId]);
  if (!view) throw new ApiError("not_found", "No such unstar run");
  if (!view.undoable) {
    throw new ApiError(
      "conflict",
      view.status === "running"
        ? "The run is still going: undo it when it ends"
        : view.undoneBy
          ? "This run was undone already"
          : "Nothing of this run can be undone (it unstarred nothing on GitHub)",
    );
  }
  await requireWrite(ctx);
  const id = crypto.randomUUID();
  await createRun(db, { id, userId: ctx.userId, action: "restar", undoes: runId }, await undoTargets(db, runId));
  return launch(ctx, id, "restar", true);
}

/** Continues a run that stopped (a refused token, GitHub down past the retries, the run's Workflow gone). */
export async function resumeUnstar(ctx: Ctx, runId: string): Promise<UnstarRun> {
  const { db } = ctx.services;
  const run = await findRun(db, ctx.userId, runId);
  if (!run) throw new ApiError("not_found", "No such unstar run");
  const [pending] = await db
    .select({ n: sql<number>`count(*)` })
    .from(unstarRunItems)
    .where(and(eq(unstarRunItems.runId, runId), eq(unstarRunItems.state, "pending")));
  if (run.status === "done" || !pending?.n) throw new ApiError("conflict", "Nothing of this run is left to do");
  await requireWrite(ctx);
  return launch(ctx, runId, run.action, false);
}
