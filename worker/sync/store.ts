// Over 300 lines on purpose: the reads a listed page is diffed against and every statement its writes are built from.
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { RunnableQuery } from "drizzle-orm/runnable-query";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";
import { META_COLUMNS, metaValues } from "../db/repository-meta";
import { excluded, inJsonArray } from "../db/sql";
import { readmeQueue, repositories, stars, syncPageCounts } from "../db/schema";
import type { RepositoryAccess } from "../github/errors";
import { META_FIELDS, type RepoHealth, type RepoMetadata } from "../github/types";
import {
  RESTAR_SLACK_MS,
  type KnownRepo,
  type KnownStar,
  type PlannedItem,
  type ReadmeChange,
  type StoredMeta,
} from "./plan";

// The sync's D1 access. Every statement is one row's write (or one page's read) with at
// most ~40 bound parameters; lists of ids travel as one JSON parameter (`inJsonArray`), so
// D1's limit of 100 bound parameters per statement is never near
// (https://developers.cloudflare.com/d1/platform/limits/).

/** README text is stored whole up to GraphQL's own cap (the seed cut at 8,000 characters). */
export const README_MAX_CHARS = 512_000;
/** Statements per D1 batch: big enough to be cheap, small enough to stay under request limits. */
const BATCH = 50;

/** One write of the sync: an INSERT or UPDATE whose D1 result says how much it changed. */
export type Write = RunnableQuery<D1Result, "sqlite">;

/** The metadata columns a listing refreshes (META_FIELDS), each one StoredMeta has. */
const META = META_COLUMNS satisfies { [K in keyof StoredMeta]: SQLiteColumn };

/** What D1 already holds for the listed repositories, and for this user's stars of them (one round trip). */
export async function loadKnown(
  db: Db,
  userId: number,
  githubIds: number[],
): Promise<{ repos: Map<number, KnownRepo>; stars: Map<number, KnownStar> }> {
  // Column names must be distinct within each select: D1 returns batch rows as objects.
  const [repoRows, starRows] = await db.batch([
    db
      .select({
        githubId: repositories.githubId,
        metaHash: repositories.metaHash,
        readmeSha: repositories.readmeSha,
        readmeStatus: repositories.readmeStatus,
        readmePath: repositories.readmePath,
        ...META,
      })
      .from(repositories)
      .where(inJsonArray(repositories.githubId, githubIds)),
    db
      .select({
        githubId: repositories.githubId,
        ...STAR_COLUMNS,
      })
      .from(stars)
      .innerJoin(repositories, eq(repositories.id, stars.repositoryId))
      .where(and(eq(stars.userId, userId), inJsonArray(repositories.githubId, githubIds))),
  ]);
  return {
    repos: new Map(
      repoRows.map(({ githubId, metaHash, readmeSha, readmeStatus, readmePath, ...columns }) => {
        const meta: StoredMeta = {
          ...columns,
          githubCreatedAt: ms(columns.githubCreatedAt),
          githubUpdatedAt: ms(columns.githubUpdatedAt),
          githubPushedAt: ms(columns.githubPushedAt),
        };
        const known: KnownRepo = {
          githubId,
          metaHash,
          readmeSha,
          readmeStatus,
          readmePath,
          githubPushedAt: meta.githubPushedAt,
          meta,
        };
        return [githubId, known];
      }),
    ),
    stars: new Map(starRows.map((row) => [row.githubId, knownStarOf(row)])),
  };
}

/** The columns of a user's star that a plan reads (KnownStar), to select beside others. */
export const STAR_COLUMNS = {
  isStarred: stars.isStarred,
  starredAt: stars.starredAt,
  accessState: stars.accessState,
  accessMessage: stars.accessMessage,
  accessUrl: stars.accessUrl,
  accessCheckedAt: stars.accessCheckedAt,
  goneReason: stars.goneReason,
  restarredAt: stars.restarredAt,
};

/** A star as a plan reads it, from STAR_COLUMNS and the repository's GitHub id. */
export function knownStarOf(row: {
  githubId: number;
  isStarred: boolean;
  starredAt: Date | null;
  accessState: RepositoryAccess["state"] | null;
  accessMessage: string | null;
  accessUrl: string | null;
  accessCheckedAt: Date | null;
  goneReason?: string | null;
  restarredAt?: Date | null;
}): KnownStar {
  return {
    githubId: row.githubId,
    isStarred: row.isStarred,
    starredAt: ms(row.starredAt),
    access: row.accessState ? { state: row.accessState, message: row.accessMessage ?? "", url: row.accessUrl } : null,
    accessCheckedAt: ms(row.accessCheckedAt),
    ...(row.goneReason ? { gone: true } : {}),
    ...(row.restarredAt ? { restarredAt: row.restarredAt.getTime() } : {}),
  };
}

