// `npm run bench:sync`: the sync, strategy against strategy in one run, against the
// GitHub emulator with realistic latency and GitHub's real budgets (5,000 REST requests
// and 5,000 GraphQL points an hour). Everything charged and downloaded is counted by the
// emulator, not by the code under test; rows written are what D1 reported changing.
//
//   npm run bench:sync -- [--sizes 1000,5000] [--strategies graphql,rest] [--latency 100] [--json]
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startGithubEmulator, type GithubEmulator } from "../emulators/github/server.ts";
import { startWorker, type WorkerProcess } from "../emulators/scripts/worker-process.ts";
import { isFinal, readSse, type DoneData, type SyncEvent } from "../shared/events.ts";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "1000,5000" },
    strategies: { type: "string", default: "graphql,rest" },
    latency: { type: "string", default: "100" },
    // GitHub's budgets refill an hour after the window opened. A run that exhausts them
    // sleeps until then; the bench shortens the window so such a run ends in minutes,
    // and reports the wait it needed (in reality: up to an hour).
    "rate-window": { type: "string", default: "300" },
    json: { type: "boolean", default: false },
    /** Show the Worker's own output (wrangler dev). */
    verbose: { type: "boolean", default: false },
  },
});

type Scenario = "first sync" | "no-change resync" | "1% pushed";
export type SyncMeasurement = {
  stars: number;
  strategy: string;
  scenario: Scenario;
  wallMs: number;
  restRequests: number;
  graphqlPoints: number;
  /** REST requests + GraphQL points: what counts against GitHub's hourly budgets. */
  units: number;
  readmesFetched: number;
  rowsWritten: number;
  /** Times the run hit a budget and slept until its reset. */
  rateLimited: boolean;
  total: number;
  newCount: number;
  updatedCount: number;
};

type EmulatorStats = {
  rateLimit: Record<string, { core: { total: number }; graphql: { total: number } }>;
  readmeDownloads: Record<string, number>;
  requests: { byStatus: Record<string, number> };
};

