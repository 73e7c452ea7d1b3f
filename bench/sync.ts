// `npm run bench:sync`: the sync, variant against variant in one run, against the GitHub
// emulator under its `github` realism (server time per request, the 10 s cut-off, the
// secondary limits on server time and points per minute, the real hourly budgets). Every
// figure comes from outside the code under test: units, server time, timeouts and
// secondary-limit hits are counted by the emulator; rows written are what D1 reported (for
// the seed, the rows its in-memory database changed).
//
//   npm run bench:sync -- [--sizes 1000,5000] [--variants starwise,seed]
//                         [--scenarios first,resync,hourly,drift,pushed] [--time-scale 1] [--cutoff 10000]
//                         [--cpu-graphql 60000] [--cpu-total 90000] [--resource-limit 0] [--latency 20] [--json]
// [--verbose]
//
// Variants (bench/variants.ts): `starwise` is the Worker as it ships; `starwise[VAR=value;VAR2=value]`
// the Worker with those wrangler.toml vars set for its run (e.g. `starwise[PACER_SIZING=halve]`), so
// two configurations compare in one run; `seed` is the seed's algorithm run from Node against the
// emulator (bench/seed-sync.ts), the baseline. Each variant gets a fresh emulator (and Worker).
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createEmulatorClient, type EmulatorClient, type EmulatorStats } from "../emulators/github/client.ts";
import { startGithubEmulator, type GithubEmulator, type GithubEmulatorOptions } from "../emulators/github/server.ts";
import { startAiEmulator } from "../emulators/ai/server.ts";
import { startOpendiggerEmulator } from "../emulators/opendigger/server.ts";
import {
  emulatorVars,
  freePort,
  localVars,
  projectRoot,
  startWorker,
  type WorkerProcess,
} from "../emulators/scripts/worker-process.ts";
import { isFinal, readSse, type DoneData, type SyncEvent } from "../shared/events.ts";
import { seedSync, type SeedRow, type SeedStore } from "./seed-sync.ts";
import { parseVariants, VariantError, VARIANTS_SYNTAX, workerVarNames, type Variant } from "./variants.ts";

/** A command line that cannot run: say why and stop before anything starts. */
function usage(message: string): never {
  console.error(`bench:sync: ${message}`);
  process.exit(2);
}

/** Flags an older benchmark took, and what replaced them. */
const GONE: Record<string, string> = {
  strategies:
    "--strategies is gone: the Worker has one listing path; " +
    `use --variants (${VARIANTS_SYNTAX}), e.g. --variants "starwise,seed"`,
  "over-limit": "--over-limit is gone: it only mattered for the GraphQL listing, which the Worker no longer has",
};

const options = {
  sizes: { type: "string", default: "1000,5000" },
  variants: { type: "string", default: "starwise,seed" },
  scenarios: { type: "string", default: "first,resync,hourly,drift,pushed" },
  /** Network latency per request on top of the modelled server time. */
  latency: { type: "string", default: "20" },
  "time-scale": { type: "string" },
  cutoff: { type: "string" },
  "cpu-graphql": { type: "string" },
  "cpu-total": { type: "string" },
  "resource-limit": { type: "string" },

  json: { type: "boolean", default: false },
  verbose: { type: "boolean", default: false },
} as const;
function flags() {
  try {
    return parseArgs({ options });
  } catch (error) {
    const gone = process.argv
      .map((arg) => /^--([\w-]+)/.exec(arg)?.[1])
      .find((flag) => flag !== undefined && flag in GONE);
    return usage(gone ? GONE[gone]! : error instanceof Error ? error.message : String(error));
  }
}
const { values } = flags();

const HOUR_S = 3600;
/** A Worker keeps at most 6 connections open at once. */
const CONNECTIONS = 6;

type Scenario = "first sync" | "no-change resync" | "hourly resync" | "star counts drift" | "1% pushed";
const SCENARIO_FLAGS: Record<string, Scenario> = {
  first: "first sync",
  // Right after the first sync: GitHub's minute still holds what that sync spent.
  resync: "no-change resync",
  // The same with GitHub's minute empty again, as the hourly resync finds it.
  hourly: "hourly resync",
  // An hourly sync after a third of the repositories gained stars, and after 1% were pushed (each with GitHub's
  // minute empty again).
  drift: "star counts drift",
  pushed: "1% pushed",
};

