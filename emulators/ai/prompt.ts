// What the emulated model understands of a chat request: the instructions (system/developer
// messages), the untrusted document (the README), the repository's metadata and the language
// the instructions ask for. Lenient about layout, since any client prompt should work:
//
// - README: the body of a tag whose name contains readme/document/untrusted/content
//   (`<readme>…</readme>`), else what follows a "README:" / "README content:" / "README内容:" line,
//   else the largest fenced block of 200+ characters, else the whole user text.
// - Metadata: `Key: value` lines outside the README (name/repository/full name/仓库名称,
//   description/描述, topics/标签, language/主要语言, homepage), or a JSON object with
//   fullName|full_name|name, description, topics, language.
// - Language: decided by the instructions only (never by the README): an explicit
//   "language: zh|en" / "output language … Chinese", then a verb phrase ("write in Chinese",
//   "respond in English", "用中文回答"), then the first mention. Default English.

export type Language = "zh" | "en";

export interface ChatMessage {
  role: string;
  content?: unknown;
}

export interface RepoMeta {
  fullName: string | null;
  name: string | null;
  description: string | null;
  topics: string[];
  language: string | null;
  homepage: string | null;
}

export interface UnderstoodPrompt {
  instructions: string;
  userText: string;
  readme: string;
  meta: RepoMeta;
  language: Language;
  /** The instructions or user text mention JSON (a plain-text request may still want JSON). */
  wantsJson: boolean;
}

export function messageText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) =>
        typeof part === "object" && part !== null && typeof (part as { text?: unknown }).text === "string"
          ? (part as { text: string }).text
          : "",
      )
      .filter(Boolean)
      .join("\n");
  }
  return "";
}

const LANG_WORD: Record<string, Language> = {
  zh: "zh",
  "zh-cn": "zh",
  "zh-hans": "zh",
  chinese: "zh",
  "simplified chinese": "zh",
  中文: "zh",
  简体中文: "zh",
  汉语: "zh",
  en: "en",
  "en-us": "en",
  english: "en",
  英文: "en",
  英语: "en",
};
const LANG_ALT = "simplified chinese|chinese|english|zh-cn|zh-hans|en-us|zh|en|简体中文|中文|汉语|英文|英语";

export function requestedLanguage(instructions: string): Language | null {
  const text = instructions.toLowerCase();
  const patterns = [
    // language: zh / output language: Chinese / locale=en / 输出语言：中文
    new RegExp(`(?:language|lang|locale|语言)\\s*(?:is|=|:|：)\\s*["'\`“]?(${LANG_ALT})(?![a-z])`),
    new RegExp(`(?:output|response|answer|summary)\\s+(?:language|lang)[^\\n.]{0,20}?(${LANG_ALT})(?![a-z])`),
    // write/respond/answer … in Chinese
    new RegExp(
      "\\b(?:write|respond|answer|reply|output|summari[sz]e|produce|return|generate|use)\\b" +
        `[^\\n.]{0,60}?\\bin\\s+(${LANG_ALT})(?![a-z])`,
    ),
    new RegExp(`(?:用|使用|以)(${LANG_ALT})(?:回答|输出|撰写|书写|回复|写|生成|总结|描述)`),
    new RegExp(`(?<![a-z])(${LANG_ALT})(?![a-z])`),
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(text);
    if (match) return LANG_WORD[match[1] as string] ?? null;
  }
  return null;
}

