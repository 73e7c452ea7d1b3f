// `npm run bench:search:ab -- --base <checkout> --library <dir>`: search latency of this tree's Worker against
// another commit's, the two asked in turn. `bench:search` measures its variants one after another; on a small
// machine shared with other work, runs one after another drift by 20–40 % (the machine, the page cache), more than
// the change being measured. Here both Workers run at once, each on its own copy of one synced library, and every
// query is asked of one and then of the other, who goes first alternating, so both meet the machine as it is at
// that moment (answers are not checked: another commit may answer in another shape). Reported: each side's p50
// and p95, the median of the per-query ratios (this tree ÷ base), and the queries that changed most.
//
//   npm run bench:search:ab -- --base DIR --library DIR [--runs 5] [--limit 30] [--mode hybrid|keyword]
//                              [--queries bench/search-queries.json]
//   --base     a checkout of the commit to compare with, with its own node_modules (a `git worktree` with a
//              symlink to this tree's works while the dependencies are the same)
//   --library  a library `bench:search --state DIR` synced, e.g. DIR/hashed-10000 (copied, never changed)
//   --mode     keyword runs both Workers with EMBEDDING_PROVIDER=none
import { existsSync, readFileSync } from "node:fs";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startAiEmulator } from "../emulators/ai/server.ts";
import { startGithubEmulator } from "../emulators/github/server.ts";
import { startOpendiggerEmulator } from "../emulators/opendigger/server.ts";
import { emulatorVars, projectRoot, type WorkerProcess } from "../emulators/scripts/worker-process.ts";
import { LabelledQueries, percentile, signIn, timedSearch } from "./search.ts";

const { values } = parseArgs({
  options: {
    base: { type: "string" },
    library: { type: "string" },
    runs: { type: "string", default: "5" },
    limit: { type: "string", default: "30" },
    mode: { type: "string", default: "hybrid" },
    queries: { type: "string", default: path.join(projectRoot, "bench/search-queries.json") },
  },
});

type Side = { name: string; worker: WorkerProcess; session: string; ms: number[]; parts: Record<string, number[]> };
/** The other checkout's own worker-process.ts is loaded, so its Worker is built from its own tree. */
type WorkerModule = typeof import("../emulators/scripts/worker-process.ts");

const log = (line: string) => console.error(line);

async function main() {
  if (!values.base || !values.library) {
    console.error("usage: npm run bench:search:ab -- --base <checkout> --library <dir> [--runs 5] [--mode hybrid]");
    process.exit(2);
  }
  if (values.mode !== "hybrid" && values.mode !== "keyword") {
    console.error(`--mode: "${values.mode}" is neither hybrid nor keyword`);
    process.exit(2);
  }
  const runs = Number(values.runs);
  const limit = Number(values.limit);
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`--runs: "${values.runs}" is not a whole number of runs, 1 or more`);
    process.exit(2);
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    console.error(`--limit: "${values.limit}" is not a whole number from 1 to 100 (the API's limit)`);
    process.exit(2);
  }
  const base = path.resolve(values.base);
  if (!existsSync(path.join(base, "emulators/scripts/worker-process.ts"))) {
    console.error(`--base: ${base} is not a checkout of this project (no emulators/scripts/worker-process.ts)`);
    process.exit(2);
  }
  if (!existsSync(path.join(values.library, "v3/d1"))) {
    console.error(`--library: ${values.library} holds no synced library (no v3/d1: see bench:search --state)`);
    process.exit(2);
  }
  const labelled = LabelledQueries.parse(JSON.parse(readFileSync(values.queries!, "utf8")));
  const queries = [...labelled.queries.map((q) => q.q), ...labelled.unanswerable];

  // Each Worker gets its own copy: every search writes its user's search budget, and two workerd processes on one
  // SQLite file would wait on each other's locks.
  const scratch = await mkdtemp(path.join(tmpdir(), "starwise-bench-ab-"));
  const github = await startGithubEmulator({ port: 0, stars: 10, seed: 1, quiet: true });
  const ai = await startAiEmulator({ port: 0, quiet: true });
  const opendigger = await startOpendiggerEmulator({ port: 0, quiet: true });
  const vars = {
    ...emulatorVars({ github: github.url, ai: ai.url, opendigger: opendigger.url }),
    SEARCHES_PER_MINUTE: "1000000",
    ...(values.mode === "keyword" ? { EMBEDDING_PROVIDER: "none" } : {}),
  };
  const sides: Side[] = [];
  try {
    for (const [name, root] of [
      ["base", base],
      ["this", projectRoot],
    ] as const) {
      const persistTo = path.join(scratch, name);
      log(`${name}: copying ${values.library} …`);
      await cp(path.resolve(values.library), persistTo, { recursive: true });
      const module = (await import(path.join(root, "emulators/scripts/worker-process.ts"))) as WorkerModule;
      const worker = await module.startWorker({ port: await module.freePort(), persistTo, vars, watch: false });
      sides.push({ name, worker, session: await signIn(worker), ms: [], parts: {} });
    }
    // One pass each to warm the isolate, D1's pages and the vector store's scan codes.
    log(`warm-up: ${queries.length} queries each`);
    for (const q of queries) for (const side of sides) await timedSearch(side.worker, side.session, q, limit);
    log(`${runs} timed runs × ${queries.length} queries, asked in turn (${values.mode})`);
    for (let run = 0; run < runs; run++)
      for (const [i, q] of queries.entries()) {
        // Who goes first alternates from one query to the next and, for each query, from one run to the next.
        const order = (run + i) % 2 === 0 ? sides : [...sides].reverse();
        for (const side of order) {
          const { ms, parts } = await timedSearch(side.worker, side.session, q, limit);
          side.ms.push(ms);
          for (const [part, value] of Object.entries(parts)) {
            side.parts[part] ??= [];
            side.parts[part].push(value);
          }
        }
      }
  } finally {
    await Promise.all(sides.map((side) => side.worker.stop()));
    await Promise.all([github.close(), ai.close(), opendigger.close()]);
    await rm(scratch, { recursive: true, force: true });
  }
  console.log(report(sides as [Side, Side], base));
  console.log(mostChanged(sides as [Side, Side], queries));
}