export type SyncMeasurement = {
  stars: number;
  /** `starwise`, `starwise[VAR=value;…]` or `seed` (bench/variants.ts). */
  variant: string;
  scenario: Scenario;
  /** Wall time, plus the computed wait for budget windows the shortened window let it skip. */
  wallMs: number;
  /**
   * First sync: when every listed star was in the library, findable by name (the Worker: its
   * `fetching` event with listed = total reached the benchmark, and a keyword search for the
   * first and the last star listed then found both; the seed: its last new row). Null otherwise.
   */
  findableMs: number | null;
  /** Primary budget windows the run exhausted (it slept until the reset). */
  exhaustedWindows: number;
  restRequests: number;
  graphqlPoints: number;
  /** REST requests + GraphQL points (penalties included): what counts against the hourly budgets. */
  units: number;
  readmesFetched: number;
  rowsWritten: number;
  /** Rows D1 wrote beyond the rows themselves: FTS rows rewritten by the triggers (null for the seed: no D1). */
  ftsRows: number | null;
  serverMs: { graphql: number; rest: number };
  timeouts: number;
  secondaryHits: number;
  /** The least wall time GitHub's limits allow for this much server time (see `lowerBoundMs`). */
  lowerBoundMs: number;
  /**
   * After the GitHub part: the enrichment phases until `done` (heuristic analysis, embeddings), not in `wallMs`; null
   * for the seed (not run).
   */
  enrichedMs: number | null;
  /** GraphQL server seconds per minute of the run, from the emulator: how full each minute's budget was. */
  graphqlSecondsByMinute: number[];
  /**
   * The same server time as the sync's pacer measured it (response times): above GitHub's count by the network and the
   * isolate's delays.
   */
  measuredMs: { graphql: number; rest: number };
  /** How many GraphQL requests GitHub was running at once, in seconds of the run (idle = budget not used). */
  graphqlConcurrency: { idleS: number; oneS: number; twoOrMoreS: number };
  /** What the scenario changed on GitHub (drifted or pushed repositories, new READMEs). */
  changed?: { repositories: number; newReadmes?: number };
  total: number;
  newCount: number;
  updatedCount: number;
};

const log = (message: string) => {
  if (!values.json) console.error(message);
};

const optionalNumber = (name: string, value: string | undefined) => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n >= 0)) throw new Error(`--${name} must be a number >= 0`);
  return n;
};

/** Realism overrides from the flags: the same code must cope with a harsher (or kinder) GitHub. */
function realism(): NonNullable<GithubEmulatorOptions["realism"]> {
  const overrides: Record<string, number | string> = { preset: "github" };
  const set = (key: string, flag: string) => {
    const value = optionalNumber(flag, values[flag as keyof typeof values] as string | undefined);
    if (value !== undefined) overrides[key] = value;
  };
  set("timeScale", "time-scale");
  set("cutoffMs", "cutoff");
  set("cpuGraphqlMsPerWindow", "cpu-graphql");
  set("cpuTotalMsPerWindow", "cpu-total");
  set("resourceLimitMs", "resource-limit");
  return overrides as NonNullable<GithubEmulatorOptions["realism"]>;
}

/**
 * The lowest wall time in which GitHub's limits let a client spend this much server time:
 * - at most `CONNECTIONS` requests at once from a Worker: T ≥ (G + R) / 6;
 * - at most `cpuGraphql` (B) of GraphQL server time ending in any 60 s window, a sliding one: the
 *   first budget ends at best within B / 6 of the start; each later budget's requests can end only
 *   once as much of the one before has left the window, 60 s after it ended; so G needs
 *   k = ⌈G / B⌉ budgets and T ≥ 60 s × (k − 1) + (G − B × (k − 1)) / 6 (what the last one holds, on
 *   six connections);
 * - the same for `cpuTotal` and G + R;
 * - an exhausted hourly budget: the rest of that hour (the wait the emulator skipped and counted).
 * Network time and the work between requests are free in this bound, so no real client reaches it.
 * (Until 2026-12-06 the bound counted fixed windows, 60 s × (k − 1): 60 s for 99 s of GraphQL
 * time where a sliding window allows no less than 66.5 s.)
 */
function lowerBoundMs(
  serverMs: { graphql: number; rest: number },
  config: { cpuGraphqlMsPerWindow: number; cpuTotalMsPerWindow: number; secondaryWindowMs: number },
  skippedWaitMs: number,
): number {
  const g = serverMs.graphql;
  const all = g + serverMs.rest;
  const sliding = (used: number, budget: number) => {
    if (budget <= 0 || used <= 0) return 0;
    const earlier = Math.ceil(used / budget) - 1;
    return config.secondaryWindowMs * earlier + (used - budget * earlier) / CONNECTIONS;
  };
  return (
    Math.max(all / CONNECTIONS, sliding(g, config.cpuGraphqlMsPerWindow), sliding(all, config.cpuTotalMsPerWindow)) +
    skippedWaitMs
  );
}

