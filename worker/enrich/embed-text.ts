import { toBase64 } from "../lib/bytes";
import { estimateTokens } from "../lib/tokens";
import { prepareReadme, README_TEXT_VERSION } from "./readme-text";

/**
 * What gets embedded for a repository (docs/architecture.md §4 "embed"): the seed's text —
 * name, description, URL, owner, topics, AI tags, language, AI summary, README — with
 * labels in the user's language, cut into markdown-aware chunks. Pure: the same inputs
 * always give the same chunks, so a chunk's sha256 names its embedding in the shared cache.
 */

/** Bump when the chunks made from the same inputs change (labels, layout, budgets). */
export const EMBED_TEXT_VERSION = 1;
/** Part of the fingerprint worker/enrich/embed.ts keeps per star: either version changing re-reads every text once. */
export const TEXT_VERSIONS = `${EMBED_TEXT_VERSION}.${README_TEXT_VERSION}`;

export type EmbedSource = {
  fullName: string;
  ownerLogin: string;
  description: string | null;
  htmlUrl: string;
  topics: readonly string[];
  language: string | null;
  readme: string | null;
  /** From the analysis the user reads (stars.analysis_id → analyses); none until analysed. */
  summary: string | null;
  aiTags: readonly string[] | null;
  userLanguage: "en" | "zh";
};

export type ChunkOptions = {
  /**
   * Estimated tokens per chunk. The models' input limit is 8,192 tokens (bge-m3, OpenAI);
   * 1,000 keeps chunks about one README section long, which is what a search hit should point at.
   */
  maxTokens?: number;
  /** Chunks per repository; the README's tail past them is not embedded (docs/scale.md counts vectors). */
  maxChunks?: number;
};

export const DEFAULT_CHUNK_TOKENS = 1000;
export const DEFAULT_MAX_CHUNKS = 8;
/** The embedding models' input limit (bge-m3 and OpenAI's: 8,192 tokens); no chunk budget may reach it. */
export const MODEL_INPUT_TOKENS = 8192;

const LABELS = {
  en: {
    repository: "Repository",
    description: "Description",
    url: "URL",
    owner: "Owner",
    topics: "Topics",
    aiTags: "AI tags",
    language: "Language",
    summary: "AI summary",
    readme: "README",
  },
  zh: {
    repository: "仓库",
    description: "描述",
    url: "链接",
    owner: "作者",
    topics: "主题",
    aiTags: "AI 标签",
    language: "语言",
    summary: "AI 摘要",
    readme: "README",
  },
} as const;

/** The labelled header: everything but the README, one `Label: value` line each. */
export function embeddingHeader(source: EmbedSource): string {
  const l = LABELS[source.userLanguage];
  const lines = [
    `${l.repository}: ${source.fullName}`,
    source.description ? `${l.description}: ${source.description}` : null,
    `${l.url}: ${source.htmlUrl}`,
    `${l.owner}: ${source.ownerLogin}`,
    source.topics.length ? `${l.topics}: ${source.topics.join(", ")}` : null,
    source.aiTags?.length ? `${l.aiTags}: ${source.aiTags.join(", ")}` : null,
    source.language ? `${l.language}: ${source.language}` : null,
    source.summary ? `${l.summary}: ${source.summary}` : null,
  ];
  return lines.filter((line): line is string => line !== null).join("\n");
}

/** A block of the README: a heading trail and one paragraph (or code block) under it. */
type Block = { headings: string[]; text: string };

