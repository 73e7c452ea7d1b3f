import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { z } from "zod";
import type { SearchHit, SearchMode, SearchQuery } from "../../shared/search";
import { SEARCH_LIMIT_DEFAULT } from "../../shared/search";
import type { Db } from "../db/client";
import { analyses, repositories, stars } from "../db/schema";
import { inJsonArray } from "../db/sql";
import { splitListOperators } from "../../shared/lists";
import {
  filterConditions,
  inLibrary,
  selectLibrary,
  sortOrder,
  strings,
  toRepositoryItem,
  type LibraryRow,
} from "../library/query";
import { anyTermPhraseWeights, parseQuery, type QueryTerm } from "../library/terms";
import { userNamespace, type VectorStore } from "../vectors/store";
import { semanticFloors, type Floors } from "./floor";
import { fuse, namesFirst, type Fusion } from "./fusion";
import { KEYWORD_FLOOR, keywordRanking, type Ranked as KeywordRanked, type Respelled } from "./keyword";
import { nameMatchQuery } from "./names";
import { makeSnippet } from "./snippet";

/**
 * Hybrid search over one user's library (docs/architecture.md §7): the keyword ranking
 * (FTS5 matches over the repository's and the user's text) fused with the semantic ranking
 * (nearest vectors in the user's namespace) by reciprocal-rank fusion. Both rankings see the
 * same filters before fusion, so a filter never empties a page the other ranking would fill.
 */

/** The semantic half: how a query becomes a vector, and where the user's vectors are. */
export type Semantic = {
  /** Which model makes the vectors (`provider:model:dimensions`): the floor is worked out per model. */
  model: string;
  embedQuery(text: string): Promise<readonly number[]>;
  /** Several texts in one call (the floor's probes). */
  embedTexts(texts: readonly string[]): Promise<ReadonlyArray<readonly number[]>>;
  store: VectorStore;
  /** `SEMANTIC_FLOOR`: the deployment's fixed relevance floor; null = worked out per library (./floor.ts). */
  fixedFloor: number | null;
};

/** Candidates each ranking contributes to the fusion (Vectorize returns at most 100 without metadata). */
export const CANDIDATES = 100;

export type SearchResult = { mode: SearchMode; items: SearchHit[]; related: SearchHit[]; spelling: Respelled[] };
/** Semantic-only neighbours below the floor shown as "related" beside the matches. */
export const RELATED_LIMIT = 5;
/** Milliseconds per part of one search, for a `Server-Timing` header (the benchmark reads it). */
export type SearchTimings = { keyword: number; embed: number; vectors: number; hydrate: number; total: number };

/**
 * How the rankings are fused (`SEARCH_FUSION`, ./fusion.ts), and the keyword side's floor
 * (`KEYWORD_FLOOR`, ./keyword.ts; 0 = none).
 */
export type SearchOptions = { fusion: Fusion; keywordFloor: number; spelling: boolean };
export const DEFAULT_SEARCH_OPTIONS: SearchOptions = {
  fusion: "weighted",
  keywordFloor: KEYWORD_FLOOR,
  spelling: true,
};