/**
 * One sync through the public API, as the extension starts it: SSE until done. A stream that
 * drops is re-attached with `GET /api/sync/events`, which replays the latest event first.
 */
async function syncOnce(
  worker: WorkerProcess,
  session: string,
  /** Full names to look up by keyword once the run says every star is listed (the first and the last listed). */
  probe: string[],
): Promise<{
  done: DoneData;
  wallMs: number;
  findableMs: number | null;
  enrichedMs: number;
  startedAt: number;
  fetchedLagMs: number | null;
}> {
  const started = performance.now();
  const startedAt = Date.now();
  const headers = { Authorization: `Bearer ${session}` };
  let response = await fetch(`${worker.url}/api/repositories/sync`, { method: "POST", headers });
  let last: SyncEvent | undefined;
  let lastListed = 0;
  // The GitHub part ends with `fetched` (every star listed and brought into D1 with its README);
  // the enrichment phases after it do not talk to GitHub.
  let fetchedAt: number | null = null;
  // When the Worker says the GitHub part ended (its clock is this machine's): the event itself
  // can reach us later (the local stack holds SSE frames back; docs/benchmarks in the README).
  let fetchedAtWorker: number | null = null;
  let findableMs: number | null = null;
  for (;;) {
    if (!response.ok || !response.body) throw new Error(`sync: HTTP ${response.status} ${await response.text()}`);
    try {
      for await (const event of readSse(response.body)) {
        last = event;
        if (
          findableMs === null &&
          event.event === "progress" &&
          event.data.phase === "fetching" &&
          event.data.total !== undefined &&
          event.data.total > 0 &&
          event.data.listed === event.data.total
        ) {
          findableMs = performance.now() - started;
          await expectFindable(worker, headers, probe);
        }
        if (event.event === "progress" && event.data.phase === "fetched") {
          fetchedAt ??= performance.now();
          fetchedAtWorker ??= event.data.at ?? null;
        }
        if (
          values.verbose &&
          event.event === "progress" &&
          event.data.phase === "fetching" &&
          (event.data.listed ?? 0) >= lastListed + 1000
        ) {
          lastListed = event.data.listed ?? 0;
          log(
            `    listed ${lastListed} of ${event.data.total ?? "?"} ` +
              `after ${((performance.now() - started) / 1000).toFixed(0)} s`,
          );
        }
        if (isFinal(event)) break;
      }
    } catch (error) {
      log(`    (event stream dropped: ${String(error)}; re-attaching)`);
    }
    if (last && isFinal(last)) break;
    response = await fetch(`${worker.url}/api/sync/events`, { headers });
  }
  const finishedAt = performance.now();
  if (last?.event !== "done") throw new Error(`sync did not finish: ${JSON.stringify(last)}`);
  const arrivedMs = (fetchedAt ?? finishedAt) - started;
  const wallMs = fetchedAtWorker !== null ? Math.min(arrivedMs, fetchedAtWorker - startedAt) : arrivedMs;
  return {
    done: last.data,
    wallMs,
    findableMs,
    enrichedMs: finishedAt - started - wallMs,
    startedAt,
    fetchedLagMs: fetchedAt !== null ? arrivedMs - wallMs : null,
  };
}

/** The run said every star is listed: each probed name must be found by a keyword search now, or the claim is false. */
async function expectFindable(worker: WorkerProcess, headers: Record<string, string>, names: string[]): Promise<void> {
  for (const name of names) {
    const query = new URLSearchParams({ q: name, limit: "50" });
    const response = await fetch(`${worker.url}/api/search?${query}`, { headers });
    if (!response.ok) throw new Error(`search for ${name}: HTTP ${response.status} ${await response.text()}`);
    const { items } = (await response.json()) as { items: Array<{ fullName: string }> };
    if (!items.some((item) => item.fullName === name))
      throw new Error(`every star was said to be listed, but a search for ${name} does not find it`);
  }
}

/** What one sync of a variant reports itself; everything else in a measurement is the emulator's count. */
type SyncRun = {
  /** From the start until the GitHub part ended (the Worker's `fetched`; the seed's last README). */
  wallMs: number;
  /** From the start until every listed star was findable by name (null: not measured). */
  findableMs: number | null;
  enrichedMs: number | null;
  /** Epoch milliseconds. */
  startedAt: number;
  /** How much later the Worker's `fetched` event reached the benchmark (null: not measured). */
  fetchedLagMs: number | null;
  rowsWritten: number;
  ftsRows: number | null;
  measuredMs: { graphql: number; rest: number };
  graphqlWaitedMs?: { paced: number; starved: number } | undefined;
  total: number;
  newCount: number;
  updatedCount: number;
};