/**
 * The metadata columns to write. Only columns whose value differs from the stored row are
 * SET: an UPDATE that names a column fires the FTS trigger for it
 * (migrations/0002_fts_update_when_changed.sql), and a star-count change must not rewrite
 * the repository's full-text row. With nothing stored to compare (`null`), all are written.
 */
function metaAssignments(repo: RepoMetadata, stored: StoredMeta | null): Partial<ReturnType<typeof metaValues>> {
  const columns = metaValues(repo);
  if (!stored) return columns;
  const changed = META_FIELDS.filter((key) => JSON.stringify(stored[key]) !== JSON.stringify(repo[key]));
  return Object.fromEntries(changed.map((key) => [key, columns[key]]));
}

/**
 * Column assignments for a README change. A new README makes the analysis stale by itself:
 * an analysis is keyed by an input sha that includes the README's blob sha
 * (worker/enrich/analysis-input.ts), so nothing here clears it.
 */
export function readmeAssignments(change: ReadmeChange, now: number): Partial<typeof repositories.$inferInsert> {
  switch (change.kind) {
    case "content":
      return {
        // The same blob sha as stored: the stored text is that blob's already, so it is not SET again.
        ...(change.contentChanged
          ? { readmeSha: change.sha, readmeContent: change.content.slice(0, README_MAX_CHARS) }
          : {}),
        readmePath: change.path,
        readmeStatus: "ok",
        readmeFetchedAt: new Date(now),
      };
    case "missing":
      return {
        readmeSha: null,
        readmePath: null,
        readmeContent: null,
        readmeStatus: "missing",
        readmeFetchedAt: new Date(now),
      };
    case "moved":
      return { readmePath: change.path };
    case "error":
      return { readmeStatus: "error" };
  }
}

/**
 * The writes for one planned page: repository rows that are new or changed, this user's star
 * rows, and the README lookups the plan asks for (`readme_queue`). Rows go first, READMEs
 * follow in their own steps (worker/sync/readme-step.ts): a changed repository whose README is
 * asked keeps its old `github_pushed_at` until its README is written, so a run that stops in
 * between asks again next time. Unchanged rows get no statement at all, and a changed row's
 * UPDATE names only the columns that changed.
 */
export function pageWrites(
  db: Db,
  userId: number,
  runId: string,
  planned: PlannedItem[],
  now: number,
  extra: {
    /** GitHub refused (or served again) these repositories to this user's token: set or clear `stars.access_*`. */
    access?: Map<number, RepositoryAccess | null>;
    /** The page's new and updated stars, kept once per (run, page) in the batch of its first writes. */
    tally?: { page: string; new: number; updated: number };
  } = {},
): Write[] {
  const writes: Write[] = [];
  const { tally } = extra;
  if (tally && tally.new + tally.updated > 0) {
    writes.push(
      db
        .insert(syncPageCounts)
        .values({ runId, page: tally.page, newCount: tally.new, updatedCount: tally.updated })
        .onConflictDoNothing(),
    );
  }
  for (const { item, metaHash, known, repo, star, readme } of planned) {
    const { githubId } = item.repo;
    if (repo === "insert") {
      const values = { ...metaValues(item.repo), metaHash };
      writes.push(
        db
          .insert(repositories)
          .values({ githubId, ...values, createdAt: new Date(now), updatedAt: new Date(now) })
          // Another user's sync may insert the same repository at the same moment: then ours updates it.
          .onConflictDoUpdate({
            target: repositories.githubId,
            set: excludedOf([...(Object.keys(values) as Array<keyof typeof values>), "updatedAt"]),
          }),
      );
    } else if (repo === "update") {
      const set: Partial<typeof repositories.$inferInsert> = {
        ...metaAssignments(item.repo, known?.meta ?? null),
        metaHash,
      };
      // Written with the README (readmeWrites): until then the plan sees the push and asks again.
      if (readme) delete set.githubPushedAt;
      writes.push(
        db
          .update(repositories)
          .set({ ...set, updatedAt: new Date(now) })
          .where(eq(repositories.githubId, githubId)),
      );
    }
    if (star !== "keep") {
      // Re-starring restores the row with its notes and tags; a saved repository becomes starred too.
      writes.push(
        db
          .insert(stars)
          .values({
            userId,
            repositoryId: repositoryIdOf(githubId),
            starredAt: new Date(item.starredAt),
            isStarred: true,
            createdAt: new Date(now),
          })
          .onConflictDoUpdate({
            target: [stars.userId, stars.repositoryId],
            // Listed again: a star recorded as gone (worker/sync/unstar.ts) is back.
            // A star an undo re-starred keeps the date Starwise recorded first: GitHub's is the re-star's (§4,
            // "Unstar in bulk"). A Starwise unstar that GitHub lists again (starred on GitHub since) is undone.
            set: {
              isStarred: true,
              starredAt: sql`case when ${stars.restarredAt} is not null and ${stars.starredAt} is not null
                and excluded.starred_at >= ${stars.restarredAt} - ${RESTAR_SLACK_MS}
                then ${stars.starredAt} else excluded.starred_at end`,
              unstarredAt: null,
              unstarRunId: null,
              goneReason: null,
              goneAt: null,
            },
          }),
      );
    }
    if (readme) {
      const queued = {
        userId,
        repositoryId: repositoryIdOf(githubId),
        pushedAt: item.repo.githubPushedAt === null ? null : new Date(item.repo.githubPushedAt),
        starredAt: new Date(item.starredAt),
        runId,
        counted: star === "new" || repo === "update",
      };
      const anotherRun = sql`${readmeQueue.runId} is not excluded.run_id`;
      const anotherPush = sql`${readmeQueue.pushedAt} is not excluded.pushed_at`;
      writes.push(
        db
          .insert(readmeQueue)
          .values(queued)
          .onConflictDoUpdate({
            target: [readmeQueue.userId, readmeQueue.repositoryId],
            set: {
              pushedAt: excluded(readmeQueue.pushedAt),
              starredAt: excluded(readmeQueue.starredAt),
              runId: excluded(readmeQueue.runId),
              counted: excluded(readmeQueue.counted),
            },
            // A replayed step finds its entry queued already (and must not lose what its first attempt counted).
            setWhere: sql`${anotherRun} or ${anotherPush}`,
          }),
      );
    }
    const access = extra.access?.get(githubId);
    if (access !== undefined) writes.push(accessWrite(db, userId, githubId, access, now));
  }
  return writes;
}

