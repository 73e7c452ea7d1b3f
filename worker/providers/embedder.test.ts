import { describe, expect, it } from "vitest";
import { createServices } from "../services";
import { ApiError } from "../lib/errors";
import { emulatorControl, env } from "../test/helpers";
import { EmbeddingRateLimited, rateLimitedUntil, requestBatches } from "./embedder";

// The OpenAI-compatible path against the AI emulator (a real HTTP server, its stats read
// back); the Workers AI path through a spied `AI` binding. This file's requests name a
// model of their own, so other test files using the emulator at the same time do not
// change its counts.
const MODEL = "text-embedding-3-small";
const withVars = (vars: Record<string, string>) => ({ ...env, EMBEDDING_MODEL: MODEL, ...vars });

const Stats = (value: unknown) =>
  value as { models: Record<string, { requests: number; inputs: number; rateLimited: number } | undefined> };
async function modelStats() {
  return Stats(await emulatorControl("ai", "GET", "stats")).models[MODEL] ?? { requests: 0, inputs: 0, rateLimited: 0 };
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

describe("embedder (OpenAI-compatible, the AI emulator)", () => {
  it("embeds a batch in one request: unit vectors of EMBEDDING_DIMENSIONS that carry meaning", async () => {
    const embedder = createServices(withVars({})).embedder()!;
    expect(embedder.key).toBe(`openai-compatible:${MODEL}:1024`);
    const before = await modelStats();
    const [query, django, ripgrep] = await embedder.embedBatch([
      "python web framework",
      "Django is a high-level Python web framework that encourages rapid development and clean design.",
      "ripgrep recursively searches directories for a regex pattern, a line-oriented search tool in Rust.",
    ]);
    const after = await modelStats();
    expect(after.requests - before.requests).toBe(1);
    expect(after.inputs - before.inputs).toBe(3);
    for (const v of [query!, django!, ripgrep!]) {
      expect(v).toHaveLength(1024);
      expect(dot(v, v)).toBeCloseTo(1, 5);
    }
    expect(dot(query!, django!)).toBeGreaterThan(dot(query!, ripgrep!));
    const again = await createServices(withVars({})).semantic!.embedQuery("python web framework");
    expect([...again]).toEqual([...query!]);
  });

  it("turns a 429 into a wait until its retry-after, without retrying", async () => {
    await emulatorControl("ai", "POST", "faults", {
      route: "POST /v1/embeddings",
      model: MODEL,
      status: 429,
      headers: { "retry-after-ms": "1500" },
      count: 1,
    });
    const before = await modelStats();
    const started = Date.now();
    const error = await createServices(withVars({}))
      .embedder()!
      .embedBatch(["anything"])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingRateLimited);
    const until = (error as EmbeddingRateLimited).until;
    expect(until).toBeGreaterThanOrEqual(started + 1500);
    expect(until).toBeLessThan(Date.now() + 1500 + 50);
    // One request, the refused one (maxRetries: 0: the SDK did not wait it out itself).
    expect((await modelStats()).requests - before.requests).toBe(1);
    expect((await createServices(withVars({})).embedder()!.embedBatch(["anything"])).length).toBe(1);
  });

  it("sizes requests by EMBEDDING_BATCH_SIZE (capped by the provider's limit) and by tokens", () => {
    expect(createServices(withVars({})).embedder()!.batchSize).toBe(2048);
    expect(createServices(withVars({ EMBEDDING_BATCH_SIZE: "64" })).embedder()!.batchSize).toBe(64);
    expect(createServices(withVars({ EMBEDDING_BATCH_SIZE: "5000" })).embedder()!.batchSize).toBe(2048);
    const texts = Array.from({ length: 10 }, (_, i) => `text ${i}`);
    expect(requestBatches(texts, (t) => t, { batchSize: 4, maxRequestTokens: 1000 }).map((b) => b.length)).toEqual([
      4, 4, 2,
    ]);
    const long = Array.from({ length: 5 }, () => "x".repeat(3000)); // 1,000 tokens each by the estimate
    expect(requestBatches(long, (t) => t, { batchSize: 100, maxRequestTokens: 2500 }).map((b) => b.length)).toEqual([
      2, 2, 1,
    ]);
  });

  it("reads retry-after in seconds or as a date, and waits a minute when a 429 says nothing", async () => {
    const { APICallError } = await import("ai");
    const limited = (headers: Record<string, string>) =>
      new APICallError({ message: "429", url: "x", requestBodyValues: {}, statusCode: 429, responseHeaders: headers });
    expect(rateLimitedUntil(limited({ "Retry-After": "7" }), 1000)).toBe(8000);
    expect(rateLimitedUntil(limited({ "retry-after": new Date(120_000).toUTCString() }), 1000)).toBe(120_000);
    expect(rateLimitedUntil(limited({}), 1000)).toBe(61_000);
    expect(
      rateLimitedUntil(new APICallError({ message: "500", url: "x", requestBodyValues: {}, statusCode: 500 }), 1000),
    ).toBeNull();
  });
});

describe("embedder (Workers AI binding)", () => {
  const spiedAi = (dims: number) => {
    const calls: Array<{ model: string; inputs: unknown }> = [];
    const binding = {
      async run(model: string, inputs: { text: string[] }) {
        calls.push({ model, inputs });
        return {
          shape: [inputs.text.length, dims],
          data: inputs.text.map((_, i) => Array.from({ length: dims }, (_, d) => (d === i ? 3 : 0))),
        };
      },
    };
    return { calls, binding };
  };

  it("calls the AI binding with the model and the texts, and checks the dimensions", async () => {
    const { calls, binding } = spiedAi(1024);
    const vars = {
      ...env,
      EMBEDDING_PROVIDER: "workers-ai",
      EMBEDDING_MODEL: "@cf/baai/bge-m3",
      AI: binding as unknown as Ai,
    };
    const embedder = createServices(vars).embedder()!;
    expect(embedder.key).toBe("workers-ai:@cf/baai/bge-m3:1024");
    expect(embedder.batchSize).toBe(100);
    const vectors = await embedder.embedBatch(["a", "b"]);
    expect(calls).toEqual([{ model: "@cf/baai/bge-m3", inputs: { text: ["a", "b"] } }]);
    expect(vectors[1]![1]).toBeCloseTo(1, 6); // normalised from 3

    const small = spiedAi(384);
    const wrong = createServices({
      ...env,
      EMBEDDING_PROVIDER: "workers-ai",
      AI: small.binding as unknown as Ai,
    }).embedder()!;
    const error = await wrong.embedBatch(["a"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe("not_configured");
    expect((error as ApiError).message).toMatch(/384 dimensions; EMBEDDING_DIMENSIONS is 1024/);
  });
});
