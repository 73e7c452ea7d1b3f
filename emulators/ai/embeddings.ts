// POST /v1/embeddings as the AI SDK sends it: {model, input: string[], encoding_format: "float",
// dimensions?}. Also a single string, token arrays and encoding_format "base64" (the openai
// package's default). OpenAI's rules: 1..maxEmbeddingInputs inputs, no empty strings, at most
// maxInputTokens tokens per input, dimensions a positive integer.
import { errors, type ApiAnswer } from "./errors.ts";
import type { AiState } from "./state.ts";
import { countTokens } from "./tokens.ts";
import { USE_LITE_DIMENSIONS } from "./use-lite.ts";
import { embed, toBase64, toFloats } from "./vectors.ts";

export interface EmbeddingsRequest {
  model: string;
  inputs: string[];
  dimensions: number;
  base64: boolean;
}

const MAX_DIMENSIONS = 8192;

export function parseEmbeddingsRequest(body: unknown, state: AiState): EmbeddingsRequest | ApiAnswer {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return errors.badRequest("We could not parse the JSON body of your request.");
  const b = body as Record<string, unknown>;
  if (typeof b.model !== "string" || !b.model) return errors.badRequest("you must provide a model parameter", "model");
  let inputs: string[];
  const raw = b.input;
  if (typeof raw === "string") inputs = [raw];
  else if (Array.isArray(raw) && raw.every((v) => typeof v === "string")) inputs = raw as string[];
  else if (Array.isArray(raw) && raw.every((v) => typeof v === "number"))
    inputs = [(raw as number[]).map((t) => `t${t}`).join(" ")];
  else if (Array.isArray(raw) && raw.every((v) => Array.isArray(v) && v.every((t) => typeof t === "number")))
    inputs = (raw as number[][]).map((tokens) => tokens.map((t) => `t${t}`).join(" "));
  else
    return errors.badRequest(
      "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
      "input",
    );
  if (inputs.length === 0)
    return errors.badRequest(
      "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
      "input",
    );
  if (inputs.length > state.config.maxEmbeddingInputs) {
    return errors.badRequest(
      `'$.input' is too long. Maximum number of inputs is ${state.config.maxEmbeddingInputs}.`,
      "input",
    );
  }
  for (const [i, text] of inputs.entries()) {
    if (text.length === 0)
      return errors.badRequest(`'$.input[${i}]' is invalid: empty strings are not allowed.`, "input");
    const tokens = countTokens(text);
    if (tokens > state.config.maxInputTokens) {
      return errors.badRequest(
        `This model's maximum context length is ${state.config.maxInputTokens} tokens, ` +
          `however you requested ${tokens} tokens (${tokens} in your prompt; 0 for the completion). ` +
          "Please reduce your prompt; or completion length.",
        "input",
      );
    }
  }
  let dimensions = state.config.embeddingDimensions;
  if (b.dimensions !== undefined && b.dimensions !== null) {
    if (
      typeof b.dimensions !== "number" ||
      !Number.isInteger(b.dimensions) ||
      b.dimensions < 1 ||
      b.dimensions > MAX_DIMENSIONS
    ) {
      return errors.badRequest(
        `Invalid value for 'dimensions': must be an integer from 1 to ${MAX_DIMENSIONS}.`,
        "dimensions",
      );
    }
    dimensions = b.dimensions;
  }
  // A real model has one size (OpenAI's fixed-size models answer the same way to `dimensions`).
  if (state.useLite && dimensions !== USE_LITE_DIMENSIONS)
    return errors.badRequest(
      `This model does not support specifying dimensions other than ${USE_LITE_DIMENSIONS}.`,
      "dimensions",
    );
  const format = b.encoding_format ?? "float";
  if (format !== "float" && format !== "base64")
    return errors.badRequest("Invalid value for 'encoding_format': expected 'float' or 'base64'.", "encoding_format");
  return { model: b.model, inputs, dimensions, base64: format === "base64" };
}

/** The vectors of a request: the hashed TF-IDF ones (./vectors.ts), or USE-lite's (./use-lite.ts). */
async function vectorsOf(state: AiState, request: EmbeddingsRequest): Promise<ArrayLike<number>[]> {
  if (state.useLite) return state.useLite.embed(request.inputs);
  const idf = state.idf();
  return request.inputs.map((text) => embed(text, request.dimensions, idf));
}

export async function embeddingsBody(state: AiState, request: EmbeddingsRequest) {
  const promptTokens = request.inputs.reduce((sum, text) => sum + countTokens(text), 0);
  const vectors = await vectorsOf(state, request);
  return {
    promptTokens,
    body: {
      object: "list",
      data: vectors.map((vector, index) => ({
        object: "embedding",
        index,
        embedding: request.base64 ? toBase64(vector) : toFloats(vector),
      })),
      model: request.model,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    },
  };
}
