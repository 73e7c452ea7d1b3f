import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { analyses, repositories, stars } from "../db/schema";
import { USER_ROWID_SPAN } from "../library/query";

/**
 * Field weights (docs/architecture.md §7): names above topics and tags, above the summary and
 * descriptions, above the README — a word in a name says more than the same word in the
 * twentieth paragraph of a README. Order = the columns of migrations/0005_search.sql.
 */
const REPOSITORY_WEIGHTS = [10, 10, 3, 5, 1]; // name, full name, description, topics, README
const USER_WEIGHTS = [5, 5, 5, 3, 3, 3]; // custom tags, custom category, AI tags, custom description, AI summary, notes

export type Ranked = { id: number; score: number };

/**
 * The keyword ranking: the user's repositories matching any of `phrases` (FTS5 strings from
 * `anyTermPhrases`, worker/library/terms.ts) in their repository's text or in the user's own,
 * best first. Filters are applied before the limit, so a filtered search still fills its page.
 *
 * Every input of the score is public, this user's own, or the matched repository's own text,
 * so no other user's private README, notes or tags can move it (docs/architecture.md §7,
 * "Privacy of ranking"). FTS5's bm25 weighs a word by its frequency and a field by its average
 * length over the whole table, so it scores only where the table holds public text alone:
 * - public repositories (`repositories_fts`): bm25 with the field weights, as FTS5 computes it;
 * - private repositories (`private_repositories_fts`) and the user's own text (`stars_fts`, every
 *   user's rows in one table): FTS5 only says *where* a phrase is — `bm25()` with one field's
 *   weight set is below zero exactly when the phrase is in that field, whatever the table's
 *   statistics — and the score is BM25 with k1 = 0: the summed weights of the fields the
 *   phrase is in times its rarity in this user's library, idf = ln(1 + (N − n + 0.5) / (n + 0.5))
 *   with N the user's stars and n those the phrase matches. That is the k1 → 0 limit of the
 *   same formula, so both parts are on one scale.
 * A repository's score is the sum over phrases and parts; ties go to the smaller id.
 */
export async function keywordRanking(
  db: Db,
  userId: number,
  phrases: readonly string[],
  filters: SQL[],
  limit: number,
): Promise<Ranked[]> {
  if (phrases.length === 0) return [];
  const first = userId * USER_ROWID_SPAN;
  const inFields = (table: "private_repositories_fts" | "stars_fts", weights: readonly number[]) =>
    sql.join(
      weights.map((weight, field) => {
        const only = weights.map((_, i) => (i === field ? 1 : 0)).join(", ");
        return sql.raw(`(bm25(${table}, ${only}) < 0) * ${weight}`);
      }),
      sql` + `,
    );
  const publicScore = sql.raw(`-bm25(repositories_fts, ${REPOSITORY_WEIGHTS.join(", ")})`);
  const privateFields = inFields("private_repositories_fts", REPOSITORY_WEIGHTS);
  const userFields = inFields("stars_fts", USER_WEIGHTS);
  const analysisJoin = sql`left join ${analyses} on ${analyses.id} = ${stars.analysisId}`;
  // One statement a phrase, in one batch (one round trip): D1 refuses a compound SELECT of
  // more than a few terms. CROSS JOIN fixes the order (SQLite never reorders it,
  // https://www.sqlite.org/optoverview.html#crossjoin): from the matches to their star rows by
  // primary key. Left to itself the planner walked all of the user's stars and probed the
  // matches for each: 25 ms for a word with 31 matches in a 10,000-star library, 0.5 ms this way.
  const perPhrase = phrases.map((phrase) =>
    db
      .select({ id: sql<number>`m.id`, bm25: sql<number>`sum(m.bm25)`, fields: sql<number>`sum(m.fields)` })
      .from(
        sql`(select rowid as id, ${publicScore} as bm25, 0 as fields
            from repositories_fts where repositories_fts match ${phrase}
          union all
          select rowid as id, 0 as bm25, ${privateFields} as fields
            from private_repositories_fts where private_repositories_fts match ${phrase}
          union all
          select rowid - ${first} as id, 0 as bm25, ${userFields} as fields
            from stars_fts where stars_fts match ${phrase} and rowid between ${first} and ${first + USER_ROWID_SPAN - 1}
        ) as m cross join ${stars} cross join ${repositories} ${analysisJoin}`,
      )
      .where(
        and(
          eq(stars.userId, userId),
          sql`${stars.repositoryId} = m.id`,
          eq(repositories.id, stars.repositoryId),
          ...filters,
        ),
      )
      .groupBy(sql`m.id`),
  );
  const library = db.select({ n: sql<number>`count(*)` }).from(stars).where(eq(stars.userId, userId));
  const [count, ...answers] = await db.batch([library, ...perPhrase]);
  const matches = answers.flatMap((answer, phrase) =>
    answer.map((row) => ({ phrase, id: Number(row.id), bm25: Number(row.bm25), fields: Number(row.fields) })),
  );
  return rankByRarity(matches, Number(count[0]?.n ?? 0), limit);
}

/**
 * The score of each repository from where each phrase matched it: FTS5's bm25 of its public
 * text as it is, plus, for the fields scored without table statistics, the phrase's rarity
 * among the `libraryStars` (idf as in BM25, never below a small positive value, like FTS5's)
 * times the weights of the fields it is in.
 */
export function rankByRarity(
  matches: ReadonlyArray<{ phrase: number; id: number; bm25: number; fields: number }>,
  libraryStars: number,
  limit: number,
): Ranked[] {
  const matched = new Map<number, number>();
  for (const match of matches) matched.set(match.phrase, (matched.get(match.phrase) ?? 0) + 1);
  const total = Math.max(libraryStars, ...matched.values());
  const idf = (phrase: number) => {
    const n = matched.get(phrase) ?? 0;
    return Math.max(Math.log(1 + (total - n + 0.5) / (n + 0.5)), 1e-6);
  };
  const scores = new Map<number, number>();
  for (const match of matches) {
    const score = match.bm25 + idf(match.phrase) * match.fields;
    scores.set(match.id, (scores.get(match.id) ?? 0) + score);
  }
  return [...scores]
    .map(([id, score]) => ({ id, score }))
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice(0, limit);
}
