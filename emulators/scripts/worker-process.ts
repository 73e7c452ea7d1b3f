// Runs the real Worker locally (`wrangler dev --local`) for the demo, the benchmark and
// e2e tests. Always offline: remote bindings off, no telemetry, no network lookups.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const wranglerBin = path.join(projectRoot, "node_modules/wrangler/bin/wrangler.js");

/** toolchain.md "Worker side, offline": quiet and never phoning home. */
export const offlineEnv = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
};

/** Local stand-ins that production gets from bindings: Vectorize has no local simulator. */
export const localVars: Record<string, string> = { VECTOR_STORE: "d1" };

/**
 * The Worker's vars for the offline world: GitHub, the AI provider (chat and embeddings,
 * OpenAI-compatible) and OpenDigger all at their emulators. The emulators listen on 127.0.0.1,
 * so private base URLs are allowed here; a real deployment refuses them.
 */
export function emulatorVars(urls: { github: string; ai: string; opendigger: string }): Record<string, string> {
  return {
    GITHUB_API_URL: urls.github,
    OPENDIGGER_URL: urls.opendigger,
    EMBEDDING_PROVIDER: "openai-compatible",
    AI_BASE_URL: `${urls.ai}/v1`,
    AI_API_KEY: "sk-emulator",
    CHAT_MODEL: "starwise-chat",
    AI_ALLOW_PRIVATE_URLS: "true",
  };
}

/** Secrets for local runs: the developer's .dev.vars, else the committed dev-only example. */
export function envFileArgs(): string[] {
  return existsSync(path.join(projectRoot, ".dev.vars")) ? [] : ["--env-file", envFile()];
}

function envFile(): string {
  const own = path.join(projectRoot, ".dev.vars");
  return existsSync(own) ? own : path.join(projectRoot, ".dev.vars.example");
}

function wrangler(
  args: string[],
  options: { stdio?: "inherit" | "pipe" | { logFile: string }; detached?: boolean } = {},
): ChildProcess {
  let stdio: "inherit" | Array<"ignore" | "pipe" | number> = ["ignore", "pipe", "pipe"];
  if (options.stdio === "inherit") stdio = "inherit";
  else if (typeof options.stdio === "object") {
    // A long-running wrangler writes to a file: a pipe the parent must keep draining
    // is one more way for a busy benchmark process to stall it.
    const fd = openSync(options.stdio.logFile, "a");
    stdio = ["ignore", fd, fd];
  }
  const child = spawn(process.execPath, [wranglerBin, ...args], {
    cwd: projectRoot,
    // CI=true keeps wrangler from asking questions (e.g. "apply these migrations?").
    env: { ...process.env, ...offlineEnv, CI: "true" },
    stdio,
    // Its own process group: wrangler leaves workerd children behind when only its pid
    // is killed (toolchain.md), so we stop the whole group.
    detached: options.detached ?? false,
  });
  for (const fd of new Set(Array.isArray(stdio) ? stdio : [])) if (typeof fd === "number") closeSync(fd);
  return child;
}

/** Applies migrations/ to the local D1 that `wrangler dev --persist-to <dir>` will use. */
export async function applyMigrations(persistTo?: string): Promise<void> {
  await run(
    ["d1", "migrations", "apply", "DB", "--local", ...(persistTo ? ["--persist-to", persistTo] : [])],
    "wrangler d1 migrations apply",
  );
}

/**
 * Runs SQL on the local D1 that `wrangler dev --persist-to <dir>` uses (what the API cannot write, or a read for a
 * report), and answers the first statement's rows.
 */
export async function d1Execute<T = Record<string, unknown>>(persistTo: string, command: string): Promise<T[]> {
  const out = await run(
    ["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--json", "--command", command],
    "wrangler d1 execute",
  );
  const answers = JSON.parse(out) as Array<{ results?: T[] }>;
  return answers[0]?.results ?? [];
}

/** Exits non-zero with its output in the error; otherwise answers what it printed on stdout. */
async function run(args: string[], what: string): Promise<string> {
  const child = wrangler(args);
  let out = "";
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk;
    output += chunk;
  });
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`${what} failed (exit ${code}):\n${output}`);
  return out;
}

