import { sql, type SQL } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";

// The writes of a tag operation and of its undo (worker/tags/operations.ts), in bounded D1 batches: at most
// ROWS_PER_STATEMENT stars a statement (one JSON parameter: D1 allows 100 bound parameters, and a statement that
// rewrites a search-index row per star must stay short), at most STATEMENTS_PER_BATCH statements a batch (a batch
// is one transaction). Every write is a compare-and-set on what it expects to find, so a retried or resumed
// operation writes nothing twice and an undo never overwrites what something else changed since.

export const ROWS_PER_STATEMENT = 500;
export const STATEMENTS_PER_BATCH = 8;

/** What the writes cost, for the operation's answer and `npm run bench:organise`. */
export type WriteTally = { batches: number; statements: number; rowsWritten: number };
export const emptyTally = (): WriteTally => ({ batches: 0, statements: 0, rowsWritten: 0 });

/** One alias row moved from one state to another (`null` canonical = hidden; `exists: false` = no row). */
export type AliasState = { exists: boolean; canonical: string | null };
export type AliasMove = { alias: string; from: AliasState; to: AliasState };

/** One star's custom tags moved from one stored value (JSON text, or null) to another. */
export type RowMove = { repositoryId: number; from: string | null; to: string | null };

const dialect = new SQLiteAsyncDialect();

/**
 * Runs statements in batches of STATEMENTS_PER_BATCH on the D1 binding itself (drizzle's batch takes query
 * builders, not raw statements; D1's answer also says the rows each statement wrote); returns each one's rows.
 */
async function runBatches<Row>(db: Db, statements: SQL[], tally: WriteTally): Promise<Row[][]> {
  const d1 = db.$client;
  const out: Row[][] = [];
  for (let i = 0; i < statements.length; i += STATEMENTS_PER_BATCH) {
    const group = statements.slice(i, i + STATEMENTS_PER_BATCH).map((statement) => {
      const query = dialect.sqlToQuery(statement);
      return d1.prepare(query.sql).bind(...query.params);
    });
    const results = await d1.batch<Row>(group);
    tally.batches++;
    tally.statements += group.length;
    for (const result of results) {
      tally.rowsWritten += result.meta.rows_written ?? 0;
      out.push(result.results ?? []);
    }
  }
  return out;
}

/** The alias rows, each only where it is still as `from` says: three statements at most. */
export async function moveAliases(db: Db, userId: number, moves: AliasMove[], now: Date, tally: WriteTally) {
  const created = moves.filter((m) => !m.from.exists && m.to.exists).map((m) => [m.alias, m.to.canonical]);
  const changed = moves
    .filter((m) => m.from.exists && m.to.exists)
    .map((m) => [m.alias, m.from.canonical, m.to.canonical]);
  const removed = moves.filter((m) => m.from.exists && !m.to.exists).map((m) => [m.alias, m.from.canonical]);
  const statements: SQL[] = [];
  if (created.length)
    statements.push(sql`insert into tag_aliases (user_id, alias, canonical, created_at)
      select ${userId}, value ->> '$[0]', value ->> '$[1]', ${now.getTime()} from json_each(${JSON.stringify(created)})
      where true on conflict (user_id, alias) do nothing`);
  if (changed.length)
    statements.push(sql`update tag_aliases set canonical = v.next
      from (select value ->> '$[0]' as alias, value ->> '$[1]' as prev, value ->> '$[2]' as next
            from json_each(${JSON.stringify(changed)})) v
      where tag_aliases.user_id = ${userId} and tag_aliases.alias = v.alias and tag_aliases.canonical is v.prev`);
  if (removed.length)
    statements.push(sql`delete from tag_aliases where user_id = ${userId} and exists (
      select 1 from json_each(${JSON.stringify(removed)}) v
      where v.value ->> '$[0]' = tag_aliases.alias and v.value ->> '$[1]' is tag_aliases.canonical)`);
  await runBatches(db, statements, tally);
}

/**
 * The stars' custom tags, each only where it still holds `from`; returns the stars written. Each write fires the
 * `stars_fts` trigger, which rewrites that star's index row (and reads its AI tags through the aliases as they are
 * now).
 */
export async function moveRows(db: Db, userId: number, moves: RowMove[], tally: WriteTally): Promise<Set<number>> {
  const statements: SQL[] = [];
  for (let i = 0; i < moves.length; i += ROWS_PER_STATEMENT) {
    const chunk = moves.slice(i, i + ROWS_PER_STATEMENT).map((m) => [m.repositoryId, m.from, m.to]);
    statements.push(sql`update stars set custom_tags = v.next
      from (select value ->> '$[0]' as id, value ->> '$[1]' as prev, value ->> '$[2]' as next
            from json_each(${JSON.stringify(chunk)})) v
      where stars.user_id = ${userId} and stars.repository_id = v.id and stars.custom_tags is v.prev
      returning stars.repository_id as id`);
  }
  const written = new Set<number>();
  for (const rows of await runBatches<{ id: number }>(db, statements, tally)) {
    for (const row of rows) written.add(Number(row.id));
  }
  return written;
}

/** The stars whose analysis holds one of these AI spellings: their index rows read those spellings. */
export async function starsReading(db: Db, userId: number, spellings: string[]): Promise<number[]> {
  if (spellings.length === 0) return [];
  const rows = await db.all<{ id: unknown }>(sql`
    select s.repository_id as id from stars s join analyses a on a.id = s.analysis_id
    where s.user_id = ${userId}
      and exists (select 1 from json_each(a.tags) j
        where j.value in (select value from json_each(${JSON.stringify(spellings)})))`);
  return rows.map((row) => Number(row.id));
}

/**
 * Rewrites the `stars_fts` rows of these stars (their AI tags' reading changed): bumping `tags_revision` fires the
 * index trigger (migrations/0019_tag_vocabulary.sql), the only place the reading is written into the index.
 */
export async function reindexStars(db: Db, userId: number, ids: number[], tally: WriteTally): Promise<number> {
  const statements: SQL[] = [];
  for (let i = 0; i < ids.length; i += ROWS_PER_STATEMENT) {
    const chunk = JSON.stringify(ids.slice(i, i + ROWS_PER_STATEMENT));
    statements.push(sql`update stars set tags_revision = tags_revision + 1
      where user_id = ${userId} and repository_id in (select value from json_each(${chunk}))`);
  }
  await runBatches(db, statements, tally);
  return ids.length;
}
