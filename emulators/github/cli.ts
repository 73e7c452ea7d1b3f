// Command line entry: `npx node emulators/github/cli.ts --port 9100 --stars 1000 [--latency 80] [--seed 1]`.
// Prints exactly one line, "ready <url>", on stdout once listening (everything else goes to stderr)
// and exits cleanly on SIGINT/SIGTERM.
import { parseArgs } from "node:util";
import { startGithubEmulator, type GithubEmulatorOptions } from "./server.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string" },
    stars: { type: "string" },
    seed: { type: "string" },
    latency: { type: "string" },
    corpus: { type: "string" },
    "max-concurrency": { type: "string" },
    "rate-window": { type: "string" },
    realism: { type: "string", default: "github" },
    "time-scale": { type: "string" },
    cutoff: { type: "string" },
    "cpu-graphql": { type: "string" },
    "cpu-total": { type: "string" },
    "over-limit": { type: "string" },
    "resource-limit": { type: "string" },
    "penalty-points": { type: "string" },
    quiet: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
  strict: true,
});

if (values.help) {
  process.stderr.write(
    "usage: node emulators/github/cli.ts [--port 9100] [--host 127.0.0.1] [--stars 100] [--seed 1] [--latency 0]\n" +
      "                                   [--corpus DIR] [--max-concurrency 100] [--rate-window 3600] [--quiet]\n" +
      "  realism: [--realism github|ideal] [--time-scale 1] [--cutoff 10000] [--cpu-graphql 60000] [--cpu-total 90000]\n" +
      "           [--over-limit 0] [--resource-limit 0] [--penalty-points 5]   (ms per 60 s window; 0 = off)\n",
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

const options: GithubEmulatorOptions = { quiet: values.quiet };
const port = integer("port", values.port);
const stars = integer("stars", values.stars);
const seed = integer("seed", values.seed);
const latency = integer("latency", values.latency);
const maxConcurrency = integer("max-concurrency", values["max-concurrency"]);
const rateWindow = integer("rate-window", values["rate-window"]);
if (port !== undefined) options.port = port;
if (stars !== undefined) options.stars = stars;
if (seed !== undefined) options.seed = seed;
if (latency !== undefined) options.latencyMs = latency;
if (maxConcurrency !== undefined) options.maxConcurrentRequests = maxConcurrency;
if (rateWindow !== undefined) options.rateWindowSeconds = rateWindow;
if (values.host !== undefined) options.host = values.host;
if (values.corpus !== undefined) options.corpusDir = values.corpus;
if (values.realism !== "github" && values.realism !== "ideal") {
  process.stderr.write(`--realism must be "github" or "ideal", got "${values.realism}"\n`);
  process.exit(2);
}
const realismFlags: Record<string, string | undefined> = {
  cutoffMs: values.cutoff,
  cpuGraphqlMsPerWindow: values["cpu-graphql"],
  cpuTotalMsPerWindow: values["cpu-total"],
  overLimitStars: values["over-limit"],
  resourceLimitMs: values["resource-limit"],
  timeoutPenaltyPoints: values["penalty-points"],
};
const realism: Record<string, number | string> = { preset: values.realism };
for (const [key, value] of Object.entries(realismFlags)) {
  const n = integer(key, value);
  if (n !== undefined) realism[key] = n;
}
if (values["time-scale"] !== undefined) {
  const scale = Number(values["time-scale"]);
  if (!(scale >= 0)) {
    process.stderr.write(`--time-scale must be a number >= 0, got "${values["time-scale"]}"\n`);
    process.exit(2);
  }
  realism.timeScale = scale;
}
options.realism = realism as GithubEmulatorOptions["realism"];

try {
  const emulator = await startGithubEmulator(options);
  process.stdout.write(`ready ${emulator.url}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (!values.quiet) process.stderr.write(`[github-emulator] ${signal}: shutting down\n`);
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
} catch (error) {
  process.stderr.write(`[github-emulator] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