const README_TAG = /<([a-z_:-]*(?:readme|document|untrusted|content)[a-z_:-]*)\b[^>]*>([\s\S]*?)<\/\1\s*>/i;
const README_LABEL =
  /^[ \t#*]*(?:readme(?: content| text| file)?|readme\s*内容|readme内容|说明文档)[ \t*]*[:：][ \t]*\n?/im;

export function findReadme(userText: string): { readme: string; rest: string } {
  const tagged = README_TAG.exec(userText);
  if (tagged) return { readme: (tagged[2] as string).trim(), rest: userText.replace(tagged[0], "") };
  const label = README_LABEL.exec(userText);
  if (label)
    return { readme: userText.slice(label.index + label[0].length).trim(), rest: userText.slice(0, label.index) };
  let best: RegExpExecArray | null = null;
  for (const match of userText.matchAll(/```[a-z]*\n([\s\S]*?)\n```/g)) {
    if ((match[1] as string).length >= 200 && (!best || (match[1] as string).length > (best[1] as string).length))
      best = match as RegExpExecArray;
  }
  if (best) return { readme: (best[1] as string).trim(), rest: userText.replace(best[0], "") };
  // No delimiters: the whole text, without a leading "Summarise this README:" line.
  const instruction =
    /^[^\n:：]{0,80}?(?:summari[sz]e|analy[sz]e|describe|总结|分析|概括)[^\n:：]{0,80}[:：][ \t]*\n?/i.exec(userText);
  return { readme: instruction ? userText.slice(instruction[0].length) : userText, rest: userText };
}

function metaLine(rest: string, keys: string): string | null {
  const match = new RegExp(`^[ \\t*-]*(?:${keys})[ \\t*]*[:：][ \\t]*(.+)$`, "im").exec(rest);
  const value = match?.[1]?.trim();
  return value && !/^(null|none|n\/a|-|无)$/i.test(value) ? value : null;
}

function parseTopics(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String).filter(Boolean);
  if (typeof value !== "string") return [];
  const trimmed = value.trim();
  if (trimmed.startsWith("[")) {
    try {
      return parseTopics(JSON.parse(trimmed));
    } catch {
      // not JSON: fall through to the list form
    }
  }
  return trimmed
    .split(/[,，、;\s]+/)
    .map((t) => t.replace(/^["'[]+|["'\]]+$/g, ""))
    .filter(Boolean);
}

function jsonMeta(rest: string): Partial<RepoMeta> | null {
  for (const match of rest.matchAll(/\{[\s\S]*?\}(?=\s*$|\s*\n)/g)) {
    try {
      const value = JSON.parse(match[0]) as Record<string, unknown>;
      const fullName = value.fullName ?? value.full_name ?? value.nameWithOwner ?? value.repository;
      if (typeof fullName !== "string" && typeof value.name !== "string") continue;
      return {
        fullName: typeof fullName === "string" ? fullName : null,
        name: typeof value.name === "string" ? value.name : null,
        description: typeof value.description === "string" ? value.description : null,
        topics: parseTopics(value.topics),
        language: typeof value.language === "string" ? value.language : null,
        homepage: typeof value.homepage === "string" ? value.homepage : null,
      };
    } catch {
      // not a JSON object: keep looking
    }
  }
  return null;
}

export function understand(messages: readonly ChatMessage[]): UnderstoodPrompt {
  const instructions = messages
    .filter((m) => m.role === "system" || m.role === "developer")
    .map((m) => messageText(m.content))
    .join("\n");
  const userText = messages
    .filter((m) => m.role === "user")
    .map((m) => messageText(m.content))
    .join("\n\n");
  const { readme, rest } = findReadme(userText);
  const fromJson = jsonMeta(rest);
  const fullName =
    fromJson?.fullName ?? metaLine(rest, "full[ _]?name|repository|repo|name with owner|仓库名称|仓库") ?? null;
  const name =
    fromJson?.name ?? metaLine(rest, "name|项目名称|名称") ?? (fullName ? (fullName.split("/").pop() ?? null) : null);
  const meta: RepoMeta = {
    fullName: fullName?.replace(/^https?:\/\/github\.com\//, "") ?? null,
    name,
    description: fromJson?.description ?? metaLine(rest, "description|about|描述|简介"),
    topics: fromJson?.topics?.length ? fromJson.topics : parseTopics(metaLine(rest, "topics|标签|tags") ?? ""),
    language: fromJson?.language ?? metaLine(rest, "(?:primary |main )?language|主要语言|语言"),
    homepage: fromJson?.homepage ?? metaLine(rest, "homepage|website|主页"),
  };
  const language = requestedLanguage(instructions) ?? requestedLanguage(rest === userText ? "" : rest) ?? "en";
  return {
    instructions,
    userText,
    readme,
    meta,
    language,
    wantsJson: /\bjson\b/i.test(instructions) || /\bjson\b/i.test(rest),
  };
}