const log = (message: string) => {
  if (!values.json) console.error(message);
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function control<T>(github: GithubEmulator, pathname: string, body?: unknown): Promise<T> {
  const response = await fetch(`${github.url}/_emulator/${pathname}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`emulator ${pathname}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/**
 * One sync through the public API, as the extension starts it: SSE until done. A stream
 * that drops (a proxy's idle timeout during a long rate-limit wait) is re-attached with
 * `GET /api/sync/events`, which replays the latest event first.
 */
async function syncOnce(worker: WorkerProcess, session: string): Promise<{ done: DoneData; wallMs: number; reattached: number }> {
  const started = performance.now();
  const headers = { Authorization: `Bearer ${session}` };
  let response = await fetch(`${worker.url}/api/repositories/sync`, { method: "POST", headers });
  let last: SyncEvent | undefined;
  let reattached = 0;
  for (;;) {
    if (!response.ok || !response.body) throw new Error(`sync: HTTP ${response.status} ${await response.text()}`);
    try {
      for await (const event of readSse(response.body)) {
        last = event;
        if (isFinal(event)) break;
      }
    } catch (error) {
      log(`    (event stream dropped: ${String(error)}; re-attaching)`);
    }
    if (last && isFinal(last)) break;
    reattached++;
    response = await fetch(`${worker.url}/api/sync/events`, { headers });
  }
  const wallMs = performance.now() - started;
  if (last?.event !== "done") throw new Error(`sync did not finish: ${JSON.stringify(last)}`);
  return { done: last.data, wallMs, reattached };
}

async function measure(
  github: GithubEmulator,
  worker: WorkerProcess,
  session: string,
  base: { stars: number; strategy: string; scenario: Scenario },
): Promise<SyncMeasurement> {
  const before = await control<EmulatorStats>(github, "stats");
  const { done, wallMs } = await syncOnce(worker, session);
  const after = await control<EmulatorStats>(github, "stats");
  const rest = after.rateLimit.octocat!.core.total - before.rateLimit.octocat!.core.total;
  const graphql = after.rateLimit.octocat!.graphql.total - before.rateLimit.octocat!.graphql.total;
  const limited = (s: EmulatorStats) => (s.requests.byStatus["403"] ?? 0) + (s.requests.byStatus["429"] ?? 0);
  const result: SyncMeasurement = {
    ...base,
    wallMs: Math.round(wallMs),
    restRequests: rest,
    graphqlPoints: graphql,
    units: rest + graphql,
    readmesFetched: (after.readmeDownloads.octocat ?? 0) - (before.readmeDownloads.octocat ?? 0),
    rowsWritten: done.stats.rowsWritten,
    rateLimited: limited(after) > limited(before),
    total: done.total,
    newCount: done.new_count,
    updatedCount: done.updated_count,
  };
  log(`  ${base.scenario.padEnd(17)} ${(result.wallMs / 1000).toFixed(1).padStart(7)} s  ${String(result.units).padStart(5)} units  ${String(result.readmesFetched).padStart(5)} READMEs  ${String(result.rowsWritten).padStart(6)} rows${result.rateLimited ? "  (rate limited: waited for the reset)" : ""}`);
  return result;
}

/** Pushes 1% of the user's repositories; a fifth of those get a new README. */
async function pushOnePercent(github: GithubEmulator, stars: number): Promise<{ pushed: number; newReadmes: number }> {
  const { stars: list } = await control<{ stars: Array<{ fullName: string }> }>(github, "stars?login=octocat");
  const chosen = list.filter((_, i) => i % 100 === 50).slice(0, Math.max(1, Math.round(stars / 100)));
  let newReadmes = 0;
  for (const [i, repo] of chosen.entries()) {
    const withReadme = i % 5 === 0;
    if (withReadme) newReadmes++;
    await control(github, "push", withReadme ? { fullName: repo.fullName, readme: `# ${repo.fullName}\n\nRewritten for the benchmark.` } : { fullName: repo.fullName });
  }
  return { pushed: chosen.length, newReadmes };
}

async function benchOne(stars: number, strategy: string, latencyMs: number, windowSeconds: number): Promise<SyncMeasurement[]> {
  const github = await startGithubEmulator({ port: 0, stars, seed: 1, latencyMs, quiet: true, rateWindowSeconds: windowSeconds });
  const state = await mkdtemp(path.join(tmpdir(), "starwise-bench-"));
  let worker: WorkerProcess | undefined;
  try {
    worker = await startWorker({
      port: await freePort(),
      persistTo: state,
      vars: { GITHUB_API_URL: github.url, SYNC_STRATEGY: strategy },
      stdio: values.verbose ? "inherit" : "log",
    });
    const signIn = await fetch(`${worker.url}/api/auth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ githubToken: "emulator-token-octocat" }),
    });
    const { sessionToken } = (await signIn.json()) as { sessionToken: string };
    log(`${stars} stars, ${strategy}:`);
    const results = [await measure(github, worker, sessionToken, { stars, strategy, scenario: "first sync" })];
    results.push(await measure(github, worker, sessionToken, { stars, strategy, scenario: "no-change resync" }));
    const pushed = await pushOnePercent(github, stars);
    const afterPush = await measure(github, worker, sessionToken, { stars, strategy, scenario: "1% pushed" });
    results.push(afterPush);
    log(`    (${pushed.pushed} repositories pushed, ${pushed.newReadmes} with a new README)`);
    return results;
  } finally {
    await worker?.stop();
    await github.close();
    await rm(state, { recursive: true, force: true });
    await rm(`${state}.log`, { force: true });
  }
}

function table(rows: SyncMeasurement[]): string {
  const header = ["stars", "strategy", "scenario", "wall s", "REST req", "GQL pts", "units", "READMEs", "rows written", "rate-limited"];
  const lines = rows.map((r) => [
    String(r.stars), r.strategy, r.scenario, (r.wallMs / 1000).toFixed(1), String(r.restRequests), String(r.graphqlPoints),
    String(r.units), String(r.readmesFetched), String(r.rowsWritten), r.rateLimited ? "yes" : "no",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [format(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...lines.map(format)].join("\n");
}

/** The comparisons the sync issue sets as targets, computed from this run's numbers. */
function verdicts(rows: SyncMeasurement[]): string[] {
  const find = (stars: number, strategy: string, scenario: Scenario) =>
    rows.find((r) => r.stars === stars && r.strategy === strategy && r.scenario === scenario);
  const out: string[] = [];
  for (const stars of new Set(rows.map((r) => r.stars))) {
    const gq = find(stars, "graphql", "first sync");
    const rest = find(stars, "rest", "first sync");
    if (gq && rest) out.push(`${stars} stars, first sync: graphql ${(rest.wallMs / gq.wallMs).toFixed(1)}x faster than rest, ${gq.units} vs ${rest.units} units`);
    if (gq) out.push(`${stars} stars, first sync (graphql): ${gq.units} units`);
    const noChange = find(stars, "graphql", "no-change resync");
    if (noChange) out.push(`${stars} stars, no-change resync (graphql): ${noChange.units} units, ${noChange.readmesFetched} READMEs, ${noChange.rowsWritten} rows`);
    const pushed = find(stars, "graphql", "1% pushed");
    if (pushed) out.push(`${stars} stars, 1% pushed (graphql): ${pushed.readmesFetched} READMEs downloaded, ${pushed.units} units`);
  }
  return out;
}

const sizes = values.sizes.split(",").map(Number).filter((n) => n > 0);
const strategies = values.strategies.split(",").map((s) => s.trim()).filter(Boolean);
const rows: SyncMeasurement[] = [];
for (const stars of sizes) {
  for (const strategy of strategies) {
    rows.push(...(await benchOne(stars, strategy, Number(values.latency), Number(values["rate-window"]))));
  }
}
if (values.json) {
  console.log(JSON.stringify({ latencyMs: Number(values.latency), rateWindowSeconds: Number(values["rate-window"]), results: rows, verdicts: verdicts(rows) }, null, 2));
} else {
  console.log(`\nSync benchmark — emulator latency ${values.latency} ms/request, budget window ${values["rate-window"]} s (GitHub: 3600 s)\n`);
  console.log(table(rows));
  console.log(`\n${verdicts(rows).join("\n")}`);
}