export async function searchLibrary(
  db: Db,
  userId: number,
  asked: z.output<typeof SearchQuery>,
  semantic: Semantic | null,
  options: SearchOptions = DEFAULT_SEARCH_OPTIONS,
): Promise<SearchResult & { timings: SearchTimings }> {
  const started = Date.now();
  const timings: SearchTimings = { keyword: 0, embed: 0, vectors: 0, hydrate: 0, total: 0 };
  const limit = asked.limit ?? SEARCH_LIMIT_DEFAULT;
  // `list:Name` and `no:list` are filters, not words (shared/lists.ts).
  const { rest, list, unlisted } = splitListOperators(asked.q);
  const query = { ...asked, q: rest, list: asked.list ?? list, unlisted: asked.unlisted ?? unlisted };
  const filters = filterConditions(query, userId);
  if (!rest) {
    // Only operators: the List's stars, most recently starred first, each a match.
    const rows = await selectLibrary(db, userId, filters, sortOrder.starred_at, limit);
    const items = rows.map((row) => ({ ...toRepositoryItem(row), score: 0, matchedBy: [], snippet: null }));
    return { mode: "keyword", items, related: [], spelling: [], timings: { ...timings, total: Date.now() - started } };
  }
  const terms = parseQuery(query.q);
  const weighted = anyTermPhraseWeights(terms);
  const phrases = weighted.map((entry) => entry.phrase);
  // The query's embedding is a call over the network on the answer's path: it goes out before the keyword side's
  // statements are built (the isolate's work on those would hold it back).
  const semanticSide = semantic ? semanticRanking(db, userId, semantic, query.q, filters, [], timings) : null;
  const floorsSide = semantic ? timed(timings, "vectors", floorsOrNone(db, userId, semantic)) : null;
  const [{ hits: keyword, names, spelling }, nearest, floors] = await Promise.all([
    timed(
      timings,
      "keyword",
      keywordRanking(db, userId, phrases, filters, CANDIDATES, {
        termWeights: options.keywordFloor > 0 ? weighted.map((entry) => entry.weight) : null,
        // The floor decides what the page shows: the hits past it are matches only if the meaning agrees.
        strengthDepth: limit,
        names:
          options.fusion === "rrf"
            ? null
            : (respelled) => nameMatchQuery(db, userId, respellTerms(terms, respelled), filters, CANDIDATES),
        spelling: options.spelling,
      }),
    ),
    semanticSide,
    floorsSide,
  ]);
  const mode: SearchMode = nearest ? "hybrid" : "keyword";
  // A keyword hit is a match at the keyword floor (./keyword.ts); a neighbour the words did not find
  // is one above the semantic floor (./floor.ts). Below both: related, above the noise.
  const named = new Set(names.map((hit) => hit.id));
  // Past the page the strength is not worked out (null): such a hit is a match only if the meaning agrees.
  const strong = (hit: KeywordRanked) =>
    options.keywordFloor <= 0 || (hit.strength !== null && hit.strength >= options.keywordFloor);
  const found = new Set(keyword.filter(strong).map((hit) => hit.id));
  const above = (hit: { similarity: number }) => floors === null || hit.similarity > floors.floor;
  const matching = (nearest ?? []).filter((hit) => found.has(hit.id) || above(hit));
  const confirmed = new Set(matching.map((hit) => hit.id));
  // A weak keyword hit the meaning confirms keeps its keyword place in the fusion.
  const keywordMatching = keyword.filter((hit) => found.has(hit.id) || confirmed.has(hit.id));
  const related = [
    ...(nearest ?? [])
      .filter((hit) => !found.has(hit.id) && !above(hit) && hit.similarity > floors!.noise)
      .map((hit) => ({ id: hit.id, score: hit.similarity, keyword: false, semantic: true })),
    ...keyword
      .filter((hit) => hit.strength !== null && !found.has(hit.id) && !confirmed.has(hit.id))
      .map((hit) => ({ id: hit.id, score: hit.score, keyword: true, semantic: false })),
  ]
    .filter((hit, index, all) => !named.has(hit.id) && all.findIndex((other) => other.id === hit.id) === index)
    .slice(0, RELATED_LIMIT);
  const fused = nearest
    ? fuse(
        options.fusion,
        keywordMatching,
        matching,
        names,
        floors?.noise ?? null,
        keyword.find((hit) => found.has(hit.id))?.id ?? null,
      )
    : namesFirst(
        keywordMatching.map((hit, index) => ({
          id: hit.id,
          score: hit.score,
          keywordRank: index + 1,
          semanticRank: null,
        })),
        names,
      );
  const ranked = fused.slice(0, limit).map((hit) => ({
    id: hit.id,
    score: hit.score,
    // A repository the query names is a keyword match, whichever ranking found it.
    keyword: hit.keywordRank !== null || hit.semanticRank === null,
    semantic: hit.semanticRank !== null,
  }));
  const shownTerms = respellTerms(terms, firstCorrections(spelling));
  const [items = [], relatedItems = []] = await timed(
    timings,
    "hydrate",
    // The snippets show the words searched: a corrected word as corrected.
    hydrateGroups(db, userId, [ranked, related], shownTerms),
  );
  timings.total = Date.now() - started;
  return { mode, items, related: relatedItems, spelling, timings };
}

/** Each misspelled word and its most used correction. */
const firstCorrections = (spelling: readonly Respelled[]) =>
  new Map(spelling.map((entry) => [entry.word, entry.instead[0]!]));

/** The query's terms with each misspelled word (lower-cased, ./spelling.ts) replaced by its correction. */
function respellTerms(terms: readonly QueryTerm[], respelled: ReadonlyMap<string, string>): QueryTerm[] {
  if (respelled.size === 0) return [...terms];
  return terms.map((term) => {
    const fix = term.kind === "word" ? respelled.get(term.text.toLowerCase()) : undefined;
    return fix === undefined ? term : { kind: "word", text: fix };
  });
}

/** The floors, or none when they cannot be worked out now (a failing model: that answer is keyword-only anyway). */
async function floorsOrNone(db: Db, userId: number, semantic: Semantic): Promise<Floors | null> {
  try {
    return await semanticFloors(db, userId, semantic, semantic.fixedFloor);
  } catch (error) {
    console.error(`the relevance floor for user ${userId} could not be worked out; none this time:`, error);
    return null;
  }
}

async function timed<T>(timings: SearchTimings, part: keyof SearchTimings, work: Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work;
  } finally {
    timings[part] += Date.now() - started;
  }
}

/**
 * The semantic ranking, filtered: the nearest vectors (a repository may have several, its best
 * counts), then the library's filters through D1. Null when the embedding model or the store
 * fails: the search answers with keywords and says so (`mode: "keyword"`).
 */
