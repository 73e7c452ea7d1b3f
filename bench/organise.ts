// `npm run bench:organise`: tag operations through the Worker's HTTP API (`wrangler dev --local`, local D1) over a
// library of `--stars` stars (5,000): a merge of two popular tags and a bulk tag of the whole library, each undone
// after, each timed `--runs` times (the library is back as it was after each undo). The library is written straight
// into D1 (the sync is not what is measured): half the stars read analysis A (react, web, frontend), half analysis
// B (reactjs, ui, 前端); 2 stars in 5 carry the user's own tag `reactjs`. The merge makes `reactjs` read as `react`
// (2,000 custom rewrites, 2,500 AI readers re-indexed); the bulk tag adds `organised` to every star (5,000 custom
// rewrites).
//
// Per operation: the Worker's D1 write statements and batches and the rows D1 says they wrote (its `Server-Timing`,
// worker/routes/tags.ts: the log and the bounded writes; the planning reads are not counted), the stars whose
// `stars_fts` row was rewritten (the answer's `indexed`), the Worker's time and the wall time seen by the client
// (median of the runs).
//
//   npm run bench:organise -- [--stars 5000] [--runs 3] [--json]
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { startGithubEmulator } from "../emulators/github/server.ts";
import { d1Execute, freePort, startWorker, type WorkerProcess } from "../emulators/scripts/worker-process.ts";
import { TagOperation, type TagOperationRequest } from "../shared/tags.ts";

const { values } = parseArgs({
  options: {
    stars: { type: "string", default: "5000" },
    runs: { type: "string", default: "3" },
    json: { type: "boolean", default: false },
  },
});
const STARS = Number(values.stars);
const RUNS = Number(values.runs);
const log = (message: string) => console.error(message);

/** The library: repositories, two shared analyses, the user's stars. One statement each. */
function seedSql(userId: number, stars: number): string {
  const a = JSON.stringify(["react", "web", "frontend"]);
  const b = JSON.stringify(["reactjs", "ui", "前端"]);
  return [
    `insert into analyses (input_sha, model, language, summary, tags, created_at) values
      ('organise-a', 'bench', 'en', 'A component library for web interfaces', '${a}', 0),
      ('organise-b', 'bench', 'en', '一个前端组件库', '${b}', 0);`,
    `insert into repositories (github_id, full_name, name, owner_login, html_url, description, topics, stargazers_count,
       is_private, created_at, updated_at)
     with recursive n(i) as (select 0 union all select i + 1 from n where i + 1 < ${stars})
     select 800000000 + i, 'organise/r' || i, 'r' || i, 'organise', 'https://github.com/organise/r' || i,
       'Repository number ' || i, '[]', i, 0, 0, 0 from n;`,
    `insert into stars (user_id, repository_id, starred_at, is_starred, custom_tags, analysis_id, created_at)
     select ${userId}, r.id, 1700000000000 + r.github_id, 1,
       case when (r.github_id - 800000000) % 5 < 2 then '["reactjs","mine"]' else null end,
       (select id from analyses where input_sha =
         case when r.github_id - 800000000 < ${stars / 2} then 'organise-a' else 'organise-b' end), 0
     from repositories r where r.github_id between 800000000 and ${800000000 + stars - 1};`,
  ].join("\n");
}

type Measure = {
  operation: string;
  statements: number;
  batches: number;
  rowsWritten: number;
  repositories: number;
  indexed: number;
  workerMs: number;
  wallMs: number;
};

function timing(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of (header ?? "").split(",")) {
    const [name, ...params] = entry.trim().split(";");
    for (const param of params) {
      const [key, value] = param.split("=");
      if (name && key && value) out[`${name}.${key}`] = value.replaceAll('"', "");
    }
  }
  return out;
}

