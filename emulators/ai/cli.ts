// Command line entry: `npm run emulator:ai -- --port 9200 [--rpm 60] [--gullible]`.
// Prints exactly one line, "ready <url>", on stdout once listening (everything else goes to stderr)
// and exits cleanly on SIGINT/SIGTERM.
import { parseArgs } from "node:util";
import { startAiEmulator, type AiEmulatorOptions } from "./server.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string" },
    seed: { type: "string" },
    "api-key": { type: "string" },
    "no-auth": { type: "boolean", default: false },
    rpm: { type: "string" },
    tpm: { type: "string" },
    "rate-window-ms": { type: "string" },
    latency: { type: "string" },
    "tokens-per-second": { type: "string" },
    dimensions: { type: "string" },
    "chat-models": { type: "string" },
    "embedding-models": { type: "string" },
    gullible: { type: "boolean", default: false },
    corpus: { type: "string" },
    quiet: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
  strict: true,
});

if (values.help) {
  process.stderr.write(
    "usage: node emulators/ai/cli.ts [--port 9200] [--host 127.0.0.1] [--seed 1] [--api-key sk-emulator | --no-auth]\n" +
      "                               [--rpm 0] [--tpm 0] [--rate-window-ms 60000] [--latency 0] [--tokens-per-second 0] [--dimensions 1024]\n" +
      "                               [--chat-models a,b] [--embedding-models c,d] [--gullible] [--corpus DIR] [--quiet]\n",
  );
  process.exit(0);
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name} must be a non-negative integer, got "${value}"\n`);
    process.exit(2);
  }
  return n;
}

const list = (value: string | undefined) => value?.split(",").map((s) => s.trim()).filter(Boolean);

const options: AiEmulatorOptions = { quiet: values.quiet, gullible: values.gullible };
const numeric: Array<[keyof AiEmulatorOptions, string]> = [
  ["port", "port"],
  ["seed", "seed"],
  ["rpm", "rpm"],
  ["tpm", "tpm"],
  ["rateWindowMs", "rate-window-ms"],
  ["latencyMs", "latency"],
  ["outputTokensPerSecond", "tokens-per-second"],
  ["embeddingDimensions", "dimensions"],
];
for (const [key, flag] of numeric) {
  const n = integer(flag, values[flag as keyof typeof values] as string | undefined);
  if (n !== undefined) (options as Record<string, unknown>)[key] = n;
}
if (values.host !== undefined) options.host = values.host;
if (values.corpus !== undefined) options.corpusDir = values.corpus;
if (values["api-key"] !== undefined) options.apiKey = values["api-key"];
if (values["no-auth"]) options.apiKey = null;
if (list(values["chat-models"])) options.chatModels = list(values["chat-models"]);
if (list(values["embedding-models"])) options.embeddingModels = list(values["embedding-models"]);

try {
  const emulator = await startAiEmulator(options);
  process.stdout.write(`ready ${emulator.url}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (!values.quiet) process.stderr.write(`[ai-emulator] ${signal}: shutting down\n`);
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
} catch (error) {
  process.stderr.write(`[ai-emulator] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
