import { describe, expect, it } from "vitest";
import { estimateTokens } from "./tokens";

/** The embeddings' estimate before it moved here (worker/enrich/embed-text.ts, 2026-12-05). */
function embedTextEstimate(text: string): number {
  const cjk =
    text.match(
      /[\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/g,
    )?.length ?? 0;
  const other = text.length - cjk - (text.match(/\s/g)?.length ?? 0);
  return cjk + Math.ceil(Math.max(0, other) / 3);
}

describe("estimateTokens", () => {
  it.each([
    ["", 0],
    ["   \n\t", 0],
    ["abc", 1],
    ["abcd", 2],
    ["hello world", 4],
    ["const x = f(a, b);", 5],
    ["框架", 2],
    ["一个前端框架", 6],
    ["サーバー", 4],
    ["한국어", 3],
    // CJK punctuation and fullwidth forms are a token each, as in BPE vocabularies (were 1/3 each).
    ["一个前端框架，用于构建界面。", 14],
    ["「框架」", 4],
    // Beyond the BMP: a Han character of Extension B is one token (was 2 UTF-16 units, 2/3 each).
    ["𠀀𠀁𠀂", 3],
    // Not CJK: an emoji is 2 UTF-16 units.
    ["🙂", 1],
    ["vue 框架 for 前端", 6],
  ])("%j costs %i", (text, tokens) => {
    expect(estimateTokens(text)).toBe(tokens);
  });

  it("keeps the embeddings' estimate for text whose CJK is Han of the BMP, kana and Hangul", () => {
    const texts = [
      "# Vite\n\nNext generation frontend tooling. It's fast!\n\n```bash\nnpm create vite@latest\n```",
      "一个基于 Vue 的前端框架\n\n## 安装\n\nnpm install 框架 --save",
      "ひらがなとカタカナのテキスト サーバー",
      "한국어 문서 README 설명",
      "mixed 中文 and English, with numbers 12345 and symbols {}[]()<>",
    ];
    for (const text of texts) expect(estimateTokens(text), text).toBe(embedTextEstimate(text));
  });

  it("never costs more than a character a token (windows of characters fit their budget)", () => {
    for (const text of ["a", "中", "𠀀", "🙂", "，。", "a中🙂𠀀 x"])
      expect(estimateTokens(text)).toBeLessThanOrEqual(text.length);
  });
});
