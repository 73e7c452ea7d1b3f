// The emulated model's reading of a repository: an extractive summary, tags and platforms.
//
// - Summary: the README's first real paragraph (prose of 5+ words or 15+ CJK characters, not a
//   badge line, an install command or an instruction to the model), its first sentence, plus the
//   second when the first is short, clipped to the schema's maxLength — if it is written in the
//   language asked for; else the description, or a later paragraph, in that language; else a
//   sentence in that language built around the key terms ("ripgrep 是一个命令行工具，主要涉及 regex、
//   search、grep。", "easyexcel is an open-source tool about excel, java."). Never the README's
//   language when another was asked (gullible mode aside).
// - Tags: the repository's topics, then the README's highest-TF-IDF terms (IDF from the corpus),
//   then specific headings; lowercased, hyphenated, deduplicated, the repository's own name left out.
// - Platforms: keyword signals in the README and metadata, mapped onto the schema's enum.
import { clip, cjkShare, outline, sentences, type ReadmeOutline } from "./markdown.ts";
import { looksLikeInstruction, type Obeyed } from "./injection.ts";
import type { Language, UnderstoodPrompt } from "./prompt.ts";
import { termCounts, type Idf } from "./terms.ts";

export type OutputLanguage = Language | "fr" | "de" | "es" | "ja";

export interface Analysis {
  name: string;
  summary: string;
  tags: string[];
  platforms: string[];
  category: string;
  language: OutputLanguage;
}

export interface AnalysisLimits {
  summaryMaxLength: number;
  tagsMin: number;
  tagsMax: number;
  /** Allowed platform values (the schema's enum); null = the emulator's own vocabulary. */
  platformEnum: readonly string[] | null;
  platformsMax: number;
}

export const DEFAULT_LIMITS: AnalysisLimits = {
  summaryMaxLength: 280,
  tagsMin: 3,
  tagsMax: 6,
  platformEnum: null,
  platformsMax: 4,
};

const GENERIC_HEADINGS = new Set(
  (
    "installation install installing usage use example examples getting started quick start quickstart " +
    "license licence contributing contribute contributors contributor documentation docs api reference faq " +
    "support sponsors sponsor backers credits changelog changes requirements prerequisites build building " +
    "testing tests test development develop community roadmap background motivation overview introduction " +
    "intro why about acknowledgements acknowledgments authors author security related donate features feature " +
    "table of contents contents setup configuration options demo screenshots " +
    "status notes note maintainers team thanks help links resources news what's new migration guide guides tutorial " +
    "简介 介绍 安装 使用 用法 示例 文档 贡献 许可证 协议 开源协议 特性 功能 快速开始 快速上手 目录 常见问题 致谢 联系 交流 更新日志"
  ).split(" "),
);
const GENERIC_TERMS = new Set(
  (
    "npm yarn pnpm install github com http https www org io md readme license mit apache contributing run build " +
    "doc docs file files example examples code project version release default value true false null " +
    "function return const " +
    "var let import export require module node_modules src lib dist test tests yes npx open source free"
  ).split(" "),
);

interface PlatformSignal {
  id: string;
  aliases: string[];
  en: string;
  zh: string;
  pattern: RegExp;
}