/** One sync of the Worker, as the extension starts it. */
async function workerRun(worker: WorkerProcess, session: string, probe: string[]): Promise<SyncRun> {
  const { done, wallMs, findableMs, enrichedMs, startedAt, fetchedLagMs } = await syncOnce(worker, session, probe);
  return {
    wallMs,
    findableMs,
    enrichedMs,
    startedAt,
    fetchedLagMs,
    rowsWritten: done.stats.rowsWritten,
    ftsRows: done.stats.triggerRows ?? 0,
    measuredMs: done.stats.measuredMs ?? { graphql: 0, rest: 0 },
    graphqlWaitedMs: done.stats.graphqlWaitedMs,
    total: done.total,
    newCount: done.new_count,
    updatedCount: done.updated_count,
  };
}

/** One sync of the seed's algorithm, from this process, into `store` (its database across the scenarios). */
async function seedRun(github: GithubEmulator, store: SeedStore): Promise<SyncRun> {
  let lastListed = 0;
  const started = Date.now();
  // The seed writes a row with its README: its library is whole at its last new row.
  let lastNewRowAt: number | null = null;
  const watched: SeedStore = new (class extends Map<number, SeedRow> {
    override set(id: number, row: SeedRow) {
      if (!store.has(id)) lastNewRowAt = Date.now();
      store.set(id, row);
      return this;
    }
    override get(id: number) {
      return store.get(id);
    }
    override has(id: number) {
      return store.has(id);
    }
    override delete(id: number) {
      return store.delete(id);
    }
    override keys() {
      return store.keys();
    }
  })();
  const result = await seedSync({
    apiUrl: github.url,
    token: "emulator-token-octocat",
    store: watched,
    onListed: (listed) => {
      if (values.verbose && listed >= lastListed + 1000) {
        lastListed = listed;
        log(`    listed ${listed} after ${((Date.now() - started) / 1000).toFixed(0)} s`);
      }
    },
  });
  return {
    wallMs: result.wallMs,
    findableMs: lastNewRowAt === null ? null : lastNewRowAt - result.startedAt,
    enrichedMs: null,
    startedAt: result.startedAt,
    fetchedLagMs: null,
    rowsWritten: result.rowsWritten,
    ftsRows: null,
    measuredMs: { graphql: 0, rest: Math.round(result.measuredRestMs) },
    total: result.total,
    newCount: result.newCount,
    updatedCount: result.updatedCount,
  };
}

