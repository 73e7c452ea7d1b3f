import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { analyses, repositories, stars } from "../db/schema";
import { USER_ROWID_SPAN } from "../library/query";

/**
 * bm25 column weights (docs/architecture.md §7): names above topics and tags, above the
 * summary and descriptions, above the README — a word in a name says more than the same
 * word in the twentieth paragraph of a README. Order = the columns of migrations/0005_search.sql.
 */
const REPOSITORY_WEIGHTS = { name: 10, fullName: 10, description: 3, topics: 5, readme: 1 };
const USER_WEIGHTS = { customTags: 5, customCategory: 5, aiTags: 5, customDescription: 3, aiSummary: 3, notes: 3 };

export type Ranked = { id: number; score: number };

/**
 * The keyword ranking: the user's repositories matching `expression` (an FTS5 string from
 * worker/library/terms.ts) in their repository text or in the user's own text, best first.
 * bm25 is negative (lower is better) and the two indexes' scores add, so a repository whose
 * README and notes both match ranks above one that only has the README. Filters are
 * applied here, before the limit, so a filtered search still fills its page.
 *
 * The repository index is global: FTS5 scores every repository the words match, whoever
 * starred it, before the join keeps this user's: its cost grows with the repositories everyone
 * starred that contain the words, not with this library (docs/architecture.md §7).
 */
export async function keywordRanking(
  db: Db,
  userId: number,
  expression: string,
  filters: SQL[],
  limit: number,
): Promise<Ranked[]> {
  const first = userId * USER_ROWID_SPAN;
  const r = REPOSITORY_WEIGHTS;
  const u = USER_WEIGHTS;
  const list = (...weights: number[]) =>
    sql.join(
      weights.map((weight) => sql`${weight}`),
      sql`, `,
    );
  const repositoryWeights = list(r.name, r.fullName, r.description, r.topics, r.readme);
  const userWeights = list(u.customTags, u.customCategory, u.aiTags, u.customDescription, u.aiSummary, u.notes);
  const matches = sql`(
    select rowid as id, bm25(repositories_fts, ${repositoryWeights}) as score
      from repositories_fts where repositories_fts match ${expression}
    union all
    select rowid - ${first} as id,
        bm25(stars_fts, ${userWeights}) as score
      from stars_fts where stars_fts match ${expression} and rowid between ${first} and ${first + USER_ROWID_SPAN - 1}
  ) as m`;
  const score = sql<number>`sum(m.score)`;
  const analysisJoin = sql`left join ${analyses} on ${analyses.id} = ${stars.analysisId}`;
  // CROSS JOIN fixes the order (SQLite never reorders it, https://www.sqlite.org/optoverview.html#crossjoin):
  // from the matches to their star rows by primary key. Left to itself the planner walked all
  // of the user's stars and probed the matches for each: 25 ms for a word with 31 matches
  // in a 10,000-star library, 0.5 ms this way.
  const rows = await db
    .select({ id: sql<number>`m.id`, score })
    .from(sql`${matches} cross join ${stars} cross join ${repositories} ${analysisJoin}`)
    .where(
      and(
        eq(stars.userId, userId),
        sql`${stars.repositoryId} = m.id`,
        eq(repositories.id, stars.repositoryId),
        ...filters,
      ),
    )
    .groupBy(sql`m.id`)
    .orderBy(asc(score), asc(sql`m.id`))
    .limit(limit);
  return rows.map((row) => ({ id: Number(row.id), score: -Number(row.score) }));
}
