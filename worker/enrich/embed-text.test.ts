import { describe, expect, it } from "vitest";
import { estimateTokens } from "../lib/tokens";
import { chunksSha, embeddingChunks, embeddingHeader, MODEL_INPUT_TOKENS, type EmbedSource } from "./embed-text";

const source = (over: Partial<EmbedSource> = {}): EmbedSource => ({
  fullName: "acme/rocket",
  ownerLogin: "acme",
  description: "Rockets for the web",
  htmlUrl: "https://github.com/acme/rocket",
  topics: ["web", "rockets"],
  language: "Rust",
  readme: null,
  summary: "Rocket is a web framework.",
  aiTags: ["web-framework"],
  userLanguage: "en",
  ...over,
});

const section = (title: string, words: number) =>
  `## ${title}\n\n${Array.from({ length: words }, (_, i) => `word${i}`).join(" ")}.`;

describe("embedding text", () => {
  it("labels every field in the user's language, the AI fields from the analysis", () => {
    expect(embeddingHeader(source())).toBe(
      [
        "Repository: acme/rocket",
        "Description: Rockets for the web",
        "URL: https://github.com/acme/rocket",
        "Owner: acme",
        "Topics: web, rockets",
        "AI tags: web-framework",
        "Language: Rust",
        "AI summary: Rocket is a web framework.",
      ].join("\n"),
    );
    const zh = embeddingHeader(source({ userLanguage: "zh", description: null, summary: null, aiTags: null }));
    expect(zh).toBe(
      [
        "仓库: acme/rocket",
        "链接: https://github.com/acme/rocket",
        "作者: acme",
        "主题: web, rockets",
        "语言: Rust",
      ].join("\n"),
    );
  });

  it("one chunk for a short README: header, then the README", () => {
    const chunks = embeddingChunks(source({ readme: "# Rocket\n\nFast and safe." }));
    expect(chunks).toEqual([
      `${embeddingHeader(source())}\n\nREADME:\n# Rocket\nFast and safe.`.replace("# Rocket\n", "Rocket\n"),
    ]);
  });

  it("splits on sections: each later chunk names the repository and its heading trail", () => {
    const readme = [
      "# Rocket",
      section("Install", 100),
      section("Usage", 100),
      "### Advanced",
      "",
      "Deep text here.",
    ].join("\n\n");
    const chunks = embeddingChunks(source({ readme }), { maxTokens: 400 });
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks[0]).toMatch(/^Repository: acme\/rocket\nDescription:/);
    const usage = chunks.find((chunk) => chunk.startsWith("Repository: acme/rocket\nRocket › Usage\n\n"));
    expect(usage).toBeDefined();
    expect(chunks.at(-1)).toContain("Rocket › Usage › Advanced");
    expect(chunks.at(-1)).toContain("Deep text here.");
    for (const chunk of chunks) expect(estimateTokens(chunk)).toBeLessThanOrEqual(400);
  });

  it("cuts a long paragraph at spaces, never inside a word", () => {
    const chunks = embeddingChunks(source({ readme: section("Install", 2000) }), { maxTokens: 300, maxChunks: 50 });
    expect(chunks.length).toBeGreaterThan(5);
    const words = chunks.flatMap((chunk) => chunk.split("\n\n").at(-1)!.split(" ")).filter((w) => w.startsWith("word"));
    expect(words).toEqual(Array.from({ length: 2000 }, (_, i) => `word${i}${i === 1999 ? "." : ""}`));
  });

  it("falls back to characters for a long run without breaks, within the budget", () => {
    const run = "字".repeat(5000);
    const chunks = embeddingChunks(source({ readme: run }), { maxTokens: 1000, maxChunks: 20 });
    expect(chunks.length).toBeGreaterThanOrEqual(6);
    for (const chunk of chunks) expect(estimateTokens(chunk)).toBeLessThanOrEqual(1000);
    // Nothing of the run is lost (the cap is not reached).
    expect(chunks.join("").split("字").length - 1).toBe(5000);
  });

  it("caps the chunks per repository, and no budget reaches the model's input limit", () => {
    const readme = Array.from({ length: 30 }, (_, i) => section(`Part ${i}`, 800)).join("\n\n");
    expect(embeddingChunks(source({ readme }), { maxChunks: 5 })).toHaveLength(5);
    const huge = embeddingChunks(source({ readme }), { maxTokens: 100_000, maxChunks: 50 });
    for (const chunk of huge) expect(estimateTokens(chunk)).toBeLessThan(MODEL_INPUT_TOKENS);
  });

  it("the sha follows the text: same inputs, same sha; another summary or language, another", async () => {
    const readme = section("Install", 50);
    const a = await chunksSha(embeddingChunks(source({ readme })));
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await chunksSha(embeddingChunks(source({ readme })))).toBe(a);
    expect(await chunksSha(embeddingChunks(source({ readme, summary: "Other." })))).not.toBe(a);
    expect(await chunksSha(embeddingChunks(source({ readme, userLanguage: "zh" })))).not.toBe(a);
  });
});
