import { and, eq } from "drizzle-orm";
import type { z } from "zod";
import type { RepositoryPatch } from "../../shared/repositories";
import type { Db } from "../db/client";
import { stars } from "../db/schema";

/**
 * Writes the user's own fields of one library row (`PATCH /api/repositories/:owner/:name`,
 * the MCP tool `set_notes`). Only the fields given are SET: an unchanged field in the SET
 * list would still fire the FTS trigger's `UPDATE OF` (its WHEN clause then skips the
 * rewrite, but there is no reason to ask). A cleared text box arrives as "": stored as null.
 */
export async function updateUserFields(
  db: Db,
  userId: number,
  repositoryId: number,
  patch: z.output<typeof RepositoryPatch>,
) {
  const set: Partial<typeof stars.$inferInsert> = { lastEdited: new Date() };
  if (patch.customDescription !== undefined) set.customDescription = blankToNull(patch.customDescription);
  if (patch.customTags !== undefined) set.customTags = patch.customTags?.length ? patch.customTags : null;
  if (patch.customCategory !== undefined) set.customCategory = blankToNull(patch.customCategory);
  if (patch.notes !== undefined) set.notes = blankToNull(patch.notes);
  if (patch.watchReleases !== undefined) set.watchReleases = patch.watchReleases;
  await db
    .update(stars)
    .set(set)
    .where(and(eq(stars.userId, userId), eq(stars.repositoryId, repositoryId)));
}

const blankToNull = (text: string | null) => (text === null || text.trim() === "" ? null : text);