async function call(worker: WorkerProcess, session: string, route: string, body?: unknown): Promise<Measure> {
  const started = performance.now();
  const response = await fetch(`${worker.url}${route}`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${session}`,
      "Idempotency-Key": crypto.randomUUID(),
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const wallMs = performance.now() - started;
  if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
  const { operation } = z.object({ operation: TagOperation }).parse(await response.json());
  const parts = timing(response.headers.get("Server-Timing"));
  return {
    operation: `${operation.kind}#${operation.id}${operation.status === "undone" ? " undo" : ""}`,
    statements: Number(parts["statements.desc"]),
    batches: Number(parts["batches.desc"]),
    rowsWritten: Number(parts["rows-written.desc"]),
    repositories: operation.repositories,
    indexed: operation.indexed,
    workerMs: Number(parts["total.dur"]),
    wallMs,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const state = await mkdtemp(path.join(tmpdir(), "starwise-organise-"));
  const github = await startGithubEmulator({ port: 0, stars: 0, latencyMs: 0, quiet: true, realism: "ideal" });
  let worker: WorkerProcess | undefined;
  try {
    worker = await startWorker({
      port: await freePort(),
      persistTo: state,
      vars: { GITHUB_API_URL: github.url },
      watch: false,
    });
    const signIn = await fetch(`${worker.url}/api/auth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ githubToken: "emulator-token-octocat" }),
    });
    const { sessionToken, user } = z
      .object({ sessionToken: z.string(), user: z.object({ id: z.number() }) })
      .parse(await signIn.json());
    log(`writing ${STARS.toLocaleString("en")} stars into D1…`);
    await d1Execute(state, seedSql(user.id, STARS));

    const scenarios: Array<[string, TagOperationRequest]> = [
      ["merge reactjs into react", { kind: "merge", from: ["reactjs"], into: "react" }],
      ["bulk tag: the whole library", { kind: "tag", selection: { filter: {} }, add: ["organised"], remove: [] }],
    ];
    const rows: Array<Measure & { scenario: string }> = [];
    for (const [scenario, request] of scenarios) {
      const applied: Measure[] = [];
      const undone: Measure[] = [];
      for (let run = 0; run < RUNS; run++) {
        const measure = await call(worker, sessionToken, "/api/tags/operations", request);
        applied.push(measure);
        const id = Number(measure.operation.split("#")[1]);
        undone.push(await call(worker, sessionToken, `/api/tags/operations/${id}/undo`));
        log(
          `${scenario}: run ${run + 1}: ${Math.round(measure.wallMs)} ms, undo ${Math.round(undone.at(-1)!.wallMs)} ms`,
        );
      }
      for (const [label, list] of [
        ["", applied],
        [" (undo)", undone],
      ] as const) {
        rows.push({
          ...list[0]!,
          scenario: `${scenario}${label}`,
          workerMs: median(list.map((m) => m.workerMs)),
          wallMs: median(list.map((m) => m.wallMs)),
        });
      }
    }

    if (values.json) {
      console.log(JSON.stringify({ stars: STARS, runs: RUNS, rows }, null, 2));
      return;
    }
    console.log(
      `\n${STARS.toLocaleString("en")} stars, median of ${RUNS} runs; ${cpus().length} cores, ` +
        `load ${loadavg()[0]!.toFixed(2)}; wrangler dev --local (workerd, local D1)\n`,
    );
    console.log(
      "| operation | D1 write statements | batches | rows written (D1) | stars changed | FTS rows rewritten " +
        "| Worker ms | wall ms |",
    );
    console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (const row of rows) {
      console.log(
        `| ${row.scenario} | ${row.statements} | ${row.batches} | ${row.rowsWritten.toLocaleString("en")} | ` +
          `${row.repositories.toLocaleString("en")} | ${row.indexed.toLocaleString("en")} | ${row.workerMs} | ` +
          `${Math.round(row.wallMs)} |`,
      );
    }
  } finally {
    await worker?.stop();
    await github.close();
    await rm(state, { recursive: true, force: true });
  }
}

await main();
