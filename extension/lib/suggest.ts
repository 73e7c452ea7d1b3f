import type { LibraryIndexItem } from "../../shared/repositories";
import { cleanLine } from "./clean-text";

// Address-bar suggestions from the library's compact index (`GET /api/repositories/index`), matched
// here, in the background, on every keystroke: no network on the way (docs/architecture.md §1,
// "The address bar"). Pure: the background's omnibox glue (entrypoints/background/omnibox.ts) and
// the tests call it alike.
//
// A word of the query must be in the name, a tag or the summary; every word must be somewhere.
// Names count most (the whole name, then its start, then the start of one of its parts), then the
// user's tags, then the summary. Ties keep the index's order: the most recently starred first.

/** How many repositories a keystroke suggests (Chrome shows about this many under its own line). */
export const SUGGESTION_LIMIT = 6;
/** Words of a query that count (a pasted paragraph is not a name). */
const MAX_WORDS = 8;

/** One index entry, lower-cased once when the index is loaded. */
export interface PreparedEntry {
  item: LibraryIndexItem;
  /** `owner/name`, lower-cased. */
  full: string;
  /** The name after the slash. */
  name: string;
  owner: string;
  tags: string[];
  summary: string;
  /** Everything a word may be found in, for the first quick test. */
  haystack: string;
}

export function prepare(items: readonly LibraryIndexItem[]): PreparedEntry[] {
  return items.map((item) => {
    const full = item.fullName.toLowerCase();
    const slash = full.indexOf("/");
    const tags = item.tags.map((tag) => tag.toLowerCase());
    const summary = (item.summary ?? "").toLowerCase();
    return {
      item,
      full,
      name: full.slice(slash + 1),
      owner: full.slice(0, Math.max(0, slash)),
      tags,
      summary,
      haystack: `${full}\u0001${tags.join("\u0001")}\u0001${summary}`,
    };
  });
}

/** The query as words: lower-cased, split on spaces, at most MAX_WORDS. */
export function wordsOf(text: string): string[] {
  return cleanLine(text).toLowerCase().split(" ").filter(Boolean).slice(0, MAX_WORDS);
}

/** Where in `text` a part of a name starts: its beginning, or after `-`, `_`, `.`, `/` or a space. */
const startsPart = (text: string, at: number) => at === 0 || /[-_./ ]/.test(text[at - 1]!);

/** How well one word matches one entry; 0 when it is nowhere. */
function wordScore(entry: PreparedEntry, word: string): number {
  if (!entry.haystack.includes(word)) return 0;
  let best = 0;
  if (entry.name === word) best = 100;
  else if (entry.name.startsWith(word)) best = 60;
  else {
    const at = entry.name.indexOf(word);
    if (at >= 0) best = startsPart(entry.name, at) ? 40 : 25;
  }
  if (best < 20) {
    if (entry.owner === word || entry.full === word) best = Math.max(best, entry.full === word ? 100 : 30);
    else if (entry.owner.startsWith(word)) best = Math.max(best, 20);
    else if (entry.full.includes(word)) best = Math.max(best, 10);
  }
  for (const tag of entry.tags) {
    if (tag === word) best = Math.max(best, 30);
    else if (tag.startsWith(word)) best = Math.max(best, 18);
    else if (tag.includes(word)) best = Math.max(best, 8);
  }
  if (best === 0) {
    const at = entry.summary.indexOf(word);
    // A CJK word has no spaces around it: anywhere is its start.
    if (at >= 0) best = startsPart(entry.summary, at) || /[\u0080-\uFFFF]/.test(word) ? 6 : 3;
  }
  return best;
}

export interface Suggestion {
  item: LibraryIndexItem;
  score: number;
}

/** The best entries for `text`, best first; [] for no words or no match. */
export function suggest(entries: readonly PreparedEntry[], text: string, limit = SUGGESTION_LIMIT): Suggestion[] {
  const words = wordsOf(text);
  if (words.length === 0) return [];
  const whole = words.join(" ");
  const found: Suggestion[] = [];
  for (const entry of entries) {
    let score = 0;
    for (const word of words) {
      const one = wordScore(entry, word);
      if (one === 0) {
        score = 0;
        break;
      }
      score += one;
    }
    if (score === 0) continue;
    // The typed text is the whole name (with or without its owner): nothing can be a better answer.
    if (entry.full === whole || entry.name === whole) score += 1000;
    found.push({ item: entry.item, score });
  }
  // Stable: equal scores keep the index's order (newest first).
  found.sort((a, b) => b.score - a.score);
  return found.slice(0, limit);
}

// --- how a suggestion reads ------------------------------------------------------------------------

/** A suggestion line without its styles: `owner/name — summary · tag, tag` (Firefox shows plain text). */
export function plainLine(item: LibraryIndexItem, maxTags = 3): string {
  const name = cleanLine(item.fullName);
  const summary = item.summary ? cleanLine(item.summary) : "";
  const tags = item.tags.slice(0, maxTags).map(cleanLine).filter(Boolean);
  return [name, summary && ` — ${summary}`, tags.length ? ` · ${tags.join(", ")}` : ""].join("");
}

// Characters XML 1.0 cannot hold at all (Chrome refuses the whole description then): what
// cleanLine leaves of the C0 controls is tab and newline, which it turns into spaces; the
// noncharacters U+FFFE and U+FFFF are left to remove here.
const NOT_XML = /[\uFFFE\uFFFF]/g;

/**
 * Already clean text as XML character data: `&`, `<` and `>` escaped (quotes need none outside
 * attributes, and Chrome's descriptions have none), what XML cannot hold removed.
 */
function escapeText(text: string): string {
  return text.replace(NOT_XML, "").replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** Untrusted text as XML character data for Chrome: cleaned (controls, bidi overrides: cleanLine), then escaped. */
export function escapeXml(text: string): string {
  return escapeText(cleanLine(text));
}

/** Clean text as XML with each occurrence of the words wrapped in `<match>` (Chrome bolds them). */
export function markMatches(clean: string, words: readonly string[]): string {
  const lower = clean.toLowerCase();
  // Ranges of the words in the text, merged where they overlap. Lower-casing keeps the length of
  // every character these texts hold but a few (İ): a range is only used where it still fits.
  const ranges: Array<[number, number]> = [];
  if (lower.length === clean.length) {
    for (const word of words) {
      if (!word) continue;
      for (let at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + word.length))
        ranges.push([at, at + word.length]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [start, end] of ranges) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  let out = "";
  let from = 0;
  for (const [start, end] of merged) {
    out += `${escapeText(clean.slice(from, start))}<match>${escapeText(clean.slice(start, end))}</match>`;
    from = end;
  }
  return out + escapeText(clean.slice(from));
}

/** Chrome's description: the name with the typed words marked, the summary and tags dimmed (XML, escaped). */
export function chromeLine(item: LibraryIndexItem, text: string, maxTags = 3): string {
  const words = wordsOf(text);
  const summary = item.summary ? cleanLine(item.summary) : "";
  const tags = item.tags.slice(0, maxTags).map(cleanLine).filter(Boolean);
  const rest = [summary && ` — ${summary}`, tags.length ? ` · ${tags.join(", ")}` : ""].join("");
  const name = markMatches(cleanLine(item.fullName), words);
  return rest ? `${name}<dim>${markMatches(rest, words)}</dim>` : name;
}
