import { z } from "zod";
import { ApiError } from "./lib/errors";
import { FUSIONS } from "./search/fusion";

// The Worker's vars and secrets, parsed once into typed settings (the idea of unkey's
// `zEnv`). wrangler.toml documents each var; it writes "" for one that is not set, and
// every value arrives as a string (https://developers.cloudflare.com/workers/configuration/environment-variables/).
// Code reads `configOf(env)`, never `env.SOME_VAR`.

/** "" or whitespace in wrangler.toml or .dev.vars means "not set". */
const blank = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

/** An absolute http(s) URL without trailing slashes, so paths are appended as `${base}/path`. */
const baseUrl = z
  .string()
  .trim()
  .pipe(z.url({ protocol: /^https?$/, error: "must be an absolute http(s) URL" }))
  .transform((url) => url.replace(/\/+$/, ""));

const positiveInt = z.coerce
  .number({ error: "must be a number" })
  .int("must be a whole number")
  .positive("must be above 0");

const boolean = z
  .enum(["true", "false"], { error: 'must be "true" or "false"' })
  .transform((value) => value === "true");

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.map((v) => `"${v}"`).join(", ")}` });

const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blank, schema.optional());
const withDefault = <T extends z.ZodType>(schema: T, fallback: z.input<T>) =>
  z.preprocess(blank, schema.optional()).transform((value) => value ?? schema.parse(fallback));

export const zEnv = z
  .object({
    GITHUB_API_URL: withDefault(baseUrl, "https://api.github.com"),
    /** Unset = `$GITHUB_API_URL/graphql`; GitHub Enterprise Server serves `/api/graphql`. */
    GITHUB_GRAPHQL_URL: optional(baseUrl),
    OPENDIGGER_URL: withDefault(baseUrl, "https://oss.open-digger.cn"),
    AI_BASE_URL: optional(baseUrl),
    /** Chat model of the deployment's default provider; unset = worker/providers/chat.ts's default for it. */
    CHAT_MODEL: optional(z.string().trim().min(1).max(200)),
    /** Analyses in flight at once per sync (the seed's 5). */
    ANALYSIS_CONCURRENCY: withDefault(positiveInt, "5"),
    /**
     * "true" lets users aim the AI provider at private, loopback or link-local addresses
     * (the local demo and the tests, whose emulators listen on 127.0.0.1). Never in production.
     */
    AI_ALLOW_PRIVATE_URLS: withDefault(boolean, "false"),
    /** DNS-over-HTTPS resolver (JSON API) that checks where a user's AI base URL points (worker/lib/public-url.ts). */
    DNS_RESOLVER_URL: withDefault(baseUrl, "https://cloudflare-dns.com/dns-query"),
    /** `none`: no embeddings at all; search answers keyword-only (`mode: "keyword"`, docs/architecture.md §7). */
    EMBEDDING_PROVIDER: withDefault(oneOf(["workers-ai", "openai-compatible", "none"]), "workers-ai"),
    EMBEDDING_MODEL: withDefault(z.string().trim().min(1), "@cf/baai/bge-m3"),
    EMBEDDING_DIMENSIONS: withDefault(positiveInt, "1024"),
    /** Inputs per embedding request; unset = the provider's limit (worker/providers/embedder.ts). */
    EMBEDDING_BATCH_SIZE: optional(positiveInt),
    /**
     * The semantic ranking's relevance floor, fixed for the deployment's model (a cosine
     * similarity); unset = worked out from each library (worker/search/floor.ts).
     */
    SEMANTIC_FLOOR: optional(z.coerce.number().min(-1).max(1)),
    /**
     * How search fuses the keyword and the semantic ranking (worker/search/fusion.ts); a deployment
     * keeps the default, the benchmark compares them (`npm run bench:search -- --variants`).
     */
    SEARCH_FUSION: withDefault(oneOf(FUSIONS), "weighted"),
    /**
     * The keyword side's floor (worker/search/keyword.ts): a hit is a match when the query's words it
     * holds, weighed by rarity and field, are worth this many times the whole query in a README. 0 = none.
     */
    KEYWORD_FLOOR: withDefault(z.coerce.number({ error: "must be a number" }).min(0, "must be 0 or more"), "1"),
    /** A query word that matches nothing is asked again as its corrections (worker/search/spelling.ts). */
    SEARCH_SPELLING: withDefault(oneOf(["on", "off"]), "on"),
    /** `d1` where Vectorize is not available (local dev, tests). */
    VECTOR_STORE: withDefault(oneOf(["vectorize", "d1"]), "vectorize"),
    SESSION_TTL_DAYS: withDefault(positiveInt, "90"),
    /** Searches that call the embedding model, per user per minute (REST and MCP; worker/search/budget.ts). */
    SEARCHES_PER_MINUTE: withDefault(positiveInt, "60"),
    /**
     * A run the Workflow still calls "running" after this much silence is stuck, and the user's
     * lock is taken from it (worker/durable-objects/user-sync.ts). Longer than a live run can be
     * silent (a step's 10-minute timeout × 6 attempts plus backoff ≈ 65 min). Shorter only for the
     * resilience suite, whose local runtime does not resume a Workflow after a restart.
     */
    SYNC_STUCK_AFTER_SECONDS: withDefault(positiveInt, "7200"),
    /**
     * The least time between two star changes (`PUT`/`DELETE /user/starred/…`) of one user: GitHub asks for a second
     * between mutating requests of one user (worker/unstar/pace.ts). Shorter only in tests.
     */
    STAR_WRITE_SPACING_MS: withDefault(z.coerce.number({ error: "must be a number" }).int().min(0), "1000"),
    /** Checked where it is used (lib/crypto.ts): a deployment without it still serves /health. */
    TOKEN_ENCRYPTION_KEY: optional(z.string()),
    AI_API_KEY: optional(z.string()),
  })
  .transform((vars) => ({
    github: {
      apiUrl: vars.GITHUB_API_URL,
      graphqlUrl: vars.GITHUB_GRAPHQL_URL ?? `${vars.GITHUB_API_URL}/graphql`,
    },
    syncStuckAfterMs: vars.SYNC_STUCK_AFTER_SECONDS * 1000,
    starWriteSpacingMs: vars.STAR_WRITE_SPACING_MS,
    opendiggerUrl: vars.OPENDIGGER_URL,
    ai: { baseUrl: vars.AI_BASE_URL ?? null, apiKey: vars.AI_API_KEY ?? null },
    chat: { model: vars.CHAT_MODEL ?? null, concurrency: vars.ANALYSIS_CONCURRENCY },
    outbound: { allowPrivateUrls: vars.AI_ALLOW_PRIVATE_URLS, dnsResolverUrl: vars.DNS_RESOLVER_URL },
    embedding: {
      provider: vars.EMBEDDING_PROVIDER,
      model: vars.EMBEDDING_MODEL,
      dimensions: vars.EMBEDDING_DIMENSIONS,
      batchSize: vars.EMBEDDING_BATCH_SIZE ?? null,
      floor: vars.SEMANTIC_FLOOR ?? null,
    },
    vectorStore: vars.VECTOR_STORE,
    sessionTtlMs: vars.SESSION_TTL_DAYS * 86_400_000,
    searchesPerMinute: vars.SEARCHES_PER_MINUTE,
    search: { fusion: vars.SEARCH_FUSION, keywordFloor: vars.KEYWORD_FLOOR, spelling: vars.SEARCH_SPELLING === "on" },
    tokenEncryptionKey: vars.TOKEN_ENCRYPTION_KEY ?? null,
  }));

export type Config = z.output<typeof zEnv>;
/** The names of the vars and secrets the config reads. */
export type VarName = keyof z.input<typeof zEnv>;
const SECRETS = new Set<string>(["TOKEN_ENCRYPTION_KEY", "AI_API_KEY"] satisfies VarName[]);

const parsed = new WeakMap<object, Config>();

/**
 * The typed config of these bindings, parsed on first use and kept for the isolate's
 * life (the bindings object does not change under a running isolate). A bad var is a
 * `not_configured` error naming the var, what it must be and (secrets aside) what it was.
 */
export function configOf(env: { readonly [K in VarName]?: string | undefined }): Config {
  const known = parsed.get(env);
  if (known) return known;
  const result = zEnv.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "");
      const value = (env as Record<string, unknown>)[name];
      return `${name} ${issue.message}${SECRETS.has(name) ? "" : ` (got ${JSON.stringify(value)})`}`;
    });
    throw new ApiError(
      "not_configured",
      `The Worker is misconfigured (wrangler.toml [vars] or secrets): ${problems.join("; ")}`,
    );
  }
  parsed.set(env, result.data);
  return result.data;
}
