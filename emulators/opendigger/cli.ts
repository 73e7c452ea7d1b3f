// Command line entry: `npm run emulator:opendigger -- --port 9300 [--now 2026-11-20] [--not-found 0.1]`.
// Prints exactly one line, "ready <url>", on stdout once listening (everything else goes to stderr)
// and exits cleanly on SIGINT/SIGTERM.
import { parseArgs } from "node:util";
import { startOpendiggerEmulator, type OpendiggerEmulatorOptions } from "./server.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string" },
    seed: { type: "string" },
    now: { type: "string" },
    "export-day": { type: "string" },
    "not-found": { type: "string" },
    latency: { type: "string" },
    quiet: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
  strict: true,
});

if (values.help) {
  process.stderr.write(
    "usage: node emulators/opendigger/cli.ts [--port 9300] [--host 127.0.0.1] [--seed 1] [--now 2026-11-20T00:00:00Z]\n" +
      "                                       [--export-day 5] [--not-found 0.1] [--latency 0] [--quiet]\n",
  );
  process.exit(0);
}

function number(name: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    process.stderr.write(`--${name} must be a non-negative ${integer ? "integer" : "number"}, got "${value}"\n`);
    process.exit(2);
  }
  return n;
}

const options: OpendiggerEmulatorOptions = { quiet: values.quiet };
const port = number("port", values.port, true);
const seed = number("seed", values.seed, true);
const exportDay = number("export-day", values["export-day"], true);
const notFound = number("not-found", values["not-found"], false);
const latency = number("latency", values.latency, true);
if (port !== undefined) options.port = port;
if (seed !== undefined) options.seed = seed;
if (exportDay !== undefined) options.exportDay = exportDay;
if (notFound !== undefined) options.notFoundShare = notFound;
if (latency !== undefined) options.latencyMs = latency;
if (values.host !== undefined) options.host = values.host;
if (values.now !== undefined) options.now = values.now;

try {
  const emulator = await startOpendiggerEmulator(options);
  process.stdout.write(`ready ${emulator.url}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (!values.quiet) process.stderr.write(`[opendigger-emulator] ${signal}: shutting down\n`);
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
} catch (error) {
  process.stderr.write(`[opendigger-emulator] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
