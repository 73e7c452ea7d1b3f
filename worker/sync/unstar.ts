import { and, eq, notInArray } from "drizzle-orm";
import { createDb } from "../db/client";
import { repositories, stars } from "../db/schema";
import { inJsonArray } from "../db/sql";
import { removeUnlistedVectors } from "../enrich/embed";
import type { Bindings } from "../env";

/**
 * Stars in D1 that GitHub no longer lists become `is_starred = false` with
 * `unstarred_at`; the row and the user's notes and tags stay (docs/architecture.md, the
 * sync's diff). Only called after a complete listing. Idempotent: a second call finds
 * nothing to change.
 */
export async function markUnstarred(env: Bindings, userId: number, seen: number[]): Promise<{ unstarred: number; rowsWritten: number }> {
  const db = createDb(env.DB);
  const listed = db.select({ id: repositories.id }).from(repositories).where(inJsonArray(repositories.githubId, seen));
  const result = await db
    .update(stars)
    .set({ isStarred: false, unstarredAt: new Date() })
    .where(and(eq(stars.userId, userId), eq(stars.isStarred, true), notInArray(stars.repositoryId, listed)));
  const changes = result.meta.changes ?? 0;
  // Out of the library (unstarred and not saved): its vectors leave the user's namespace.
  // A sweep rather than the rows just updated, so a retried step still removes them.
  await removeUnlistedVectors(env, userId);
  return { unstarred: changes, rowsWritten: changes };
}