/** The repository row of a GitHub id, as a subquery (a page's rows are written in the same batch). */
export const repositoryIdOf = (githubId: number) =>
  sql`(select ${repositories.id} from ${repositories} where ${repositories.githubId} = ${githubId})`;

/** Records (or clears, with null) that GitHub refuses a repository to this user's token. */
export function accessWrite(
  db: Db,
  userId: number,
  githubId: number,
  access: RepositoryAccess | null,
  now: number,
): Write {
  return db
    .update(stars)
    .set({
      accessState: access?.state ?? null,
      accessMessage: access?.message.slice(0, 500) ?? null,
      accessUrl: access?.url ?? null,
      accessCheckedAt: access ? new Date(now) : null,
    })
    .where(and(eq(stars.userId, userId), eq(stars.repositoryId, repositoryIdOf(githubId))));
}

/** The health columns of a repository (RepoHealth), and when they were asked. */
export function healthAssignments(health: RepoHealth, now: number): Partial<typeof repositories.$inferInsert> {
  const release = health.latestRelease;
  const date = (ms: number | null) => (ms === null ? null : new Date(ms));
  return {
    archivedAt: date(health.archivedAt),
    latestReleaseTag: release?.tagName.slice(0, 255) ?? null,
    latestReleaseName: release?.name?.slice(0, 500) ?? null,
    latestReleaseAt: date(release?.publishedAt ?? null),
    latestReleasePrerelease: release ? release.isPrerelease : null,
    lastCommitAt: date(health.lastCommitAt),
    healthCheckedAt: new Date(now),
  };
}

/** An UPDATE of one repository's README columns (for repositories outside a listed page). */
export function readmeUpdate(db: Db, githubId: number, change: ReadmeChange, now: number): Write {
  return db
    .update(repositories)
    .set({ ...readmeAssignments(change, now), updatedAt: new Date(now) })
    .where(eq(repositories.githubId, githubId));
}

/**
 * Runs single-row statements in D1 batches (each batch is atomic); returns how many rows
 * they changed. D1's `meta.changes` also counts index and FTS rows the write touched,
 * so a statement counts as one row written when it changed anything.
 */
export async function runWrites(db: Db, writes: Write[], tally?: { triggerRows: number }): Promise<number> {
  let changed = 0;
  for (let i = 0; i < writes.length; i += BATCH) {
    const [first, ...rest] = writes.slice(i, i + BATCH);
    if (!first) break;
    const results = await db.batch([first, ...rest]);
    for (const result of results) {
      const changes = result.meta.changes ?? 0;
      if (changes > 0) changed++;
      // What D1 counted beyond the row itself: FTS shadow rows written by the triggers.
      if (tally && changes > 1) tally.triggerRows += changes - 1;
    }
  }
  return changed;
}

/** `{ key: excluded.<column> }` for the given repository columns. */
function excludedOf(keys: Array<keyof typeof repositories.$inferInsert>): Record<string, SQL> {
  return Object.fromEntries(keys.map((key) => [key, excluded(repositories[key])]));
}

export const ms = (value: Date | null) => (value === null ? null : value.getTime());