async function measure(
  github: EmulatorClient,
  run: () => Promise<SyncRun>,
  base: {
    stars: number;
    variant: string;
    scenario: Scenario;
    windowSeconds: number;
    changed?: SyncMeasurement["changed"];
  },
): Promise<SyncMeasurement> {
  const before = await github.stats();
  const { wallMs, findableMs, enrichedMs, startedAt, fetchedLagMs, ...reported } = await run();
  const after = await github.stats();
  const config = (await github.config()).realism;
  const bucket = (s: EmulatorStats) => s.rateLimit.octocat!;
  const token = (s: EmulatorStats) =>
    s.tokens["user:octocat"] ?? {
      serverMs: { graphql: 0, rest: 0 },
      timeouts: 0,
      secondaryLimitHits: 0,
      minutes: [],
      graphqlSpans: [],
    };
  const rest = bucket(after).core.total - bucket(before).core.total;
  const graphql = bucket(after).graphql.total - bucket(before).graphql.total;
  const exhaustedWindows =
    bucket(after).core.exhaustedWindows -
    bucket(before).core.exhaustedWindows +
    (bucket(after).graphql.exhaustedWindows - bucket(before).graphql.exhaustedWindows);
  const skippedWaitMs =
    bucket(after).core.virtualWaitMs -
    bucket(before).core.virtualWaitMs +
    (bucket(after).graphql.virtualWaitMs - bucket(before).graphql.virtualWaitMs);
  const serverMs = {
    graphql: Math.round(token(after).serverMs.graphql - token(before).serverMs.graphql),
    rest: Math.round(token(after).serverMs.rest - token(before).serverMs.rest),
  };
  const { windowSeconds: _window, ...rest_ } = base;
  const spans = token(after).graphqlSpans.slice(token(before).graphqlSpans.length);
  const result: SyncMeasurement = {
    ...rest_,
    wallMs: Math.round(wallMs + skippedWaitMs),
    findableMs: base.scenario === "first sync" && findableMs !== null ? Math.round(findableMs) : null,
    enrichedMs: enrichedMs === null ? null : Math.round(enrichedMs),
    exhaustedWindows,
    restRequests: rest,
    graphqlPoints: graphql,
    units: rest + graphql,
    readmesFetched: (after.readmeDownloads.octocat ?? 0) - (before.readmeDownloads.octocat ?? 0),
    rowsWritten: reported.rowsWritten,
    ftsRows: reported.ftsRows,
    serverMs,
    timeouts: token(after).timeouts - token(before).timeouts,
    secondaryHits: token(after).secondaryLimitHits - token(before).secondaryLimitHits,
    lowerBoundMs: Math.round(lowerBoundMs(serverMs, config, skippedWaitMs)),
    graphqlSecondsByMinute: minutesOf(token(before).minutes, token(after).minutes),
    measuredMs: reported.measuredMs,
    graphqlConcurrency: concurrencyOf(spans),
    total: reported.total,
    newCount: reported.newCount,
    updatedCount: reported.updatedCount,
  };
  log(
    `  ${base.scenario.padEnd(18)} ${(result.wallMs / 1000).toFixed(1).padStart(7)} s ` +
      `(bound ${(result.lowerBoundMs / 1000).toFixed(1)} s)  ` +
      (result.findableMs !== null ? `findable ${(result.findableMs / 1000).toFixed(1)} s  ` : "") +
      `${String(result.units).padStart(5)} units  ${String(result.readmesFetched).padStart(5)} READMEs  ` +
      `${String(result.rowsWritten).padStart(6)} rows  ` +
      `${result.timeouts} timeouts  ${result.secondaryHits} secondary` +
      `${exhaustedWindows ? `  (${exhaustedWindows} hourly budget(s) exhausted)` : ""}`,
  );
  if (result.graphqlSecondsByMinute.length > 1) {
    const { idleS, oneS, twoOrMoreS } = result.graphqlConcurrency;
    log(
      `    GraphQL server s by minute: ${result.graphqlSecondsByMinute.join(" ")}; ` +
        `none running ${idleS} s, one ${oneS} s, two or more ${twoOrMoreS} s`,
    );
    log(
      `    GraphQL server time ${(serverMs.graphql / 1000).toFixed(1)} s as GitHub counted it, ` +
        `${(result.measuredMs.graphql / 1000).toFixed(1)} s as the sync measured it`,
    );
    const waited = reported.graphqlWaitedMs;
    if (waited)
      log(
        `    GraphQL waited ${(waited.paced / 1000).toFixed(1)} s for GitHub's budget (summed over requests), ` +
          `${(waited.starved / 1000).toFixed(1)} s for work while pages were listed`,
      );
    // The emulator runs in this process: its clock is ours. Where the wall time went outside GitHub's GraphQL.
    const at = (epoch: number) => ((epoch - startedAt) / 1000).toFixed(1);
    if (spans.length > 0) {
      log(
        `    first GraphQL request at ${at(Math.min(...spans.map(([a]) => a)))} s, ` +
          `last GraphQL answer at ${at(Math.max(...spans.map(([, b]) => b)))} s, ` +
          `fetched at ${(wallMs / 1000).toFixed(1)} s ` +
          `(its event reached the benchmark ${((fetchedLagMs ?? 0) / 1000).toFixed(1)} s later)`,
      );
      const gaps = idleGaps(spans, 1_000);
      if (gaps.length > 0)
        log(
          `    no GraphQL request running for 1 s or more: ${gaps.length} times, ` +
            gaps.map(([from, to]) => `${at(from)}+${((to - from) / 1000).toFixed(1)}`).join(" ") +
            " (s into the run + s)",
        );
    }
  }
  return result;
}

/**
 * GraphQL server seconds in each minute of the measured run (the emulator's timeline, minus what
 * earlier scenarios left in it): how full each minute's 60 s budget was, to see where a run waited.
 */
function minutesOf(before: Array<[number, number]>, after: Array<[number, number]>): number[] {
  const run = after.map(([graphqlMs], i) => graphqlMs - (before[i]?.[0] ?? 0));
  const first = run.findIndex((ms) => ms > 0);
  return first < 0 ? [] : run.slice(first).map((ms) => Math.round(ms / 100) / 10);
}

/**
 * Seconds, between the run's first GraphQL request and its last answer, during which GitHub was
 * running no GraphQL request of the token, one, or two and more: idle time is budget not used.
 */
