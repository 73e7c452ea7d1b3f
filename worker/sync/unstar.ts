import type { Bindings } from "../env";

/**
 * Stars in D1 that GitHub no longer lists become `is_starred = false` with
 * `unstarred_at`; the row and the user's notes and tags stay (DESIGN §5 step 2). Only
 * called after a complete listing. Idempotent: a second call finds nothing to change.
 */
export async function markUnstarred(env: Bindings, userId: number, seen: number[]): Promise<{ unstarred: number; rowsWritten: number }> {
  const result = await env.DB.prepare(
    `update stars set is_starred = 0, unstarred_at = ?1
     where user_id = ?2 and is_starred = 1
       and repository_id not in (
         select r.id from repositories r where r.github_id in (select value from json_each(?3))
       )`,
  )
    .bind(Date.now(), userId, JSON.stringify(seen))
    .run();
  const changes = result.meta.changes ?? 0;
  // TODO(2026-11-28): remove the unstarred repositories' vectors from the user's namespace (enrichment issue).
  return { unstarred: changes, rowsWritten: changes };
}
