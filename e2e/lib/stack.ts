import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAiEmulator, type AiEmulator } from "../../emulators/ai/server.ts";
import { startGithubEmulator, type GithubEmulator } from "../../emulators/github/server.ts";
import { startOpendiggerEmulator, type OpendiggerEmulator } from "../../emulators/opendigger/server.ts";
import {
  d1Execute,
  emulatorVars,
  freePort,
  startWorker,
  type WorkerProcess,
} from "../../emulators/scripts/worker-process.ts";

export { freePort };

// The product's back end for browser tests and the extension benchmark: the GitHub
// emulator and the real Worker (`wrangler dev --local`, a fresh D1), both on loopback; with
// `enrich`, the AI and OpenDigger emulators too (the demo's offline world: summaries, embeddings, OpenRank).

export const EMULATOR_TOKEN = "emulator-token-octocat";

export interface Stack {
  github: GithubEmulator;
  worker: WorkerProcess;
  /** With `enrich`: the AI emulator (its control API at `${ai.url}/_emulator/`). */
  ai: AiEmulator | null;
  /** Where the Worker's local state lives (D1 for `d1Execute`). */
  stateDir: string;
  /** POST /_emulator/<path> on the GitHub emulator. */
  control(path: string, body?: unknown, method?: string): Promise<unknown>;
  /** Runs SQL against the Worker's local D1 (test data the API cannot write, e.g. AI fields). */
  d1Execute(sql: string): Promise<void>;
  stop(): Promise<void>;
}

/** POST (or `method`) `<base>/_emulator/<path>` with a JSON body. */
async function emulatorControl(base: string, path: string, body: unknown, method: string): Promise<unknown> {
  const response = await fetch(`${base}/_emulator/${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`emulator ${method} ${path}: ${response.status} ${await response.text()}`);
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

export async function startStack(options: { stars?: number; enrich?: boolean } = {}): Promise<Stack> {
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
  let ai: AiEmulator | null = null;
  let opendigger: OpendiggerEmulator | null = null;
  try {
    if (options.enrich) {
      ai = await startAiEmulator({ port: 0, quiet: true, rpm: 600 });
      opendigger = await startOpendiggerEmulator({ port: 0, quiet: true });
    }
    const vars =
      ai && opendigger
        ? emulatorVars({ github: github.url, ai: ai.url, opendigger: opendigger.url })
        : { GITHUB_API_URL: github.url };
    worker = await startWorker({ port: await freePort(), persistTo: stateDir, vars });
  } catch (error) {
    await ai?.close();
    await opendigger?.close();
    await github.close();
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
  return {
    github,
    worker,
    ai,
    stateDir,
    control: (path, body, method = "POST") => emulatorControl(github.url, path, body, method),
    async d1Execute(sql) {
      await d1Execute(stateDir, sql);
    },
    async stop() {
      await worker.stop();
      await ai?.close();
      await opendigger?.close();
      await github.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
