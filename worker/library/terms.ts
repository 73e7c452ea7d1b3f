import { INDEXED_CJK_CHAR } from "../lib/cjk";

/**
 * A person's query as FTS5 expressions (docs/architecture.md §7). The text never reaches
 * MATCH as syntax: every piece becomes a quoted FTS5 string, so quotes, `*`, `NEAR`, `-`,
 * `OR`, `:` and parentheses are words like any other.
 *
 * The index (migrations/0005_search.sql) is unicode61, with the overlapping bigrams of every
 * CJK run appended to each value. So a Latin word is asked as a prefix (`"frame"*`), a CJK
 * run as its bigrams (`"框架"`; 数据库 → `"数据"`, `"据库"`), a lone CJK character as a prefix
 * of the bigrams it starts.
 */

/** Runs of the characters the index's bigrams cover (worker/lib/cjk.ts): a query is cut where its text was. */
const CJK_RUNS = new RegExp(`(${INDEXED_CJK_CHAR.source}+)`, "u");
/** What a Latin piece may contain and still be asked as FTS words; `c++`, `c#`, `100%` are matched literally. */
const FTS_SAFE = /^[\p{L}\p{N}\p{M}_\-.'/:@]+$/u;
const HAS_WORD = /[\p{L}\p{N}]/u;

export const MAX_TERMS = 10;

export type QueryTerm =
  /** Letters and digits: a prefix match on the words unicode61 makes of it (`node.js` → `node js*`). */
  | { kind: "word"; text: string }
  /** A run of CJK characters. */
  | { kind: "cjk"; text: string }
  /** Symbols the tokenizer would drop (`c++`, `100%`): the list filter matches them with LIKE. */
  | { kind: "literal"; text: string };

/** Whitespace-separated pieces (≤ 10), each cut where the script changes: `vue框架` → vue, 框架. */
export function parseQuery(q: string): QueryTerm[] {
  const pieces = q
    .replaceAll('"', " ")
    .split(/\s+/)
    .filter((piece) => piece.length > 0)
    .slice(0, MAX_TERMS);
  const terms: QueryTerm[] = [];
  for (const piece of pieces) {
    for (const part of piece.split(CJK_RUNS)) {
      if (part === "") continue;
      if (INDEXED_CJK_CHAR.test(part)) terms.push({ kind: "cjk", text: part });
      else if (FTS_SAFE.test(part) && HAS_WORD.test(part)) terms.push({ kind: "word", text: part });
      else terms.push({ kind: "literal", text: part });
    }
  }
  return terms;
}

/** The overlapping pairs of a CJK run, as the migration indexes them; a single character stays itself. */
export function cjkBigrams(run: string): string[] {
  const chars = [...run];
  if (chars.length < 2) return chars;
  return chars.slice(0, -1).map((char, i) => char + chars[i + 1]);
}

const quoted = (text: string) => `"${text.replaceAll('"', '""')}"`;

/** The FTS5 strings one term is asked as, all of which must match for the term to match. */
function termStrings(term: QueryTerm, prefix = true): string[] {
  if (term.kind === "word") return [prefix ? `${quoted(term.text)}*` : quoted(term.text)];
  if (term.kind === "cjk") {
    const grams = cjkBigrams(term.text);
    return grams.length === 1 && [...term.text].length === 1 ? [`${quoted(term.text)}*`] : grams.map(quoted);
  }
  return [];
}

/**
 * Every term must match (the list's `q` filter): one FTS5 expression per term, so the
 * caller can let each term match in either index (the repository's text or the user's).
 */
export function termExpressions(terms: readonly QueryTerm[]): string[] {
  return terms.flatMap((term) => {
    const strings = termStrings(term);
    return strings.length === 0 ? [] : [strings.join(" AND ")];
  });
}

/**
 * Words that match nearly every README: left out of the ranking query (their weight would be
 * almost nothing, but each one makes FTS5 visit every row it is in). Kept when nothing else is left.
 */
const STOP_WORDS = new Set(
  (
    "a an and are as at be by can do for from how i in is it its me my of on or so that the this to use used using " +
    "was what when which who with you your"
  ).split(" "),
);
/** Bigrams of function words that say nothing about a repository. */
const CJK_STOP = new Set(["一个", "一款", "一种", "这个", "可以", "我们", "用于", "的是", "是一", "个基", "基于"]);

/**
 * Any term may match, better with more (the search's ranking): every word and bigram as its own
 * FTS5 string, which the keyword ranking asks one by one and weighs by how rare it is in the
 * user's library. Empty when nothing is searchable. (The list's filter, `termExpressions`,
 * keeps every word a prefix: it ANDs them, which is cheap.)
 */
export function anyTermPhrases(terms: readonly QueryTerm[]): string[] {
  return anyTermPhraseWeights(terms).map((entry) => entry.phrase);
}

/**
 * `anyTermPhrases` with how much of one term each phrase is: 1 for a word, 1/(n − 1) for each of
 * the n − 1 overlapping bigrams of an n-character Chinese run — they are one word, not n − 1
 * independent ones (the keyword floor counts a query's information by term, worker/search/keyword.ts).
 */
export function anyTermPhraseWeights(terms: readonly QueryTerm[]): Array<{ phrase: string; weight: number }> {
  // A literal still has words for the ranking: NEAR(ripgrep) → near, ripgrep; c++ has none worth asking.
  const words = (term: QueryTerm): QueryTerm[] =>
    term.kind === "literal"
      ? (term.text.match(/[\p{L}\p{N}]{2,}/gu) ?? []).map((text): QueryTerm => ({ kind: "word", text }))
      : [term];
  // Only the last word is a prefix, as a person types it: a prefix on every word makes FTS5
  // merge the lists of every longer word too (web → webpack, website, websocket…), which
  // tripled the time of a four-word query over 10,000 READMEs and matched words not meant.
  const pieces = terms.flatMap(words);
  const lastWord = pieces.findLastIndex((term) => term.kind === "word");
  const weights = new Map<string, number>();
  pieces.forEach((term, i) => {
    const strings = termStrings(term, i === lastWord);
    for (const text of strings) weights.set(text, Math.max(weights.get(text) ?? 0, 1 / strings.length));
  });
  const all = [...weights].map(([phrase, weight]) => ({ phrase, weight }));
  const meaningful = all.filter(({ phrase }) => {
    const bare = phrase.replace(/^"|"\*?$/g, "").toLowerCase();
    return !STOP_WORDS.has(bare) && !CJK_STOP.has(bare);
  });
  return meaningful.length > 0 ? meaningful : all;
}
