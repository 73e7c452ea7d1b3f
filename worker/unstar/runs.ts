import { and, asc, desc, eq, inArray, isNotNull, lt, sql, type SQL } from "drizzle-orm";
import {
  UNSTAR_MAX,
  UNSTAR_RUN_ITEMS_SHOWN,
  type UnstarPreview,
  type UnstarRun,
  type UnstarSelection,
  type StarWrite,
} from "../../shared/unstar";
import type { Db } from "../db/client";
import { repositories, stars, unstarRunItems, unstarRuns } from "../db/schema";
import { ApiError } from "../lib/errors";

// The runs of "Unstar in bulk" in D1 (docs/architecture.md §4): which stars a selection means, the run and its
// repositories, and how a run reads to a client. Only this user's `stars` rows are ever read or written.

const YEAR = 365.25 * 86_400_000;
/** Runs `GET /api/unstar` shows. */
const RUNS_SHOWN = 5;

export type Target = {
  repositoryId: number;
  fullName: string;
  isPrivate: boolean;
  archived: boolean;
  gone: boolean;
  notes: string | null;
  tags: string[];
};

/** The user's starred repositories a selection names, most recently starred first; at most UNSTAR_MAX + 1. */
export async function selectTargets(
  db: Db,
  userId: number,
  selection: UnstarSelection,
  now = Date.now(),
): Promise<{ targets: Target[]; notInLibrary: string[] }> {
  const conditions: SQL[] = [eq(stars.userId, userId), eq(stars.isStarred, true)];
  if (selection.names) {
    const lower = [...new Set(selection.names.map((name) => name.toLowerCase()))];
    conditions.push(sql`lower(${repositories.fullName}) in (select value from json_each(${JSON.stringify(lower)}))`);
  }
  const filter = selection.filter;
  if (filter?.archived) conditions.push(eq(repositories.archived, true));
  if (filter?.gone) conditions.push(isNotNull(stars.goneReason));
  if (filter?.quietYears !== undefined)
    conditions.push(lt(repositories.lastCommitAt, new Date(now - Math.round(filter.quietYears * YEAR))));
  const rows = await db
    .select({
      repositoryId: repositories.id,
      fullName: repositories.fullName,
      isPrivate: repositories.isPrivate,
      archived: repositories.archived,
      goneReason: stars.goneReason,
      notes: stars.notes,
      tags: stars.customTags,
    })
    .from(stars)
    .innerJoin(repositories, eq(repositories.id, stars.repositoryId))
    .where(and(...conditions))
    .orderBy(desc(stars.starredAt), asc(repositories.id))
    .limit(UNSTAR_MAX + 1);
  const targets = rows.map(({ goneReason, tags, ...row }) => ({ ...row, gone: goneReason !== null, tags: tags ?? [] }));
  const found = new Set(targets.map((t) => t.fullName.toLowerCase()));
  const notInLibrary = (selection.names ?? []).filter((name) => !found.has(name.toLowerCase()));
  return { targets, notInLibrary };
}

export function previewOf(targets: Target[], notInLibrary: string[], starWrite: StarWrite): UnstarPreview {
  return {
    starWrite,
    total: Math.min(targets.length, UNSTAR_MAX),
    items: targets.slice(0, UNSTAR_MAX).map((t) => ({
      fullName: t.fullName,
      isPrivate: t.isPrivate,
      archived: t.archived,
      gone: t.gone,
      hasNotes: !!t.notes,
      tags: t.tags,
    })),
    notInLibrary,
    privateRefused: starWrite.privateRepositories ? [] : targets.filter((t) => t.isPrivate).map((t) => t.fullName),
  };
}

