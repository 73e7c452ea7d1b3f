// The resilience suite's world (docs/reliability.md): the three emulators in this process and a
// real local Worker (`wrangler dev --local`, emulators/scripts/worker-process.ts) on a state
// directory of its own, plus what the checks need to see: the Worker's D1 read straight from
// its SQLite file, and the emulators' control APIs.
import { readdirSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { startAiEmulator, type AiEmulator } from "../../emulators/ai/server.ts";
import { createEmulatorClient, type EmulatorClient } from "../../emulators/github/client.ts";
import { startGithubEmulator, type GithubEmulator } from "../../emulators/github/server.ts";
import { startOpendiggerEmulator, type OpendiggerEmulator } from "../../emulators/opendigger/server.ts";
import { emulatorVars, freePort, startWorker, type WorkerProcess } from "../../emulators/scripts/worker-process.ts";
import { AuthTokenResponse } from "../../shared/api.ts";
import { isFinal, readSse, type SyncEvent } from "../../shared/events.ts";

export const log = (message: string) => console.error(`[resilience] ${message}`);

export type Stack = {
  github: GithubEmulator;
  gh: EmulatorClient;
  ai: AiEmulator;
  opendigger: OpendiggerEmulator;
  worker: WorkerProcess;
  persistTo: string;
  /** Stops the Worker process (its whole group) and starts it again on the same state, with `vars` on top. */
  restartWorker(vars?: Record<string, string>): Promise<void>;
  /** The Worker's D1, opened from its file (reads and the test-only fault triggers). */
  d1(): DatabaseSync;
  close(): Promise<void>;
};

export async function startStack(options: { stars?: number; vars?: Record<string, string> } = {}): Promise<Stack> {
  const [github, ai, opendigger] = await Promise.all([
    startGithubEmulator({ port: 0, stars: options.stars ?? 20, seed: 1, quiet: true, maxConcurrentRequests: 1000 }),
    startAiEmulator({ port: 0, seed: 1, quiet: true }),
    startOpendiggerEmulator({ port: 0, seed: 1, quiet: true }),
  ]);
  const persistTo = await mkdtemp(path.join(tmpdir(), "starwise-resilience-"));
  const port = await freePort();
  const vars = { ...emulatorVars({ github: github.url, ai: ai.url, opendigger: opendigger.url }), ...options.vars };
  const start = (extra: Record<string, string> = {}) =>
    startWorker({ port, persistTo, stdio: "log", vars: { ...vars, ...extra } });
  const stack: Stack = {
    github,
    gh: createEmulatorClient(github.url),
    ai,
    opendigger,
    worker: await start(),
    persistTo,
    async restartWorker(extra) {
      await stack.worker.stop();
      stack.worker = await start(extra);
    },
    d1() {
      const dir = path.join(persistTo, "v3/d1/miniflare-D1DatabaseObject");
      const file = readdirSync(dir).find((name) => name.endsWith(".sqlite") && name !== "metadata.sqlite");
      if (!file) throw new Error(`no D1 database under ${dir}`);
      const db = new DatabaseSync(path.join(dir, file));
      // workerd holds the same file: wait for its write lock rather than fail.
      db.exec("pragma busy_timeout = 10000");
      return db;
    },
    async close() {
      await stack.worker.stop();
      await Promise.all([github.close(), ai.close(), opendigger.close()]);
    },
  };
  return stack;
}

/** Signs `login` in (the emulator user must exist) and returns the session. */
export async function signIn(stack: Stack, login: string): Promise<{ sessionToken: string; userId: number }> {
  // The sign-in throttle counts per client address; the suite signs in far more users than a
  // person would from one address, so it starts each sign-in from a clean window.
  const db = stack.d1();
  try {
    db.exec("delete from sign_in_attempts");
  } finally {
    db.close();
  }
  const response = await fetch(`${stack.worker.url}/api/auth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ githubToken: `emulator-token-${login}` }),
  });
  if (response.status !== 200) throw new Error(`sign-in of ${login}: HTTP ${response.status} ${await response.text()}`);
  const body = AuthTokenResponse.parse(await response.json());
  return { sessionToken: body.sessionToken, userId: body.user.id };
}

export type SyncOutcome = { final: SyncEvent | null; events: SyncEvent[]; wallMs: number; status: number };

/** `POST /api/repositories/sync` as SSE until `done`/`error` (or the stream ends: the Worker died). */
export async function sync(
  url: string,
  sessionToken: string,
  onEvent?: (event: SyncEvent) => void,
): Promise<SyncOutcome> {
  const started = Date.now();
  const events: SyncEvent[] = [];
  let status = 0;
  try {
    const response = await fetch(`${url}/api/repositories/sync`, {
      method: "POST",
      headers: { Authorization: `Bearer ${sessionToken}` },
    });
    status = response.status;
    if (!response.ok || !response.body) return { final: null, events, wallMs: Date.now() - started, status };
    for await (const event of readSse(response.body)) {
      events.push(event);
      onEvent?.(event);
      if (isFinal(event)) break;
    }
  } catch {
    // The connection broke (the Worker was stopped): the caller decides what that means.
  }
  const last = events.at(-1) ?? null;
  return { final: last && isFinal(last) ? last : null, events, wallMs: Date.now() - started, status };
}

export async function authed(
  url: string,
  sessionToken: string,
  pathName: string,
  init: RequestInit = {},
): Promise<Response> {
  return fetch(`${url}${pathName}`, {
    ...init,
    headers: { Authorization: `Bearer ${sessionToken}`, ...(init.headers ?? {}) },
  });
}