/**
 * The Worker bundled once, as deployed (`wrangler deploy --dry-run`), into a directory of its
 * own with a copy of wrangler.toml that runs that bundle as it is (`no_bundle`). `wrangler dev`
 * rebuilds and restarts the Worker whenever a source file or anything under node_modules
 * changes, and a restart in the middle of a long sync kills the run; with `no_bundle` it
 * watches only the bundle's directory and its config, which nothing else writes. Bindings, D1
 * (same database id, so `applyMigrations` on the project's config is the one it reads), the
 * Durable Object and Workflow classes and the vars are the project's, unchanged.
 */
async function frozenWorker(): Promise<{ dir: string; config: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), "starwise-worker-"));
  const bundle = path.join(dir, "bundle");
  await run(["deploy", "--dry-run", "--outdir", bundle], "wrangler deploy --dry-run");
  const source = await readFile(path.join(projectRoot, "wrangler.toml"), "utf8");
  const replace = (text: string, from: RegExp, to: string) => {
    if (!from.test(text)) throw new Error(`wrangler.toml: no line matches ${from}; update frozenWorker()`);
    return text.replace(from, to);
  };
  // Paths in a config resolve from the config's own directory: the copy names them absolutely.
  let config = replace(source, /^main = .*$/m, `main = ${JSON.stringify(path.join(bundle, "index.js"))}`);
  config = replace(
    config,
    /^migrations_dir = .*$/m,
    `migrations_dir = ${JSON.stringify(path.join(projectRoot, "migrations"))}`,
  );
  // Top-level keys go before the first table; the bundle's .wasm modules sit beside index.js.
  config = `no_bundle = true\nfind_additional_modules = true\n${config}`;
  const configPath = path.join(dir, "wrangler.toml");
  await writeFile(configPath, config);
  // wrangler dev reads .dev.vars beside its config: a copy, so an edit of the tree's is no restart either.
  await copyFile(envFile(), path.join(dir, ".dev.vars"));
  return { dir, config: configPath };
}

/** A TCP port nobody listens on right now (another process may still take it first: callers retry). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export type WorkerProcess = {
  url: string;
  stop(): Promise<void>;
  child: ChildProcess /** Its output so far. */;
  output(): string;
};

/** Starts `wrangler dev --local` in its own process group and waits until /health answers. */
export async function startWorker(options: {
  port: number;
  persistTo: string;
  vars?: Record<string, string>;
  /** "inherit": wrangler's output on this terminal; otherwise it goes to `<persistTo>.log`. */
  stdio?: "inherit" | "log";
  /**
   * false: run a bundle built once at start (benchmarks, the demo), so edits and `npm install`s
   * in this tree cannot restart it mid-run. Default true: rebuild and reload on every change.
   */
  watch?: boolean;
}): Promise<WorkerProcess> {
  await applyMigrations(options.persistTo);
  const logFile = `${options.persistTo.replace(/\/+$/, "")}.log`;
  const vars = { ...localVars, ...options.vars };
  const frozen = options.watch === false ? await frozenWorker() : undefined;
  const child = wrangler(
    [
      "dev",
      ...(frozen ? ["--config", frozen.config] : []),
      "--local",
      "--ip",
      "127.0.0.1",
      "--port",
      String(options.port),
      "--persist-to",
      options.persistTo,
      "--show-interactive-dev-session=false",
      ...(frozen ? [] : envFileArgs()),
      ...Object.entries(vars).flatMap(([key, value]) => ["--var", `${key}:${value}`]),
    ],
    { stdio: options.stdio === "inherit" ? "inherit" : { logFile }, detached: true },
  );
  const output = () => (options.stdio === "inherit" ? "" : readFileSync(logFile, "utf8").slice(-20_000));
  const url = `http://127.0.0.1:${options.port}`;
  const stop = async () => {
    await stopGroup(child);
    if (frozen) await rm(frozen.dir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(url, child, output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop, child, output };
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output()}`);
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`wrangler dev did not answer ${url}/health within ${timeoutMs} ms:\n${output()}`);
}

/** SIGTERM to the whole process group, SIGKILL if it lingers; resolves when it is gone. */
export async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // Already gone.
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
  // workerd may outlive wrangler for a moment: make sure the group is empty.
  signal("SIGKILL");
}
