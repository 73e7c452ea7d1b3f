// The AI emulator: a real HTTP server (node:http) speaking OpenAI's API the way the AI SDK calls
// it — chat completions (structured output, tools, streaming), embeddings and the model list —
// with API-key checks, per-model rate limits, token accounting and injected faults.
//
// Request pipeline: route (404) → API key (401) → JSON body (400) → request validation (400) →
// model (404) → injected faults and latency → rate limit (429 + retry-after) → answer →
// output faults → stats. Paths are accepted with or without the /v1 prefix.
import { listen } from "../common/listen.ts";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { readBody, sleep } from "../github/http.ts";
import { hash } from "../github/random.ts";
import { completionBody, generate, parseChatRequest, promptTokens, streamChunks, type ChatRequest } from "./chat.ts";
import { handleControl } from "./control.ts";
import { embeddingsBody, parseEmbeddingsRequest } from "./embeddings.ts";
import { USE_LITE_DIMENSIONS, USE_LITE_MODEL, UseLite } from "./use-lite.ts";
import { errors, type ApiAnswer } from "./errors.ts";
import type { OutputFault } from "./faults.ts";
import { AiState, DEFAULT_CONFIG, type AiEmulatorConfig } from "./state.ts";

export interface AiEmulatorOptions extends Partial<AiEmulatorConfig> {
  /** 0 = a random free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Seed of ids and of probabilistic faults (default 1). Answers themselves depend only on the request. */
  seed?: number;
  /**
   * The GitHub emulator's corpus (repos.jsonl + readmes/), for IDF; default as emulators/github/corpus.ts resolves it.
   */
  corpusDir?: string;
  /** No logs on stderr. */
  quiet?: boolean;
  /**
   * The embeddings: `hashed` (default) feature-hashed TF-IDF (./vectors.ts), lexical and instant;
   * `use-lite` a real model, Universal Sentence Encoder lite (./use-lite.ts): 512 dimensions, served
   * as model `use-lite` unless `embeddingModels` says otherwise, each text's vector kept on disk.
   */
  embeddings?: "hashed" | "use-lite";
  /** Where use-lite keeps its vectors (default: `STARWISE_USE_LITE_CACHE`, else under the OS's temp dir). */
  embeddingCacheDir?: string;
}

export interface AiEmulator {
  /** http://127.0.0.1:<port>, no trailing slash. The OpenAI base URL is `${url}/v1`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Marks a request whose socket is deliberately left hanging (fault `timeout`). */
const HOLD = Symbol("hold");

interface StreamAnswer {
  status: 200;
  headers: Record<string, string>;
  stream: unknown[];
  /** Pause between chunks (generation speed). */
  chunkDelayMs: number;
}

type Answer = ApiAnswer | StreamAnswer | typeof HOLD;

const ROUTES: Record<string, string> = {
  "POST /chat/completions": "POST /v1/chat/completions",
  "POST /embeddings": "POST /v1/embeddings",
  "GET /models": "GET /v1/models",
};

function routeOf(method: string, pathname: string): string | null {
  const path = pathname.replace(/\/+$/, "").replace(/^\/v1(?=\/)/, "");
  if (ROUTES[`${method} ${path}`]) return ROUTES[`${method} ${path}`] as string;
  if (method === "GET" && /^\/models\/.+/.test(path)) return "GET /v1/models/{model}";
  return null;
}

function bearer(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header?.trim() ?? "");
  return match ? (match[1] as string) : null;
}

function spoilRaw(body: string, fault: OutputFault): ApiAnswer {
  switch (fault) {
    case "non-json":
      return {
        status: 200,
        headers: { "content-type": "text/html" },
        body:
          "<html><head><title>502 Bad Gateway</title></head>" +
          "<body><center><h1>502 Bad Gateway</h1></center></body></html>",
      };
    case "schema-violation":
      return { status: 200, body: { object: "list", data: [], model: "unknown" } };
    case "empty":
      return { status: 200, headers: { "content-type": "application/json" }, body: "" };
    default:
      return {
        status: 200,
        headers: { "content-type": "application/json" },
        body: body.slice(0, Math.floor(body.length / 2)),
      };
  }
}

