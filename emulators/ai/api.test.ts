// The OpenAI API's rules as the emulator applies them: keys, models, validation, rate limits,
// faults and the stats that count them.
import { generateText, embedMany, APICallError } from "ai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startAiEmulator, type AiEmulator } from "./server.ts";
import { api, control, provider } from "./test-helpers.ts";

let emulator: AiEmulator;
beforeAll(async () => {
  emulator = await startAiEmulator({ quiet: true });
});
afterAll(() => emulator.close());
beforeEach(() => control(emulator, "POST", "reset"));

const chat = (extra: Record<string, unknown> = {}) => ({
  model: "starwise-chat",
  messages: [{ role: "user", content: "Summarise: Leaflet is a JavaScript library for interactive maps." }],
  ...extra,
});

describe("authentication", () => {
  it("answers 401 in OpenAI's shape without a key or with a wrong one", async () => {
    const missing = await api(emulator, "/v1/chat/completions", chat(), null);
    expect(missing.status).toBe(401);
    expect(missing.json.error).toMatchObject({ type: "invalid_request_error", code: null, param: null });
    expect(missing.json.error.message).toMatch(/^You didn't provide an API key/);
    const wrong = await api(emulator, "/v1/embeddings", { model: "starwise-embed", input: "x" }, "sk-wrong-key-123456");
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe("invalid_api_key");
    expect(wrong.json.error.message).not.toContain("sk-wrong-key-123456");
    // The SDK surfaces it as a non-retryable API error.
    const error = await generateText({
      model: provider(emulator, { apiKey: "nope" }).chatModel("starwise-chat"),
      prompt: "hi",
    }).catch((e: unknown) => e);
    expect(APICallError.isInstance(error) && error.statusCode).toBe(401);
    expect((await control(emulator, "GET", "stats")).requests.byStatus["401"]).toBe(3);
  });

  it("accepts any caller when the key check is off", async () => {
    await control(emulator, "POST", "config", { apiKey: null });
    expect((await api(emulator, "/v1/chat/completions", chat(), null)).status).toBe(200);
  });
});

describe("requests", () => {
  it("lists the configured models and 404s unknown ones", async () => {
    const models = await api(emulator, "/v1/models");
    expect(models.json.data.map((m: { id: string }) => m.id)).toEqual([
      "starwise-chat",
      "gpt-4o-mini",
      "starwise-embed",
      "text-embedding-3-small",
      "@cf/baai/bge-m3",
    ]);
    const unknown = await api(emulator, "/v1/chat/completions", chat({ model: "gpt-9" }));
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe("model_not_found");
    await control(emulator, "POST", "config", { chatModels: ["*"] });
    expect((await api(emulator, "/v1/chat/completions", chat({ model: "gpt-9" }))).status).toBe(200);
  });

  it("validates bodies as OpenAI does", async () => {
    expect(
      (await api(emulator, "/v1/chat/completions", { model: "starwise-chat", messages: [] })).json.error.param,
    ).toBe("messages");
    const noJsonWord = await api(emulator, "/v1/chat/completions", chat({ response_format: { type: "json_object" } }));
    expect(noJsonWord.status).toBe(400);
    expect(noJsonWord.json.error.message).toMatch(/must contain the word 'json'/);
    expect((await api(emulator, "/v1/embeddings", { model: "starwise-embed", input: [""] })).status).toBe(400);
    expect(
      (await api(emulator, "/v1/embeddings", { model: "starwise-embed", input: ["a"], dimensions: 0 })).status,
    ).toBe(400);
    const raw = await fetch(`${emulator.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer sk-emulator" },
      body: "{not json",
    });
    expect(raw.status).toBe(400);
    expect((await api(emulator, "/v1/nothing", {})).status).toBe(404);
  });

  it("returns the chat completion shape with usage, and cuts at max_tokens with finish_reason length", async () => {
    const full = await api(emulator, "/v1/chat/completions", chat());
    expect(full.json).toMatchObject({
      object: "chat.completion",
      model: "starwise-chat",
      choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant" } }],
    });
    expect(full.json.choices[0].message.content).toBe("Leaflet is a JavaScript library for interactive maps.");
    expect(full.json.usage.total_tokens).toBe(full.json.usage.prompt_tokens + full.json.usage.completion_tokens);
    const cut = await api(emulator, "/v1/chat/completions", chat({ max_tokens: 3 }));
    expect(cut.json.choices[0].finish_reason).toBe("length");
    expect(cut.json.usage.completion_tokens).toBeLessThanOrEqual(3);
  });

  it("serves base64 embeddings that decode to the float ones", async () => {
    const floats = await api(emulator, "/v1/embeddings", {
      model: "starwise-embed",
      input: ["vector search"],
      dimensions: 8,
    });
    const b64 = await api(emulator, "/v1/embeddings", {
      model: "starwise-embed",
      input: ["vector search"],
      dimensions: 8,
      encoding_format: "base64",
    });
    const bytes = Buffer.from(b64.json.data[0].embedding, "base64");
    const decoded = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4));
    expect(decoded).toHaveLength(8);
    for (const [i, v] of decoded.entries()) expect(v).toBeCloseTo(floats.json.data[0].embedding[i], 6);
  });
});

describe("rate limit", () => {
  it("answers 429 with retry-after, retry-after-ms and x-ratelimit headers once rpm is used up", async () => {
    await control(emulator, "POST", "config", { rpm: 3 });
    const ok = [];
    for (let i = 0; i < 3; i++) ok.push(await api(emulator, "/v1/chat/completions", chat()));
    expect(ok.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(ok.map((r) => r.headers.get("x-ratelimit-remaining-requests"))).toEqual(["2", "1", "0"]);
    expect(ok[0]?.headers.get("x-ratelimit-limit-requests")).toBe("3");
    const refused = await api(emulator, "/v1/chat/completions", chat());
    expect(refused.status).toBe(429);
    expect(refused.json.error).toMatchObject({ type: "requests", code: "rate_limit_exceeded" });
    expect(refused.json.error.message).toMatch(
      /^Rate limit reached for starwise-chat .* on requests per min \(RPM\): Limit 3, Used 3, Requested 1\./,
    );
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(59);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(Number(refused.headers.get("retry-after-ms"))).toBeGreaterThan(58_000);
    // Limits are per model: embeddings still pass.
    expect((await api(emulator, "/v1/embeddings", { model: "starwise-embed", input: "x" })).status).toBe(200);
    const stats = await control(emulator, "GET", "stats");
    expect(stats.models["starwise-chat"]).toMatchObject({ requests: 4, succeeded: 3, rateLimited: 1 });
    expect(stats.rateLimited).toBe(1);
  });

  it("is waited out by the AI SDK's retry (retry-after-ms), with nothing lost", async () => {
    await control(emulator, "POST", "config", { rpm: 2, rateWindowMs: 400 });
    const model = provider(emulator).chatModel("starwise-chat");
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        generateText({
          model,
          prompt: `Summarise: project number ${i} is a library for parsing dates.`,
          maxRetries: 5,
        }),
      ),
    );
    expect(results.map((r) => r.text)).toHaveLength(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400); // 5 calls at 2 per 400 ms need at least two more windows
    const stats = await control(emulator, "GET", "stats");
    expect(stats.models["starwise-chat"].succeeded).toBe(5);
    expect(stats.models["starwise-chat"].rateLimited).toBeGreaterThan(0);
  });

  it("limits tokens per minute too", async () => {
    await control(emulator, "POST", "config", { tpm: 60 });
    expect((await api(emulator, "/v1/chat/completions", chat({ max_tokens: 20 }))).status).toBe(200);
    const refused = await api(emulator, "/v1/chat/completions", chat({ max_tokens: 40 }));
    expect(refused.status).toBe(429);
    expect(refused.json.error.type).toBe("tokens");
    expect(refused.headers.get("x-ratelimit-limit-tokens")).toBe("60");
  });
});

describe("faults", () => {
  it("injects statuses for a count, then recovers; the SDK retries 5xx", async () => {
    await control(emulator, "POST", "faults", {
      route: "POST /v1/chat/completions",
      status: 503,
      count: 2,
      headers: { "retry-after-ms": "20" },
    });
    const { text } = await generateText({
      model: provider(emulator).chatModel("starwise-chat"),
      prompt: "Summarise: a tiny date library for formatting times.",
      maxRetries: 2,
    });
    expect(text).toMatch(/date library/);
    const stats = await control(emulator, "GET", "stats");
    expect(stats.requests.byStatus).toEqual({ "503": 2, "200": 1 });
    expect(stats.models["starwise-chat"].errors).toBe(2);
  });

  it("adds latency, holds sockets on timeout and spoils output", async () => {
    await control(emulator, "POST", "faults", [
      { latencyMs: 150, count: 1 },
      { route: "POST /v1/embeddings", output: "non-json", count: 1 },
      { route: "POST /v1/chat/completions", timeout: true, count: 1 },
    ]);
    const started = Date.now();
    const html = await api(emulator, "/v1/embeddings", { model: "starwise-embed", input: "x" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(html.status).toBe(200);
    expect(html.headers.get("content-type")).toMatch(/text\/html/);
    await expect(
      fetch(`${emulator.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: "Bearer sk-emulator" },
        body: JSON.stringify(chat()),
        signal: AbortSignal.timeout(300),
      }),
    ).rejects.toThrow();
    await control(emulator, "POST", "faults", { output: "truncated", count: 1 });
    const truncated = await api(
      emulator,
      "/v1/chat/completions",
      chat({
        response_format: { type: "json_object" },
        messages: [{ role: "user", content: "Answer in JSON. Leaflet is a JavaScript library for interactive maps." }],
      }),
    );
    expect(truncated.json.choices[0].finish_reason).toBe("length");
    expect(() => JSON.parse(truncated.json.choices[0].message.content)).toThrow();
  });

  it("rejects malformed rules", async () => {
    const response = await fetch(`${emulator.url}/_emulator/faults`, {
      method: "POST",
      body: JSON.stringify({ output: "garbage" }),
    });
    expect(response.status).toBe(422);
  });
});

