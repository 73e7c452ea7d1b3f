import type { Bindings } from "../env";
import { loadRunUser } from "./context";
import type { Interruption } from "./list-step";
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
  const user = await loadRunUser(env, params.userId);
  if (!user) return { status: "fatal", code: "not_found", message: "The account no longer exists" };
  if (user.tokenStatus === "invalid") {
    return { status: "fatal", code: "github_token_invalid", message: "GitHub rejected the token: reconnect GitHub in Starwise" };
  }
  return { status: "ok", login: user.login };
}
