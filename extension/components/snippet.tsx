import { cleanText } from "@/lib/clean-text";

/**
 * Search snippet: text with match ranges, rendered as text slices and <mark>s — never as HTML. Each slice
 * is cleaned on its own (lib/clean-text.ts), so the ranges keep pointing at the words they matched.
 */
export function Snippet({ text, ranges }: { text: string; ranges: Array<[number, number]> }) {
  const parts: Array<{ text: string; mark: boolean }> = [];
  let at = 0;
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const from = Math.max(at, Math.min(start, text.length));
    const to = Math.max(from, Math.min(end, text.length));
    if (from > at) parts.push({ text: text.slice(at, from), mark: false });
    if (to > from) parts.push({ text: text.slice(from, to), mark: true });
    at = to;
  }
  if (at < text.length) parts.push({ text: text.slice(at), mark: false });
  return (
    <p class="snippet" dir="auto">
      {parts.map((part, index) =>
        part.mark ? <mark key={index}>{cleanText(part.text)}</mark> : <span key={index}>{cleanText(part.text)}</span>,
      )}
    </p>
  );
}
