import { and, asc, desc, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { analyses, repositories, stars } from "../db/schema";
import { USER_ROWID_SPAN } from "../library/query";
import type { NameHit } from "./fusion";
import { nameHits, type nameMatchQuery } from "./names";
import { respelledPhrase, spellableWord, spellingCorrections } from "./spelling";

/**
 * Field weights (docs/architecture.md §7): names above topics and tags, above the summary and
 * descriptions, above the README — a word in a name says more than the same word in the
 * twentieth paragraph of a README. Order = the columns of migrations/0005_search.sql.
 */
const REPOSITORY_WEIGHTS = [10, 10, 3, 5, 1]; // name, full name, description, topics, README
const USER_WEIGHTS = [5, 5, 5, 3, 3, 3]; // custom tags, custom category, AI tags, custom description, AI summary, notes

/**
 * `score` orders the ranking; `strength` says whether it is a match at all: how much of the query's
 * information the repository holds, and where (below, "The floor"); null when not worked out
 * (past `strengthDepth`, or no floor).
 */
export type Ranked = { id: number; score: number; strength: number | null };

/**
 * The keyword ranking: the user's repositories matching any of `phrases` (FTS5 strings from
 * `anyTermPhrases`, worker/library/terms.ts) in their repository's text or in the user's own,
 * best first. Filters are applied before the limit, so a filtered search still fills its page.
 *
 * Every input of the score is public, this user's own, or the matched repository's own text,
 * so no other user's private README, notes or tags can move it (docs/architecture.md §7,
 * "Privacy of ranking"). FTS5's bm25 weighs a word by its frequency and a field by its average
 * length over the whole table, so it scores only where the table holds public text alone:
 * - public repositories (`repositories_fts`): bm25 with the field weights over all the phrases
 *   at once, as FTS5 computes it;
 * - private repositories (`private_repositories_fts`) and the user's own text (`stars_fts`, every
 *   user's rows in one table): FTS5 only says *where* a phrase is — `bm25()` with one field's
 *   weight set is below zero exactly when the phrase is in that field, whatever the table's
 *   statistics — and the score is BM25 with k1 = 0: the summed weights of the fields the
 *   phrase is in times its rarity in this user's own text, idf = ln(1 + (N − n + 0.5) / (n + 0.5))
 *   with N the user's stars and n those whose own or private text the phrase matches. That is
 *   the k1 → 0 limit of the same formula, so both parts add on one scale.
 * Two round trips: the user's own matches (few rows, one statement a phrase, in one batch), then
 * one statement that adds them to the public scores, joins the filters and keeps the best `limit`
 * (a third for the floor's strengths). Ties go to the smaller id. With `spelling`, a word that matched
 * none of the stars is first looked up in the public vocabulary, and the corrections the library holds are
 * ranked in its place (`respell`).
 */
export async function keywordRanking(
  db: Db,
  userId: number,
  phrases: readonly string[],
  filters: SQL[],
  limit: number,
  options: {
    /**
     * How much of one query term each phrase is (`anyTermPhraseWeights`), for each hit's `strength`;
     * null: no strength (0 for every hit), one round trip fewer (a search without a keyword floor).
     */
    termWeights?: readonly number[] | null;
    /** Hits whose strength is worked out, best first (the page); the rest get null. */
    strengthDepth?: number;
    /**
     * The repositories the query names (./names.ts), asked in the same first batch; `respelled`: the query's
     * misspelled words and what to ask instead (./spelling.ts).
     */
    names?: ((respelled: ReadonlyMap<string, string>) => ReturnType<typeof nameMatchQuery>) | null;
    /** Words that match nothing are asked again as their corrections (./spelling.ts). */
    spelling?: boolean;
  } = {},
): Promise<{ hits: Ranked[]; names: NameHit[]; spelling: Respelled[] }> {
  if (phrases.length === 0)
    return { hits: [], names: options.names ? nameHits((await options.names(new Map())) ?? []) : [], spelling: [] };
  const asked = await ownScores(db, userId, phrases, options.names?.(new Map()) ?? null);
  const rank = (asking: readonly string[], termWeights: readonly number[] | null, scores: Scores) =>
    rankedHits(db, userId, asking, filters, limit, termWeights, scores, options.strengthDepth);
  // Corrections are looked for before anything is ranked, not beside a ranking of the words as typed: D1 runs one
  // statement at a time, so that ranking, thrown away whenever a correction is kept, held the corrected one back
  // by its whole cost (a query with a word that matches nothing costs one small round trip more instead).
  const respelled = options.spelling
    ? await respell(db, userId, phrases, options.termWeights ?? null, asked, options.names ?? null)
    : null;
  if (!respelled)
    return { hits: await rank(phrases, options.termWeights ?? null, asked), names: asked.names, spelling: [] };
  return {
    hits: await rank(respelled.phrases, respelled.termWeights, respelled.scores),
    names: respelled.scores.names,
    spelling: respelled.spelling,
  };
}

/**
 * The ranking itself, from the user's own scores (`ownScores`): one statement that adds them to the public ones,
 * joins the filters and keeps the best `limit`; then, with `termWeights`, each hit's strength for the floor.
 */
async function rankedHits(
  db: Db,
  userId: number,
  phrases: readonly string[],
  filters: SQL[],
  limit: number,
  termWeights: readonly number[] | null,
  { own, ownFields, idf }: Scores,
  strengthDepth = limit,
): Promise<Ranked[]> {
  const matches = sql`(
    select rowid as id, ${PUBLIC_SCORE} as score
      from repositories_fts where repositories_fts match ${phrases.join(" OR ")}
    union all
    select cast(key as integer) as id, value as score from json_each(${JSON.stringify(Object.fromEntries(own))})
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
    .orderBy(desc(score), asc(sql`m.id`))
    .limit(limit);
  const ranked = rows.map((row) => ({ id: Number(row.id), score: Number(row.score) }));
  if (termWeights === null) return ranked.map((hit) => ({ ...hit, strength: null }));
  const fields = await publicFields(
    db,
    phrases,
    ranked.slice(0, strengthDepth).map((hit) => hit.id),
  );
  const strengths = strengthOf(
    [...fields, ...ownFields],
    idf.map((value, phrase) => value * (termWeights[phrase] ?? 1)),
  );
  const depth = new Set(ranked.slice(0, strengthDepth).map((hit) => hit.id));
  return ranked.map((hit) => ({ ...hit, strength: depth.has(hit.id) ? (strengths.get(hit.id) ?? 0) : null }));
}

/** A word of the query that matched nothing, and the corrections the library holds, asked in its place. */
export type Respelled = { word: string; instead: string[] };

/** What the user's own and private text says of each phrase (`ownScores`). */
type Scores = {
  own: Map<number, number>;
  ownFields: Array<{ phrase: number; id: number; fields: number }>;
  idf: number[];
  /** How many of the user's stars each phrase matches anywhere. */
  counts: number[];
  names: NameHit[];
  libraryStars: number;
};

/**
 * The query again with its misspelled words corrected (./spelling.ts), or null when none is: each plain
 * word that matched none of the user's stars is asked as the corrections public text has for it, and those
 * the user's library holds share the word's weight (a word counts once, as a Chinese word's bigrams do);
 * a word with no such correction keeps its weight, unmatched, as before. Two round trips, only for such
 * a query: the corrections, then the corrections' own scores and the names asked again with them (the
 * phrases as typed keep the scores already read).
 */
async function respell(
  db: Db,
  userId: number,
  phrases: readonly string[],
  termWeights: readonly number[] | null,
  asked: Scores,
  names: ((respelled: ReadonlyMap<string, string>) => ReturnType<typeof nameMatchQuery>) | null,
): Promise<{ phrases: string[]; termWeights: number[] | null; scores: Scores; spelling: Respelled[] } | null> {
  const misspelled = new Map<number, string>();
  phrases.forEach((phrase, index) => {
    const word = spellableWord(phrase);
    if (word !== null && asked.counts[index] === 0) misspelled.set(index, word);
  });
  if (misspelled.size === 0) return null;
  // Corrections help; they never cost the answer: without the vocabulary the words are searched as typed.
  const found = await spellingCorrections(db, [...new Set(misspelled.values())]).catch((error: unknown) => {
    console.error("spelling corrections could not be read; the words are searched as typed:", error);
    return new Map<string, string[]>();
  });
  // The query's phrases, then each correction (which phrase it stands for).
  const corrections = [...misspelled].flatMap(([index, word]) =>
    (found.get(word) ?? []).map((fix) => ({ index, word, fix, phrase: respelledPhrase(phrases[index]!, fix) })),
  );
  if (corrections.length === 0) return null;
  const all = [...phrases, ...corrections.map((correction) => correction.phrase)];
  // The names as the most used correction of each word spells them.
  const first = new Map<string, string>();
  for (const { word, fix } of corrections) if (!first.has(word)) first.set(word, fix);
  const scores = await ownScores(db, userId, all, names?.(first) ?? null, asked);
  const kept = corrections.filter((_, i) => scores.counts[phrases.length + i]! > 0);
  if (kept.length === 0) return null;
  const weight = (index: number) => termWeights?.[index] ?? 1;
  const share = (index: number) => kept.filter((correction) => correction.index === index).length;
  const weights = [
    ...phrases.map((_, index) => (share(index) > 0 ? 0 : weight(index))),
    ...corrections.map((correction) =>
      kept.includes(correction) ? weight(correction.index) / share(correction.index) : 0,
    ),
  ];
  const spelling = [...misspelled.values()]
    .filter((word, i, all) => all.indexOf(word) === i)
    .map((word) => ({ word, instead: kept.filter((correction) => correction.word === word).map((c) => c.fix) }))
    .filter((entry) => entry.instead.length > 0);
  return {
    phrases: all,
    termWeights: termWeights === null ? null : weights,
    // A name the corrections spell; else what the query spelled (a misspelled word may still start a name).
    scores: { ...scores, names: scores.names.length > 0 ? scores.names : asked.names },
    spelling,
  };
}

/**
 * The floor (docs/architecture.md §7, "No match"). Any of the query's words may match (an OR), so
 * an everyday question — "how to knit a wool scarf for winter" — matched some README that says
 * "winter" somewhere, and every query had a page of "matches". A hit's strength is what its text
 * holds of the query's information: each phrase's rarity in this user's library (the ranking's
 * idf) times the summed weights of the fields it is in (name 10, topics 5, description 3,
 * README 1; the user's tags 5, notes 3…: the ranking's own field weights), over the query's
 * total rarity — BM25 with k1 = 0 divided by the query's idf. A Chinese word counts once: each of
 * the n − 1 overlapping bigrams of an n-character run is 1/(n − 1) of it (`anyTermPhraseWeights`).
 * A hit is a match at strength ≥ 1 (`KEYWORD_FLOOR`): worth the whole query found in a README.
 * "winter" in one README is an eighth of that; "SIMD", the whole query, in a README is exactly 1;
 * a rare word of the query in a description and the README, or in the name, is above it. A fixed
 * principle, not fitted to any query: the README's weight is the unit the field weights are counted in.
 */
export const KEYWORD_FLOOR = 1;

/** Each hit's strength from where each phrase is (`fields`: summed field weights) and the phrases' (weighted) idf. */
export function strengthOf(
  matches: ReadonlyArray<{ phrase: number; id: number; fields: number }>,
  idf: readonly number[],
): Map<number, number> {
  const total = idf.reduce((sum, value) => sum + value, 0);
  const strengths = new Map<number, number>();
  if (total <= 0) return strengths;
  for (const match of matches)
    strengths.set(match.id, (strengths.get(match.id) ?? 0) + (idf[match.phrase]! * match.fields) / total);
  return strengths;
}

/** Where each phrase is in the public text of the ranked repositories: one statement a phrase, one batch. */
async function publicFields(
  db: Db,
  phrases: readonly string[],
  ids: readonly number[],
): Promise<Array<{ phrase: number; id: number; fields: number }>> {
  if (ids.length === 0) return [];
  const fields = inFields("repositories_fts", REPOSITORY_WEIGHTS);
  const candidates = JSON.stringify(ids);
  // Each phrase's doclist read once and kept to the candidates, bm25() only for them. `+rowid`: an
  // `in` FTS5 could use would be one seek a candidate instead, 40 times slower (30 ms for 3 words).
  const statements = phrases.map((phrase) =>
    db
      .select({ id: sql<number>`rowid`, fields: sql<number>`${fields}` })
      .from(sql`repositories_fts`)
      .where(sql`repositories_fts match ${phrase} and +rowid in (select value from json_each(${candidates}))`),
  );
  const [first, ...rest] = statements;
  const answers = (await db.batch([first!, ...rest])) as Array<Array<{ id: number; fields: number }>>;
  return answers.flatMap((answer, phrase) =>
    answer.map((row) => ({ phrase, id: Number(row.id), fields: Number(row.fields) })),
  );
}

const PUBLIC_SCORE = sql.raw(`-bm25(repositories_fts, ${REPOSITORY_WEIGHTS.join(", ")})`);

/** `(bm25(table, 1, 0, …) < 0) * weight + …`: the summed weights of the fields a single phrase is in. */
function inFields(
  table: "repositories_fts" | "private_repositories_fts" | "stars_fts",
  weights: readonly number[],
): SQL {
  return sql.raw(
    weights
      .map(
        (weight, field) =>
          `(bm25(${table}, ${weights.map((_, i) => (i === field ? 1 : 0)).join(", ")}) < 0) * ${weight}`,
      )
      .join(" + "),
  );
}

/**
 * The user's own part of each repository's score: where each phrase is in their own text and in
 * their private repositories' text, weighed by its rarity there. Few rows: a user's notes, tags
 * and summaries, and their private repositories.
 */
async function ownScores(
  db: Db,
  userId: number,
  phrases: readonly string[],
  nameQuery: ReturnType<typeof nameMatchQuery>,
  /** Scores already read for the first phrases (the query as typed): only the rest are asked. */
  known: Scores | null = null,
): Promise<Scores> {
  const first = userId * USER_ROWID_SPAN;
  const userFields = inFields("stars_fts", USER_WEIGHTS);
  const privateFields = inFields("private_repositories_fts", REPOSITORY_WEIGHTS);
  const asking = phrases.slice(known?.counts.length ?? 0);
  const perPhrase = asking.map((phrase) =>
    db.select({ id: sql<number>`m.id`, fields: sql<number>`m.fields` }).from(sql`(
      select rowid - ${first} as id, ${userFields} as fields
        from stars_fts where stars_fts match ${phrase} and rowid between ${first} and ${first + USER_ROWID_SPAN - 1}
      union all
      select private_repositories_fts.rowid as id, ${privateFields} as fields
        from private_repositories_fts cross join ${stars}
        where private_repositories_fts match ${phrase}
          and ${stars.userId} = ${userId} and ${stars.repositoryId} = private_repositories_fts.rowid
    ) as m`),
  );
  // How many of the user's stars each phrase matches anywhere (public, private or own text): its rarity.
  const inLibrary = asking.map((phrase) =>
    db
      .select({ n: sql<number>`count(*)` })
      .from(sql`(
      select rowid as id from repositories_fts where repositories_fts match ${phrase}
      union
      select rowid from private_repositories_fts where private_repositories_fts match ${phrase}
      union
      select rowid - ${first} from stars_fts
        where stars_fts match ${phrase} and rowid between ${first} and ${first + USER_ROWID_SPAN - 1}
    ) as m cross join ${stars}`)
      .where(and(eq(stars.userId, userId), sql`${stars.repositoryId} = m.id`)),
  );
  const library = db.select({ n: sql<number>`count(*)` }).from(stars).where(eq(stars.userId, userId));
  const [head, ...tail] = [
    ...(known ? [] : [library]),
    ...perPhrase,
    ...inLibrary,
    ...(nameQuery ? [nameQuery] : []),
  ] as Array<typeof library>;
  const answers = head ? ((await db.batch([head, ...tail])) as unknown[][]) : [];
  const libraryStars = known ? known.libraryStars : Number((answers.shift() as Array<{ n: number }>)[0]?.n ?? 0);
  const own = answers.slice(0, asking.length) as Array<Array<{ id: number; fields: number }>>;
  const counts = answers.slice(asking.length, asking.length * 2) as Array<Array<{ n: number }>>;
  const names = nameQuery ? nameHits(answers[asking.length * 2] as Array<{ id: number; exact: number }>) : [];
  const offset = phrases.length - asking.length;
  const matches = [
    ...(known?.ownFields ?? []),
    ...own.flatMap((answer, phrase) =>
      answer.map((row) => ({ phrase: offset + phrase, id: Number(row.id), fields: Number(row.fields) })),
    ),
  ];
  const matchedIn = [...(known?.counts ?? []), ...counts.map((answer) => Number(answer[0]?.n ?? 0))];
  return {
    own: weighByRarity(matches, libraryStars, matchedIn),
    ownFields: matches,
    idf: phrases.map((_, phrase) => rarity(libraryStars, matchedIn, phrase)),
    counts: matchedIn,
    names,
    libraryStars,
  };
}

/** BM25's idf of a phrase matched by `inLibrary[phrase]` of the `libraryStars`, never below a small positive value. */
function rarity(libraryStars: number, inLibrary: readonly number[], phrase: number): number {
  const total = Math.max(libraryStars, ...inLibrary);
  const n = inLibrary[phrase] ?? 0;
  return Math.max(Math.log(1 + (total - n + 0.5) / (n + 0.5)), 1e-6);
}

/**
 * Each repository's score from where each phrase matched its user-scored text: the phrase's rarity
 * among the `libraryStars` (idf as in BM25 with `inLibrary[phrase]` of them matched, never below
 * a small positive value, like FTS5's) times the weights of the fields it is in, summed.
 */
export function weighByRarity(
  matches: ReadonlyArray<{ phrase: number; id: number; fields: number }>,
  libraryStars: number,
  inLibrary: readonly number[],
): Map<number, number> {
  const idf = (phrase: number) => rarity(libraryStars, inLibrary, phrase);
  const scores = new Map<number, number>();
  for (const match of matches) scores.set(match.id, (scores.get(match.id) ?? 0) + idf(match.phrase) * match.fields);
  return scores;
}
