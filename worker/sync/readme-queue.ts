import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { readmeQueue, repositories, stars, syncPageCounts } from "../db/schema";
import type { RepositoryAccess } from "../github/errors";
import type { RepoHealth } from "../github/types";
import type { KnownRepo, KnownStar, ReadmeChange } from "./plan";
import {
  accessWrite,
  healthAssignments,
  knownStarOf,
  ms,
  readmeAssignments,
  repositoryIdOf,
  STAR_COLUMNS,
  type Write,
} from "./store";

// The README queue's D1 access (docs/architecture.md §4, "Rows first"): a listed page queues its
// lookups with its rows (worker/sync/store.ts, `pageWrites`); README steps read the queue, most
// recently starred first, and write each README with its entry's deletion.

/** A queued README lookup, with what D1 holds for its repository and star (worker/sync/readme-step.ts). */
export type QueuedReadme = {
  githubId: number;
  nodeId: string | null;
  fullName: string;
  known: KnownRepo;
  star: KnownStar;
  pushedAt: number | null;
  counted: boolean;
};

/** The next README lookups of a user's queue, most recently starred first. */
export async function nextQueuedReadmes(db: Db, userId: number, limit: number): Promise<QueuedReadme[]> {
  const rows = await db
    .select({
      githubId: repositories.githubId,
      nodeId: repositories.nodeId,
      fullName: repositories.fullName,
      metaHash: repositories.metaHash,
      readmeSha: repositories.readmeSha,
      readmeStatus: repositories.readmeStatus,
      readmePath: repositories.readmePath,
      storedPushedAt: repositories.githubPushedAt,
      ...STAR_COLUMNS,
      pushedAt: readmeQueue.pushedAt,
      counted: readmeQueue.counted,
    })
    .from(readmeQueue)
    .innerJoin(repositories, eq(repositories.id, readmeQueue.repositoryId))
    .innerJoin(stars, and(eq(stars.userId, readmeQueue.userId), eq(stars.repositoryId, readmeQueue.repositoryId)))
    .where(eq(readmeQueue.userId, userId))
    .orderBy(desc(readmeQueue.starredAt), asc(readmeQueue.repositoryId))
    .limit(limit);
  return rows.map((row) => ({
    githubId: row.githubId,
    nodeId: row.nodeId,
    fullName: row.fullName,
    known: {
      githubId: row.githubId,
      metaHash: row.metaHash,
      readmeSha: row.readmeSha,
      readmeStatus: row.readmeStatus,
      readmePath: row.readmePath,
      githubPushedAt: ms(row.storedPushedAt),
      meta: null,
    },
    star: knownStarOf(row),
    pushedAt: ms(row.pushedAt),
    counted: row.counted,
  }));
}

/**
 * The writes for one looked-up README: its columns and the pushed date the listing held back,
 * this user's access record, the run's count of updated stars, the repository's health when it was asked with the
 * README, and the queue entry's deletion, in one D1 batch with the others of its group (a replayed step finds the
 * entry gone).
 */
export function readmeWrites(
  db: Db,
  userId: number,
  runId: string,
  entry: QueuedReadme,
  change: ReadmeChange | null,
  access: RepositoryAccess | null | undefined,
  now: number,
  health?: RepoHealth,
): Write[] {
  const writes: Write[] = [];
  const set: Partial<typeof repositories.$inferInsert> = {
    ...(change ? readmeAssignments(change, now) : {}),
    ...(health ? healthAssignments(health, now) : {}),
  };
  if (entry.pushedAt !== entry.known.githubPushedAt)
    set.githubPushedAt = entry.pushedAt === null ? null : new Date(entry.pushedAt);
  if (Object.keys(set).length > 0) {
    writes.push(
      db
        .update(repositories)
        .set({ ...set, updatedAt: new Date(now) })
        .where(eq(repositories.githubId, entry.githubId)),
    );
  }
  if (access !== undefined) writes.push(accessWrite(db, userId, entry.githubId, access, now));
  if (change?.kind === "content" && !entry.counted) {
    writes.push(
      db
        .insert(syncPageCounts)
        .values({ runId, page: `readme:${entry.githubId}`, newCount: 0, updatedCount: 1 })
        .onConflictDoNothing(),
    );
  }
  writes.push(
    db
      .delete(readmeQueue)
      .where(and(eq(readmeQueue.userId, userId), eq(readmeQueue.repositoryId, repositoryIdOf(entry.githubId)))),
  );
  return writes;
}

/** The entries of a user's queue whose star is gone (unstarred since it was queued): nothing to look up. */
export function dropUnstarredFromQueue(db: Db, userId: number): Write {
  const itsStar = sql`${stars.userId} = ${readmeQueue.userId} and ${stars.repositoryId} = ${readmeQueue.repositoryId}`;
  return db
    .delete(readmeQueue)
    .where(
      and(
        eq(readmeQueue.userId, userId),
        sql`not exists (select 1 from ${stars} where ${itsStar} and ${stars.isStarred} = 1)`,
      ),
    );
}
