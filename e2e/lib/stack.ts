import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { startGithubEmulator, type GithubEmulator } from "../../emulators/github/server.ts";
import { freePort, projectRoot, startWorker, type WorkerProcess } from "../../emulators/scripts/worker-process.ts";

export { freePort };

// The product's back end for browser tests and the extension benchmark: the GitHub
// emulator and the real Worker (`wrangler dev --local`, a fresh D1), both on loopback.

export const EMULATOR_TOKEN = "emulator-token-octocat";

export interface Stack {
  github: GithubEmulator;
  worker: WorkerProcess;
  /** Where the Worker's local state lives (D1 for `d1Execute`). */
  stateDir: string;
  /** POST /_emulator/<path> on the GitHub emulator. */
  control(path: string, body?: unknown, method?: string): Promise<unknown>;
  /** Runs SQL against the Worker's local D1 (test data the API cannot write, e.g. AI fields). */
  d1Execute(sql: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(options: { stars?: number } = {}): Promise<Stack> {
  const stateDir = await mkdtemp(join(tmpdir(), "starwise-e2e-worker-"));
  // "ideal": no modelled GitHub server time; each test adds the latency it wants with faults.
  const github = await startGithubEmulator({
    port: 0,
    stars: options.stars ?? 120,
    latencyMs: 0,
    quiet: true,
    realism: "ideal",
  });
  let worker: WorkerProcess;
  try {
    worker = await startWorker({ port: await freePort(), persistTo: stateDir, vars: { GITHUB_API_URL: github.url } });
  } catch (error) {
    await github.close();
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
  return {
    github,
    worker,
    stateDir,
    async control(path, body, method = "POST") {
      const response = await fetch(`${github.url}/_emulator/${path}`, {
        method,
        headers: { "Content-Type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!response.ok) throw new Error(`emulator ${method} ${path}: ${response.status} ${await response.text()}`);
      return response.json();
    },
    async d1Execute(sql) {
      const child = spawn(
        process.execPath,
        [
          join(projectRoot, "node_modules/wrangler/bin/wrangler.js"),
          "d1",
          "execute",
          "DB",
          "--local",
          "--persist-to",
          stateDir,
          "--command",
          sql,
        ],
        {
          cwd: projectRoot,
          env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk));
      child.stderr.on("data", (chunk: Buffer) => (output += chunk));
      const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
      if (code !== 0) throw new Error(`wrangler d1 execute failed (${code}): ${output}`);
    },
    async stop() {
      await worker.stop();
      await github.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
