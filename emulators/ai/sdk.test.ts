// The AI emulator driven by the official AI SDK clients, the way the Worker's enrichment calls it.
import { createOpenAI } from "@ai-sdk/openai";
import { embed, embedMany, generateObject, generateText, NoObjectGeneratedError, Output, streamText } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { loadCorpus } from "../github/corpus.ts";
import { startAiEmulator, type AiEmulator } from "./server.ts";
import { cjkShare, control, corpusRepo, KEY, PLATFORMS, provider, SYSTEM, userPrompt } from "./test-helpers.ts";

const analysisSchema = z.object({
  summary: z.string().min(10).max(300),
  tags: z
    .array(z.string().regex(/^[\p{Ll}\p{Lo}\p{N}+#.-]+$/u))
    .min(3)
    .max(8),
  platforms: z.array(z.enum(PLATFORMS)),
});

let emulator: AiEmulator;
beforeAll(async () => {
  emulator = await startAiEmulator({ quiet: true });
});
afterAll(() => emulator.close());

async function analyse(fullName: string, language: "zh" | "en", structured = true) {
  const repo = corpusRepo(fullName);
  const { output, usage, response } = await generateText({
    model: provider(emulator, { structured }).chatModel("starwise-chat"),
    output: Output.object({ schema: analysisSchema }),
    system: SYSTEM(language),
    prompt: userPrompt(repo, repo.readme),
    maxRetries: 0,
  });
  return { output, usage, response, repo };
}

describe("chat completions through @ai-sdk/openai-compatible", () => {
  it("summarises the README it was given, within the json_schema it was sent", async () => {
    const { output, usage } = await analyse("BurntSushi/ripgrep", "en");
    // The README's first real paragraph, condensed to its first sentence.
    expect(output.summary).toBe(
      "ripgrep is a line-oriented search tool that recursively searches the current directory for a regex pattern.",
    );
    expect(output.tags).toEqual(expect.arrayContaining(["regex", "grep"]));
    expect(new Set(output.tags).size).toBe(output.tags.length);
    expect(output.tags).not.toContain("ripgrep");
    expect(output.platforms).toEqual(expect.arrayContaining(["cli", "linux", "windows", "macos"]));
    expect(usage.inputTokens).toBeGreaterThan(1000);
    expect(usage.outputTokens).toBeGreaterThan(10);
  });

  it("gives different READMEs different analyses", async () => {
    const flask = (await analyse("pallets/flask", "en")).output;
    const nanoid = (await analyse("ai/nanoid", "en")).output;
    expect(flask.summary).toMatch(/^Flask is a lightweight WSGI web application framework\./);
    expect(flask.platforms).toContain("web");
    expect(nanoid.summary).toBe("A tiny, secure, URL-friendly, unique string ID generator for JavaScript.");
    expect(nanoid.tags).not.toEqual(flask.tags);
  });

  it("answers json_object requests (no schema on the wire) in the analysis shape", async () => {
    const { output } = await analyse("expressjs/express", "en", false);
    expect(output.summary).toBe("Fast, unopinionated, minimalist web framework for Node.js.");
    expect(output.platforms).toEqual(expect.arrayContaining(["node", "web"]));
  });

  it("writes Chinese when the instructions ask for zh, also for an English README", async () => {
    const { output } = await analyse("BurntSushi/ripgrep", "zh");
    expect(cjkShare(output.summary)).toBeGreaterThan(0.6);
    expect(output.summary).toContain("ripgrep");
    expect(output.summary).toMatch(/。$/);
    // The same README in English reads English.
    expect(cjkShare((await analyse("BurntSushi/ripgrep", "en")).output.summary)).toBe(0);
  });

  it("summarises a Chinese README in Chinese for zh and in English for en", async () => {
    const zh = (await analyse("THUDM/ChatGLM-6B", "zh")).output;
    expect(zh.summary).toMatch(/^ChatGLM-6B 是一个开源的、支持中英双语的对话语言模型/);
    const en = (await analyse("THUDM/ChatGLM-6B", "en")).output;
    expect(cjkShare(en.summary)).toBe(0);
    expect(en.summary).toMatch(/^ChatGLM-6B is an open-source language model/);
  });

  it("answers in the language asked for, whatever the README's, for every README of the corpus", async () => {
    // Real models follow the system prompt's language; an extractive emulator that quoted a
    // Chinese README to an English request made the Worker's language check fail it for good.
    const corpus = loadCorpus();
    const chinese = corpus.repos.filter((_, i) => /\p{Script=Han}{8}/u.test(corpus.readme(i).slice(0, 3000)));
    expect(chinese.length).toBeGreaterThan(10);
    for (const { fullName } of chinese) {
      const { output, repo } = await analyse(fullName, "en");
      expect(
        output.summary.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u),
        `${fullName}: ${output.summary}`,
      ).toBeNull();
      // Still about this repository: it names it, or quotes its English description or README.
      const squash = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
      const about =
        squash(output.summary).includes(squash(repo.name)) ||
        (repo.description !== null && output.summary.startsWith(repo.description.slice(0, 20))) ||
        repo.readme.includes(output.summary.slice(0, 30));
      expect(about, `${fullName}: ${output.summary}`).toBe(true);
      // Tags in English too, the repository's own topics aside.
      for (const tag of output.tags)
        if (!repo.topics.includes(tag)) expect(tag, fullName).not.toMatch(/\p{Script=Han}/u);
      expect(cjkShare((await analyse(fullName, "zh")).output.summary), fullName).toBeGreaterThan(0.3);
    }
  });

  it(
    "leaves a description's link out of the summary " + "(a README it cannot read: the description is all it has)",
    async () => {
      const repo = corpusRepo("Stuk/jszip");
      expect(repo.description).toMatch(/https?:\/\//);
      const { output } = await generateText({
        model: provider(emulator).chatModel("starwise-chat"),
        output: Output.object({ schema: analysisSchema }),
        system: SYSTEM("en"),
        prompt: userPrompt(repo, "\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR"),
        maxRetries: 0,
      });
      expect(output.summary).not.toMatch(/https?:|www\./);
      expect(repo.description).toContain(output.summary.replace(/\.$/, ""));
    },
  );

  it("is deterministic: the same request gets the same answer", async () => {
    const a = await analyse("TanStack/query", "en");
    const b = await analyse("TanStack/query", "en");
    expect(b.output).toEqual(a.output);
    expect(b.usage).toEqual(a.usage);
    const other = await startAiEmulator({ quiet: true, seed: 7 });
    try {
      const repo = corpusRepo("TanStack/query");
      const { output } = await generateText({
        model: provider(other).chatModel("starwise-chat"),
        output: Output.object({ schema: analysisSchema }),
        system: SYSTEM("en"),
        prompt: userPrompt(repo, repo.readme),
      });
      expect(output).toEqual(a.output);
    } finally {
      await other.close();
    }
  });

  it("honours the schema's limits (maxLength, maxItems, enum)", async () => {
    const repo = corpusRepo("pallets/flask");
    const tight = z.object({
      summary: z.string().max(60),
      tags: z.array(z.string()).min(2).max(3),
      platforms: z.array(z.enum(["web", "cli"])).max(1),
      confidence: z.number().min(0).max(1),
    });
    const { output } = await generateText({
      model: provider(emulator).chatModel("starwise-chat"),
      output: Output.object({ schema: tight }),
      system: SYSTEM("en"),
      prompt: userPrompt(repo, repo.readme),
    });
    expect(output.summary.length).toBeLessThanOrEqual(60);
    expect(output.summary).toMatch(/^Flask is a lightweight/);
    expect(output.tags.length).toBeLessThanOrEqual(3);
    expect(output.platforms).toEqual(["web"]);
  });

  it("supports the deprecated generateObject and forced tool calls", async () => {
    const repo = corpusRepo("OptimalBits/bull");
    const { object } = await generateObject({
      model: provider(emulator).chatModel("starwise-chat"),
      schema: analysisSchema,
      system: SYSTEM("en"),
      prompt: userPrompt(repo, repo.readme),
    });
    expect(object.tags.length).toBeGreaterThanOrEqual(3);
    const { toolCalls } = await generateText({
      model: provider(emulator).chatModel("starwise-chat"),
      tools: { save_analysis: { description: "Save", inputSchema: analysisSchema } },
      toolChoice: { type: "tool", toolName: "save_analysis" },
      system: SYSTEM("en"),
      prompt: userPrompt(repo, repo.readme),
    });
    expect(toolCalls).toHaveLength(1);
    expect(analysisSchema.parse(toolCalls[0]?.input).summary).toBe(object.summary);
  });

  it("streams (streamText with Output.object) with usage in the last chunk", async () => {
    const repo = corpusRepo("Leaflet/Leaflet");
    const result = streamText({
      model: provider(emulator).chatModel("starwise-chat"),
      output: Output.object({ schema: analysisSchema }),
      system: SYSTEM("en"),
      prompt: userPrompt(repo, repo.readme),
    });
    let parts = 0;
    for await (const _ of result.textStream) parts++;
    expect(parts).toBeGreaterThan(3);
    const output = await result.output;
    const usage = await result.usage;
    expect(output.summary).toMatch(/Leaflet/);
    expect(usage.outputTokens).toBeGreaterThan(0);
    const { output: nonStreamed } = await generateText({
      model: provider(emulator).chatModel("starwise-chat"),
      output: Output.object({ schema: analysisSchema }),
      system: SYSTEM("en"),
      prompt: userPrompt(repo, repo.readme),
    });
    expect(output).toEqual(nonStreamed);
  });

  it("turns invalid output into the SDK's NoObjectGeneratedError", async () => {
    await control(emulator, "POST", "faults", { route: "POST /v1/chat/completions", output: "invalid-json", count: 1 });
    await expect(analyse("pallets/flask", "en")).rejects.toSatisfy((error) => NoObjectGeneratedError.isInstance(error));
    await control(emulator, "POST", "faults", { output: "schema-violation", count: 1 });
    await expect(analyse("pallets/flask", "en")).rejects.toSatisfy((error) => NoObjectGeneratedError.isInstance(error));
    // The rules are used up: the next call is fine again.
    await expect(analyse("pallets/flask", "en")).resolves.toBeTruthy();
  });
});

describe("@ai-sdk/openai (chat completions API)", () => {
  it("works through openai.chat() with json_schema and through openai.embedding()", async () => {
    const openai = createOpenAI({ baseURL: `${emulator.url}/v1`, apiKey: KEY });
    const repo = corpusRepo("pallets/flask");
    const { output } = await generateText({
      model: openai.chat("gpt-4o-mini"),
      output: Output.object({ schema: analysisSchema }),
      system: SYSTEM("en"),
      prompt: userPrompt(repo, repo.readme),
    });
    expect(output.summary).toMatch(/^Flask is a lightweight WSGI/);
    const { embedding } = await embed({
      model: openai.embedding("text-embedding-3-small"),
      value: "hello",
      providerOptions: { openai: { dimensions: 256 } },
    });
    expect(embedding).toHaveLength(256);
  });
});

describe("embeddings through embedMany", () => {
  const names = [
    "django/django",
    "pallets/flask",
    "fastapi/fastapi",
    "Hopding/pdf-lib",
    "KaTeX/KaTeX",
    "Leaflet/Leaflet",
    "BurntSushi/ripgrep",
    "OptimalBits/bull",
    "THUDM/ChatGLM-6B",
    "alacritty/alacritty",
  ];
  const texts = names.map((n) => {
    const r = corpusRepo(n);
    // The first 12,000 characters: whole READMEs can pass the 8,192-token input limit.
    return `${r.fullName}\n${r.description ?? ""}\n${r.topics.join(" ")}\n${r.readme.slice(0, 12_000)}`;
  });
  const cosine = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * (b[i] as number), 0);

  async function rank(query: string, vectors: number[][]) {
    const { embedding } = await embed({ model: provider(emulator).embeddingModel("starwise-embed"), value: query });
    return vectors
      .map((v, i) => [cosine(embedding, v), names[i]] as const)
      .sort((a, b) => b[0] - a[0])
      .map(([, n]) => n);
  }

  it("refuses an input over the model's 8,192-token limit, as OpenAI does", async () => {
    const long = corpusRepo("FFmpeg/FFmpeg").readme.repeat(20);
    await expect(
      embedMany({ model: provider(emulator).embeddingModel("starwise-embed"), values: [long], maxRetries: 0 }),
    ).rejects.toThrow(/maximum context length is 8192 tokens/);
  });

  it("returns L2-normalised vectors of the default 1024 dimensions, batched", async () => {
    const { embeddings, usage } = await embedMany({
      model: provider(emulator).embeddingModel("starwise-embed"),
      values: texts,
    });
    expect(embeddings).toHaveLength(texts.length);
    for (const v of embeddings) {
      expect(v).toHaveLength(1024);
      expect(Math.sqrt(cosine(v, v))).toBeCloseTo(1, 5);
    }
    expect(usage.tokens).toBeGreaterThan(1000);
  });

  it("ranks the relevant READMEs above unrelated ones", async () => {
    const { embeddings } = await embedMany({
      model: provider(emulator).embeddingModel("starwise-embed"),
      values: texts,
    });
    expect((await rank("python web framework", embeddings)).slice(0, 3).sort()).toEqual([
      "django/django",
      "fastapi/fastapi",
      "pallets/flask",
    ]);
    expect((await rank("create and modify PDF documents", embeddings))[0]).toBe("Hopding/pdf-lib");
    expect((await rank("render math formulas with TeX", embeddings))[0]).toBe("KaTeX/KaTeX");
    expect((await rank("interactive maps", embeddings))[0]).toBe("Leaflet/Leaflet");
    expect((await rank("redis job queue", embeddings))[0]).toBe("OptimalBits/bull");
    expect((await rank("GPU accelerated terminal emulator", embeddings))[0]).toBe("alacritty/alacritty");
    expect((await rank("对话语言模型", embeddings))[0]).toBe("THUDM/ChatGLM-6B");
  });

  it("honours dimensions and is deterministic", async () => {
    const model = provider(emulator).embeddingModel("starwise-embed");
    const a = await embedMany({
      model,
      values: ["web framework for rust", "web framework for rust"],
      providerOptions: { emulator: { dimensions: 384 } },
    });
    expect(a.embeddings[0]).toHaveLength(384);
    expect(a.embeddings[1]).toEqual(a.embeddings[0]);
    const b = await embedMany({
      model,
      values: ["web framework for rust"],
      providerOptions: { emulator: { dimensions: 384 } },
    });
    expect(b.embeddings[0]).toEqual(a.embeddings[0]);
  });
});
