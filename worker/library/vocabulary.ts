import { and, eq, isNotNull, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { stars, tagAliases } from "../db/schema";
import { oneEditApart } from "../lib/edit-distance";

/**
 * A user's tag vocabulary, applied when that user reads (docs/architecture.md §4, "Analyses are
 * shared"). An analysis is shared by everyone who stars the repository, so its tags are derived
 * from shared inputs only (the README, the model); when one user reads them, an AI tag close to
 * one of *their own* tags (plural, hyphenation, one letter off) is shown as theirs: alice who
 * tags "llm" reads "llm" where the analysis says "llms", and octocat, without that tag, reads
 * "llms". Nothing of one user's spelling reaches another.
 */
export type Vocabulary = ReadonlyMap<string, string>;

export const EMPTY_VOCABULARY: Vocabulary = new Map();

/** The user's own tags (custom tags, at most 5,000 distinct): a query to batch with others. */
export function vocabularyQuery(db: Db, userId: number) {
  return db
    .selectDistinct({ tag: sql<unknown>`json_each.value` })
    .from(stars)
    .innerJoin(sql`json_each(${stars.customTags})`, sql`1`)
    .where(and(eq(stars.userId, userId), isNotNull(stars.customTags)))
    .limit(5000);
}

export async function userVocabulary(db: Db, userId: number): Promise<Vocabulary> {
  return vocabularyOf(await vocabularyQuery(db, userId));
}

/** The answer of `vocabularyQuery` by each tag's spelling-insensitive key. */
export function vocabularyOf(rows: ReadonlyArray<{ tag: unknown }>): Vocabulary {
  const vocabulary = new Map<string, string>();
  for (const { tag } of rows) {
    if (typeof tag !== "string") continue;
    const normal = normaliseTag(tag);
    if (normal && !vocabulary.has(tagKey(normal))) vocabulary.set(tagKey(normal), tag);
  }
  return vocabulary;
}

/**
 * The user's explicit choices about AI tags (`tag_aliases`, worker/tags/operations.ts): an AI tag as the analyses
 * hold it → the tag they read instead, or null when they hid it. They come before the implicit vocabulary above.
 */
export type Aliases = ReadonlyMap<string, string | null>;

export const NO_ALIASES: Aliases = new Map();

/** The user's aliases (one per AI spelling they renamed, merged or hid): a query to batch with others. */
export function aliasesQuery(db: Db, userId: number) {
  return db
    .select({ alias: tagAliases.alias, canonical: tagAliases.canonical })
    .from(tagAliases)
    .where(eq(tagAliases.userId, userId));
}

export function aliasesOf(rows: ReadonlyArray<{ alias: string; canonical: string | null }>): Aliases {
  return new Map(rows.map((row) => [row.alias, row.canonical]));
}

/**
 * AI tags as this user reads them: an aliased one as its canonical tag (a hidden one not at all), else one close
 * to a tag of theirs as that tag; duplicates go. The same reading the `stars_fts` triggers apply (aliases only:
 * migrations/0019_tag_vocabulary.sql).
 */
export function inVocabulary(tags: readonly string[], vocabulary: Vocabulary, aliases: Aliases = NO_ALIASES): string[] {
  if (vocabulary.size === 0 && aliases.size === 0) return [...tags];
  const out: string[] = [];
  for (const tag of tags) {
    const own = readAiTag(tag, vocabulary, aliases);
    if (own !== null && !out.includes(own)) out.push(own);
  }
  return out;
}

/** One AI tag as this user reads it; null when they hid it. */
export function readAiTag(tag: string, vocabulary: Vocabulary, aliases: Aliases): string | null {
  const aliased = aliases.get(tag);
  if (aliased !== undefined) return aliased;
  if (vocabulary.size === 0) return tag;
  const normal = normaliseTag(tag);
  return vocabulary.get(tagKey(normal)) ?? nearest(normal, vocabulary) ?? tag;
}

/**
 * Tags as the library keeps them: lowercase, NFKC, words joined by hyphens, only letters,
 * digits and `+#.-`, at most 40 characters.
 */
export function normaliseTag(tag: string): string {
  return tag
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s_/]+/g, "-")
    .replace(/[^\p{L}\p{N}+#.-]/gu, "")
    .replace(/-{2,}/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 40);
}

/** Spelling-insensitive key of a normalised tag: no separators, a plural `s`/`es` dropped. */
export function tagKey(tag: string): string {
  const bare = tag.replace(/[-.]/g, "");
  if (bare.length > 4 && bare.endsWith("es") && /(ss|x|ch|sh)es$/.test(bare)) return bare.slice(0, -2);
  if (bare.length > 3 && bare.endsWith("s") && !bare.endsWith("ss")) return bare.slice(0, -1);
  return bare;
}

/** A tag of the user's one edit away from a tag of at least 6 characters ("kubernets" → "kubernetes"). */
function nearest(tag: string, vocabulary: Vocabulary): string | null {
  if (tag.length < 6) return null;
  for (const own of vocabulary.values()) {
    const normal = normaliseTag(own);
    if (normal.length >= 6 && oneEditApart(tag, normal)) return own;
  }
  return null;
}