/** Writes a new run and its repositories in one batch. */
export async function createRun(
  db: Db,
  run: { id: string; userId: number; action: "unstar" | "restar"; undoes: string | null },
  targets: Array<{ repositoryId: number; fullName: string }>,
  now = new Date(),
): Promise<void> {
  if (targets.length === 0) throw new ApiError("bad_request", "Nothing to do: no starred repository matches");
  if (targets.length > UNSTAR_MAX)
    throw new ApiError("bad_request", `At most ${UNSTAR_MAX} repositories a run: narrow the selection`);
  const runRow = db.insert(unstarRuns).values({ ...run, status: "running", total: targets.length, createdAt: now });
  // D1 binds at most 100 parameters a statement: 5 a row, 19 rows a statement.
  const inserts = [];
  for (let i = 0; i < targets.length; i += 19) {
    inserts.push(
      db.insert(unstarRunItems).values(
        targets.slice(i, i + 19).map((t, j) => ({
          runId: run.id,
          repositoryId: t.repositoryId,
          fullName: t.fullName,
          position: i + j,
        })),
      ),
    );
  }
  await db.batch([runRow, ...inserts]);
}

type RunRow = typeof unstarRuns.$inferSelect;

/** One run of this user, or null (another user's run is not found, never refused). */
export async function findRun(db: Db, userId: number, runId: string): Promise<RunRow | null> {
  const [row] = await db
    .select()
    .from(unstarRuns)
    .where(and(eq(unstarRuns.id, runId), eq(unstarRuns.userId, userId)))
    .limit(1);
  return row ?? null;
}

/** The runs as clients show them, newest first (`ids`: these; else the latest RUNS_SHOWN). */
export async function runViews(db: Db, userId: number, ids?: string[]): Promise<UnstarRun[]> {
  const rows = await db
    .select()
    .from(unstarRuns)
    .where(and(eq(unstarRuns.userId, userId), ids ? inArray(unstarRuns.id, ids) : undefined))
    .orderBy(desc(unstarRuns.createdAt), desc(unstarRuns.id))
    .limit(ids ? ids.length : RUNS_SHOWN);
  if (rows.length === 0) return [];
  const runIds = rows.map((r) => r.id);
  const [counts, items, undos] = await db.batch([
    db
      .select({ runId: unstarRunItems.runId, state: unstarRunItems.state, n: sql<number>`count(*)` })
      .from(unstarRunItems)
      .where(inArray(unstarRunItems.runId, runIds))
      .groupBy(unstarRunItems.runId, unstarRunItems.state),
    db
      .select({
        runId: unstarRunItems.runId,
        fullName: unstarRunItems.fullName,
        state: unstarRunItems.state,
        code: unstarRunItems.errorCode,
        position: unstarRunItems.position,
      })
      .from(unstarRunItems)
      .where(and(inArray(unstarRunItems.runId, runIds), lt(unstarRunItems.position, UNSTAR_RUN_ITEMS_SHOWN)))
      .orderBy(asc(unstarRunItems.position)),
    db
      .select({ id: unstarRuns.id, undoes: unstarRuns.undoes })
      .from(unstarRuns)
      .where(and(eq(unstarRuns.userId, userId), inArray(unstarRuns.undoes, runIds))),
  ]);
  return rows.map((row) => {
    const count = { pending: 0, done: 0, missing: 0, failed: 0 };
    for (const c of counts) if (c.runId === row.id) count[c.state] = Number(c.n);
    const undoneBy = undos.find((u) => u.undoes === row.id)?.id ?? null;
    return {
      id: row.id,
      action: row.action,
      undoes: row.undoes,
      status: row.status,
      total: row.total,
      counts: count,
      createdAt: row.createdAt.toISOString(),
      finishedAt: row.finishedAt?.toISOString() ?? null,
      error: (row.error as UnstarRun["error"]) ?? null,
      undoneBy,
      undoable: row.action === "unstar" && row.status !== "running" && undoneBy === null && count.done > 0,
      items: items
        .filter((i) => i.runId === row.id)
        .map((i) => ({ fullName: i.fullName, state: i.state, code: i.code })),
    };
  });
}

/** The repositories an undo re-stars: those the run unstarred (GitHub answered 204), in the run's order. */
export async function undoTargets(db: Db, runId: string): Promise<Array<{ repositoryId: number; fullName: string }>> {
  const rows = await db
    .select({ repositoryId: unstarRunItems.repositoryId, fullName: repositories.fullName })
    .from(unstarRunItems)
    .innerJoin(repositories, eq(repositories.id, unstarRunItems.repositoryId))
    .where(and(eq(unstarRunItems.runId, runId), eq(unstarRunItems.state, "done")))
    .orderBy(asc(unstarRunItems.position));
  return rows;
}