const PLATFORMS: PlatformSignal[] = [
  {
    id: "web",
    aliases: ["web", "browser", "frontend"],
    en: "the web",
    zh: "Web",
    pattern:
      /\b(?:browsers?|front-?end|web ?apps?|dom|react|vue(?:\.js)?|angular|svelte|html|css|webpack|vite|web)\b/gi,
  },
  {
    id: "node",
    aliases: ["node", "nodejs", "server", "backend"],
    en: "Node.js",
    zh: "Node.js",
    pattern: /\b(?:node(?:\.js|js)?|npm|express|deno|bun|server-side)\b/gi,
  },
  {
    id: "cli",
    aliases: ["cli", "terminal", "commandline", "command-line"],
    en: "the command line",
    zh: "命令行",
    pattern: /\b(?:command[- ]line|cli|terminal|shell)\b|^\s*\$ \S/gim,
  },
  { id: "windows", aliases: ["windows", "win"], en: "Windows", zh: "Windows", pattern: /\bwindows\b/gi },
  {
    id: "macos",
    aliases: ["macos", "mac", "osx"],
    en: "macOS",
    zh: "macOS",
    pattern: /\b(?:macos|mac os|os x|homebrew|brew install)\b/gi,
  },
  {
    id: "linux",
    aliases: ["linux"],
    en: "Linux",
    zh: "Linux",
    pattern: /\b(?:linux|ubuntu|debian|apt(?:-get)? install)\b/gi,
  },
  { id: "desktop", aliases: ["desktop"], en: "the desktop", zh: "桌面", pattern: /\b(?:desktop|electron|tauri)\b/gi },
  { id: "ios", aliases: ["ios", "iphone"], en: "iOS", zh: "iOS", pattern: /\b(?:ios|iphone|ipad|swift)\b/gi },
  { id: "android", aliases: ["android"], en: "Android", zh: "Android", pattern: /\bandroid\b/gi },
  {
    id: "mobile",
    aliases: ["mobile"],
    en: "mobile",
    zh: "移动端",
    pattern: /\b(?:mobile|react native|flutter)\b|移动端/gi,
  },
  {
    id: "miniprogram",
    aliases: ["miniprogram", "mini-program", "wechat"],
    en: "mini programs",
    zh: "小程序",
    pattern: /\b(?:mini ?programs?|wechat|weixin)\b|小程序/gi,
  },
  {
    id: "docker",
    aliases: ["docker", "container", "kubernetes", "cloud"],
    en: "Docker",
    zh: "Docker",
    pattern: /\b(?:docker|kubernetes|container)\b/gi,
  },
  {
    id: "wasm",
    aliases: ["wasm", "webassembly"],
    en: "WebAssembly",
    zh: "WebAssembly",
    pattern: /\b(?:wasm|webassembly)\b/gi,
  },
];

const CATEGORIES: Array<{ en: string; zh: string; pattern: RegExp }> = [
  { en: "command-line tool", zh: "命令行工具", pattern: /\b(?:command[- ]line|cli)\b|命令行/i },
  { en: "framework", zh: "框架", pattern: /\bframework\b|框架/i },
  { en: "language model", zh: "语言模型", pattern: /\b(?:language model|llm)\b|语言模型|大模型/i },
  { en: "editor", zh: "编辑器", pattern: /\beditor\b|编辑器/i },
  { en: "database tool", zh: "数据库工具", pattern: /\b(?:database|orm|sql)\b|数据库/i },
  { en: "runtime", zh: "运行时", pattern: /\bruntime\b|运行时/i },
  { en: "component library", zh: "组件库", pattern: /\bcomponents?\b|组件/i },
  { en: "library", zh: "库", pattern: /\b(?:library|package|module|sdk)\b|库/i },
  { en: "tool", zh: "工具", pattern: /\btool\b|工具/i },
];