function concurrencyOf(spans: Array<[number, number]>): { idleS: number; oneS: number; twoOrMoreS: number } {
  const edges = spans
    .flatMap(([from, to]) => [[from, 1] as const, [to, -1] as const])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const ms = [0, 0, 0];
  let running = 0;
  for (let i = 0; i < edges.length; i++) {
    running += edges[i]![1];
    const next = edges[i + 1];
    if (next) ms[Math.min(2, running)]! += next[0] - edges[i]![0];
  }
  const s = (x: number) => Math.round(x / 100) / 10;
  return { idleS: s(ms[0]!), oneS: s(ms[1]!), twoOrMoreS: s(ms[2]!) };
}

/** Stretches of at least `minMs` between the first GraphQL request and the last answer when none was running. */
function idleGaps(spans: Array<[number, number]>, minMs: number): Array<[number, number]> {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const gaps: Array<[number, number]> = [];
  let reach = sorted[0]?.[1] ?? 0;
  for (const [from, to] of sorted) {
    if (from - reach >= minMs) gaps.push([reach, from]);
    reach = Math.max(reach, to);
  }
  return gaps;
}

/** Pushes 1% of the user's repositories; a fifth of those get a new README. */
async function pushOnePercent(
  github: EmulatorClient,
  stars: number,
): Promise<{ repositories: number; newReadmes: number }> {
  const list = await github.stars("octocat");
  const chosen = list.filter((_, i) => i % 100 === 50).slice(0, Math.max(1, Math.round(stars / 100)));
  let newReadmes = 0;
  for (const [i, repo] of chosen.entries()) {
    const withReadme = i % 5 === 0;
    if (withReadme) newReadmes++;
    await github.push(
      withReadme
        ? { fullName: repo.fullName, readme: `# ${repo.fullName}\n\nRewritten for the benchmark.` }
        : { fullName: repo.fullName },
    );
  }
  return { repositories: chosen.length, newReadmes };
}

