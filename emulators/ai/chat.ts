// POST /v1/chat/completions as the AI SDK sends it (openai-compatible and openai.chat):
// `messages` (string or text-part content; system/developer/user/assistant/tool roles),
// `response_format` {type: "json_schema", json_schema: {name, schema, strict}} | {type: "json_object"},
// `tools` + `tool_choice` (function calling), `stream` + `stream_options.include_usage`,
// `max_tokens` / `max_completion_tokens`, `n`. Sampling parameters (temperature, top_p, seed, …)
// are accepted and ignored: the answer is a pure function of the request.
import { analyse } from "./analysis.ts";
import { errors, type ApiAnswer } from "./errors.ts";
import type { OutputFault } from "./faults.ts";
import { findInjection, type Obeyed } from "./injection.ts";
import { messageText, understand, type ChatMessage } from "./prompt.ts";
import { DEFAULT_SCHEMA, fill, limitsFrom, schemaInText, type JsonSchema } from "./schema.ts";
import type { AiState } from "./state.ts";
import { countTokens, TOKENS_PER_MESSAGE, TOKENS_REPLY_PRIMING, truncateToTokens } from "./tokens.ts";

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  includeUsage: boolean;
  maxTokens: number | null;
  n: number;
  responseFormat: { type: string; schema?: JsonSchema; name?: string } | null;
  tools: Array<{ name: string; parameters: JsonSchema }>;
  toolChoice: { name: string } | "required" | "auto" | "none";
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Validates the body; an ApiAnswer is OpenAI's 400 for it. */
export function parseChatRequest(body: unknown): ChatRequest | ApiAnswer {
  if (!isObject(body))
    return errors.badRequest(
      "We could not parse the JSON body of your request. " +
        "(HINT: This likely means you aren't using your HTTP library correctly. " +
        "The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
    );
  if (typeof body.model !== "string" || !body.model)
    return errors.badRequest("you must provide a model parameter", "model");
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return errors.badRequest(
      Array.isArray(body.messages) ? "[] is too short - 'messages'" : "Missing required parameter: 'messages'.",
      "messages",
    );
  }
  for (const [i, m] of body.messages.entries()) {
    if (!isObject(m) || typeof m.role !== "string")
      return errors.badRequest(`Missing required parameter: 'messages[${i}].role'.`, `messages[${i}].role`);
    if (!["system", "developer", "user", "assistant", "tool", "function"].includes(m.role)) {
      return errors.badRequest(
        `Invalid value: '${m.role}'. ` +
          "Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.",
        `messages[${i}].role`,
      );
    }
  }
  let responseFormat: ChatRequest["responseFormat"] = null;
  if (body.response_format !== undefined && body.response_format !== null) {
    const rf = body.response_format;
    if (!isObject(rf) || !["text", "json_object", "json_schema"].includes(String(rf.type))) {
      return errors.badRequest(
        "Invalid value for 'response_format.type': expected one of 'text', 'json_object', 'json_schema'.",
        "response_format.type",
      );
    }
    if (rf.type === "json_schema") {
      const js = rf.json_schema;
      if (!isObject(js) || typeof js.name !== "string")
        return errors.badRequest(
          "Missing required parameter: 'response_format.json_schema.name'.",
          "response_format.json_schema.name",
        );
      responseFormat = { type: "json_schema", name: js.name, schema: isObject(js.schema) ? js.schema : DEFAULT_SCHEMA };
    } else if (rf.type === "json_object") {
      const mentionsJson = body.messages.some((m) => /json/i.test(messageText((m as ChatMessage).content)));
      if (!mentionsJson) {
        // OpenAI's rule, kept so a prompt that works here works there.
        return errors.badRequest(
          "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
          "messages",
        );
      }
      responseFormat = { type: "json_object" };
    }
  }
  const tools: ChatRequest["tools"] = [];
  if (Array.isArray(body.tools)) {
    for (const tool of body.tools) {
      const fn = isObject(tool) && isObject(tool.function) ? tool.function : null;
      if (!fn || typeof fn.name !== "string")
        return errors.badRequest("Missing required parameter: 'tools[0].function.name'.", "tools");
      tools.push({
        name: fn.name,
        parameters: isObject(fn.parameters) ? fn.parameters : { type: "object", properties: {} },
      });
    }
  }
  let toolChoice: ChatRequest["toolChoice"] = tools.length ? "auto" : "none";
  const tc = body.tool_choice;
  if (tc === "required" || tc === "none" || tc === "auto") toolChoice = tc;
  else if (isObject(tc) && isObject(tc.function) && typeof tc.function.name === "string")
    toolChoice = { name: tc.function.name };
  const maxTokens =
    typeof body.max_completion_tokens === "number"
      ? body.max_completion_tokens
      : typeof body.max_tokens === "number"
        ? body.max_tokens
        : null;
  const n = typeof body.n === "number" && Number.isInteger(body.n) && body.n > 0 ? Math.min(body.n, 8) : 1;
  return {
    model: body.model,
    messages: body.messages as ChatMessage[],
    stream: body.stream === true,
    includeUsage: isObject(body.stream_options) && body.stream_options.include_usage === true,
    maxTokens,
    n,
    responseFormat,
    tools,
    toolChoice,
  };
}

export function promptTokens(request: ChatRequest): number {
  let tokens = TOKENS_REPLY_PRIMING;
  for (const m of request.messages) tokens += TOKENS_PER_MESSAGE + countTokens(messageText(m.content));
  if (request.responseFormat?.schema) tokens += countTokens(JSON.stringify(request.responseFormat.schema));
  for (const tool of request.tools) tokens += countTokens(JSON.stringify(tool));
  return tokens;
}