export async function semanticRanking(
  db: Db,
  userId: number,
  semantic: Semantic,
  text: string,
  filters: SQL[],
  exclude: readonly number[],
  timings: SearchTimings = { keyword: 0, embed: 0, vectors: 0, hydrate: 0, total: 0 },
): Promise<Array<{ id: number; similarity: number }> | null> {
  let matches: Awaited<ReturnType<typeof semantic.store.query>>;
  // The embedding first: the call over the network is the long part.
  const embedding = timed(timings, "embed", semantic.embedQuery(text));
  embedding.catch(() => {}); // awaited below, where a failure is handled
  // The library alone (no other filter, the usual search): what is outside it (unstarred, not saved) is read beside
  // the embedding, off the answer's path, instead of checking the neighbours through D1 after the vector query.
  // (Failing, it leaves the check to D1 as with any other filter.)
  const outside =
    filters.length === 1 && filters[0] === inLibrary ? outsideLibrary(db, userId).catch(() => null) : null;
  try {
    const vector = await embedding;
    matches = await timed(timings, "vectors", semantic.store.query(userNamespace(userId), vector, CANDIDATES));
  } catch (error) {
    console.error(`semantic ranking for user ${userId} failed; answering with keywords:`, error);
    return null;
  }
  const best = new Map<number, number>();
  for (const match of matches) {
    if (exclude.includes(match.repositoryId)) continue;
    if (!best.has(match.repositoryId)) best.set(match.repositoryId, match.score);
  }
  if (best.size === 0) return [];
  // Only rows the user has and the filters keep (a vector may outlive an unstar until the next sync).
  const out = outside && (await timed(timings, "vectors", outside));
  if (out) return [...best].filter(([id]) => !out.has(id)).map(([id, similarity]) => ({ id, similarity }));
  const allowed = await timed(
    timings,
    "vectors",
    db
      .select({ id: repositories.id })
      .from(stars)
      .innerJoin(repositories, eq(repositories.id, stars.repositoryId))
      .leftJoin(analyses, eq(analyses.id, stars.analysisId))
      .where(and(eq(stars.userId, userId), inJsonArray(repositories.id, [...best.keys()]), ...filters)),
  );
  const keep = new Set(allowed.map((row) => row.id));
  return [...best].filter(([id]) => keep.has(id)).map(([id, similarity]) => ({ id, similarity }));
}

/** The user's repositories outside the library (unstarred and not saved): few, and read in one statement. */
async function outsideLibrary(db: Db, userId: number): Promise<Set<number>> {
  const rows = await db
    .select({ id: stars.repositoryId })
    .from(stars)
    .where(and(eq(stars.userId, userId), sql`not ${inLibrary}`));
  return new Set(rows.map((row) => row.id));
}

type Ranked = { id: number; score: number; keyword: boolean; semantic: boolean };

/** Ranked ids → the cards, in rank order, each with a snippet of where its words are. */
export async function hydrate(
  db: Db,
  userId: number,
  ranked: readonly Ranked[],
  terms: readonly QueryTerm[],
): Promise<SearchHit[]> {
  return (await hydrateGroups(db, userId, [ranked], terms))[0] ?? [];
}

/** Several lists of hits (a page and its related ones) read at once: one read of their rows, one of README windows. */
async function hydrateGroups(
  db: Db,
  userId: number,
  groups: ReadonlyArray<readonly Ranked[]>,
  terms: readonly QueryTerm[],
): Promise<SearchHit[][]> {
  const ids = [...new Set(groups.flat().map((hit) => hit.id))];
  if (ids.length === 0) return groups.map(() => []);
  const rows = await selectLibrary(db, userId, [inJsonArray(repositories.id, ids)], [], ids.length);
  const byId = new Map(rows.map((row) => [row.id, row]));
  const snippets = new Map(rows.map((row) => [row.id, makeSnippet(shortTexts(row), terms)]));
  // README windows only for hits whose short fields did not mention a word.
  const needReadme = rows.filter((row) => snippets.get(row.id) === null).map((row) => row.id);
  if (needReadme.length > 0 && terms.length > 0) {
    const readmes = await db
      .select({ id: repositories.id, readme: sql<string | null>`substr(${repositories.readmeContent}, 1, 20000)` })
      .from(repositories)
      .where(inArray(repositories.id, needReadme));
    for (const { id, readme } of readmes) snippets.set(id, makeSnippet([readme], terms));
  }
  return groups.map((ranked) =>
    ranked.flatMap((hit) => {
      const row = byId.get(hit.id);
      if (!row) return [];
      const matchedBy: SearchHit["matchedBy"] = [];
      if (hit.keyword) matchedBy.push("keyword");
      if (hit.semantic) matchedBy.push("semantic");
      return [{ ...toRepositoryItem(row), score: hit.score, matchedBy, snippet: snippets.get(hit.id) ?? null }];
    }),
  );
}

/** What says most about a hit, in order: the user's words, the AI's, the repository's own. */
const shortTexts = (row: LibraryRow) => [
  row.notes,
  row.customDescription,
  row.aiSummary,
  row.description,
  [...strings(row.customTags), ...strings(row.aiTags), ...strings(row.topics)].join(" · ") || null,
  row.fullName,
];
