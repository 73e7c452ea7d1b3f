import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { APICallError, embedMany, RetryError, type EmbeddingModel } from "ai";
import { createWorkersAI } from "workers-ai-provider";
import type { Config } from "../config";
import { ApiError } from "../lib/errors";
import { unit } from "../vectors/codec";
import { estimateTokens } from "../lib/tokens";

/**
 * The deployment's embedding model (docs/architecture.md §4 "embed"): `EMBEDDING_PROVIDER`
 * `openai-compatible` (`AI_BASE_URL` + `AI_API_KEY`, through `@ai-sdk/openai-compatible`) or
 * `workers-ai` (the `AI` binding, through `workers-ai-provider`), model `EMBEDDING_MODEL`,
 * `EMBEDDING_DIMENSIONS` checked on every answer. It is a deployment setting, not a user's:
 * a vector index has fixed dimensions.
 *
 * The SDK never retries (`maxRetries: 0`): a Workflow step must not sleep inside itself for
 * a 429. A rate limit is thrown as `EmbeddingRateLimited` with the time to wait until, for
 * the caller to wait out durably (`step.sleepUntil`) — never a failure.
 */
export type Embedder = {
  /** `provider:model:dimensions`: names embeddings in the shared cache and in `stars.embedding_model`. */
  readonly key: string;
  readonly dimensions: number;
  /** Inputs per request: `EMBEDDING_BATCH_SIZE`, else the provider's limit. */
  readonly batchSize: number;
  /** Estimated tokens per request (OpenAI refuses requests over 300,000 summed over the inputs). */
  readonly maxRequestTokens: number;
  /** One request: unit vectors in the order of `texts` (at most `batchSize`). */
  embedBatch(texts: readonly string[]): Promise<Float32Array[]>;
};

/** A 429: wait until `until` (epoch ms), then ask again. */
export class EmbeddingRateLimited extends Error {
  constructor(
    readonly until: number,
    message: string,
  ) {
    super(message);
    this.name = "EmbeddingRateLimited";
  }
}

/** OpenAI's limit of inputs per embeddings request (the AI emulator keeps it). */
const OPENAI_MAX_INPUTS = 2048;
/** OpenAI's limit of tokens per embeddings request, summed over its inputs. */
const OPENAI_MAX_REQUEST_TOKENS = 300_000;
/**
 * Workers AI: workers-ai-provider allows 3,000 texts a call, but the embedding models'
 * published schemas give no batch limit; 100 keeps one request small and quick to retry.
 */
const WORKERS_AI_MAX_INPUTS = 100;
/** A 429 without retry-after (the Workers AI binding sends none): wait a minute. */
const DEFAULT_WAIT_MS = 60_000;

export function embedderOf(config: Config, ai: Ai): Embedder {
  const { provider, model: modelId, dimensions, batchSize } = config.embedding;
  let model: EmbeddingModel;
  let limit: number;
  let maxRequestTokens: number;
  let askDimensions = false;
  if (provider === "none")
    throw new ApiError("not_configured", "EMBEDDING_PROVIDER is none: this deployment embeds nothing");
  if (provider === "openai-compatible") {
    if (!config.ai.baseUrl)
      throw new ApiError("not_configured", "EMBEDDING_PROVIDER is openai-compatible but AI_BASE_URL is not set");
    const openai = createOpenAICompatible({
      name: "embedding",
      baseURL: config.ai.baseUrl,
      ...(config.ai.apiKey ? { apiKey: config.ai.apiKey } : {}),
    });
    model = openai.embeddingModel(modelId);
    limit = OPENAI_MAX_INPUTS;
    maxRequestTokens = OPENAI_MAX_REQUEST_TOKENS;
    // Models with a choice of sizes (OpenAI's text-embedding-3) answer in the index's.
    askDimensions = true;
  } else {
    model = createWorkersAI({ binding: ai }).embedding(modelId);
    limit = WORKERS_AI_MAX_INPUTS;
    maxRequestTokens = OPENAI_MAX_REQUEST_TOKENS;
  }
  const key = `${provider}:${modelId}:${dimensions}`;
  const perRequest = Math.min(batchSize ?? limit, limit);

  return {
    key,
    dimensions,
    batchSize: perRequest,
    maxRequestTokens,
    async embedBatch(texts) {
      if (texts.length === 0) return [];
      if (texts.length > perRequest)
        throw new RangeError(`${texts.length} texts in one request, the limit is ${perRequest}`);
      let result: Awaited<ReturnType<typeof embedMany>>;
      try {
        result = await embedMany({
          model,
          values: [...texts],
          maxRetries: 0,
          maxParallelCalls: 1,
          ...(askDimensions ? { dimensions } : {}),
        });
      } catch (error) {
        const until = rateLimitedUntil(error);
        if (until !== null)
          throw new EmbeddingRateLimited(until, `${key} is rate limited until ${new Date(until).toISOString()}`);
        throw error;
      }
      if (result.embeddings.length !== texts.length)
        throw new Error(`${key} answered ${result.embeddings.length} embeddings for ${texts.length} texts`);
      return result.embeddings.map((embedding) => {
        if (embedding.length !== dimensions) {
          throw new ApiError(
            "not_configured",
            `${key} answered ${embedding.length} dimensions; ` +
              `EMBEDDING_DIMENSIONS is ${dimensions} (the vector index's size)`,
          );
        }
        if (!embedding.every(Number.isFinite)) throw new Error(`${key} answered an embedding with non-numbers`);
        return unit(embedding);
      });
    },
  };
}

/**
 * Texts in request-sized groups: at most `batchSize` each and at most `maxRequestTokens`
 * estimated tokens, order kept. Requests = ⌈texts ÷ batch size⌉ unless tokens bind first.
 */
export function requestBatches<T>(
  items: readonly T[],
  text: (item: T) => string,
  embedder: Pick<Embedder, "batchSize" | "maxRequestTokens">,
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let tokens = 0;
  for (const item of items) {
    const cost = estimateTokens(text(item));
    if (current.length > 0 && (current.length >= embedder.batchSize || tokens + cost > embedder.maxRequestTokens)) {
      batches.push(current);
      current = [];
      tokens = 0;
    }
    current.push(item);
    tokens += cost;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** When a 429 says to ask again (epoch ms), or null when the error is not a rate limit. */
export function rateLimitedUntil(error: unknown, now = Date.now()): number | null {
  const cause = RetryError.isInstance(error) ? error.lastError : error;
  if (!APICallError.isInstance(cause) || cause.statusCode !== 429) return null;
  const headers = Object.fromEntries(
    Object.entries(cause.responseHeaders ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const ms = Number(headers["retry-after-ms"]);
  if (Number.isFinite(ms) && ms >= 0) return now + ms;
  const retryAfter = headers["retry-after"];
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return now + seconds * 1000;
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(now, date);
  }
  return now + DEFAULT_WAIT_MS;
}