export interface ChatOutput {
  content: string | null;
  toolCall: { id: string; name: string; arguments: string } | null;
  finishReason: "stop" | "length" | "tool_calls";
  completionTokens: number;
  obeyed: Obeyed | null;
}

function spoil(content: string, fault: OutputFault, summary: string): { content: string; truncated: boolean } {
  switch (fault) {
    case "invalid-json":
      return {
        content: content.slice(0, Math.max(1, Math.floor(content.length / 2))).replace(/[}\]]+$/, ""),
        truncated: false,
      };
    case "non-json":
      return {
        content:
          `Sure! Here is a short analysis of the repository.\n\n${summary}\n\n` +
          "Let me know if you need anything else.",
        truncated: false,
      };
    case "truncated":
      return { content: content.slice(0, Math.max(1, Math.floor(content.length / 2))), truncated: true };
    case "schema-violation":
      return { content: JSON.stringify({ summary: 42, tags: "not, an, array", unexpected: true }), truncated: false };
    case "empty":
      return { content: "", truncated: false };
  }
}

export function generate(state: AiState, request: ChatRequest, fault: OutputFault | undefined, id: string): ChatOutput {
  const prompt = understand(request.messages);
  const obeyed = state.config.gullible ? findInjection(prompt.userText) : null;
  const forcedTool =
    request.toolChoice === "required"
      ? request.tools[0]
      : typeof request.toolChoice === "object"
        ? request.tools.find((t) => t.name === (request.toolChoice as { name: string }).name)
        : undefined;

  let schema: JsonSchema | null = null;
  if (forcedTool) schema = forcedTool.parameters;
  else if (request.responseFormat?.type === "json_schema") schema = request.responseFormat.schema ?? DEFAULT_SCHEMA;
  else if (request.responseFormat?.type === "json_object" || prompt.wantsJson)
    schema = schemaInText(prompt.instructions) ?? DEFAULT_SCHEMA;

  const limits = limitsFrom(schema ?? DEFAULT_SCHEMA);
  const analysis = analyse(prompt, state.idf(), limits, obeyed);
  let content = schema ? JSON.stringify(fill(schema, schema, analysis)) : analysis.summary;
  if (obeyed?.kind === "only") content = obeyed.text;

  let truncated = false;
  if (fault) ({ content, truncated } = spoil(content, fault, analysis.summary));
  if (request.maxTokens !== null && countTokens(content) > request.maxTokens) {
    content = truncateToTokens(content, request.maxTokens);
    truncated = true;
  }
  const completionTokens = countTokens(content) + (forcedTool ? countTokens(forcedTool.name) + 3 : 0);
  const finishReason = truncated ? "length" : forcedTool ? "tool_calls" : "stop";
  if (forcedTool) {
    return {
      content: null,
      toolCall: { id: `call_${id.slice(-24)}`, name: forcedTool.name, arguments: content },
      finishReason,
      completionTokens,
      obeyed,
    };
  }
  return { content, toolCall: null, finishReason, completionTokens, obeyed };
}

function message(output: ChatOutput) {
  return output.toolCall
    ? {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: output.toolCall.id,
            type: "function",
            function: { name: output.toolCall.name, arguments: output.toolCall.arguments },
          },
        ],
        refusal: null,
        annotations: [],
      }
    : { role: "assistant", content: output.content, refusal: null, annotations: [] };
}

export function usage(prompt: number, completion: number) {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

export function completionBody(id: string, created: number, request: ChatRequest, output: ChatOutput, prompt: number) {
  return {
    id,
    object: "chat.completion",
    created,
    model: request.model,
    choices: Array.from({ length: request.n }, (_, index) => ({
      index,
      message: message(output),
      logprobs: null,
      finish_reason: output.finishReason,
    })),
    usage: usage(prompt, output.completionTokens * request.n),
    service_tier: "default",
    system_fingerprint: "fp_starwise_emulator",
  };
}

/** Pieces of about four tokens each, the way a real stream arrives. */
function pieces(text: string): string[] {
  const out: string[] = [];
  const parts = text.match(/\s*[^\s]+|\s+$/g) ?? [];
  let current = "";
  for (const part of parts) {
    current += part;
    if (countTokens(current) >= 4) {
      out.push(current);
      current = "";
    }
  }
  if (current) out.push(current);
  return out;
}

/** The chunks of a streamed answer (`data: <chunk>` each, then `data: [DONE]`). */
export function streamChunks(
  id: string,
  created: number,
  request: ChatRequest,
  output: ChatOutput,
  prompt: number,
): unknown[] {
  const base = {
    id,
    object: "chat.completion.chunk",
    created,
    model: request.model,
    service_tier: "default",
    system_fingerprint: "fp_starwise_emulator",
  };
  const chunks: unknown[] = [];
  const choice = (index: number, delta: unknown, finish: string | null = null) => ({
    ...base,
    choices: [{ index, delta, logprobs: null, finish_reason: finish }],
  });
  for (let index = 0; index < request.n; index++) {
    if (output.toolCall) {
      chunks.push(
        choice(index, {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              index: 0,
              id: output.toolCall.id,
              type: "function",
              function: { name: output.toolCall.name, arguments: "" },
            },
          ],
          refusal: null,
        }),
      );
      for (const piece of pieces(output.toolCall.arguments))
        chunks.push(choice(index, { tool_calls: [{ index: 0, function: { arguments: piece } }] }));
    } else {
      chunks.push(choice(index, { role: "assistant", content: "", refusal: null }));
      for (const piece of pieces(output.content ?? "")) chunks.push(choice(index, { content: piece }));
    }
    chunks.push(choice(index, {}, output.finishReason));
  }
  if (request.includeUsage)
    chunks.push({ ...base, choices: [], usage: usage(prompt, output.completionTokens * request.n) });
  return chunks;
}
