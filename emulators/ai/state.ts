// The AI emulator's mutable state: configuration (changeable through POST /_emulator/config),
// counters, rate-limit windows and fault rules. `reset()` returns to the start options.
import { FaultList } from "../common/faults.ts";
import { sequence } from "../github/random.ts";
import { AI_FAULTS } from "./faults.ts";
import { RateLimiter } from "./ratelimit.ts";
import { corpusIdf, type Idf } from "./terms.ts";
import type { UseLite } from "./use-lite.ts";

export interface AiEmulatorConfig {
  /** The accepted Bearer key; null accepts any request, with or without a key. */
  apiKey: string | null;
  /** Requests per minute per model (0 = unlimited). */
  rpm: number;
  /** Tokens per minute per model (0 = unlimited). */
  tpm: number;
  /** The rate-limit window (default 60,000 ms); rpm and tpm are counted per window. */
  rateWindowMs: number;
  /** Per-model overrides of rpm. */
  rpmByModel: Record<string, number>;
  /** Added to every API request. */
  latencyMs: number;
  /** Generation speed: completion tokens per second (0 = instant). Streams are paced by it. */
  outputTokensPerSecond: number;
  /** Obey prompt injections found in the user's text (see injection.ts). */
  gullible: boolean;
  /** Model ids served by /v1/chat/completions; "*" accepts any. */
  chatModels: string[];
  /** Model ids served by /v1/embeddings; "*" accepts any. */
  embeddingModels: string[];
  /** Vector size when a request gives no `dimensions`. */
  embeddingDimensions: number;
  /** Inputs allowed in one embeddings request (OpenAI: 2048). */
  maxEmbeddingInputs: number;
  /** Tokens allowed per embedding input (OpenAI's text-embedding-3: 8192). */
  maxInputTokens: number;
}

export const DEFAULT_CONFIG: AiEmulatorConfig = {
  apiKey: "sk-emulator",
  rpm: 0,
  tpm: 0,
  rateWindowMs: 60_000,
  rpmByModel: {},
  latencyMs: 0,
  outputTokensPerSecond: 0,
  gullible: false,
  chatModels: ["starwise-chat", "gpt-4o-mini"],
  embeddingModels: ["starwise-embed", "text-embedding-3-small", "@cf/baai/bge-m3"],
  embeddingDimensions: 1024,
  maxEmbeddingInputs: 2048,
  maxInputTokens: 8192,
};

export interface ModelStats {
  requests: number;
  /** Requests answered 200. */
  succeeded: number;
  rateLimited: number;
  /** Other non-200 answers (faults, validation). */
  errors: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Embedding inputs (texts) embedded. */
  inputs: number;
}

export class Stats {
  total = 0;
  byRoute: Record<string, number> = {};
  byStatus: Record<string, number> = {};
  models: Record<string, ModelStats> = {};
  rateLimited = 0;
  injectionsObeyed = 0;
  streams = 0;
  inFlight = 0;
  maxConcurrency = 0;

  request(route: string): void {
    this.total++;
    this.byRoute[route] = (this.byRoute[route] ?? 0) + 1;
  }

  response(status: number): void {
    this.byStatus[String(status)] = (this.byStatus[String(status)] ?? 0) + 1;
  }

  model(id: string): ModelStats {
    let entry = this.models[id];
    if (!entry) {
      entry = {
        requests: 0,
        succeeded: 0,
        rateLimited: 0,
        errors: 0,
        promptTokens: 0,
        completionTokens: 0,
        totalTokens: 0,
        inputs: 0,
      };
      this.models[id] = entry;
    }
    return entry;
  }
}

export interface AiStateOptions {
  seed: number;
  corpusDir?: string;
  config: AiEmulatorConfig;
  /** Real embeddings (`embeddings: "use-lite"`); null = the hashed TF-IDF ones. */
  useLite?: UseLite | null;
}

export class AiState {
  readonly seed: number;
  readonly corpusDir: string | undefined;
  readonly useLite: UseLite | null;
  config: AiEmulatorConfig;
  stats = new Stats();
  limiter = new RateLimiter();
  faults = new FaultList(AI_FAULTS);
  random: () => number;
  private counter = 0;
  private readonly initial: AiEmulatorConfig;

  constructor(options: AiStateOptions) {
    this.seed = options.seed;
    this.corpusDir = options.corpusDir;
    this.useLite = options.useLite ?? null;
    this.initial = structuredClone(options.config);
    this.config = structuredClone(options.config);
    this.random = sequence(options.seed);
  }

  /** IDF over the corpus; loaded on first use and shared by every instance in the process. */
  idf(): Idf {
    return corpusIdf(this.corpusDir);
  }

  nextId(): number {
    return ++this.counter;
  }

  now(): number {
    return Date.now();
  }

  rpmFor(model: string): number {
    return this.config.rpmByModel[model] ?? this.config.rpm;
  }

  serves(kind: "chat" | "embedding", model: string): boolean {
    const list = kind === "chat" ? this.config.chatModels : this.config.embeddingModels;
    return list.includes("*") || list.includes(model);
  }

  reset(): void {
    this.config = structuredClone(this.initial);
    this.stats = new Stats();
    this.limiter.reset();
    this.faults.clear();
    this.random = sequence(this.seed);
    this.counter = 0;
  }
}
