// Command line entry: `npm run emulator:ai -- --port 9200 [--rpm 60] [--gullible]`.
// The shared flags, the ready line and signal handling are ../common/cli.ts; these are the AI emulator's own.
import { fail, integerOptions, parseCommandLine, serve } from "../common/cli.ts";
import { startAiEmulator, type AiEmulatorOptions } from "./server.ts";

const { values, options: shared } = parseCommandLine(
  {
    "api-key": { type: "string" },
    "no-auth": { type: "boolean", default: false },
    rpm: { type: "string" },
    tpm: { type: "string" },
    "rate-window-ms": { type: "string" },
    "tokens-per-second": { type: "string" },
    dimensions: { type: "string" },
    "chat-models": { type: "string" },
    "embedding-models": { type: "string" },
    gullible: { type: "boolean", default: false },
    corpus: { type: "string" },
    embeddings: { type: "string", default: "hashed" },
    "embedding-cache": { type: "string" },
  },
  "usage: node emulators/ai/cli.ts [--port 9200] [--host 127.0.0.1] [--seed 1] [--api-key sk-emulator | --no-auth]\n" +
    "                               [--rpm 0] [--tpm 0] [--rate-window-ms 60000] [--latency 0] " +
    "[--tokens-per-second 0] [--dimensions 1024]\n" +
    "                               [--chat-models a,b] [--embedding-models c,d] [--gullible] " +
    "[--corpus DIR] [--quiet]\n" +
    "                               [--embeddings hashed|use-lite] [--embedding-cache DIR]\n",
);

const list = (value: string | undefined) =>
  value
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);

const options: AiEmulatorOptions = {
  ...shared,
  gullible: values.gullible,
  ...integerOptions(values, {
    rpm: "rpm",
    tpm: "tpm",
    rateWindowMs: "rate-window-ms",
    outputTokensPerSecond: "tokens-per-second",
    embeddingDimensions: "dimensions",
  }),
};
if (values.corpus !== undefined) options.corpusDir = values.corpus;
if (values.embeddings !== "hashed" && values.embeddings !== "use-lite")
  fail(`--embeddings must be hashed or use-lite, not ${JSON.stringify(values.embeddings)}`);
options.embeddings = values.embeddings;
if (values["embedding-cache"] !== undefined) options.embeddingCacheDir = values["embedding-cache"];
if (values["api-key"] !== undefined) options.apiKey = values["api-key"];
if (values["no-auth"]) options.apiKey = null;
if (list(values["chat-models"])) options.chatModels = list(values["chat-models"]);
if (list(values["embedding-models"])) options.embeddingModels = list(values["embedding-models"]);

await serve("ai-emulator", shared.quiet, () => startAiEmulator(options));
