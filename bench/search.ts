// `npm run bench:search`: search over a 10,000-star library in local D1 with the local (D1)
// vector store, through the Worker's HTTP API (`wrangler dev --local`), keyword-only against
// hybrid in one run. The library is made the way a user's is: the GitHub emulator's stars
// synced by the real Workflow, analysed and embedded through the AI emulator (TF-IDF
// embeddings, emulators/ai/README.md). Then every labelled query of bench/search-queries.json
// is asked `--runs` times against the Worker with the embedding model (hybrid), and again
// against the same database with EMBEDDING_PROVIDER=none (keyword-only).
//
// Latency: wall time of `GET /api/search?limit=30` (what the new tab asks) seen by the client,
// after one warm-up pass (the D1 vector store keeps its scan codes per isolate), with the
// Worker's own `Server-Timing` parts. Relevance: from one answer of 50 per query, recall@10
// and MRR over distinct repositories: the emulator's universe repeats each corpus repository
// as variants `owner/name-vK` with the same README, which count as that repository (ten
// variants of one repository are one result, not ten).
//
//   npm run bench:search -- [--stars 10000] [--runs 5] [--limit 30] [--state DIR] [--json] [--verbose]
//   --state DIR keeps the synced library in DIR and reuses it next time (the sync is the slow part).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { startAiEmulator } from "../emulators/ai/server.ts";
import { startGithubEmulator } from "../emulators/github/server.ts";
import { startOpendiggerEmulator } from "../emulators/opendigger/server.ts";
import {
  emulatorVars,
  projectRoot,
  freePort,
  startWorker,
  type WorkerProcess,
} from "../emulators/scripts/worker-process.ts";
import { DoneData, isFinal, readSse, type SyncEvent } from "../shared/events.ts";
import { SearchResponse } from "../shared/search.ts";

