// Terms for embeddings and keyword extraction: word unigrams and bigrams of Latin-script text
// (lowercased, stop words dropped, a light plural stem) and character bigrams of CJK runs
// (Chinese has no spaces; bigrams are the usual stand-in for words).
//
// IDF comes from the emulator's corpus of real READMEs, so words every README has ("install",
// "license") weigh little and distinctive ones ("regex", "webassembly") weigh a lot.
import { loadCorpus } from "../github/corpus.ts";
import { stripInline } from "./markdown.ts";

const STOP = new Set(
  (
    "a an and are as at be been but by can could do does for from had has have how i if in into is it its it's " +
    "just may me more most my no not of on or our out over so such than that the their them then there these they " +
    "this those to too up us use used uses using via was we were what when where which while who why will with " +
    "would you your yours also all any each every other some very about after before both get gets here many only " +
    "own same should one two new see like make makes way well way see etc e.g i.e"
  ).split(" "),
);

const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;
const WORD = /[\p{L}\p{N}][\p{L}\p{N}+#]*/gu;

/** Lowercase, light plural stem ("frameworks" → "framework", not "class" or "status"). */
export function normalizeWord(word: string): string {
  const w = word.toLowerCase();
  if (w.length > 4 && w.endsWith("ies")) return `${w.slice(0, -3)}y`;
  if (w.length > 4 && /(?:ches|shes|sses|xes|zes)$/.test(w)) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith("s") && !/(ss|us|is|os|as)$/.test(w)) return w.slice(0, -1);
  return w;
}

/** Text ready for term extraction: URLs, HTML tags, image markup and link targets removed. */
export function cleanForTerms(text: string): string {
  return text
    .split("\n")
    .map((line) => stripInline(line))
    .join("\n");
}

export interface TermOptions {
  bigrams?: boolean;
}

/** The terms of a text with their counts; bigrams are prefixed "2:" so they never clash with words. */
export function termCounts(text: string, options: TermOptions = {}): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (term: string, n = 1) => counts.set(term, (counts.get(term) ?? 0) + n);
  // Paths and file names ("docs/intro/install.txt") are not words of the text.
  const clean = cleanForTerms(text.normalize("NFKC")).replace(
    /\S*[\\/]\S*|\S+\.(?:txt|md|rst|json|ya?ml|toml|html?)\b/g,
    " ",
  );
  for (const run of clean.match(CJK_RUN) ?? []) {
    const chars = Array.from(run);
    if (chars.length === 1) add(chars[0] as string);
    for (let i = 0; i + 1 < chars.length; i++) add(`${chars[i]}${chars[i + 1]}`);
  }
  const latin = clean.replace(CJK_RUN, " | ");
  // Sentences and lines break bigrams; stop words are skipped but do not break them
  // ("framework for rust" gives the bigram "framework rust").
  for (const chunk of latin.split(/[\n.,;:!?()[\]{}|"“”]+/)) {
    let previous: string | null = null;
    for (const match of chunk.matchAll(WORD)) {
      const raw = match[0];
      if (/^\d+$/.test(raw) && raw.length > 4) continue;
      const word = normalizeWord(raw);
      if (word.length < 2 || STOP.has(word)) continue;
      add(word);
      if (options.bigrams !== false && previous !== null) add(`2:${previous} ${word}`);
      previous = word;
    }
  }
  return counts;
}

export interface Idf {
  documents: number;
  /** How many corpus documents contain the term. */
  df(term: string): number;
  weight(term: string): number;
}

const idfCache = new Map<string, Idf>();

/** IDF over the corpus (README + description + topics of each repository), cached per corpus directory. */
export function corpusIdf(corpusDir?: string): Idf {
  const corpus = loadCorpus(corpusDir);
  const cached = idfCache.get(corpus.dir);
  if (cached) return cached;
  const df = new Map<string, number>();
  corpus.repos.forEach((repo, index) => {
    const text = [repo.description ?? "", repo.topics.join(" "), corpus.readme(index)].join("\n");
    for (const term of termCounts(text).keys()) df.set(term, (df.get(term) ?? 0) + 1);
  });
  const n = corpus.repos.length;
  // Smoothed IDF, as scikit-learn's: ln((1 + N) / (1 + df)) + 1. Unseen terms get the maximum.
  const idf: Idf = {
    documents: n,
    df: (term) => df.get(term) ?? 0,
    weight: (term) => Math.log((1 + n) / (1 + (df.get(term) ?? 0))) + 1,
  };
  idfCache.set(corpus.dir, idf);
  return idf;
}