function readmeBlocks(readme: string): Block[] {
  const blocks: Block[] = [];
  const trail: string[] = [];
  let paragraph: string[] = [];
  let inCode = false;
  const flush = () => {
    const text = paragraph.join("\n").trim();
    if (text) blocks.push({ headings: [...trail], text });
    paragraph = [];
  };
  for (const line of readme.split("\n")) {
    if (line.startsWith("```")) inCode = !inCode;
    const heading = !inCode && /^(#{1,6}) (.*)$/.exec(line);
    if (heading) {
      flush();
      const level = heading[1]!.length;
      trail.splice(level - 1);
      while (trail.length < level - 1) trail.push("");
      trail.push(heading[2]!);
      continue;
    }
    if (!inCode && line.trim() === "") flush();
    else paragraph.push(line);
  }
  flush();
  return blocks;
}

/** Where an over-long text may be cut, best first, and what joins the pieces again. */
const SEPARATORS: Array<[RegExp, string]> = [
  [/\n/, "\n"],
  [/(?<=[.!?。！？])\s*/, " "],
  [/[ \t]+/, " "],
];

/** Splits text over budget: at line ends, then sentence ends, then spaces, then by characters. */
function splitLong(text: string, maxTokens: number, level = 0): string[] {
  if (estimateTokens(text) <= maxTokens) return [text];
  for (let i = level; i < SEPARATORS.length; i++) {
    const [separator, joiner] = SEPARATORS[i]!;
    const parts = text.split(separator).filter((part) => part.trim() !== "");
    if (parts.length > 1)
      return pack(
        parts.flatMap((part) => splitLong(part, maxTokens, i + 1)),
        maxTokens,
        joiner,
      );
  }
  // One run without breaks (a minified line, a long CJK paragraph): windows of characters.
  // A window of maxTokens characters never costs more than maxTokens tokens by the estimate.
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += maxTokens) pieces.push(text.slice(start, start + maxTokens));
  return pieces;
}

/** Greedy: consecutive parts joined while they fit. */
function pack(parts: string[], maxTokens: number, joiner: string): string[] {
  const out: string[] = [];
  let current = "";
  for (const part of parts) {
    const joined = current ? `${current}${joiner}${part}` : part;
    if (current && estimateTokens(joined) > maxTokens) {
      out.push(current);
      current = part;
    } else current = joined;
  }
  if (current) out.push(current);
  return out;
}

/**
 * The chunks to embed, in order, at most `maxChunks`. The first carries the header and the
 * README's opening; each later one starts with the repository's name and its section's
 * heading trail, so a chunk read alone still says what it is about.
 */
export function embeddingChunks(source: EmbedSource, options: ChunkOptions = {}): string[] {
  const maxTokens = Math.min(options.maxTokens ?? DEFAULT_CHUNK_TOKENS, MODEL_INPUT_TOKENS - 192);
  const maxChunks = options.maxChunks ?? DEFAULT_MAX_CHUNKS;
  const l = LABELS[source.userLanguage];
  const header = embeddingHeader(source);
  const readme = source.readme ? prepareReadme(source.readme) : "";

  const chunks: string[] = [];
  // The header is short, but a repository's description or summary could be anything.
  const headerParts = splitLong(header, maxTokens);
  let current = headerParts.pop()!;
  chunks.push(...headerParts);
  let currentTrail = "";
  let started = false;

  for (const block of readmeBlocks(readme)) {
    const trail = block.headings.filter(Boolean).join(" › ");
    const prefix = (t: string) => `${l.repository}: ${source.fullName}${t ? `\n${t}` : ""}`;
    const headingChanged = trail !== currentTrail;
    const blockText = headingChanged && trail ? `${block.headings.filter(Boolean).at(-1)}\n${block.text}` : block.text;
    const intro = started ? "" : `${l.readme}:\n`;
    const candidate = `${current}\n\n${intro}${blockText}`;
    // A new section starts a new chunk once the current one is half full.
    const breakHere = headingChanged && estimateTokens(current) > maxTokens / 2;
    if (!breakHere && estimateTokens(candidate) <= maxTokens) {
      current = candidate;
    } else {
      chunks.push(current);
      if (chunks.length >= maxChunks) return chunks.slice(0, maxChunks);
      const head = prefix(trail);
      const room = maxTokens - estimateTokens(head) - 2;
      const pieces = splitLong(block.text, Math.max(64, room));
      for (const piece of pieces.slice(0, -1)) {
        chunks.push(`${head}\n\n${piece}`);
        if (chunks.length >= maxChunks) return chunks.slice(0, maxChunks);
      }
      current = `${head}\n\n${pieces.at(-1)!}`;
    }
    currentTrail = trail;
    started = true;
  }
  chunks.push(current);
  return chunks.slice(0, maxChunks);
}

/** sha256 of a text, base64url (43 characters): the cache key of a chunk, and `stars.embedded_sha` of a chunk list. */
export async function sha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return toBase64(digest, true);
}

/** The sha of what is embedded for a repository: its chunks, in order. */
export const chunksSha = (chunks: readonly string[]) => sha256(chunks.join("\u0000"));