/** Starts a Worker with the variant's vars against the emulators and signs octocat in. */
async function startStarwise(
  variant: Extract<Variant, { kind: "starwise" }>,
  urls: { github: string; ai: string; opendigger: string },
  state: string,
): Promise<{ worker: WorkerProcess; session: string }> {
  let worker: WorkerProcess | undefined;
  // Another benchmark on this machine may take the free port first: try a few.
  for (let attempt = 0; !worker; attempt++) {
    try {
      worker = await startWorker({
        port: await freePort(),
        persistTo: state,
        watch: false,
        // Enrichment runs after the GitHub part, against the offline emulators (never the network).
        vars: { ...emulatorVars(urls), ...variant.vars },
        stdio: values.verbose ? "inherit" : "log",
      });
    } catch (error) {
      if (attempt >= 2 || !/already in use/i.test(String(error))) throw error;
    }
  }
  try {
    const signIn = await fetch(`${worker.url}/api/auth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ githubToken: "emulator-token-octocat" }),
    });
    if (!signIn.ok) {
      const body = await signIn.text();
      // The Worker parses its vars on the first request: a value it refuses is this variant's fault.
      if (/not_configured/.test(body)) throw new Error(`${variant.name}: the Worker refuses its vars: ${body}`);
      throw new Error(`sign-in: ${signIn.status} ${body}`);
    }
    const { sessionToken } = (await signIn.json()) as { sessionToken: string };
    // The heuristic analyser: this benchmark measures GitHub, `npm run bench:enrich` the models.
    const settings = await fetch(`${worker.url}/api/settings`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${sessionToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ chatProvider: { kind: "none" } }),
    });
    if (!settings.ok) throw new Error(`settings: ${settings.status} ${await settings.text()}`);
    return { worker, session: sessionToken };
  } catch (error) {
    await worker.stop();
    throw error;
  }
}

async function benchOne(stars: number, variant: Variant, scenarios: Scenario[]): Promise<SyncMeasurement[]> {
  const windowSeconds = HOUR_S;
  // GitHub's real hourly budgets. A run that exhausts one (the seed's REST algorithm needs more
  // than 5,000 requests for 5,000 stars) is not made to wait the rest of the hour for real: the
  // emulator ends the window a second later and counts the wait it skipped, which is added to
  // the wall time below.
  const emulator: GithubEmulator = await startGithubEmulator({
    fastForwardWaits: true,
    port: 0,
    stars,
    seed: 1,
    latencyMs: Number(values.latency),
    quiet: true,
    rateWindowSeconds: windowSeconds,
    realism: realismOverrides,
  });
  const github = createEmulatorClient(emulator.url);
  let ai: Awaited<ReturnType<typeof startAiEmulator>> | undefined;
  let opendigger: Awaited<ReturnType<typeof startOpendiggerEmulator>> | undefined;
  let state: string | undefined;
  let worker: WorkerProcess | undefined;
  try {
    let run: () => Promise<SyncRun>;
    if (variant.kind === "seed") {
      // Its database, in memory, across the scenarios: a resync finds what the first sync stored.
      const store: SeedStore = new Map();
      run = () => seedRun(emulator, store);
    } else {
      // No rate limit that matters here: the enrichment after the GitHub part should not drag on.
      ai = await startAiEmulator({ port: 0, quiet: true, rpm: 100_000 });
      opendigger = await startOpendiggerEmulator({ port: 0, quiet: true });
      state = await mkdtemp(path.join(tmpdir(), "starwise-bench-"));
      const started = await startStarwise(
        variant,
        { github: emulator.url, ai: ai.url, opendigger: opendigger.url },
        state,
      );
      worker = started.worker;
      // The first and the last star GitHub lists (newest and oldest starred): searched for by name
      // once the run says every star is in.
      const truth = (await github.stars("octocat")).sort((a, b) => b.starredAt.localeCompare(a.starredAt));
      const probe = [truth[0]!.fullName, truth.at(-1)!.fullName];
      run = () => workerRun(started.worker, started.session, probe);
    }
    log(`${stars} stars, ${variant.name}:`);
    const results: SyncMeasurement[] = [];
    const base = { stars, variant: variant.name, windowSeconds };
    // The first sync always runs: the other scenarios start from its library.
    results.push(await measure(github, run, { ...base, scenario: "first sync" }));
    for (const scenario of scenarios) {
      if (scenario === "first sync") continue;
      let changed: SyncMeasurement["changed"];
      if (scenario === "star counts drift")
        changed = { repositories: (await github.drift({ fraction: 1 / 3 })).changed };
      if (scenario === "1% pushed") changed = await pushOnePercent(github, stars);
      // GitHub's secondary limits count server time in the last 60 s: an hourly resync finds them empty, and so
      // do the hourly syncs that find stars drifted or repositories pushed. Only the resync right after another
      // sync shares its minute.
      if (scenario !== "no-change resync") await new Promise((resolve) => setTimeout(resolve, 61_000));
      results.push(await measure(github, run, { ...base, scenario, ...(changed ? { changed } : {}) }));
    }
    return scenarios.includes("first sync") ? results : results.slice(1);
  } finally {
    await worker?.stop();
    await Promise.all([emulator.close(), ai?.close(), opendigger?.close()]);
    if (state) {
      await rm(state, { recursive: true, force: true });
      await rm(`${state}.log`, { force: true });
    }
  }
}

function table(rows: SyncMeasurement[]): string {
  const header = [
    "stars",
    "variant",
    "scenario",
    "wall",
    "findable by name",
    "lower bound",
    "units",
    "REST",
    "GQL pts",
    "GQL server s",
    "REST server s",
    "timeouts",
    "secondary",
    "READMEs",
    "rows",
    "FTS rows",
  ];
  const lines = rows.map((r) => [
    r.stars.toLocaleString("en"),
    r.variant,
    r.scenario +
      (r.changed
        ? ` (${r.changed.repositories}${r.changed.newReadmes !== undefined ? `, ${r.changed.newReadmes} READMEs` : ""})`
        : ""),
    `${(r.wallMs / 1000).toFixed(1)} s${r.exhaustedWindows ? ` (${r.exhaustedWindows} h wait)` : ""}`,
    r.findableMs === null
      ? "–"
      : `${(r.findableMs / 1000).toFixed(1)} s (${Math.round((100 * r.findableMs) / r.wallMs)}%)`,
    `${(r.lowerBoundMs / 1000).toFixed(1)} s (${(r.wallMs / Math.max(1, r.lowerBoundMs)).toFixed(2)}×)`,
    String(r.units),
    String(r.restRequests),
    String(r.graphqlPoints),
    (r.serverMs.graphql / 1000).toFixed(0),
    (r.serverMs.rest / 1000).toFixed(0),
    String(r.timeouts),
    String(r.secondaryHits),
    String(r.readmesFetched),
    String(r.rowsWritten),
    ftsRows(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [format(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...lines.map(format)].join("\n");
}

/** The seed has no D1, so no FTS triggers: "–", not 0. */
const ftsRows = (r: SyncMeasurement) => (r.ftsRows === null ? "–" : String(r.ftsRows));

/** The comparisons the sync issue sets as targets, computed from this run's numbers. */
function verdicts(rows: SyncMeasurement[]): string[] {
  const find = (stars: number, variant: string, scenario: Scenario) =>
    rows.find((r) => r.stars === stars && r.variant === variant && r.scenario === scenario);
  const out: string[] = [];
  for (const stars of new Set(rows.map((r) => r.stars))) {
    const firsts = rows
      .filter((r) => r.stars === stars && r.scenario === "first sync")
      .sort((a, b) => a.wallMs - b.wallMs);
    const best = firsts[0];
    const seed = find(stars, "seed", "first sync");
    if (best) {
      out.push(
        `${stars} stars, first sync: fastest ${best.variant} in ${(best.wallMs / 1000).toFixed(1)} s = ` +
          `${(best.wallMs / Math.max(1, best.lowerBoundMs)).toFixed(2)}× its lower bound, ` +
          `${best.units} units, ${best.timeouts} timeouts, ${best.secondaryHits} secondary-limit hits` +
          (seed && seed !== best
            ? `; ${(seed.wallMs / best.wallMs).toFixed(1)}× faster than the seed's algorithm`
            : ""),
      );
    }
    for (const variant of new Set(rows.map((r) => r.variant))) {
      const first = find(stars, variant, "first sync");
      if (first?.findableMs != null)
        out.push(
          `${stars} stars, ${variant}, first sync: ` +
            `every star findable by name at ${(first.findableMs / 1000).toFixed(1)} s, ` +
            `${Math.round((100 * first.findableMs) / first.wallMs)}% of the GitHub part ` +
            `(${(first.wallMs / 1000).toFixed(1)} s)`,
        );
      const hourly = find(stars, variant, "hourly resync");
      const right = find(stars, variant, "no-change resync");
      if (hourly && right)
        out.push(
          `${stars} stars, ${variant}: ` +
            `a resync right after the first sync took ${(right.wallMs / 1000).toFixed(1)} s, ` +
            `${(right.wallMs / Math.max(1, hourly.wallMs)).toFixed(2)}× an hourly resync ` +
            `(${(hourly.wallMs / 1000).toFixed(1)} s)`,
        );
      const noChange = find(stars, variant, "no-change resync");
      if (noChange)
        out.push(
          `${stars} stars, ${variant}, no-change resync: ${noChange.units} units, ` +
            `${noChange.readmesFetched} READMEs, ${noChange.rowsWritten} rows, ${ftsRows(noChange)} FTS rows`,
        );
      const drift = find(stars, variant, "star counts drift");
      if (drift)
        out.push(
          `${stars} stars, ${variant}, star counts drift: ${drift.changed?.repositories} repositories changed, ` +
            `${drift.rowsWritten} rows written, ${ftsRows(drift)} FTS rows rewritten`,
        );
    }
  }
  return out;
}

