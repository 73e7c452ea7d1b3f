import { CJK_CHAR } from "./cjk";

const CJK = new RegExp(CJK_CHAR.source, "gu");
const SPACE = /\s/g;

/**
 * Tokens a text may cost, estimated without a vocabulary and on the high side of BPE tokenizers
 * (bge-m3's XLM-R, OpenAI's cl100k): a CJK character (worker/lib/cjk.ts) can be a token on its
 * own; other text averages ~4 characters a token in prose but close to 2 in code and symbols,
 * so 3 UTF-16 units are the estimate; whitespace costs nothing. The one estimate of the
 * embeddings' chunks and the analysis prompt's README budget.
 */
export function estimateTokens(text: string): number {
  const cjk = text.match(CJK) ?? [];
  let cjkUnits = 0;
  for (const char of cjk) cjkUnits += char.length;
  const other = text.length - cjkUnits - (text.match(SPACE)?.length ?? 0);
  return cjk.length + Math.ceil(Math.max(0, other) / 3);
}
