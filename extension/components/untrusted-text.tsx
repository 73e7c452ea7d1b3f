import { cleanLine, cleanText } from "@/lib/clean-text";

// Untrusted text placed among our own words (a tag, a name, a note, a summary): cleaned of controls
// and direction overrides (lib/clean-text.ts) and isolated for direction, so right-to-left text
// reads right and cannot reorder what surrounds it. Rendered as text, never HTML.

/** One line (chips, names, one-line summaries): `<bdi>` isolates and takes its direction from the text. */
export function Line({ text, class: className }: { text: string; class?: string }) {
  return <bdi class={className}>{cleanLine(text)}</bdi>;
}

/** A paragraph (an AI summary, a note): newlines kept, direction from its first strong character. */
export function Paragraph({ text, class: className }: { text: string; class?: string }) {
  return (
    <p class={className} dir="auto">
      {cleanText(text)}
    </p>
  );
}

/** Someone else's word inside our sentence (a `t()` substitution): cleaned, and isolated for direction (FSI … PDI). */
export const isolated = (text: string) => `\u2068${cleanLine(text)}\u2069`;
