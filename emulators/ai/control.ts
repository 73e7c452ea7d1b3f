// The control API under /_emulator/: no auth, not counted in stats, no latency.
import type { ApiAnswer } from "./errors.ts";
import type { AiEmulatorConfig, AiState } from "./state.ts";
import { embed, cosine } from "./vectors.ts";

export interface ControlRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
}

class ControlError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const json = (status: number, body: unknown): ApiAnswer => ({ status, body });

function parseObject(body: string): Record<string, unknown> {
  if (!body.trim()) return {};
  const value = JSON.parse(body) as unknown;
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new ControlError(400, "body must be a JSON object");
  return value as Record<string, unknown>;
}

/** The stats document; its shape is a contract with tests and benchmarks (keys may be added). */
export function statsSnapshot(state: AiState) {
  const s = state.stats;
  const totals = Object.values(s.models).reduce(
    (acc, m) => ({
      promptTokens: acc.promptTokens + m.promptTokens,
      completionTokens: acc.completionTokens + m.completionTokens,
      totalTokens: acc.totalTokens + m.totalTokens,
    }),
    { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
  );
  return {
    requests: { total: s.total, byRoute: { ...s.byRoute }, byStatus: { ...s.byStatus } },
    models: structuredClone(s.models),
    tokens: totals,
    rateLimited: s.rateLimited,
    injectionsObeyed: s.injectionsObeyed,
    streams: s.streams,
    maxConcurrency: s.maxConcurrency,
  };
}

const NUMBER_KEYS = [
  "rpm",
  "tpm",
  "rateWindowMs",
  "latencyMs",
  "outputTokensPerSecond",
  "embeddingDimensions",
  "maxEmbeddingInputs",
  "maxInputTokens",
] as const;

function applyConfig(state: AiState, input: Record<string, unknown>): AiEmulatorConfig {
  const next = structuredClone(state.config);
  for (const key of NUMBER_KEYS) {
    const value = input[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || !(value >= 0)) throw new ControlError(422, `"${key}" must be a number >= 0`);
    next[key] = value;
  }
  if (input.gullible !== undefined) {
    if (typeof input.gullible !== "boolean") throw new ControlError(422, '"gullible" must be a boolean');
    next.gullible = input.gullible;
  }
  if (input.apiKey !== undefined) {
    if (input.apiKey !== null && (typeof input.apiKey !== "string" || !input.apiKey))
      throw new ControlError(422, '"apiKey" must be a non-empty string or null');
    next.apiKey = input.apiKey as string | null;
  }
  for (const key of ["chatModels", "embeddingModels"] as const) {
    const value = input[key];
    if (value === undefined) continue;
    if (!Array.isArray(value) || !value.every((m) => typeof m === "string" && m))
      throw new ControlError(422, `"${key}" must be an array of model ids`);
    next[key] = value as string[];
  }
  if (input.rpmByModel !== undefined) {
    const value = input.rpmByModel;
    if (
      typeof value !== "object" ||
      value === null ||
      !Object.values(value).every((v) => typeof v === "number" && v >= 0)
    ) {
      throw new ControlError(422, '"rpmByModel" must map model ids to numbers >= 0');
    }
    next.rpmByModel = value as Record<string, number>;
  }
  if (next.rateWindowMs < 1) throw new ControlError(422, '"rateWindowMs" must be >= 1');
  if (next.embeddingDimensions < 1) throw new ControlError(422, '"embeddingDimensions" must be >= 1');
  state.config = next;
  return next;
}

function route(state: AiState, request: ControlRequest, log: (message: string) => void): ApiAnswer {
  const key = `${request.method} ${request.path.replace(/\/+$/, "")}`;
  switch (key) {
    case "GET stats":
      return json(200, statsSnapshot(state));
    case "POST reset":
      state.reset();
      log("reset");
      return json(200, { reset: true });
    case "GET config":
      return json(200, state.config);
    case "POST config": {
      const config = applyConfig(state, parseObject(request.body));
      log(`config ${request.body}`);
      return json(200, config);
    }
    case "GET faults":
    case "POST faults":
    case "DELETE faults":
      // A malformed rule throws: handleControl answers 422 with its error, 400 for JSON that does not parse.
      return state.faults.answer(request.method, request.body, log);
    case "POST similarity": {
      // A debugging aid: cosine similarity of a query with each text, as /v1/embeddings would give it.
      const input = parseObject(request.body);
      const query = input.query;
      const texts = input.texts;
      if (typeof query !== "string" || !Array.isArray(texts) || !texts.every((t) => typeof t === "string")) {
        throw new ControlError(422, 'body must be {"query": string, "texts": string[]}');
      }
      const dims = typeof input.dimensions === "number" ? input.dimensions : state.config.embeddingDimensions;
      const q = embed(query, dims, state.idf());
      return json(200, { scores: texts.map((t) => cosine(q, embed(t as string, dims, state.idf()))) });
    }
    default:
      throw new ControlError(404, `unknown control endpoint ${request.method} /_emulator/${request.path}`);
  }
}

export function handleControl(state: AiState, request: ControlRequest, log: (message: string) => void): ApiAnswer {
  try {
    return route(state, request, log);
  } catch (error) {
    if (error instanceof ControlError) return json(error.status, { message: error.message });
    if (error instanceof SyntaxError) return json(400, { message: "body must be JSON" });
    if (error instanceof Error) return json(422, { message: error.message });
    throw error;
  }
}
