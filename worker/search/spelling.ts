import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { oneEditApart } from "../lib/edit-distance";

/**
 * Spelling (docs/architecture.md §7, "Typos"). A person half remembers a name and types `ripgerp`,
 * `lodahs`, `kubernets`: a word the library does not hold. Such a word — a plain Latin word of at
 * least `SPELLING_MIN_LENGTH` letters that matches none of the user's stars — is asked again as the
 * words one edit away from it (a letter inserted, deleted, replaced, or two neighbours swapped) that
 * public repositories use more often than the word typed, at most `SPELLING_MAX` of them, the most
 * used first. The keyword ranking keeps those the user's own library holds (./keyword.ts) and the
 * answer says which words were searched instead, so a correction is never silent.
 *
 * Where the words come from: `repositories_fts_vocab` (migrations/0021_spelling_vocabulary.sql),
 * FTS5's own vocabulary of the public repositories' index — public text only, like the scores of
 * `repositories_fts` (§7, "Privacy of ranking"): no user's notes, tags or private README can
 * suggest a word. Looked up only for a word that matched nothing (one more round trip for that query,
 * none for the rest), by a range of the vocabulary: the words that begin with the typed word's first
 * two letters and are at most one letter longer or shorter (a misspelling rarely starts wrong;
 * `rpigrep` is not corrected), each read once. Chinese is not corrected (no pinyin here).
 */
export const SPELLING_MIN_LENGTH = 5;
/** Corrections asked per misspelled word. */
export const SPELLING_MAX = 3;

/** The plain word of an FTS5 phrase (`"word"` or `"word"*`) that could be misspelled, lower-cased; else null. */
export function spellableWord(phrase: string): string | null {
  const match = /^"([A-Za-z0-9]+)"\*?$/.exec(phrase);
  const word = match?.[1]?.toLowerCase();
  return word && word.length >= SPELLING_MIN_LENGTH && /[a-z]/.test(word) ? word : null;
}

/** The phrase asking `word` as `phrase` asks its word: a prefix stays a prefix. */
export const respelledPhrase = (phrase: string, word: string) => (phrase.endsWith("*") ? `"${word}"*` : `"${word}"`);

/**
 * Words one edit from `word`, most used first, from `vocabulary` (term → public repositories using it), more
 * used than `word` itself: a word public text uses more than its neighbours is not misspelled.
 */
export function corrections(word: string, vocabulary: ReadonlyMap<string, number>): string[] {
  const own = vocabulary.get(word) ?? 0;
  return [...vocabulary]
    .filter(([term, doc]) => term !== word && doc > own && oneEditApart(word, term, { transpose: true }))
    .sort(([a, docA], [b, docB]) => docB - docA || (a < b ? -1 : 1))
    .slice(0, SPELLING_MAX)
    .map(([term]) => term);
}

/** For each word, its corrections (possibly none): one statement a word, one batch. */
export async function spellingCorrections(db: Db, words: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (words.length === 0) return out;
  const statements = words.map((word) => {
    const start = word.slice(0, 2);
    // Every term that begins with `start`: [start, start with its last letter's next code point).
    const end = start[0]! + String.fromCharCode(start.charCodeAt(1) + 1);
    return db
      .select({ term: sql<string>`term`, doc: sql<number>`doc` })
      .from(sql`repositories_fts_vocab`)
      .where(
        sql`term >= ${start} and term < ${end} and length(term) between ${word.length - 1} and ${word.length + 1}`,
      );
  });
  const [first, ...rest] = statements;
  const answers = (await db.batch([first!, ...rest])) as Array<Array<{ term: string; doc: number }>>;
  words.forEach((word, index) => {
    const vocabulary = new Map((answers[index] ?? []).map((row) => [String(row.term), Number(row.doc)]));
    out.set(word, corrections(word, vocabulary));
  });
  return out;
}