function report([base, now]: [Side, Side], baseDir: string): string {
  const sorted = (list: readonly number[]) => [...list].sort((a, b) => a - b);
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const ratios = sorted(now.ms.map((value, i) => value / base.ms[i]!));
  const p = (side: Side, q: number) => percentile(sorted(side.ms), q);
  const partNames = [...new Set([...Object.keys(base.parts), ...Object.keys(now.parts)])].sort();
  const partCell = (side: Side) =>
    partNames.map((part) => `${part} ${percentile(sorted(side.parts[part] ?? []), 50).toFixed(0)}`).join(" · ");
  const change = (a: number, b: number) => `${b >= a ? "+" : "−"}${Math.abs((b / a - 1) * 100).toFixed(1)} %`;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}`;
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(" / ");
  const perQuery = `median ${change(1, percentile(ratios, 50))}`;
  return [
    `${values.mode}, ${now.ms.length} searches each (limit ${values.limit}), base ${baseDir}; ` +
      `${new Date().toISOString().slice(0, 10)}, ${machine}, load average ${load} at the end`,
    "",
    "| Worker | p50 | p95 | Worker parts, p50 (ms) |",
    "| --- | --- | --- | --- |",
    `| base | ${ms(p(base, 50))} | ${ms(p(base, 95))} | ${partCell(base)} |`,
    `| this tree | ${ms(p(now, 50))} | ${ms(p(now, 95))} | ${partCell(now)} |`,
    `| change | ${change(p(base, 50), p(now, 50))} | ${change(p(base, 95), p(now, 95))} | per query, ${perQuery} |`,
  ].join("\n");
}

/** The queries whose median time changed most, either way: where to look first. */
function mostChanged([base, now]: [Side, Side], queries: readonly string[]): string {
  const median = (side: Side, i: number) =>
    percentile(
      side.ms.filter((_, j) => j % queries.length === i).sort((a, b) => a - b),
      50,
    );
  const rows = queries
    .map((q, i) => ({ q, base: median(base, i), now: median(now, i) }))
    .sort((a, b) => Math.abs(b.now - b.base) - Math.abs(a.now - a.base))
    .slice(0, 12);
  return [
    "",
    "| query (changed most, median of the runs) | base | this tree |",
    "| --- | --- | --- |",
    ...rows.map((row) => `| ${JSON.stringify(row.q)} | ${row.base.toFixed(1)} ms | ${row.now.toFixed(1)} ms |`),
  ].join("\n");
}

if (import.meta.main) await main();
