// Untrusted text (descriptions, AI output, notes, tags, names) shown by the extension goes through
// `cleanText` first: characters that change how the *surrounding* text reads, or that render as
// boxes, never reach the screen. Direction is then isolated where the text is placed (`<bdi>` or
// `dir="auto"`), so a right-to-left name or summary reads right and leaves our words alone.
//
// Removed:
// - C0 and C1 controls except tab and newline (a NUL renders as a box; U+0085 as a line break in some fonts);
// - the bidi embeddings and overrides U+202A–U+202E and the isolates U+2066–U+2069: an override makes
//   "photo\u202Egnp.exe" display as "photoexe.png" (the trick of spoofed file names, CVE-2021-42574);
// - the marks U+200E, U+200F and U+061C: inside an isolated span they can only reorder neutral characters
//   (punctuation, digits) against the reader's expectation, and no label of ours needs them.
// Lone UTF-16 surrogates become U+FFFD (they render as boxes and break some fonts' shaping).

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this regex's purpose.
const HIDDEN = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text as it may be shown: without invisible controls and direction overrides (see above). */
export function cleanText(text: string): string {
  return text.replace(HIDDEN, "").replace(LONE_SURROGATE, "\uFFFD");
}

/** `cleanText` on one line: also newlines and tabs become spaces (chips, names, one-line summaries). */
export function cleanLine(text: string): string {
  return cleanText(text).replace(/\s+/g, " ").trim();
}
