import type { Bindings } from "../env";
import { loadGithubUser } from "../lib/github-token";
import { TOKEN_INVALID, type Interruption } from "./list-step";
import type { SyncParams } from "./sync-workflow";

/** Records the run and checks that it can talk to GitHub at all. Idempotent (insert or ignore). */
export async function beginRun(
  env: Bindings,
  runId: string,
  params: SyncParams,
): Promise<{ status: "ok"; login: string } | Extract<Interruption, { status: "fatal" }>> {
  await env.DB.prepare(
    `insert into sync_runs (id, user_id, trigger, status, phase, started_at)
     select ?1, ?2, ?3, 'running', 'fetching', ?4 where exists (select 1 from users where id = ?2)
     on conflict (id) do nothing`,
  )
    .bind(runId, params.userId, params.trigger, Date.now())
    .run();
  const user = await loadGithubUser(env, params.userId);
  if (!user) return { status: "fatal", code: "not_found", message: "The account no longer exists" };
  if (user.tokenStatus === "invalid" || user.token === null) {
    return TOKEN_INVALID;
  }
  return { status: "ok", login: user.login };
}