describe("stats", () => {
  it("counts calls, tokens and embedding inputs by model", async () => {
    await api(emulator, "/v1/chat/completions", chat());
    await api(emulator, "/v1/chat/completions", chat({ model: "gpt-4o-mini" }));
    await embedMany({
      model: provider(emulator).embeddingModel("starwise-embed"),
      values: ["a b c", "d e f", "g h i"],
    });
    const stats = await control(emulator, "GET", "stats");
    expect(Object.keys(stats.models).sort()).toEqual(["gpt-4o-mini", "starwise-chat", "starwise-embed"]);
    expect(stats.models["starwise-embed"]).toMatchObject({
      requests: 1,
      inputs: 3,
      promptTokens: 9,
      completionTokens: 0,
    });
    const chatStats = stats.models["starwise-chat"];
    expect(chatStats.promptTokens).toBeGreaterThan(10);
    expect(chatStats.totalTokens).toBe(chatStats.promptTokens + chatStats.completionTokens);
    expect(stats.tokens.totalTokens).toBe(
      Object.values(stats.models).reduce((s: number, m: any) => s + m.totalTokens, 0),
    );
    expect(stats.requests.byRoute).toEqual({ "POST /v1/chat/completions": 2, "POST /v1/embeddings": 1 });
  });
});
