// Untrusted text (descriptions, release names, repository names) written into XML (the Atom feed,
// worker/library/feed.ts) goes through `xmlText`: always as character data, never as markup.
//
// Removed, because XML 1.0 cannot hold them (§2.2 "Char": a parser must refuse the document) or because
// they change how the surrounding text reads in the reader that shows it:
// - C0 controls except tab, newline and carriage return; U+FFFE, U+FFFF; lone UTF-16 surrogates — not XML
//   characters at all (a NUL in a description would make the whole feed unreadable);
// - C1 controls U+007F–U+009F (allowed by XML 1.0 but "discouraged", §2.2; U+0085 is a line break to some);
// - the bidi embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069 and the marks U+200E, U+200F,
//   U+061C: an override makes "photo\u202Egnp.exe" display as "photoexe.png" (CVE-2021-42574). The extension
//   removes the same set (extension/lib/clean-text.ts); a feed reader isolates nothing, so here they go too.
// Then `&`, `<`, `>`, `"` and `'` become entities, so the text is safe in element content and attributes alike.

const NOT_XML = new RegExp(
  [
    "[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]", // C0 but tab, LF, CR; C1
    "[\\u061C\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069]", // bidi marks, embeddings, overrides, isolates
    "[\\uFFFE\\uFFFF]", // noncharacters XML excludes
    "[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]", // lone surrogates
  ].join("|"),
  "g",
);

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/** Text as XML character data (or an attribute value): what XML cannot hold and direction controls removed. */
export function xmlText(text: string): string {
  return text.replace(NOT_XML, "").replace(/[&<>"']/g, (char) => ENTITIES[char]!);
}

/** An element with text content: `<name>escaped</name>`. */
export function xmlElement(name: string, text: string, attributes: Record<string, string> = {}): string {
  const attrs = Object.entries(attributes)
    .map(([key, value]) => ` ${key}="${xmlText(value)}"`)
    .join("");
  return `<${name}${attrs}>${xmlText(text)}</${name}>`;
}
