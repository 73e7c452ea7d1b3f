/**
 * The one rule for text a client sends (docs/architecture.md §3, "Text"): it must be
 * well-formed UTF-16. JSON can carry a lone surrogate (`"\ud800"`), UTF-8 cannot: D1 stored
 * such a string as invalid UTF-8 that never compared equal again (a category filter that
 * never matched). So a string with a high surrogate not followed by a low one, or a low one
 * not preceded by a high one, is refused — never silently "repaired" into U+FFFD, which
 * would store something the user did not write. Surrogate pairs (emoji, rare CJK) are fine.
 *
 * The Worker applies it to every validated request part, whatever its schema
 * (worker/lib/validator.ts), so a new text field cannot forget it.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const LONE_SURROGATE_MESSAGE =
  "must be valid Unicode text (it holds an unpaired UTF-16 surrogate, \\uD800–\\uDFFF)";

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/**
 * The path to a string in `value` — an object key or a value, at any depth — that
 * holds a lone surrogate; null when there is none. Iterative: a hostile body nested a
 * million levels deep cannot overflow the stack.
 */
export function findLoneSurrogate(value: unknown): Array<string | number> | null {
  // Each entry points at its parent, so the path is built once, for the string found.
  type Entry = { value: unknown; key: string | number | null; parent: Entry | null };
  const pathOf = (entry: Entry | null, last?: string): Array<string | number> => {
    const path: Array<string | number> = last === undefined ? [] : [last];
    for (let at = entry; at && at.key !== null; at = at.parent) path.push(at.key);
    return path.reverse();
  };
  const pending: Entry[] = [{ value, key: null, parent: null }];
  while (pending.length > 0) {
    const entry = pending.pop()!;
    const next = entry.value;
    if (typeof next === "string") {
      if (hasLoneSurrogate(next)) return pathOf(entry);
    } else if (Array.isArray(next)) {
      for (let i = next.length - 1; i >= 0; i--) pending.push({ value: next[i], key: i, parent: entry });
    } else if (next !== null && typeof next === "object") {
      const entries = Object.entries(next);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!;
        if (hasLoneSurrogate(key)) return pathOf(entry, key);
        pending.push({ value: child, key, parent: entry });
      }
    }
  }
  return null;
}