const sizes = values.sizes
  .split(",")
  .map(Number)
  .filter((n) => n > 0);
const scenarios = values.scenarios.split(",").map((s) => {
  const scenario = SCENARIO_FLAGS[s.trim()];
  if (!scenario) usage(`--scenarios: unknown scenario "${s}" (first, resync, drift, pushed)`);
  return scenario;
});
const variants = (() => {
  // Vars the benchmark sets itself: the Worker must talk to the emulators, and has no Vectorize locally.
  const reserved = new Map<string, string>([
    ...Object.keys(emulatorVars({ github: "", ai: "", opendigger: "" })).map(
      (name) => [name, "it points the Worker at the emulators"] as const,
    ),
    ["GITHUB_GRAPHQL_URL", "GitHub's GraphQL is the emulator's, at GITHUB_API_URL/graphql"],
    ...Object.keys(localVars).map((name) => [name, "the local stand-in for a binding"] as const),
  ]);
  try {
    return parseVariants(values.variants, {
      known: workerVarNames(readFileSync(path.join(projectRoot, "wrangler.toml"), "utf8")),
      reserved,
    });
  } catch (error) {
    if (error instanceof VariantError) usage(`--variants: ${error.message}`);
    throw error;
  }
})();
const realismOverrides = (() => {
  try {
    return realism();
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
})();
const rows: SyncMeasurement[] = [];
for (const stars of sizes) {
  for (const variant of variants) rows.push(...(await benchOne(stars, variant, scenarios)));
}
const settings = { latencyMs: Number(values.latency), realism: realismOverrides };
if (values.json) {
  console.log(JSON.stringify({ settings, results: rows, verdicts: verdicts(rows) }, null, 2));
} else {
  console.log(
    `\nSync benchmark — emulator realism ${JSON.stringify(settings.realism)}, ` +
      `network latency ${settings.latencyMs} ms\n`,
  );
  console.log(table(rows));
  console.log(`\n${verdicts(rows).join("\n")}`);
}
