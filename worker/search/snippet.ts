import type { Snippet } from "../../shared/search";
import { cjkBigrams, type QueryTerm } from "../library/terms";

/**
 * A snippet is text plus the [start, end) offsets (UTF-16 code units, as JavaScript's
 * `slice` counts) of the matched words — never HTML: the client marks the ranges while
 * rendering text (docs/architecture.md §7, habit 8).
 */
const WINDOW = 180;

/** Where a term matches: a Latin word at the start of a word (prefix), a CJK bigram anywhere. */
function patterns(terms: readonly QueryTerm[]): RegExp[] {
  const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return terms.flatMap((term) => {
    if (term.kind === "word") {
      // unicode61 splits `node.js` into words: any of them starts a match.
      return term.text
        .split(/[^\p{L}\p{N}\p{M}]+/u)
        .filter(Boolean)
        .map((word) => new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(word)}[\\p{L}\\p{N}\\p{M}]*`, "giu"));
    }
    if (term.kind === "cjk") return cjkBigrams(term.text).map((gram) => new RegExp(escapeRegExp(gram), "gu"));
    return [new RegExp(escapeRegExp(term.text), "giu")];
  });
}

function rangesIn(text: string, regexes: readonly RegExp[]): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  for (const regex of regexes) {
    regex.lastIndex = 0;
    for (const match of text.matchAll(regex)) {
      if (match[0].length > 0) found.push([match.index, match.index + match[0].length]);
    }
  }
  found.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  // Overlapping bigrams of one word (框架, 架构) become one range.
  const merged: Array<[number, number]> = [];
  for (const range of found) {
    const last = merged.at(-1);
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

/**
 * The first of `texts` (in the caller's order of what says most about the hit) that
 * mentions a term, cut to a window around its first match; null when none does (a hit
 * found only by meaning).
 */
export function makeSnippet(
  texts: ReadonlyArray<string | null | undefined>,
  terms: readonly QueryTerm[],
): Snippet | null {
  const regexes = patterns(terms);
  if (regexes.length === 0) return null;
  for (const raw of texts) {
    if (!raw) continue;
    const text = raw.replace(/\s+/g, " ").trim();
    const ranges = rangesIn(text, regexes);
    const first = ranges[0];
    if (!first) continue;
    if (text.length <= WINDOW) return { text, ranges };
    let start = Math.max(0, first[0] - Math.floor(WINDOW / 3));
    // Start at a word boundary when one is near, and never inside a surrogate pair.
    const space = text.lastIndexOf(" ", first[0]);
    if (space >= start && space - start < 30) start = space + 1;
    if (/[\udc00-\udfff]/.test(text.charAt(start))) start -= 1;
    let end = Math.min(text.length, start + WINDOW);
    if (/[\udc00-\udfff]/.test(text.charAt(end))) end += 1;
    const prefix = start > 0 ? "…" : "";
    const suffix = end < text.length ? "…" : "";
    const shift = prefix.length - start;
    const inside = ranges
      .filter(([from, to]) => from >= start && to <= end)
      .map(([from, to]): [number, number] => [from + shift, to + shift]);
    return { text: `${prefix}${text.slice(start, end)}${suffix}`, ranges: inside };
  }
  return null;
}
