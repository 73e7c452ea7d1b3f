import { sql } from "drizzle-orm";
import { FACET_LIMIT, type FacetCount, type LibraryFacets } from "../../shared/repositories";
import type { Db } from "../db/client";
import { analyses, repositories, stars, tagAliases } from "../db/schema";
import { inLibrary } from "./query";

// The library's facets (`GET /api/repositories/facets`): which languages and tags its filters can
// take, with counts, over the whole library. Three statements, each one pass over the user's own
// `stars` rows (the privacy boundary, docs/architecture.md §2) and at most FACET_LIMIT rows back:
// bounded by the library's size, which the sync bounds (3,000 stars a listing).

/** The user's library rows with what the facets read of them. */
const library = (userId: number) => sql`
  select ${stars.repositoryId} as id, ${stars.customTags} as custom, ${analyses.tags} as ai,
         ${repositories.topics} as topics, ${repositories.language} as language,
         ${stars.goneReason} is not null as gone
  from ${stars}
  join ${repositories} on ${repositories.id} = ${stars.repositoryId}
  left join ${analyses} on ${analyses.id} = ${stars.analysisId}
  where ${stars.userId} = ${userId} and ${inLibrary}`;

type Row = { value: unknown; count: unknown };

const counts = (rows: Row[]): FacetCount[] =>
  rows.flatMap((row) => (typeof row.value === "string" ? [{ value: row.value, count: Number(row.count) }] : []));

export async function libraryFacets(db: Db, userId: number): Promise<LibraryFacets> {
  const [total, languages, tags] = await Promise.all([
    db.all<{ total: unknown; gone: unknown }>(
      sql`select coalesce(sum(not gone), 0) as total, coalesce(sum(gone), 0) as gone from (${library(userId)})`,
    ),
    db.all<Row>(sql`
      select min(language) as value, count(*) as count from (${library(userId)})
      where language is not null and language <> ''
      group by language collate nocase
      order by count desc, value collate nocase
      limit ${FACET_LIMIT}`),
    // What the `tag` filter matches (query.ts, filterConditions): custom tags, the AI's as the user reads
    // them (through their aliases), GitHub's topics, case-insensitively; a repository with a tag in two of
    // them counts once.
    db.all<Row>(sql`
      with lib as (${library(userId)}),
      tagged as (
        select lib.id, j.value from lib, json_each(coalesce(lib.custom, '[]')) j where j.type = 'text'
        union all
        select lib.id, coalesce(m.canonical, j.value) from lib, json_each(coalesce(lib.ai, '[]')) j
        left join ${tagAliases} m on m.user_id = ${userId} and m.alias = j.value
        where j.type = 'text' and (m.alias is null or m.canonical is not null)
        union all
        select lib.id, j.value from lib, json_each(coalesce(lib.topics, '[]')) j where j.type = 'text'
      )
      select min(value) as value, count(distinct id) as count from tagged
      where trim(value) <> ''
      group by value collate nocase
      order by count desc, value collate nocase
      limit ${FACET_LIMIT}`),
  ]);
  return {
    total: Number(total[0]?.total ?? 0),
    gone: Number(total[0]?.gone ?? 0),
    languages: counts(languages),
    tags: counts(tags),
  };
}
