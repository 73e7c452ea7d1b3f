import { and, eq, isNotNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { stars } from "../db/schema";
import { inJsonArray } from "../db/sql";
import type { Services } from "../services";
import { userNamespace, vectorId, type VectorStore } from "./store";

// Vectors leave a user's namespace with the stars they were made for (an unstar, the account's
// deletion), and the stars forget they were embedded, so a repository starred again is embedded again.

/**
 * Removes a user's vectors of these repositories (unstar, account deletion) and forgets
 * that they were embedded, so a repository starred again is embedded again. `"all"`: every
 * repository of the user. Returns the number of vectors deleted. Safe to repeat.
 */
export async function removeVectors(
  services: VectorServices,
  userId: number,
  repositoryIds: readonly number[] | "all",
): Promise<number> {
  if (repositoryIds !== "all" && repositoryIds.length === 0) return 0;
  const condition = repositoryIds === "all" ? undefined : inJsonArray(stars.repositoryId, repositoryIds);
  return removeVectorsWhere(services.db, services.vectors, userId, condition);
}

/**
 * Removes the vectors of the user's repositories that are neither starred nor saved any more (unstar). Safe to repeat.
 */
export async function removeUnlistedVectors(services: VectorServices, userId: number): Promise<number> {
  return removeVectorsWhere(services.db, services.vectors, userId, UNLISTED);
}

/** D1 (the stars that say what was embedded) and the vector store. */
type VectorServices = Pick<Services, "db" | "vectors">;

export const UNLISTED = and(eq(stars.isStarred, false), eq(stars.isSaved, false));

export async function removeVectorsWhere(
  db: Db,
  store: VectorStore,
  userId: number,
  condition: ReturnType<typeof and>,
): Promise<number> {
  const rows = await db
    .select({ repositoryId: stars.repositoryId, chunks: stars.embeddedChunks })
    .from(stars)
    .where(and(eq(stars.userId, userId), isNotNull(stars.embeddedChunks), condition));
  if (rows.length === 0) return 0;
  const ids = rows.flatMap((row) =>
    Array.from({ length: row.chunks ?? 0 }, (_, chunk) => vectorId(userId, row.repositoryId, chunk)),
  );
  // Vectors first: should the second write fail, the next call finds the star still marked and deletes again.
  await store.delete(userNamespace(userId), ids);
  for (let i = 0; i < rows.length; i += 1000) {
    await db
      .update(stars)
      .set({ embeddedSha: null, embeddingModel: null, embeddedSource: null, embeddedChunks: null })
      .where(
        and(
          eq(stars.userId, userId),
          inJsonArray(
            stars.repositoryId,
            rows.slice(i, i + 1000).map((row) => row.repositoryId),
          ),
        ),
      );
  }
  return ids.length;
}
