// The real model (`embeddings: "use-lite"`): meaning beyond shared words, one size, its own model
// id, and every text embedded once (the second ask is read from the disk cache).
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAiEmulator, type AiEmulator } from "./server.ts";
import { cosine } from "./vectors.ts";

let ai: AiEmulator;
let cache: string;
const headers = { authorization: "Bearer sk-emulator", "content-type": "application/json" };
const embeddings = (body: unknown) =>
  fetch(`${ai.url}/v1/embeddings`, { method: "POST", headers, body: JSON.stringify(body) });
const vectors = async (input: string[]) => {
  const response = await embeddings({ model: "use-lite", input });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: Array<{ embedding: number[] }> }).data.map((d) => d.embedding);
};

beforeAll(async () => {
  cache = await mkdtemp(path.join(tmpdir(), "use-lite-test-"));
  ai = await startAiEmulator({ port: 0, quiet: true, embeddings: "use-lite", embeddingCacheDir: cache });
});
afterAll(async () => {
  await ai.close();
  await rm(cache, { recursive: true, force: true });
});

describe("use-lite embeddings", () => {
  it("finds meaning the words do not share, in 512 unit dimensions", { timeout: 60_000 }, async () => {
    const [query, pictures, weather] = await vectors([
      "shrink my photos before I put them online",
      "High performance Node.js image processing, the fastest module to resize JPEG, PNG and WebP images.",
      "Rain is expected tomorrow afternoon with strong wind.",
    ]);
    expect(query).toHaveLength(512);
    expect(Math.hypot(...query!)).toBeCloseTo(1, 5);
    expect(cosine(query!, pictures!)).toBeGreaterThan(cosine(query!, weather!) + 0.1);
  });

  it("embeds a text once: the same answer again, read from the disk cache", { timeout: 60_000 }, async () => {
    const texts = ["a command-line JSON processor", "a terminal emulator that draws with the GPU"];
    const first = await vectors(texts);
    const files = (await readdir(cache, { recursive: true })).filter((name) => name.endsWith(".f32"));
    const again = await vectors([...texts].reverse());
    expect(again).toEqual([...first].reverse());
    expect((await readdir(cache, { recursive: true })).filter((name) => name.endsWith(".f32"))).toEqual(files);
    // A new emulator (a new process's cache) answers from the files without the model.
    const second = await startAiEmulator({ port: 0, quiet: true, embeddings: "use-lite", embeddingCacheDir: cache });
    try {
      const response = await fetch(`${second.url}/v1/embeddings`, {
        method: "POST",
        headers,
        body: JSON.stringify({ model: "use-lite", input: texts }),
      });
      const data = ((await response.json()) as { data: Array<{ embedding: number[] }> }).data;
      expect(data.map((d) => d.embedding)).toEqual(first);
    } finally {
      await second.close();
    }
  });

  it("serves its own model id at one size", async () => {
    const models = (await (await fetch(`${ai.url}/v1/models`, { headers })).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((model) => model.id)).toContain("use-lite");
    expect((await embeddings({ model: "starwise-embed", input: "x" })).status).toBe(404);
    const sized = await embeddings({ model: "use-lite", input: "x", dimensions: 1024 });
    expect(sized.status).toBe(400);
    expect(((await sized.json()) as { error: { param: string } }).error.param).toBe("dimensions");
  });
});
