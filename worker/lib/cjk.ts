/**
 * CJK text, defined once. Its callers ask one of two questions, and the answers differ on purpose:
 *
 * - Is a character CJK: written without spaces between words, one character often a word and a
 *   token of its own? Every block below (`CJK_CHAR`): Han with all its extensions and the
 *   radicals, kana, Hangul, Bopomofo, and the punctuation and forms they are written with
 *   (、。「」，：and the prolonged sound mark ー). Token estimates use it (worker/lib/tokens.ts).
 * - Does the keyword index cut it into bigrams? Only the blocks marked `indexed`
 *   (`INDEXED_CJK_CHAR`): the ones the triggers of migrations/0005_search.sql pair up (Han of the
 *   BMP, kana, Hangul syllables; docs/architecture.md §7). A query is asked the way its text
 *   was indexed (worker/library/terms.ts), so this set follows the SQL: a bigram of characters
 *   the index kept whole would match nothing. Widening it takes a migration that rewrites those
 *   triggers and indexes both FTS tables again.
 */
export const CJK_BLOCKS: ReadonlyArray<{ name: string; from: number; to: number; indexed?: true }> = [
  { name: "Hangul Jamo", from: 0x1100, to: 0x11ff },
  { name: "CJK Radicals Supplement, Kangxi Radicals", from: 0x2e80, to: 0x2fdf },
  { name: "Ideographic Description Characters", from: 0x2ff0, to: 0x2fff },
  // U+3000, the ideographic space, is whitespace.
  { name: "CJK Symbols and Punctuation", from: 0x3001, to: 0x303f },
  { name: "Hiragana, Katakana", from: 0x3040, to: 0x30ff, indexed: true },
  {
    name: "Bopomofo, Hangul Compatibility Jamo, Kanbun, Bopomofo Extended, CJK Strokes, Katakana Phonetic Extensions",
    from: 0x3100,
    to: 0x31ff,
  },
  { name: "Enclosed CJK Letters and Months, CJK Compatibility", from: 0x3200, to: 0x33ff },
  { name: "CJK Unified Ideographs Extension A", from: 0x3400, to: 0x4dbf, indexed: true },
  { name: "CJK Unified Ideographs", from: 0x4e00, to: 0x9fff, indexed: true },
  { name: "Hangul Jamo Extended-A", from: 0xa960, to: 0xa97f },
  { name: "Hangul Syllables", from: 0xac00, to: 0xd7af, indexed: true },
  { name: "Hangul Jamo Extended-B", from: 0xd7b0, to: 0xd7ff },
  { name: "CJK Compatibility Ideographs", from: 0xf900, to: 0xfaff, indexed: true },
  { name: "CJK Compatibility Forms", from: 0xfe30, to: 0xfe4f },
  { name: "Halfwidth and Fullwidth Forms", from: 0xff00, to: 0xffef },
  { name: "Ideographic Symbols and Punctuation", from: 0x16fe0, to: 0x16fff },
  { name: "Kana Extended-B, Kana Supplement, Kana Extended-A, Small Kana Extension", from: 0x1aff0, to: 0x1b16f },
  { name: "Enclosed Ideographic Supplement", from: 0x1f200, to: 0x1f2ff },
  {
    name: "CJK Unified Ideographs Extensions B–I, CJK Compatibility Ideographs Supplement",
    from: 0x20000,
    to: 0x3ffff,
  },
];

const charClass = (blocks: typeof CJK_BLOCKS) =>
  `[${blocks.map(({ from, to }) => `\\u{${from.toString(16)}}-\\u{${to.toString(16)}}`).join("")}]`;

/** One CJK character (a `u` pattern: a character beyond the BMP is one character). */
export const CJK_CHAR = new RegExp(charClass(CJK_BLOCKS), "u");

/** One character the keyword index cuts into bigrams (a subset of CJK_CHAR). */
export const INDEXED_CJK_CHAR = new RegExp(charClass(CJK_BLOCKS.filter((block) => block.indexed)), "u");
