import { syncRuns } from "../db/schema";
import { loadGithubUser } from "../lib/github-token";
import type { Services } from "../services";
import { TOKEN_INVALID, type Interruption } from "./step-outcome";
import type { SyncParams } from "../lib/sync-run";

/** Records the run and checks that it can talk to GitHub at all. Idempotent (insert or ignore). */
export async function beginRun(
  services: Services,
  runId: string,
  params: SyncParams,
): Promise<{ status: "ok"; login: string } | Extract<Interruption, { status: "fatal" }>> {
  const user = await loadGithubUser(services, params.userId);
  if (!user) return { status: "fatal", code: "not_found", message: "The account no longer exists" };
  // Keyed on the run id, so a retried step records nothing twice; status starts as the
  // column's default (`running`). An account deleted since the read above fails the
  // foreign key, and the retried step then answers not_found.
  await services.db
    .insert(syncRuns)
    .values({ id: runId, userId: user.id, trigger: params.trigger, phase: "fetching", startedAt: new Date() })
    .onConflictDoNothing({ target: syncRuns.id });
  if (user.tokenStatus === "invalid" || user.token === null) {
    return TOKEN_INVALID;
  }
  return { status: "ok", login: user.login };
}
