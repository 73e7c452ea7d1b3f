/**
 * A README as text worth reading (docs/architecture.md §4 "analyse" and "embed"): badges,
 * images, HTML and link targets out, headings, paragraphs and short code kept. Pure and
 * deterministic: the same README always gives the same text, so what is derived from it
 * (an embedding, an analysis) can be cached by the text's hash.
 *
 * The result is plain text, never HTML (habit 8); it keeps markdown headings (`# …`) and
 * blank lines between blocks because the chunker splits on them (worker/enrich/embed-text.ts).
 */

/**
 * Bump when the output of `prepareReadme` changes for the same input: it is part of the
 * fingerprint that tells the embed step a repository's text may have changed
 * (worker/enrich/embed.ts), so every README is looked at again once.
 */
export const README_TEXT_VERSION = 1;

export type PrepareReadmeOptions = {
  /** Lines kept of each fenced code block (the rest replaced by "…"); 0 drops code blocks. */
  maxCodeLines?: number;
};

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  "#39": "'",
  copy: "©",
  reg: "®",
  mdash: "—",
  ndash: "–",
  hellip: "…",
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+[0-9]*);/gi, (whole, name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith("#x")) return safeCodePoint(Number.parseInt(lower.slice(2), 16)) ?? whole;
    if (lower.startsWith("#") && lower !== "#39") return safeCodePoint(Number.parseInt(lower.slice(1), 10)) ?? whole;
    return ENTITIES[lower] ?? whole;
  });
}

function safeCodePoint(code: number): string | null {
  // Control characters and lone surrogates are not text anyone wrote on purpose.
  if (!Number.isFinite(code) || code < 0x20 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return null;
  return String.fromCodePoint(code);
}

/** Inline markup of one line of prose: images and badges out, links → their text, emphasis markers out. */
function inline(line: string): string {
  return (
    line
      // A badge is an image inside a link: [![alt](img)](target). Drop it whole.
      .replace(/\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)/g, "")
      .replace(/\[!\[[^\]]*\]\[[^\]]*\]\]\[[^\]]*\]/g, "")
      // Images, inline and reference style.
      .replace(/!\[[^\]]*\]\([^)]*\)/g, "")
      .replace(/!\[[^\]]*\]\[[^\]]*\]/g, "")
      // Links keep their text.
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/\[([^\]]+)\]\[[^\]]*\]/g, "$1")
      // Autolinks <https://…> keep the address; other tags go (their text stays).
      .replace(/<(https?:\/\/[^>\s]+)>/g, "$1")
      .replace(/<\/?[a-z][a-z0-9-]*(?:\s[^<>]*)?\/?>/gi, " ")
      // Emphasis and inline code markers; the words stay.
      .replace(/(\*\*|__|~~)(?=\S)([\s\S]*?\S)\1/g, "$2")
      .replace(/`([^`]*)`/g, "$1")
      // Table pipes become spaces.
      .replace(/\s*\|\s*/g, line.trim().startsWith("|") ? " " : " | ")
      .replace(/[ \t]+/g, " ")
      .trim()
  );
}

/** A markdown table's separator row, `|---|:---:|`. */
const TABLE_RULE = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;

/** The README as text: see the module comment. */
export function prepareReadme(markdown: string, options: PrepareReadmeOptions = {}): string {
  const maxCodeLines = options.maxCodeLines ?? 12;
  const text = markdown
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    // HTML comments (often hidden instructions or editor markers) and whole script/style blocks.
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, "");

  const out: string[] = [];
  let fence: { marker: string; kept: number; dropped: boolean } | null = null;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\t/g, "  ");
    const fenceMatch = /^\s*(```+|~~~+)/.exec(line);
    if (fence) {
      if (fenceMatch && fenceMatch[1]!.startsWith(fence.marker)) {
        if (fence.kept > 0 || fence.dropped) out.push("```");
        fence = null;
        continue;
      }
      if (fence.kept < maxCodeLines) {
        out.push(line.trimEnd());
        fence.kept++;
      } else if (!fence.dropped && maxCodeLines > 0) {
        out.push("…");
        fence.dropped = true;
      }
      continue;
    }
    if (fenceMatch) {
      fence = { marker: fenceMatch[1]!, kept: 0, dropped: false };
      if (maxCodeLines > 0) out.push("```");
      continue;
    }
    // Reference-style link definitions `[id]: https://…` carry only an address.
    if (/^\s{0,3}\[[^\]]+\]:\s*\S+/.test(line)) continue;
    if (TABLE_RULE.test(line) && line.includes("-")) continue;
    // Horizontal rules.
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      out.push("");
      continue;
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const title = decodeEntities(inline(heading[2]!));
      out.push("", title ? `${heading[1]} ${title}` : "");
      continue;
    }
    // HTML headings (<h1 align="center">Name</h1>) are common at the top of READMEs.
    const htmlHeading = /^\s*<h([1-6])\b[^>]*>(.*?)<\/h\1>\s*$/i.exec(line);
    if (htmlHeading) {
      const title = decodeEntities(inline(htmlHeading[2]!));
      if (title) out.push("", `${"#".repeat(Number(htmlHeading[1]))} ${title}`);
      continue;
    }
    out.push(decodeEntities(inline(line.replace(/^\s{0,3}>\s?/, ""))));
  }
  if (fence && (fence.kept > 0 || fence.dropped)) out.push("```");

  return (
    out
      .join("\n")
      // A code block left empty by the markers alone.
      .replace(/```\n```/g, "")
      // Lines left with punctuation only (what stays of a row of badges: "| |", "·").
      .replace(/^[ \t|·•,:;/\\-]+$/gm, "")
      .replace(/\n{3,}/g, "\n\n")
      .trim()
  );
}