export async function startAiEmulator(options: AiEmulatorOptions = {}): Promise<AiEmulator> {
  const host = options.host ?? "127.0.0.1";
  const seed = options.seed ?? 1;
  const log = (message: string) => {
    if (!options.quiet) process.stderr.write(`[ai-emulator] ${message}\n`);
  };
  const config: AiEmulatorConfig = { ...structuredClone(DEFAULT_CONFIG) };
  for (const key of Object.keys(DEFAULT_CONFIG) as Array<keyof AiEmulatorConfig>) {
    if (options[key] !== undefined) (config as unknown as Record<string, unknown>)[key] = structuredClone(options[key]);
  }
  const useLite = options.embeddings === "use-lite" ? new UseLite(options.embeddingCacheDir) : null;
  if (useLite) {
    config.embeddingModels = options.embeddingModels ? [...options.embeddingModels] : [USE_LITE_MODEL];
    config.embeddingDimensions = USE_LITE_DIMENSIONS;
  }
  const state = new AiState({ seed, corpusDir: options.corpusDir, config, useLite });
  state.idf(); // load the corpus now: a missing corpus fails at start, not at the first request

  /** `seen.model` is set once the body names a model, for the per-model counts of the answer. */
  async function handle(req: IncomingMessage, url: URL, seen: { model?: string }): Promise<Answer> {
    const method = req.method ?? "GET";
    const route = routeOf(method, url.pathname);
    state.stats.request(route ?? `${method} (unmatched)`);
    const raw = await readBody(req);
    if (!route) return errors.invalidUrl(method, url.pathname);

    if (state.config.apiKey !== null) {
      const key = bearer(req.headers.authorization);
      if (!key) return errors.missingKey();
      if (key !== state.config.apiKey) return errors.wrongKey(key);
    }

    if (route.startsWith("GET /v1/models")) {
      const created = 1_700_000_000;
      const ids = [...state.config.chatModels, ...state.config.embeddingModels].filter((m) => m !== "*");
      const model = (id: string) => ({ id, object: "model", created, owned_by: "starwise-emulator" });
      await sleep(state.config.latencyMs);
      if (route === "GET /v1/models") return { status: 200, body: { object: "list", data: ids.map(model) } };
      const id = decodeURIComponent(url.pathname.replace(/^.*?\/models\//, ""));
      return ids.includes(id) || state.serves("chat", id) || state.serves("embedding", id)
        ? { status: 200, body: model(id) }
        : errors.modelNotFound(id);
    }

    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return errors.badRequest(
        "We could not parse the JSON body of your request. " +
          "(HINT: This likely means you aren't using your HTTP library correctly. " +
          "The OpenAI API expects a JSON payload, but what was sent was not valid JSON. " +
          "If you have trouble figuring out how to fix this, " +
          "please contact us through our help center at help.openai.com.)",
      );
    }
    const isChat = route === "POST /v1/chat/completions";
    const parsed = isChat ? parseChatRequest(body) : parseEmbeddingsRequest(body, state);
    if ("status" in parsed) return parsed;
    const model = parsed.model;
    if (!state.serves(isChat ? "chat" : "embedding", model)) return errors.modelNotFound(model);
    const modelStats = state.stats.model(model);
    modelStats.requests++;
    seen.model = model;

    const { latencyMs, fault } = state.faults.fire({ method, path: url.pathname, model }, state.random);
    const latency = state.config.latencyMs + latencyMs;
    if (fault) log(`fault #${fault.id} on ${method} ${url.pathname} (${model})`);
    await sleep(latency);
    if (fault?.timeout) return HOLD;
    if (fault?.status !== undefined) {
      return {
        status: fault.status,
        body: fault.body ?? errors.fault(fault.status).body,
        headers: fault.headers ?? {},
      };
    }

    const chat = isChat ? (parsed as ChatRequest) : null;
    const estimate = chat ? promptTokens(chat) + (chat.maxTokens ?? 0) : 0;
    const decision = state.limiter.admit(
      model,
      estimate,
      { rpm: state.rpmFor(model), tpm: state.config.tpm, windowMs: state.config.rateWindowMs },
      state.now(),
    );
    if (!decision.allowed) {
      modelStats.rateLimited++;
      state.stats.rateLimited++;
      const limit = decision.kind === "requests" ? state.rpmFor(model) : state.config.tpm;
      return errors.rateLimited(
        model,
        decision.kind ?? "requests",
        limit,
        limit,
        decision.kind === "requests" ? 1 : estimate,
        decision.retryAfterMs,
        decision.headers,
      );
    }

    const id =
      `${isChat ? "chatcmpl-" : "emb-"}${hash(seed, state.nextId()).toString(36)}` +
      `${hash(seed, "id", state.stats.total).toString(36)}`;
    const created = Math.floor(state.now() / 1000);

    if (chat) {
      const prompt = promptTokens(chat);
      const output = generate(state, chat, fault?.output, id);
      if (output.obeyed) {
        state.stats.injectionsObeyed++;
        log(`gullible: obeyed a ${output.obeyed.kind} injection`);
      }
      modelStats.promptTokens += prompt;
      modelStats.completionTokens += output.completionTokens * chat.n;
      modelStats.totalTokens += prompt + output.completionTokens * chat.n;
      const generationMs =
        state.config.outputTokensPerSecond > 0
          ? (output.completionTokens / state.config.outputTokensPerSecond) * 1000
          : 0;
      if (chat.stream) {
        state.stats.streams++;
        const chunks = streamChunks(id, created, chat, output, prompt);
        return {
          status: 200,
          headers: decision.headers,
          stream: chunks,
          chunkDelayMs: generationMs / Math.max(1, chunks.length),
        };
      }
      await sleep(generationMs);
      return { status: 200, headers: decision.headers, body: completionBody(id, created, chat, output, prompt) };
    }

    const embeddings = parsed as Exclude<typeof parsed, ChatRequest>;
    const { body: answer, promptTokens: tokens } = await embeddingsBody(
      state,
      embeddings as Parameters<typeof embeddingsBody>[1],
    );
    modelStats.promptTokens += tokens;
    modelStats.totalTokens += tokens;
    modelStats.inputs += (embeddings as { inputs: string[] }).inputs.length;
    if (fault?.output)
      return {
        ...spoilRaw(JSON.stringify(answer), fault.output),
        headers: {
          ...decision.headers,
          "content-type": fault.output === "non-json" ? "text/html" : "application/json",
        },
      };
    return { status: 200, headers: decision.headers, body: answer };
  }

  async function send(
    res: ServerResponse,
    answer: ApiAnswer | StreamAnswer,
    requestId: string,
    counted: boolean,
    model?: string,
  ): Promise<void> {
    if (res.destroyed || res.writableEnded) return;
    const common = {
      "x-request-id": requestId,
      "openai-processing-ms": "1",
      "openai-version": "2020-10-01",
      "access-control-allow-origin": "*",
      "access-control-expose-headers":
        "retry-after, retry-after-ms, x-request-id, " +
        "x-ratelimit-limit-requests, x-ratelimit-remaining-requests, x-ratelimit-reset-requests, " +
        "x-ratelimit-limit-tokens, x-ratelimit-remaining-tokens, x-ratelimit-reset-tokens",
    };
    if (counted) state.stats.response(answer.status);
    if (counted && model && answer.status !== 200 && answer.status !== 429) state.stats.model(model).errors++;
    if (counted && model && answer.status === 200) state.stats.model(model).succeeded++;
    if ("stream" in answer) {
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache",
        connection: "keep-alive",
        ...common,
        ...answer.headers,
      });
      for (const chunk of answer.stream) {
        if (res.destroyed) return;
        res.write(`data: ${JSON.stringify(chunk)}\n\n`);
        await sleep(answer.chunkDelayMs);
      }
      res.end("data: [DONE]\n\n");
      return;
    }
    const headers: Record<string, string> = { "content-type": "application/json", ...common, ...answer.headers };
    const payload =
      answer.body === undefined
        ? undefined
        : typeof answer.body === "string"
          ? answer.body
          : JSON.stringify(answer.body);
    res.writeHead(answer.status, headers);
    res.end(payload);
  }

  let baseUrl = "";
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", baseUrl);
    const requestId = `req_${hash(seed, "request", state.stats.total + 1, Date.now()).toString(16)}`;
    if (url.pathname === "/_emulator" || url.pathname.startsWith("/_emulator/")) {
      readBody(req)
        .then((body) =>
          send(
            res,
            handleControl(
              state,
              {
                method: req.method ?? "GET",
                path: url.pathname.slice("/_emulator/".length),
                query: url.searchParams,
                body,
              },
              log,
            ),
            requestId,
            false,
          ),
        )
        .catch((error: unknown) => send(res, { status: 500, body: { message: String(error) } }, requestId, false));
      return;
    }
    if (req.method === "OPTIONS") {
      res.writeHead(204, {
        "access-control-allow-origin": "*",
        "access-control-allow-headers":
          "Authorization, Content-Type, OpenAI-Organization, OpenAI-Project, X-Stainless-*",
        "access-control-allow-methods": "GET, POST",
      });
      res.end();
      return;
    }
    const stats = state.stats;
    stats.inFlight++;
    stats.maxConcurrency = Math.max(stats.maxConcurrency, stats.inFlight);
    res.on("close", () => {
      stats.inFlight--;
    });
    const seen: { model?: string } = {};
    handle(req, url, seen)
      .then((answer) => (answer === HOLD ? undefined : send(res, answer, requestId, true, seen.model)))
      .catch((error: unknown) => {
        log(
          `error on ${req.method} ${url.pathname}: ` +
            `${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        return send(res, errors.fault(500), requestId, true, seen.model);
      });
  });
  const listening = await listen(server, options.port ?? 0, host);
  baseUrl = listening.url;
  log(
    `listening on ${baseUrl} (seed ${seed}, rpm ${config.rpm || "unlimited"}, ` +
      `key ${config.apiKey === null ? "not checked" : "required"}, gullible ${config.gullible}, ` +
      `embeddings ${useLite ? USE_LITE_MODEL : "hashed"})`,
  );

  return {
    ...listening,
    async close() {
      await listening.close();
      await useLite?.close();
    },
  };
}
