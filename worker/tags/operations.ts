import { and, desc, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import type { RepositoryListQuery } from "../../shared/repositories";
import { TAG_SELECTION_MAX, type TagOperation, type TagOperationSpec, type TagSelection } from "../../shared/tags";
import type { Db } from "../db/client";
import { analyses, repositories, stars, tagOperationRows, tagOperations } from "../db/schema";
import { ApiError } from "../lib/errors";
import { inLibrary, libraryFilters, strings } from "../library/query";
import { normaliseTag } from "../library/vocabulary";
import { readVocabulary, tagIdentity } from "./list";
import {
  emptyTally,
  moveAliases,
  moveRows,
  reindexStars,
  ROWS_PER_STATEMENT,
  starsReading,
  type AliasMove,
  type AliasState,
  type RowMove,
  type WriteTally,
} from "./writes";

// Tag operations (docs/architecture.md §2 "Tags", §3 `/api/tags`): rename, merge, hide, delete, bulk tag — each
// planned from what is there, logged with what it found (the alias rows and each changed star's custom tags, as
// they were) before anything is written, then written in bounded batches (./writes.ts). Undo writes the log back,
// each row only where the operation's own write is still there. The shared `analyses` are never written: an AI
// tag changes through the user's `tag_aliases`.

/** A custom tag list holds at most this many tags (shared/repositories.ts `CustomTags`). */
const CUSTOM_TAGS_MAX = 30;

type Plan = { aliases: AliasMove[]; rows: Array<[repositoryId: number, before: string | null]>; notFound: string[] };

export type OperationOutcome = { operation: TagOperation; replayed: boolean; tally: WriteTally };

/**
 * Applies one operation for one user. With an idempotency key, a retry (same key, same request) answers with the
 * first result, or finishes an operation a failure interrupted; the same key with another request is a conflict.
 */
export async function applyOperation(
  db: Db,
  userId: number,
  spec: TagOperationSpec,
  idempotencyKey: string | null,
  now = new Date(),
): Promise<OperationOutcome> {
  const request = JSON.stringify(spec);
  if (idempotencyKey) {
    const earlier = await operationByKey(db, userId, idempotencyKey);
    if (earlier) return resume(db, userId, earlier, request);
  }
  const [inserted] = await db
    .insert(tagOperations)
    .values({ userId, idempotencyKey, kind: spec.kind, request, aliases: "[]", status: "logging", createdAt: now })
    .onConflictDoNothing({ target: [tagOperations.userId, tagOperations.idempotencyKey] })
    .returning();
  if (!inserted) {
    // The same key arrived twice at once: the other request logged it first.
    const earlier = await operationByKey(db, userId, idempotencyKey!);
    if (!earlier) throw new ApiError("conflict", "The operation changed while it was logged; retry");
    return resume(db, userId, earlier, request);
  }
  return logAndApply(db, userId, inserted, spec, now);
}

/**
 * Plans the operation and logs the plan in one batch (the alias rows and each star's custom tags as they are,
 * ≤ 500 stars a chunk) before anything is written, then writes it. A plan that fails (nothing to rename) leaves
 * no log row.
 */
async function logAndApply(db: Db, userId: number, row: OperationRow, spec: TagOperationSpec, now: Date) {
  let plan: Plan;
  try {
    plan = await planOperation(db, userId, spec);
  } catch (error) {
    await db.delete(tagOperations).where(eq(tagOperations.id, row.id));
    throw error;
  }
  const aliases = JSON.stringify(plan.aliases);
  const chunks = [];
  for (let i = 0; i < plan.rows.length; i += ROWS_PER_STATEMENT) {
    const rows = JSON.stringify(plan.rows.slice(i, i + ROWS_PER_STATEMENT));
    chunks.push(db.insert(tagOperationRows).values({ operationId: row.id, chunk: i / ROWS_PER_STATEMENT, rows }));
  }
  const logged = await db.batch([
    db.delete(tagOperationRows).where(eq(tagOperationRows.operationId, row.id)),
    ...chunks,
    db.update(tagOperations).set({ aliases, status: "applying" }).where(eq(tagOperations.id, row.id)),
  ]);
  const tally = emptyTally();
  // The log counts with the writes: the operation row inserted before, this batch.
  tally.batches += 2;
  tally.statements += 1 + logged.length;
  tally.rowsWritten += 2 + chunks.length;
  const operation = await write(
    db,
    userId,
    { ...row, aliases, status: "applying" },
    "apply",
    plan.notFound,
    tally,
    now,
  );
  return { operation, replayed: false, tally };
}

/** Undoes an operation: what it wrote goes back to what was there, where nothing else changed it since. */
export async function undoOperation(db: Db, userId: number, id: number, now = new Date()): Promise<OperationOutcome> {
  const row = await loadOperation(db, userId, id);
  if (!row) throw new ApiError("not_found", `No tag operation ${id} in your log`);
  const tally = emptyTally();
  if (row.status === "undone") return { operation: toOperation(row), replayed: true, tally };
  if (row.status === "applying" || row.status === "logging")
    throw new ApiError("conflict", "This operation has not finished; send it again with its Idempotency-Key first");
  return { operation: await write(db, userId, row, "undo", [], tally, now), replayed: false, tally };
}

export async function recentOperations(db: Db, userId: number, limit = 20): Promise<TagOperation[]> {
  const rows = await db
    .select()
    .from(tagOperations)
    .where(eq(tagOperations.userId, userId))
    .orderBy(desc(tagOperations.id))
    .limit(limit);
  return rows.map(toOperation);
}

type OperationRow = typeof tagOperations.$inferSelect;

async function operationByKey(db: Db, userId: number, key: string) {
  const [row] = await db
    .select()
    .from(tagOperations)
    .where(and(eq(tagOperations.userId, userId), eq(tagOperations.idempotencyKey, key)));
  return row;
}

async function loadOperation(db: Db, userId: number, id: number) {
  const [row] = await db
    .select()
    .from(tagOperations)
    .where(and(eq(tagOperations.userId, userId), eq(tagOperations.id, id)));
  return row;
}

async function resume(db: Db, userId: number, row: OperationRow, request: string): Promise<OperationOutcome> {
  if (row.request !== request)
    throw new ApiError("conflict", "This Idempotency-Key was used for a different tag operation; use a new key");
  if (row.status === "logging")
    return logAndApply(db, userId, row, JSON.parse(request) as TagOperationSpec, new Date());
  const tally = emptyTally();
  // Interrupted after it was logged: its compare-and-set writes finish it without writing anything twice.
  if (row.status === "applying")
    return { operation: await write(db, userId, row, "apply", [], tally, new Date()), replayed: true, tally };
  return { operation: toOperation(row), replayed: true, tally };
}

/** Writes an operation's log forward (apply) or back (undo), then records the outcome. */
async function write(
  db: Db,
  userId: number,
  row: OperationRow,
  direction: "apply" | "undo",
  notFound: string[],
  tally: WriteTally,
  now: Date,
): Promise<TagOperation> {
  const spec = JSON.parse(row.request) as TagOperationSpec;
  const logged = JSON.parse(row.aliases) as AliasMove[];
  const aliases = direction === "apply" ? logged : logged.map((m) => ({ alias: m.alias, from: m.to, to: m.from }));
  const chunks = await db
    .select({ rows: tagOperationRows.rows })
    .from(tagOperationRows)
    .where(eq(tagOperationRows.operationId, row.id))
    .orderBy(tagOperationRows.chunk);
  const moves: RowMove[] = [];
  for (const chunk of chunks) {
    for (const [repositoryId, before] of JSON.parse(chunk.rows) as Array<[number, string | null]>) {
      const after = stored(nextTags(spec, parseTags(before)));
      moves.push(
        direction === "apply" ? { repositoryId, from: before, to: after } : { repositoryId, from: after, to: before },
      );
    }
  }

  await moveAliases(db, userId, aliases, now, tally);
  const written = await moveRows(db, userId, moves, tally);
  // Stars whose AI tags read differently now; those whose custom tags were written were re-indexed by the trigger.
  const reading = await starsReading(
    db,
    userId,
    aliases.map((m) => m.alias),
  );
  const reindexed = await reindexStars(
    db,
    userId,
    reading.filter((id) => !written.has(id)),
    tally,
  );

  const previous = row.result ? (JSON.parse(row.result) as Counts) : null;
  const counts: Counts = {
    repositories: written.size,
    aliases: aliases.length,
    indexed: written.size + reindexed,
    skipped: moves.length - written.size,
    // A resumed apply keeps what the first attempt said of the names it did not find.
    notFound:
      direction === "apply" && notFound.length === 0 && previous
        ? previous.notFound
        : {
            names: notFound.slice(0, 20),
            count: notFound.length,
          },
  };
  const status = direction === "apply" ? "applied" : "undone";
  const undoneAt = direction === "undo" ? now : null;
  await db
    .update(tagOperations)
    .set({ status, result: JSON.stringify(counts), undoneAt })
    .where(eq(tagOperations.id, row.id));
  tally.batches++;
  tally.statements++;
  tally.rowsWritten++;
  return toOperation({ ...row, status, result: JSON.stringify(counts), undoneAt });
}

type Counts = Pick<TagOperation, "repositories" | "aliases" | "indexed" | "skipped" | "notFound">;

function toOperation(row: OperationRow): TagOperation {
  const counts: Counts = row.result
    ? (JSON.parse(row.result) as Counts)
    : { repositories: 0, aliases: 0, indexed: 0, skipped: 0, notFound: { names: [], count: 0 } };
  return {
    id: row.id,
    kind: row.kind as TagOperation["kind"],
    request: JSON.parse(row.request) as Record<string, unknown>,
    status: row.status === "logging" ? "applying" : row.status,
    ...counts,
    createdAt: row.createdAt.toISOString(),
    undoneAt: row.undoneAt?.toISOString() ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// Planning: what the operation changes, read before anything is written.

async function planOperation(db: Db, userId: number, spec: TagOperationSpec): Promise<Plan> {
  if (spec.kind === "tag") {
    const { ids, notFound } = await selectionIds(db, userId, spec.selection);
    const rows = await customTagsOf(db, userId, ids);
    const changed = rows.filter(([, before]) => stored(nextTags(spec, parseTags(before))) !== before);
    const crowded = changed.filter(([, before]) => (nextTags(spec, parseTags(before)) ?? []).length > CUSTOM_TAGS_MAX);
    if (crowded.length > 0)
      throw new ApiError(
        "bad_request",
        `${crowded.length} of the selected repositories would have more than ${CUSTOM_TAGS_MAX} tags; ` +
          "nothing was changed",
      );
    return { aliases: [], rows: changed, notFound };
  }

  const vocabulary = await readVocabulary(db, userId);
  const sources = spec.kind === "rename" ? [spec.from] : spec.kind === "merge" ? spec.from : [spec.tag];
  const ids = new Set(sources.map(tagIdentity));
  const known = vocabulary.tags.filter((tag) => ids.has(tagIdentity(tag.tag)));

  if (spec.kind === "delete") {
    const spellings = vocabulary.customSpellings.get(tagIdentity(spec.tag)) ?? [];
    if (spellings.length === 0)
      throw new ApiError("not_found", `"${spec.tag}" is not one of your own tags (an AI tag is hidden, not deleted)`);
    return { aliases: [], rows: await rowsWithCustom(db, userId, spellings, spec), notFound: [] };
  }

  const into = spec.kind === "hide" ? null : spec.kind === "rename" ? spec.to : spec.into;
  // The AI spellings that read as a source now, and the sources' own spellings, so an analysis written later
  // with one of them reads the same way (docs/architecture.md §2, "Tags").
  const spellings = new Set<string>(known.flatMap((tag) => tag.aiSpellings));
  for (const source of sources) {
    spellings.add(source);
    spellings.add(normaliseTag(source));
  }
  if (spec.kind === "hide" && known.every((tag) => tag.aiCount === 0))
    throw new ApiError("not_found", `No AI tag of your library reads as "${spec.tag}"`);
  if (known.length === 0)
    throw new ApiError("not_found", `No tag of your library is named ${sources.map((s) => `"${s}"`).join(", ")}`);

  const aliases: AliasMove[] = [];
  for (const alias of spellings) {
    if (!alias || alias === into) {
      // An AI tag read as itself needs no alias; one aliased elsewhere before goes back to itself.
      const current = vocabulary.aliases.get(alias);
      if (alias && current !== undefined)
        aliases.push({ alias, from: state(current), to: { exists: false, canonical: null } });
      continue;
    }
    const current = vocabulary.aliases.get(alias);
    if (current === into) continue;
    aliases.push({ alias, from: current === undefined ? ABSENT : state(current), to: state(into) });
  }
  const custom = [...ids].flatMap((id) => vocabulary.customSpellings.get(id) ?? []);
  const rows = spec.kind === "hide" ? [] : await rowsWithCustom(db, userId, custom, spec);
  return { aliases, rows, notFound: [] };
}

const ABSENT: AliasState = { exists: false, canonical: null };
const state = (canonical: string | null): AliasState => ({ exists: true, canonical });

/** Stars (in the library or kept for notes) whose custom tags hold one of these spellings and would change. */
async function rowsWithCustom(db: Db, userId: number, spellings: string[], spec: TagOperationSpec) {
  if (spellings.length === 0) return [];
  const rows = await db.all<{ id: unknown; tags: unknown }>(sql`
    select repository_id as id, custom_tags as tags from stars
    where user_id = ${userId} and exists (select 1 from json_each(stars.custom_tags) j
      where j.value in (select value from json_each(${JSON.stringify(spellings)})))`);
  return rows
    .map((row): [number, string | null] => [Number(row.id), typeof row.tags === "string" ? row.tags : null])
    .filter(([, before]) => stored(nextTags(spec, parseTags(before))) !== before);
}

/** The stored custom tags of these stars of the user. */
async function customTagsOf(db: Db, userId: number, ids: number[]) {
  const out: Array<[number, string | null]> = [];
  for (let i = 0; i < ids.length; i += 5000) {
    const rows = await db.all<{ id: unknown; tags: unknown }>(sql`
      select repository_id as id, custom_tags as tags from stars
      where user_id = ${userId}
        and repository_id in (select value from json_each(${JSON.stringify(ids.slice(i, i + 5000))}))`);
    for (const row of rows) out.push([Number(row.id), typeof row.tags === "string" ? row.tags : null]);
  }
  return out;
}

/** The repositories a selection names: explicit names (those not in the library are reported) or the list's filters. */
async function selectionIds(db: Db, userId: number, selection: TagSelection) {
  if ("fullNames" in selection) {
    const rows = await db
      .select({ id: repositories.id, fullName: repositories.fullName })
      .from(stars)
      .innerJoin(repositories, eq(repositories.id, stars.repositoryId))
      .where(
        and(
          eq(stars.userId, userId),
          inLibrary,
          sql`${repositories.fullName} collate nocase
            in (select value from json_each(${JSON.stringify(selection.fullNames)}))`,
        ),
      );
    const found = new Set(rows.map((row) => row.fullName.toLowerCase()));
    const notFound = [...new Set(selection.fullNames)].filter((name) => !found.has(name.toLowerCase()));
    return { ids: [...new Set(rows.map((row) => row.id))], notFound };
  }
  const filter = selection.filter;
  const query: z.output<typeof RepositoryListQuery> = {
    ...(filter.q ? { q: filter.q } : {}),
    ...(filter.tag ? { tag: filter.tag } : {}),
    ...(filter.language ? { language: filter.language } : {}),
    ...(filter.category ? { category: filter.category } : {}),
    ...(filter.starred !== undefined ? { starred: filter.starred } : {}),
    ...(filter.saved !== undefined ? { saved: filter.saved } : {}),
    ...(filter.list ? { list: filter.list } : {}),
    ...(filter.unlisted !== undefined ? { unlisted: filter.unlisted } : {}),
  };
  const rows = await db
    .select({ id: stars.repositoryId })
    .from(stars)
    .innerJoin(repositories, eq(repositories.id, stars.repositoryId))
    .leftJoin(analyses, eq(analyses.id, stars.analysisId))
    .where(and(eq(stars.userId, userId), ...libraryFilters(query, userId)))
    .limit(TAG_SELECTION_MAX + 1);
  if (rows.length > TAG_SELECTION_MAX)
    throw new ApiError("bad_request", `The filter selects more than ${TAG_SELECTION_MAX} repositories; narrow it`);
  return { ids: rows.map((row) => row.id), notFound: [] };
}

// ---------------------------------------------------------------------------------------------
// The custom tags of one star after an operation: a pure function of the operation and what was there, so the
// log keeps only what was there and undo works the same result out again.

export function nextTags(spec: TagOperationSpec, before: string[]): string[] {
  const out: string[] = [];
  const push = (tag: string) => {
    if (!out.some((t) => tagIdentity(t) === tagIdentity(tag))) out.push(tag);
  };
  switch (spec.kind) {
    case "rename":
    case "merge": {
      const sources = new Set((spec.kind === "rename" ? [spec.from] : spec.from).map(tagIdentity));
      const into = spec.kind === "rename" ? spec.to : spec.into;
      for (const tag of before) push(sources.has(tagIdentity(tag)) ? into : tag);
      return out;
    }
    case "delete":
      for (const tag of before) if (tagIdentity(tag) !== tagIdentity(spec.tag)) push(tag);
      return out;
    case "tag": {
      const removed = new Set(spec.remove.map(tagIdentity));
      for (const tag of before) if (!removed.has(tagIdentity(tag))) push(tag);
      for (const tag of spec.add) push(tag);
      return out;
    }
    case "hide":
      return before;
  }
}

const parseTags = (text: string | null): string[] => {
  if (text === null) return [];
  try {
    return strings(JSON.parse(text));
  } catch {
    return [];
  }
};

/** As `stars.custom_tags` stores them (drizzle's JSON mode: `JSON.stringify`); none is null, as the editor stores. */
const stored = (tags: string[]): string | null => (tags.length === 0 ? null : JSON.stringify(tags));
