import { describe, expect, it } from "vitest";
import { configOf } from "./config";
import { ApiError } from "./lib/errors";
import { env, githubUrl } from "./test/helpers";

const DAY = 86_400_000;

function misconfigured(vars: Record<string, unknown>): ApiError {
  try {
    configOf(vars as Parameters<typeof configOf>[0]);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(vars)}`);
}

describe("configOf", () => {
  it('gives every setting its documented default; wrangler.toml\'s "" means unset', () => {
    const config = configOf({ GITHUB_GRAPHQL_URL: "", AI_BASE_URL: " " });
    expect(config).toEqual({
      github: { apiUrl: "https://api.github.com", graphqlUrl: "https://api.github.com/graphql" },
      opendiggerUrl: "https://oss.open-digger.cn",
      ai: { baseUrl: null, apiKey: null },
      chat: { model: null, concurrency: 5 },
      outbound: { allowPrivateUrls: false, dnsResolverUrl: "https://cloudflare-dns.com/dns-query" },
      embedding: { provider: "workers-ai", model: "@cf/baai/bge-m3", dimensions: 1024, batchSize: null, floor: null },
      vectorStore: "vectorize",
      sessionTtlMs: 90 * DAY,
      searchesPerMinute: 60,
      search: { fusion: "weighted", keywordFloor: 1, spelling: true },
      syncStuckAfterMs: 2 * 3_600_000,
      starWriteSpacingMs: 1000,
      tokenEncryptionKey: null,
    });
  });

  it("normalises URLs and parses numbers and enums", () => {
    const config = configOf({
      GITHUB_API_URL: " http://127.0.0.1:9100// ",
      GITHUB_GRAPHQL_URL: "https://ghe.example.com/api/graphql/",
      AI_BASE_URL: "http://127.0.0.1:9200/v1/",
      EMBEDDING_DIMENSIONS: "768",
      EMBEDDING_BATCH_SIZE: "64",
      SESSION_TTL_DAYS: "7",
      VECTOR_STORE: "d1",
    });
    expect(config.github).toEqual({
      apiUrl: "http://127.0.0.1:9100",
      graphqlUrl: "https://ghe.example.com/api/graphql",
    });
    expect(config.ai.baseUrl).toBe("http://127.0.0.1:9200/v1");
    expect(config.embedding.dimensions).toBe(768);
    expect(config.embedding.batchSize).toBe(64);
    expect(config.sessionTtlMs).toBe(7 * DAY);
    expect(config.vectorStore).toBe("d1");
    // A GraphQL URL of its own is not derived from the REST one.
    expect(configOf({ GITHUB_API_URL: "http://127.0.0.1:9100/" }).github.graphqlUrl).toBe(
      "http://127.0.0.1:9100/graphql",
    );
  });

  it.each([
    [{ VECTOR_STORE: "fast" }, /VECTOR_STORE must be one of "vectorize", "d1" \(got "fast"\)/],
    [{ SESSION_TTL_DAYS: "ninety" }, /SESSION_TTL_DAYS must be a number \(got "ninety"\)/],
    [{ SESSION_TTL_DAYS: "0" }, /SESSION_TTL_DAYS must be above 0/],
    [{ EMBEDDING_DIMENSIONS: "10.5" }, /EMBEDDING_DIMENSIONS must be a whole number/],
    [{ GITHUB_API_URL: "api.github.com" }, /GITHUB_API_URL must be an absolute http\(s\) URL \(got "api.github.com"\)/],
    [{ OPENDIGGER_URL: "ftp://oss.open-digger.cn" }, /OPENDIGGER_URL must be an absolute http\(s\) URL/],
    [{ SEARCH_FUSION: "magic" }, /SEARCH_FUSION must be one of "rrf", "names", "weighted", "convex", "anchored"/],
    [{ KEYWORD_FLOOR: "-1" }, /KEYWORD_FLOOR must be 0 or more/],
    [{ SEARCH_SPELLING: "maybe" }, /SEARCH_SPELLING must be one of "on", "off"/],
    [
      { VECTOR_STORE: "pinecone", EMBEDDING_PROVIDER: "openai" },
      new RegExp(
        /EMBEDDING_PROVIDER must be one of .*\(got "openai"\); /.source +
          /VECTOR_STORE must be one of "vectorize", "d1" \(got "pinecone"\)/.source,
      ),
    ],
  ])("names a bad var, what it must be and what it was: %j", (vars, message) => {
    const error = misconfigured(vars);
    expect(error.code).toBe("not_configured");
    expect(error.message).toMatch(message);
  });

  it("never repeats a secret's value", () => {
    const error = misconfigured({ AI_API_KEY: 12345 });
    expect(error.message).toContain("AI_API_KEY");
    expect(error.message).not.toContain("12345");
  });

  it("parses the bindings once", () => {
    const vars = { SESSION_TTL_DAYS: "3" };
    expect(configOf(vars)).toBe(configOf(vars));
  });

  it("reads the test Worker's own bindings", () => {
    const config = configOf(env);
    expect(config.github.apiUrl).toBe(githubUrl().replace(/\/+$/, ""));
    expect(config.vectorStore).toBe("d1");
    expect(config.tokenEncryptionKey).toBeTruthy();
  });
});
