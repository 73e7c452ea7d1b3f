import { and, eq, sql } from "drizzle-orm";
import type { TagList, TagSource, TagSummary } from "../../shared/tags";
import type { Db } from "../db/client";
import { analyses, stars } from "../db/schema";
import { inLibrary } from "../library/query";
import { aliasesOf, aliasesQuery, readAiTag, vocabularyOf, vocabularyQuery, type Aliases } from "../library/vocabulary";

// The user's tags as they read them (`GET /api/tags`, MCP `list_tags`, the gardener): docs/architecture.md §2, "Tags".
// Two round trips, each bounded by the library's distinct tags, not its size: the spellings (custom and AI, with
// the aliases and the implicit vocabulary), then one counting statement that reads every AI spelling the way this
// user does — the reading worked out in JS and sent as one JSON parameter (D1 allows 100 bound parameters).

/** A tag's identity: spellings that differ only in case are one tag (as the `tag` filter matches). */
export const tagIdentity = (tag: string) => tag.toLowerCase();

/** What the operations and the gardener need beside the list: which spellings make up each tag. */
export type Vocabulary = {
  tags: TagSummary[];
  hidden: TagList["hidden"];
  /** Tag identity → the user's own spellings of it. */
  customSpellings: Map<string, string[]>;
  /** Repositories carrying each of the user's own spellings. */
  spellingCounts: Map<string, number>;
  /** AI spelling (as analyses hold it) → how the user reads it (null: hidden). */
  reading: Map<string, string | null>;
  aliases: Aliases;
};

type SpellingRow = { tag: unknown; count: unknown };

export async function readVocabulary(db: Db, userId: number): Promise<Vocabulary> {
  const spellings = (column: typeof stars.customTags | typeof analyses.tags) =>
    db
      .select({ tag: sql<unknown>`j.value`, count: sql<unknown>`count(distinct ${stars.repositoryId})` })
      .from(stars)
      .leftJoin(analyses, eq(analyses.id, stars.analysisId))
      .innerJoin(sql`json_each(${column}) j`, sql`1`)
      .where(and(eq(stars.userId, userId), inLibrary, sql`j.type = 'text'`))
      .groupBy(sql`j.value`);
  const [custom, ai, vocabularyRows, aliasRows] = await db.batch([
    spellings(stars.customTags),
    spellings(analyses.tags),
    vocabularyQuery(db, userId),
    aliasesQuery(db, userId),
  ]);
  const vocabulary = vocabularyOf(vocabularyRows);
  const aliases = aliasesOf(aliasRows);

  const customSpellings = new Map<string, string[]>();
  const spellingCounts = new Map<string, number>();
  const names = new Map<string, { name: string; weight: number }>();
  for (const { tag, count } of custom as SpellingRow[]) {
    if (typeof tag !== "string") continue;
    const id = tagIdentity(tag);
    customSpellings.set(id, [...(customSpellings.get(id) ?? []), tag]);
    spellingCounts.set(tag, Number(count));
    // The tag is named as the user spells it most.
    const known = names.get(id);
    if (!known || Number(count) > known.weight) names.set(id, { name: tag, weight: Number(count) });
  }
  const reading = new Map<string, string | null>();
  const aiSpellings = new Map<string, string[]>();
  const hidden: TagList["hidden"] = [];
  for (const { tag, count } of ai as SpellingRow[]) {
    if (typeof tag !== "string") continue;
    const read = readAiTag(tag, vocabulary, aliases);
    reading.set(tag, read);
    if (read === null) {
      hidden.push({ tag, count: Number(count) });
      continue;
    }
    const id = tagIdentity(read);
    aiSpellings.set(id, [...(aiSpellings.get(id) ?? []), tag]);
    if (!names.has(id)) names.set(id, { name: read, weight: 0 });
  }

  const counts = await countTags(db, userId, customSpellings, aiSpellings);
  const tags: TagSummary[] = [];
  for (const [id, { name }] of names) {
    const count = counts.get(id);
    if (!count || count.total === 0) continue;
    const source: TagSource = count.custom > 0 && count.ai > 0 ? "both" : count.custom > 0 ? "custom" : "ai";
    tags.push({
      tag: name,
      count: count.total,
      customCount: count.custom,
      aiCount: count.ai,
      source,
      aiSpellings: aiSpellings.get(id) ?? [],
    });
  }
  tags.sort((a, b) => b.count - a.count || compare(a.tag, b.tag));
  hidden.sort((a, b) => b.count - a.count || compare(a.tag, b.tag));
  return { tags, hidden, customSpellings, spellingCounts, reading, aliases };
}

/** Repositories per tag, each once whatever spellings it carries: one statement over the user's library. */
async function countTags(
  db: Db,
  userId: number,
  customSpellings: Map<string, string[]>,
  aiSpellings: Map<string, string[]>,
): Promise<Map<string, { total: number; custom: number; ai: number }>> {
  const identityOf = (groups: Map<string, string[]>) =>
    JSON.stringify(Object.fromEntries([...groups].flatMap(([id, spellings]) => spellings.map((s) => [s, id]))));
  const rows = await db.all<{ id: unknown; total: unknown; custom: unknown; ai: unknown }>(sql`
    with custom_id(spelling, id) as (select key, value from json_each(${identityOf(customSpellings)})),
    ai_id(spelling, id) as (select key, value from json_each(${identityOf(aiSpellings)})),
    lib as (
      select ${stars.repositoryId} as rid, ${stars.customTags} as custom, ${analyses.tags} as ai
      from ${stars} left join ${analyses} on ${analyses.id} = ${stars.analysisId}
      where ${stars.userId} = ${userId} and ${inLibrary}),
    tagged as (
      select lib.rid, c.id, 1 as own from lib, json_each(coalesce(lib.custom, '[]')) j
        join custom_id c on c.spelling = j.value
      union all
      select lib.rid, a.id, 0 from lib, json_each(coalesce(lib.ai, '[]')) j join ai_id a on a.spelling = j.value)
    select id, count(distinct rid) as total,
      count(distinct case when own = 1 then rid end) as custom,
      count(distinct case when own = 0 then rid end) as ai
    from tagged group by id`);
  return new Map(
    rows.map((row) => [String(row.id), { total: Number(row.total), custom: Number(row.custom), ai: Number(row.ai) }]),
  );
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
