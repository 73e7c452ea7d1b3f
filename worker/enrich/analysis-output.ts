import { z } from "zod";
import { normaliseTag, tagKey } from "../library/vocabulary";

// What an analysis must be (docs/architecture.md §4 "analyse"): the schema the model is held to
// (sent as json_schema), and the checks its answer passes before it is stored. A model that
// obeyed an instruction in the README — answered in another language, said what the README
// told it to, leaked its instructions — fails them, and the analysis is asked once more.

/** The fixed list of platforms (the extension shows them as chips). */
export const PLATFORMS = [
  "web",
  "node",
  "cli",
  "desktop",
  "mobile",
  "ios",
  "android",
  "windows",
  "macos",
  "linux",
  "docker",
  "wasm",
  "miniprogram",
] as const;
export type Platform = (typeof PLATFORMS)[number];

export const SUMMARY_MAX = { en: 300, zh: 150 } as const;
const SUMMARY_MIN = { en: 20, zh: 8 } as const;

/** The schema the model is given (per language: Chinese says as much in fewer characters). */
export function modelOutputSchema(language: "en" | "zh") {
  return z.object({
    summary: z
      .string()
      .min(SUMMARY_MIN[language])
      .max(SUMMARY_MAX[language])
      .describe("One or two sentences: what the project is and does"),
    tags: z.array(z.string().min(1).max(40)).min(3).max(8).describe("3 to 8 lowercase topic tags"),
    platforms: z.array(z.enum(PLATFORMS)).max(PLATFORMS.length).describe("Platforms it runs on or targets"),
  });
}
export type ModelOutput = z.infer<ReturnType<typeof modelOutputSchema>>;

/** A stored analysis: what `analyses` holds. */
export type AnalysisOutput = { summary: string; tags: string[]; platforms: Platform[] };

const HAN = /\p{Script=Han}/gu;
const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;
const HANGUL = /\p{Script=Hangul}/u;

// Function words that give a Latin-script language away in a sentence or two.
const FUNCTION_WORDS: Record<"en" | "fr" | "de" | "es", Set<string>> = {
  en: new Set("the a an is are and of for to with that in on it its this from by as or which your you".split(" ")),
  fr: new Set("le la les est un une des du pour avec et consacré dans sur qui ce cette projet au aux".split(" ")),
  de: new Set("der die das ist ein eine und für mit rund um von zu den dem im auf nicht".split(" ")),
  es: new Set("el la los las es un una del para con y sobre proyecto código que en por".split(" ")),
};

/** Whether `text` reads as `language` (a heuristic over scripts and function words). */
export function readsAs(text: string, language: "en" | "zh"): boolean {
  if (KANA.test(text) || HANGUL.test(text)) return false;
  const han = text.match(HAN)?.length ?? 0;
  const words = (text.toLowerCase().match(/[a-zà-ÿ]+/g) ?? []) as string[];
  if (language === "zh") return han >= 4 && han / (han + words.length) >= 0.3;
  if (han > 0) return false;
  const score = (lang: keyof typeof FUNCTION_WORDS) => words.filter((word) => FUNCTION_WORDS[lang].has(word)).length;
  const english = score("en");
  const other = Math.max(score("fr"), score("de"), score("es"));
  // A summary of a few words may have no function word at all ("Fast, minimalist web framework.").
  return other < 2 || english >= other;
}

const URL_LIKE = /\bhttps?:\/\/|\bwww\./i;

/**
 * Checks and normalises a model's answer; a string says why it was refused. `source` is what
 * the answer must be about (name, description, topics and the README without instruction lines);
 * `instructions` is the system prompt it must not repeat.
 */
export function checkOutput(
  output: ModelOutput,
  context: {
    language: "en" | "zh";
    name: string;
    source: string;
    instructions: string;
    topics: readonly string[];
  },
): AnalysisOutput | string {
  const summary = firstSentences(output.summary.replace(/\s+/g, " ").trim(), 2);
  if (!readsAs(summary, context.language)) return `the summary is not in ${context.language}`;
  if (URL_LIKE.test(summary)) return "the summary carries a link";
  if (repeats(summary, context.instructions)) return "the summary repeats the instructions";
  if (!relatesTo(summary, `${context.name}\n${context.source}`)) return "the summary is not about the repository";
  const tags = normaliseTags(output.tags, context.name);
  // Fewer than 3 after merging near-duplicates: the repository's topics fill in.
  for (const topic of normaliseTags(context.topics, context.name)) {
    if (tags.length >= 3) break;
    if (!tags.includes(topic)) tags.push(topic);
  }
  if (tags.length === 0) return "no usable tags";
  return { summary: clip(summary, SUMMARY_MAX[context.language]), tags, platforms: [...new Set(output.platforms)] };
}

/** The first `n` sentences (a model asked for two may write four). */
function firstSentences(text: string, n: number): string {
  const parts = text.match(/[^.!?。！？]+(?:[.!?。！？]+(?=\s|$|[^\p{ASCII}])|$)/gu);
  if (!parts || parts.length <= n) return text;
  return parts.slice(0, n).join("").trim();
}

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max - 1).replace(/\s+\S*$/, "")}…`;
}

/** Eight consecutive words (or 16 Han characters) of the instructions, found in the summary: a leak. */
function repeats(summary: string, instructions: string): boolean {
  const norm = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim();
  const words = norm(instructions).split(" ");
  const haystack = ` ${norm(summary)} `;
  for (let i = 0; i + 8 <= words.length; i++) {
    if (haystack.includes(` ${words.slice(i, i + 8).join(" ")} `)) return true;
  }
  return false;
}

/** Content words of a text: Latin words of ≥ 3 letters (lowercased), and Han character pairs. */
function contentTerms(text: string): Set<string> {
  const terms = new Set<string>();
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}+#.-]*/gu) ?? []) {
    if (/\p{Script=Han}/u.test(word)) {
      const han = [...word.replace(/[^\p{Script=Han}]/gu, "")];
      for (let i = 0; i + 1 < han.length; i++) terms.add(han[i]! + han[i + 1]!);
      const latin = word.replace(/\p{Script=Han}/gu, " ").trim();
      for (const part of latin.split(/\s+/)) if (part.length >= 3) terms.add(part);
    } else if (word.length >= 3 && !FUNCTION_WORDS.en.has(word)) terms.add(word.replace(/[.-]+$/, ""));
  }
  return terms;
}

/**
 * A summary about the repository shares at least one content word with its name, description,
 * topics or README; "HACKED", or a sentence the README told the model to say, shares none with
 * the README once the instruction lines are out. A Chinese summary of an English README shares
 * the project's name, which is always in the source.
 */
function relatesTo(summary: string, source: string): boolean {
  const known = contentTerms(source);
  for (const term of contentTerms(summary)) if (known.has(term)) return true;
  return false;
}

/**
 * Tags as the library keeps them (worker/library/vocabulary.ts, `normaliseTag`), deduplicated by
 * spelling (plural, separators), at most 8, not the repository's own name. Only what the
 * repository and the model said: the analysis is shared by everyone who stars it, so no user's
 * own tags shape it; each user's vocabulary applies when they read (`inVocabulary`).
 */
export function normaliseTags(raw: readonly string[], name: string): string[] {
  const own = tagKey(normaliseTag(name));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const tag of raw) {
    const normal = normaliseTag(tag);
    const key = tagKey(normal);
    if (!normal || key === own || seen.has(key)) continue;
    seen.add(key);
    out.push(normal);
    if (out.length === 8) break;
  }
  return out;
}