function normalizeTag(raw: string): string {
  return raw
    .normalize("NFKC")
    .toLowerCase()
    .replace(/^2:/, "")
    .replace(/[\s_/]+/g, "-")
    .replace(/[^\p{L}\p{N}+#.-]/gu, "")
    .replace(/\.(?!js\b|ts\b|net\b)/g, "")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
}

/** CJK punctuation and full-width forms ("。", "，", "｜"): no English sentence has them. */
const CJK_PUNCTUATION = /[\u3000-\u303f\uff00-\uffef]/;

const LICENSE_TEXT = new RegExp(
  "^(?:this (?:software|project|library|code) is (?:free|licensed|released|distributed)" +
    "|(?:licensed|released|distributed) under|copyright|\\(c\\)|©)|you may not use this file",
  "i",
);

/** The first paragraph that says what the project is; `written` picks those in the answer's language. */
function firstRealParagraph(doc: ReadmeOutline, careful: boolean, written: (text: string) => boolean): string | null {
  const candidates = [...doc.paragraphs, ...doc.listItems];
  for (const paragraph of candidates) {
    if (!written(paragraph)) continue;
    const words = paragraph.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
    const cjk = paragraph.match(/\p{Script=Han}/gu)?.length ?? 0;
    if (words < 5 && cjk < 15) continue;
    if (/^(?:\$|npm |yarn |pnpm |pip |cargo |go get|brew |import |const |<)/i.test(paragraph)) continue;
    if ((paragraph.match(/[{}();=<>]/g)?.length ?? 0) > paragraph.length / 20) continue; // code-like
    if ((paragraph.match(/[|｜]/g)?.length ?? 0) >= 2) continue; // a language switcher or a nav bar ("English｜简体中文")
    if (careful && looksLikeInstruction(paragraph)) continue;
    if (LICENSE_TEXT.test(paragraph)) continue; // says what you may do with it, not what it is
    return paragraph;
  }
  return null;
}

function condense(paragraph: string, max: number): string {
  // A summary says what the project is; a model leaves the homepage link of a description out.
  const text = paragraph.replace(/\s*(?:\bhttps?:\/\/|\bwww\.)\S+/gi, "").trim() || paragraph;
  const list = sentences(text);
  let summary = list[0] ?? text;
  if (summary.length < 60 && list[1] && summary.length + list[1].length + 1 <= max) summary = `${summary} ${list[1]}`;
  return clip(summary, max);
}

export function platformsOf(text: string, limits: AnalysisLimits): string[] {
  const scored = PLATFORMS.map((p) => ({ p, score: text.match(p.pattern)?.length ?? 0 })).filter((s) => s.score > 0);
  scored.sort((a, b) => b.score - a.score);
  if (limits.platformEnum === null) return scored.slice(0, limits.platformsMax).map((s) => s.p.id);
  const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
  const out: string[] = [];
  const ranked: Array<{ value: string; score: number }> = [];
  for (const value of limits.platformEnum) {
    const key = squash(value);
    const signal = PLATFORMS.find((p) => p.aliases.some((alias) => squash(alias) === key));
    const score = signal
      ? (scored.find((s) => s.p === signal)?.score ?? 0)
      : key.length > 1
        ? (text.match(new RegExp(`\\b${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`, "gi"))?.length ?? 0)
        : 0;
    if (score > 0) ranked.push({ value, score });
  }
  ranked.sort((a, b) => b.score - a.score);
  for (const { value } of ranked.slice(0, limits.platformsMax)) out.push(value);
  return out;
}

function keywordTags(doc: ReadmeOutline, prompt: UnderstoodPrompt, idf: Idf): string[] {
  // What a README says it is sits in its title, description, first paragraphs and headings: terms
  // are scored by their count there (the whole text adds a little) times IDF. Terms found in only
  // one corpus README are mostly names (of people, of this project) and are held back a bit.
  const lead = [
    doc.title ?? "",
    prompt.meta.description ?? "",
    ...doc.paragraphs.slice(0, 3),
    ...doc.headings.slice(0, 12),
  ].join("\n");
  const leadCounts = termCounts(lead);
  const allCounts = termCounts(doc.plain);
  const scored: Array<[string, number]> = [];
  for (const [term, leadTf] of leadCounts) {
    const word = term.replace(/^2:/, "");
    const bigram = term.startsWith("2:");
    if (GENERIC_TERMS.has(word) || word.split(" ").some((w) => GENERIC_TERMS.has(w) || w.length < 3)) continue;
    if (/\d/.test(word) || word.length < 3 || word.length > 24) continue;
    if (!/^[a-z][a-z0-9+#. -]*$/.test(word) && !/^\p{Script=Han}+$/u.test(word)) continue;
    const total = allCounts.get(term) ?? leadTf;
    if (bigram && total < 2) continue;
    const rarity = idf.df(term) <= 1 ? 0.6 : 1;
    scored.push([
      term,
      (1 + Math.log(leadTf)) * (1 + 0.25 * Math.log(total)) * idf.weight(term) * rarity * (bigram ? 1.2 : 1),
    ]);
  }
  scored.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return scored.slice(0, 12).map(([term]) => term);
}

function tagsOf(
  prompt: UnderstoodPrompt,
  doc: ReadmeOutline,
  idf: Idf,
  limits: AnalysisLimits,
  name: string,
  extra: string[],
  language: OutputLanguage,
): string[] {
  const own = new Set([normalizeTag(name), normalizeTag(prompt.meta.fullName ?? "")]);
  const out: string[] = [];
  const push = (raw: string, topic = false) => {
    const tag = normalizeTag(raw);
    if (tag.length < 2 || tag.length > 30 || own.has(tag) || out.includes(tag)) return;
    // Tags in the answer's language too: a Chinese heading is no English tag (the repository's own topics stay).
    if (!topic && language !== "zh" && cjkShare(tag) > 0) return;
    // A bigram whose words are both tags already adds nothing.
    if (tag.includes("-") && tag.split("-").every((part) => out.includes(part))) return;
    out.push(tag);
  };
  for (const topic of prompt.meta.topics.slice(0, 5)) push(topic, true);
  for (const term of keywordTags(doc, prompt, idf)) {
    if (out.length >= limits.tagsMax) break;
    push(term);
  }
  for (const heading of doc.headings) {
    if (out.length >= limits.tagsMax) break;
    const h = heading.toLowerCase().trim();
    if (h.split(/\s+/).length <= 3 && !GENERIC_HEADINGS.has(h) && !/[\d:?!]/.test(h)) push(h);
  }
  for (const filler of [prompt.meta.language ?? "", ...extra, "open-source", "library", "tool", "project"]) {
    if (out.length >= limits.tagsMin) break;
    if (filler) push(filler);
  }
  return out.slice(0, limits.tagsMax);
}

/** Share of the letters that are Chinese characters (Korean and Japanese kana are not Chinese). */
function hanShare(text: string): number {
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  return letters === 0 ? 0 : (text.match(/\p{Script=Han}/gu)?.length ?? 0) / letters;
}

const zhJoin = (items: string[]) => items.join("、");

function zhSummary(name: string, category: { zh: string }, tags: string[], platforms: string[], max: number): string {
  const platformNames = platforms.map((id) => PLATFORMS.find((p) => p.id === id)?.zh ?? id);
  const on = platformNames.length ? `，支持 ${zhJoin(platformNames.slice(0, 3))} 等平台` : "";
  const terms = tags.slice(0, 3);
  const about = terms.length ? `，主要涉及 ${zhJoin(terms)}` : "";
  return clip(`${name} 是一个开源${category.zh}${about}${on}。`, max);
}

/**
 * An English sentence from what is known in English: "easyexcel is an open-source tool about java, excel, for Windows
 * and Linux."
 */
function enSummary(name: string, category: string, terms: string[], platforms: string[]): string {
  const about = terms.length ? ` about ${terms.slice(0, 3).join(", ")}` : "";
  const names = platforms.map((id) => PLATFORMS.find((p) => p.id === id)?.en ?? id).slice(0, 3);
  const on = names.length
    ? `, for ${names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names.at(-1)}` : names[0]}`
    : "";
  return `${name} is an open-source ${category}${about}${on}.`;
}

function foreignSummary(language: OutputLanguage, name: string, tags: string[], category: string): string {
  const terms = tags.slice(0, 3).join(", ");
  if (!terms)
    return language === "fr" ? `${name} est un projet open source.` : `${name} is an open-source ${category}.`;
  switch (language) {
    case "fr":
      return `${name} est un projet open source consacré à ${terms}.`;
    case "de":
      return `${name} ist ein Open-Source-Projekt rund um ${terms}.`;
    case "es":
      return `${name} es un proyecto de código abierto sobre ${terms}.`;
    case "ja":
      return `${name} は ${terms} に関するオープンソースプロジェクトです。`;
    default:
      return `${name} is an open-source ${category} about ${terms}.`;
  }
}

export function analyse(prompt: UnderstoodPrompt, idf: Idf, limits: AnalysisLimits, obeyed: Obeyed | null): Analysis {
  const doc = outline(prompt.readme);
  const metaName = prompt.meta.name ?? (prompt.meta.fullName?.split("/").pop() || null);
  const squash = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
  // The README's title spells the name as its authors do ("Nano ID" for ai/nanoid).
  const name =
    metaName && doc.title && squash(doc.title) === squash(metaName)
      ? doc.title
      : (metaName ?? doc.title?.split(/\s+/)[0] ?? "This project");
  let language: OutputLanguage = prompt.language;
  if (obeyed?.kind === "language") language = obeyed.language;

  const signals = `${prompt.meta.description ?? ""}\n${prompt.meta.topics.join(" ")}\n${doc.plain}`;
  const platforms = platformsOf(signals, limits);
  const category = CATEGORIES.find((c) =>
    c.pattern.test(`${prompt.meta.description ?? ""}\n${doc.paragraphs.slice(0, 2).join("\n")}`),
  ) ?? { en: "project", zh: "项目" };
  const tags = tagsOf(prompt, doc, idf, limits, name, platforms, language);

  // Like a real model, the answer is in the language asked for, whatever the README's: it
  // quotes only text written in that language (a Chinese README's first paragraph is no English
  // summary, nor is "JAVA解析Excel工具"), and otherwise states what it can in that language:
  // the name, category, key terms and platforms. Gullible mode may have switched the language.
  const written =
    language === "zh" ? (t: string) => hanShare(t) > 0.5 : (t: string) => cjkShare(t) === 0 && !CJK_PUNCTUATION.test(t);
  // A paragraph further down stands in for the lead only if it is a sentence, not a list of links or names.
  const prose =
    language === "zh"
      ? written
      : (t: string) =>
          written(t) && (t.toLowerCase().match(/\b(?:is|are|a|an|the|for|of|to|and|with|that)\b/g)?.length ?? 0) >= 2;
  const careful = obeyed === null;
  const lead = firstRealParagraph(doc, careful, () => true);
  // Outside Chinese, a summary names only the key terms written in Latin script.
  const latinTags = tags.filter((t) => cjkShare(t) === 0);
  const description = prompt.meta.description;
  const max = limits.summaryMaxLength;
  let summary: string;
  // The README's lead if it is in that language, else the description, else a later paragraph in it.
  const source = () => [lead, description].find((t) => t && written(t)) ?? firstRealParagraph(doc, careful, prose);
  if (language === "zh") {
    const zhSource = source();
    summary = zhSource ? condense(zhSource, max) : zhSummary(name, category, tags, platforms, max);
  } else if (language === "en") {
    const enSource = source();
    const enName = written(name) ? name : (prompt.meta.fullName?.split("/").pop() ?? "This project");
    summary = enSource ? condense(enSource, max) : clip(enSummary(enName, category.en, latinTags, platforms), max);
  } else {
    summary = clip(foreignSummary(language, name, latinTags, category.en), max);
  }
  if (obeyed?.kind === "say") summary = clip(obeyed.text, max);
  if (obeyed?.kind === "leak") summary = clip(prompt.instructions.replace(/\s+/g, " "), max);
  return { name, summary, tags, platforms, category: language === "zh" ? category.zh : category.en, language };
}
