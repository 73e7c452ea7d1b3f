// Reading a README the way a summariser would: the title, the headings, and prose paragraphs with
// badges, images, HTML, links and code taken out. Handles Markdown and the common reStructuredText
// shapes (underlined titles, `.. image::` directives) found in real READMEs.

export interface ReadmeOutline {
  title: string | null;
  headings: string[];
  /** Prose paragraphs (blockquotes included), markup removed, in document order. */
  paragraphs: string[];
  /** List items, markup removed (a fallback when a README has no prose). */
  listItems: string[];
  /** All visible text without code blocks, for keyword statistics. */
  plain: string;
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;

export function cjkShare(text: string): number {
  const letters = text.match(/[\p{L}]/gu)?.length ?? 0;
  if (letters === 0) return 0;
  return (text.match(CJK)?.length ?? 0) / letters;
}

/** Inline markup → text: images and badges dropped, links keep their text, emphasis and code unwrapped. */
export function stripInline(line: string): string {
  return line
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(/\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)/g, " ") // [![badge](img)](link)
    .replace(/!\[[^\]]*\]\([^)]*\)/g, " ") // ![image](src)
    .replace(/!\[[^\]]*\]\[[^\]]*\]/g, " ") // ![image][ref]
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1") // [text](url)
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, "$1") // [text][ref]
    .replace(/<img\b[^>]*>/gi, " ")
    .replace(/<\/?[a-z][^>]*>/gi, " ") // other HTML tags, their text kept
    .replace(/<https?:[^>]+>/g, " ")
    .replace(/https?:\/\/\S+/g, " ")
    .replace(/`([^`]*)`/g, "$1")
    .replace(/(\*\*|__|~~)(.+?)\1/g, "$2")
    .replace(/(^|[\s(])[*_]([^*_\s][^*_]*?)[*_](?=[\s).,;:!?]|$)/g, "$1$2")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/:[a-z0-9_+-]+:/g, " ") // :emoji: shortcodes
    .replace(/\s+/g, " ")
    .trim();
}

const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const FENCE = /^\s{0,3}(```+|~~~+)/;
const LIST = /^\s*(?:[-*+]|\d+[.)])\s+(.*)$/;
const RST_UNDERLINE = /^\s*([=\-~^"'`#*+])\1{2,}\s*$/;

export function outline(markdown: string): ReadmeOutline {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const headings: string[] = [];
  const paragraphs: string[] = [];
  const listItems: string[] = [];
  const plain: string[] = [];
  let title: string | null = null;
  let current: string[] = [];
  let inFence: string | null = null;
  let inHtmlComment = false;
  let rstDirective = false;

  const flush = () => {
    if (current.length === 0) return;
    const text = stripInline(current.join(" "));
    current = [];
    if (text) paragraphs.push(text);
  };
  const addHeading = (text: string) => {
    const clean = stripInline(text);
    if (!clean) return;
    if (title === null) title = clean;
    headings.push(clean);
    plain.push(clean);
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (inFence !== null) {
      if (line.trim().startsWith(inFence)) inFence = null;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      inFence = (fence[1] as string).slice(0, 3);
      continue;
    }
    if (inHtmlComment) {
      if (line.includes("-->")) inHtmlComment = false;
      continue;
    }
    if (line.includes("<!--") && !line.includes("-->")) {
      flush();
      inHtmlComment = true;
      continue;
    }
    if (!line.trim()) {
      flush();
      rstDirective = false;
      continue;
    }
    if (rstDirective && /^\s+/.test(line)) continue; // options of an rST directive
    if (/^\s*\.\.\s/.test(line)) {
      flush();
      rstDirective = true;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      addHeading(heading[2] as string);
      continue;
    }
    const next = lines[i + 1];
    if (next !== undefined && RST_UNDERLINE.test(next) && !RST_UNDERLINE.test(line) && current.length === 0) {
      addHeading(line);
      i++;
      continue;
    }
    if (RST_UNDERLINE.test(line)) continue; // overline of an rST title, or a horizontal rule
    if (/^\s*\|/.test(line) || /^\s*[-:| ]+\|[-:| ]*$/.test(line)) {
      flush(); // tables
      continue;
    }
    if (/^( {4}|\t)/.test(line) && current.length === 0) continue; // indented code
    const list = LIST.exec(line);
    if (list) {
      flush();
      const item = stripInline(list[1] as string);
      if (item) {
        listItems.push(item);
        plain.push(item);
      }
      continue;
    }
    const quoted = line.replace(/^\s*>\s?/, "");
    const text = quoted === line ? line : quoted;
    current.push(text);
    plain.push(stripInline(text));
  }
  flush();
  return { title, headings, paragraphs, listItems, plain: plain.join("\n") };
}

const SENTENCE_END = /(?<=[.!?])\s+(?=[\p{Lu}\p{N}"“(\[])|(?<=[。！？；])/u;

export function sentences(paragraph: string): string[] {
  return paragraph
    .split(SENTENCE_END)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Cuts at a word (or CJK character) boundary so the result is at most `max` characters. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = Math.max(1, max - 1);
  const cut = text.slice(0, room);
  const space = cut.lastIndexOf(" ");
  const base = cjkShare(cut) > 0.3 || space < room * 0.6 ? cut : cut.slice(0, space);
  return `${base.replace(/[\s,;:，、；：-]+$/u, "")}…`;
}
