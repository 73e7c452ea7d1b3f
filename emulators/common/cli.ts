// The command line the three emulators share: the flags every emulator takes (--port, --host,
// --seed, --latency, --quiet, --help), the checks of numeric flags, and the run. Tests, the demo and
// the benchmarks start an emulator and wait for exactly one line, "ready <url>", on stdout, so
// everything else goes to stderr; SIGINT/SIGTERM close the server and exit 0.
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

const SHARED_FLAGS = {
  port: { type: "string", default: "0" },
  host: { type: "string" },
  seed: { type: "string" },
  latency: { type: "string" },
  quiet: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies ParseArgsOptionsConfig;

type Values<T extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ options: typeof SHARED_FLAGS & T; strict: true }>
>["values"];

/** The options every emulator's start function takes, from the shared flags (left out when not given). */
export interface SharedOptions {
  port?: number;
  host?: string;
  seed?: number;
  latencyMs?: number;
  quiet: boolean;
}

/** A usage error: the message on stderr and exit code 2, before anything has started. */
export function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** A flag's value as a non-negative integer (or any non-negative number); undefined when not given. */
export function nonNegative(
  flag: string,
  value: string | undefined,
  kind: "integer" | "number" = "integer",
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (kind === "integer" && !Number.isInteger(n)))
    fail(`--${flag} must be a non-negative ${kind}, got "${value}"`);
  return n;
}

/** The given flags of `flags` ({option: "flag"}) as non-negative integers under their options' names, in that order. */
export function integerOptions<K extends string>(
  values: Record<string, unknown>,
  flags: Record<K, string>,
): Partial<Record<K, number>> {
  const options: Partial<Record<K, number>> = {};
  for (const [key, flag] of Object.entries(flags) as Array<[K, string]>) {
    const n = nonNegative(flag, values[flag] as string | undefined);
    if (n !== undefined) options[key] = n;
  }
  return options;
}

/**
 * Parses argv with the shared flags and the emulator's own (`flags`); `--help` prints `usage` and
 * exits. An unknown flag throws, as parseArgs does.
 */
export function parseCommandLine<T extends ParseArgsOptionsConfig>(
  flags: T,
  usage: string,
): { values: Values<T>; options: SharedOptions } {
  const { values } = parseArgs({ options: { ...SHARED_FLAGS, ...flags }, strict: true });
  const shared = values as Record<string, string | boolean | undefined>;
  if (shared.help) {
    process.stderr.write(usage);
    process.exit(0);
  }
  const options: SharedOptions = {
    quiet: shared.quiet === true,
    ...integerOptions(shared, { port: "port", seed: "seed", latencyMs: "latency" }),
  };
  if (typeof shared.host === "string") options.host = shared.host;
  return { values: values as Values<T>, options };
}

/**
 * Starts the emulator and prints the ready line; SIGINT/SIGTERM close it (exit 0, or 1 if closing
 * fails). A failed start is one line on stderr, prefixed with the emulator's `name`, and exit 1.
 */
export async function serve(
  name: string,
  quiet: boolean,
  start: () => Promise<{ url: string; close(): Promise<void> }>,
): Promise<void> {
  try {
    const emulator = await start();
    // The handlers come before the ready line: a caller may signal as soon as it has read it, and
    // a signal that came first would kill the process uncleanly (seen within ~100 ms of starting).
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      if (!quiet) process.stderr.write(`[${name}] ${signal}: shutting down\n`);
      emulator.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.stdout.write(`ready ${emulator.url}\n`);
  } catch (error) {
    process.stderr.write(`[${name}] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