const { values } = parseArgs({
  options: {
    stars: { type: "string", default: "10000" },
    runs: { type: "string", default: "5" },
    limit: { type: "string", default: "30" },
    state: { type: "string" },
    queries: { type: "string", default: path.join(projectRoot, "bench/search-queries.json") },
    json: { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
  },
});

const log = (message: string) => {
  if (!values.json) console.error(message);
};

/** How a query remembers its repository (bench/search-queries.json's `about` says each). */
export const QUERY_KINDS = [
  "purpose",
  "phrase",
  "name",
  "partial",
  "typo",
  "paraphrase",
  "mixed",
  "notes",
  "tags",
] as const;

export const LabelledQueries = z.object({
  about: z.string(),
  queries: z
    .array(
      z.object({
        q: z.string().min(1),
        kind: z.enum(QUERY_KINDS),
        lang: z.enum(["en", "zh"]),
        relevant: z.array(z.string().regex(/^[^/]+\/[^/]+$/)).min(1),
      }),
    )
    .min(40),
  annotations_about: z.string().optional(),
  /** The user's own notes and tags, written onto the synced stars before measuring (the notes and tags queries). */
  annotations: z
    .array(
      z
        .object({
          repository: z.string().regex(/^[^/]+\/[^/]+$/),
          notes: z.string().min(1).optional(),
          tags: z.array(z.string().min(1)).min(1).optional(),
        })
        .refine((annotation) => annotation.notes !== undefined || annotation.tags !== undefined, "notes or tags"),
    )
    .default([]),
  /** Queries nothing should match (nonsense, everyday questions): the "no match" measure. */
  unanswerable_about: z.string().optional(),
  unanswerable: z.array(z.string().min(1)).default([]),
});
export type LabelledQuery = z.infer<typeof LabelledQueries>["queries"][number];

/** The corpus repository a result stands for: `owner/name-v12` is a variant of `owner/name`. */
export const projectOf = (fullName: string) => fullName.replace(/-v\d+$/, "").toLowerCase();

/** Distinct projects in rank order. */
export function distinctProjects(fullNames: readonly string[]): string[] {
  return [...new Set(fullNames.map(projectOf))];
}

/** recall@k and reciprocal rank of one answer, over distinct projects. */
export function relevance(
  fullNames: readonly string[],
  relevant: readonly string[],
  k = 10,
): { recall: number; reciprocalRank: number } {
  const wanted = new Set(relevant.map((name) => name.toLowerCase()));
  const ranked = distinctProjects(fullNames);
  const found = ranked.slice(0, k).filter((name) => wanted.has(name)).length;
  const first = ranked.findIndex((name) => wanted.has(name));
  return { recall: found / wanted.size, reciprocalRank: first === -1 ? 0 : 1 / (first + 1) };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

type Mode = "keyword" | "hybrid";
/** What the sync of a kept library reported (`--state`). */
const SyncInfo = z.object({ stars: z.number(), wallMs: z.number(), stats: DoneData.shape.stats });
type SyncInfo = z.infer<typeof SyncInfo>;
/** Answers this deep are scored for relevance (ten distinct repositories may take more than ten hits). */
const RELEVANCE_LIMIT = 50;

type Measured = {
  mode: Mode;
  latenciesMs: number[];
  /** `Server-Timing` of every timed request, by part. */
  parts: Record<string, number[]>;
  answers: Map<string, string[]>;
  /** Answers whose `mode` was not the one this phase runs (a failing embedder says keyword). */
  wrongMode: number;
  /** Unanswerable queries answered with no match at all. */
  noMatch: number;
};

async function signIn(worker: WorkerProcess): Promise<string> {
  const response = await fetch(`${worker.url}/api/auth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ githubToken: "emulator-token-octocat" }),
  });
  if (!response.ok) throw new Error(`sign-in: ${response.status} ${await response.text()}`);
  return z.object({ sessionToken: z.string() }).parse(await response.json()).sessionToken;
}

/** The first sync through the public API, SSE until done (re-attached if the stream drops). */
async function sync(worker: WorkerProcess, session: string): Promise<{ done: DoneData; wallMs: number }> {
  const started = performance.now();
  const headers = { Authorization: `Bearer ${session}` };
  let response = await fetch(`${worker.url}/api/repositories/sync`, { method: "POST", headers });
  let last: SyncEvent | undefined;
  let lastPhase = "";
  for (;;) {
    if (!response.ok || !response.body) throw new Error(`sync: HTTP ${response.status} ${await response.text()}`);
    try {
      for await (const event of readSse(response.body)) {
        last = event;
        if (event.event === "progress" && event.data.phase !== lastPhase) {
          lastPhase = event.data.phase;
          log(`  sync: ${lastPhase} after ${((performance.now() - started) / 1000).toFixed(0)} s`);
        }
        if (isFinal(event)) break;
      }
    } catch (error) {
      log(`  (event stream dropped: ${String(error)}; re-attaching)`);
    }
    if (last && isFinal(last)) break;
    response = await fetch(`${worker.url}/api/sync/events`, { headers });
  }
  if (last?.event !== "done") throw new Error(`sync did not finish: ${JSON.stringify(last)}`);
  return { done: last.data, wallMs: performance.now() - started };
}

async function ask(worker: WorkerProcess, session: string, q: string, limit: number) {
  const url = `${worker.url}/api/search?${new URLSearchParams({ q, limit: String(limit) })}`;
  const started = performance.now();
  const response = await fetch(url, { headers: { Authorization: `Bearer ${session}` } });
  const text = await response.text();
  const ms = performance.now() - started;
  if (!response.ok) throw new Error(`search ${JSON.stringify(q)}: HTTP ${response.status} ${text}`);
  const parts: Record<string, number> = {};
  for (const entry of (response.headers.get("Server-Timing") ?? "").split(",")) {
    const match = /^\s*([\w-]+);dur=([\d.]+)/.exec(entry);
    if (match) parts[match[1]!] = Number(match[2]);
  }
  return { ms, parts, answer: SearchResponse.parse(JSON.parse(text)) };
}

async function measure(
  worker: WorkerProcess,
  session: string,
  mode: Mode,
  queries: readonly LabelledQuery[],
  unanswerable: readonly string[],
  runs: number,
  limit: number,
): Promise<Measured> {
  const measured: Measured = { mode, latenciesMs: [], parts: {}, answers: new Map(), wrongMode: 0, noMatch: 0 };
  for (const q of unanswerable) {
    const { answer } = await ask(worker, session, q, limit);
    if (answer.items.length === 0) measured.noMatch++;
  }
  // Warm-up, and the answers scored for relevance: the isolate, D1's pages and the vector
  // store's scan cache are then as a used Worker has them.
  for (const { q } of queries) {
    const { answer } = await ask(worker, session, q, RELEVANCE_LIMIT);
    if (answer.mode !== mode) measured.wrongMode++;
    measured.answers.set(
      q,
      answer.items.map((item) => item.fullName),
    );
  }
  for (let run = 0; run < runs; run++) {
    for (const { q } of queries) {
      const { ms, parts, answer } = await ask(worker, session, q, limit);
      measured.latenciesMs.push(ms);
      for (const [part, value] of Object.entries(parts)) {
        measured.parts[part] ??= [];
        measured.parts[part].push(value);
      }
      if (answer.mode !== mode) measured.wrongMode++;
    }
  }
  return measured;
}

function summarise(measured: Measured, queries: readonly LabelledQuery[]) {
  const sorted = [...measured.latenciesMs].sort((a, b) => a - b);
  const scores = queries.map((query) => ({ query, ...relevance(measured.answers.get(query.q) ?? [], query.relevant) }));
  const mean = (list: readonly number[]) => list.reduce((sum, value) => sum + value, 0) / Math.max(1, list.length);
  const byLang = (lang: "en" | "zh") => scores.filter((score) => score.query.lang === lang);
  return {
    mode: measured.mode,
    requests: sorted.length,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    recallAt10: mean(scores.map((score) => score.recall)),
    mrr: mean(scores.map((score) => score.reciprocalRank)),
    en: { recallAt10: mean(byLang("en").map((s) => s.recall)), mrr: mean(byLang("en").map((s) => s.reciprocalRank)) },
    zh: { recallAt10: mean(byLang("zh").map((s) => s.recall)), mrr: mean(byLang("zh").map((s) => s.reciprocalRank)) },
    wrongMode: measured.wrongMode,
    noMatch: measured.noMatch,
    /** Median and p95 of each part the Worker reported (ms; Workers' clock moves only across I/O). */
    parts: Object.fromEntries(
      Object.entries(measured.parts).map(([part, list]) => {
        const sortedPart = [...list].sort((a, b) => a - b);
        return [part, { p50: percentile(sortedPart, 50), p95: percentile(sortedPart, 95) }];
      }),
    ),
    perQuery: scores.map((score) => ({
      q: score.query.q,
      recall: score.recall,
      reciprocalRank: score.reciprocalRank,
      top: distinctProjects(measured.answers.get(score.query.q) ?? []).slice(0, 3),
    })),
  };
}

async function main() {
  const stars = Number(values.stars);
  const runs = Number(values.runs);
  const limit = Number(values.limit);
  const { queries, unanswerable } = LabelledQueries.parse(JSON.parse(readFileSync(values.queries, "utf8")));
  const github = await startGithubEmulator({ port: 0, stars, seed: 1, quiet: true });
  const ai = await startAiEmulator({ port: 0, quiet: true });
  const opendigger = await startOpendiggerEmulator({ port: 0, quiet: true });
  const state = values.state
    ? path.resolve(values.state)
    : await mkdtemp(path.join(tmpdir(), "starwise-bench-search-"));
  const marker = path.join(state, "bench-search.json");
  // One user asking hundreds of searches a minute: past the per-user budget (worker/search/budget.ts), which
  // would answer 429 instead of measuring the search.
  const enrichment = {
    ...emulatorVars({ github: github.url, ai: ai.url, opendigger: opendigger.url }),
    SEARCHES_PER_MINUTE: "1000000",
  };
  let worker: WorkerProcess | undefined;
  const start = async (vars: Record<string, string>) =>
    startWorker({
      port: await freePort(),
      persistTo: state,
      vars,
      stdio: values.verbose ? "inherit" : "log",
      watch: false,
    });
  try {
    const results = [];
    let syncInfo: SyncInfo | null = null;
    for (const mode of ["hybrid", "keyword"] as const) {
      worker = await start(mode === "hybrid" ? enrichment : { ...enrichment, EMBEDDING_PROVIDER: "none" });
      const session = await signIn(worker);
      if (mode === "hybrid") {
        const kept = existsSync(marker) ? SyncInfo.parse(JSON.parse(readFileSync(marker, "utf8"))) : null;
        if (kept && kept.stars === stars) {
          syncInfo = kept;
          log(`Reusing the synced library in ${state} (${stars.toLocaleString("en")} stars)`);
        } else {
          log(`Syncing ${stars.toLocaleString("en")} stars (analysis and embeddings through the AI emulator)…`);
          const { done, wallMs } = await sync(worker, session);
          syncInfo = { stars: done.total, wallMs, stats: done.stats };
          log(
            `  done: ${done.total} stars in ${(wallMs / 1000).toFixed(0)} s; ` +
              `enrichment ${JSON.stringify(done.stats.enrichment ?? null)}`,
          );
          if (values.state) writeFileSync(marker, JSON.stringify(syncInfo));
        }
      }
      log(`Measuring ${mode}: ${queries.length} queries × ${runs} runs (limit ${limit})…`);
      results.push(summarise(await measure(worker, session, mode, queries, unanswerable, runs, limit), queries));
      await worker.stop();
      worker = undefined;
    }
    const report = {
      date: new Date().toISOString().slice(0, 10),
      machine: `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}`,
      stars,
      queries: {
        total: queries.length,
        en: queries.filter((q) => q.lang === "en").length,
        zh: queries.filter((q) => q.lang === "zh").length,
        unanswerable: unanswerable.length,
      },
      runs,
      limit,
      sync: syncInfo,
      results,
    };
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else {
      console.log(table(report));
      if (values.verbose) {
        const [hybrid, keyword] = results;
        for (let i = 0; i < queries.length; i++) {
          const h = hybrid!.perQuery[i]!;
          const k = keyword!.perQuery[i]!;
          console.log(
            `${h.q}\n  keyword RR ${k.reciprocalRank.toFixed(2)} R ${k.recall.toFixed(2)} ${k.top.join(", ")}\n` +
              `  hybrid  RR ${h.reciprocalRank.toFixed(2)} R ${h.recall.toFixed(2)} ${h.top.join(", ")}`,
          );
        }
      }
    }
    for (const result of results)
      if (result.wrongMode > 0) log(`warning: ${result.wrongMode} ${result.mode} answers came back in another mode`);
  } finally {
    await worker?.stop();
    await Promise.all([github.close(), ai.close(), opendigger.close()]);
    if (!values.state) {
      await rm(state, { recursive: true, force: true });
      await rm(`${state}.log`, { force: true });
    }
  }
}

function table(report: {
  date: string;
  machine: string;
  stars: number;
  queries: { total: number; en: number; zh: number; unanswerable: number };
  runs: number;
  results: ReturnType<typeof summarise>[];
}): string {
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const n = (value: number) => value.toFixed(3);
  const lines = [
    `${report.stars.toLocaleString("en")} stars, ${report.queries.total} labelled queries ` +
      `(${report.queries.en} English, ${report.queries.zh} Chinese) × ${report.runs} runs; ` +
      `${report.date}, ${report.machine}`,
    "",
    "| mode | p50 | p95 | recall@10 | MRR | recall@10 en / zh | MRR en / zh | no match (unanswerable) " +
      "| Worker p50 / p95: keyword · embed · vectors · hydrate |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...report.results.map((r) => {
      const part = (name: string) => (r.parts[name] ? `${r.parts[name].p50} / ${r.parts[name].p95}` : "–");
      return (
        `| ${r.mode} | ${ms(r.p50Ms)} | ${ms(r.p95Ms)} | ${n(r.recallAt10)} | ${n(r.mrr)} ` +
        `| ${n(r.en.recallAt10)} / ${n(r.zh.recallAt10)} | ${n(r.en.mrr)} / ${n(r.zh.mrr)} ` +
        `| ${r.noMatch} of ${report.queries.unanswerable} ` +
        `| ${["keyword", "embed", "vectors", "hydrate"].map(part).join(" · ")} |`
      );
    }),
  ];
  return lines.join("\n");
}

if (import.meta.main) {
  await main();
}
