// `npm run bench:search`: search through the Worker's HTTP API (`wrangler dev --local`, local D1,
// the D1 vector store) over libraries made the way a user's is: the GitHub emulator's stars synced
// by the real Workflow, analysed and embedded through the AI emulator. Two embedding models in one
// run, each on its own library:
// - `hashed` (the AI emulator's feature-hashed TF-IDF, 1,024 dimensions; lexical, instant) on the
//   big library (`--stars`, 10,000): latency, and relevance;
// - `use-lite` (Universal Sentence Encoder lite, 512 dimensions, a real model; emulators/ai/use-lite.ts)
//   on a library it embeds in minutes on 2 cores (`--real-stars`, 1,000; its vectors are kept on
//   disk, so only the first run pays): relevance, the figure to believe for paraphrases.
// Each model is asked by every `--variants` entry (bench/variants.ts): `keyword` (EMBEDDING_PROVIDER=none
// on the same database), `hybrid`, or either with Worker vars of its own (`hybrid[SEARCH_FUSION=rrf]`).
//
// Before measuring, the user's own notes and tags of bench/search-queries.json's `annotations` are
// written onto the synced stars through `PATCH /api/repositories/:owner/:name` (the same values
// every run). Latency: wall time of `GET /api/search?limit=30` (what the new tab asks) seen by the
// client, after one warm-up pass (the D1 vector store keeps its scan codes per isolate), with the
// Worker's own `Server-Timing` parts. Relevance: from one answer of 50 per query, recall@10 and MRR
// over distinct repositories: the emulator's universe repeats each corpus repository as variants
// `owner/name-vK`, which count as that repository (ten variants of one repository are one result).
// Reported overall, per language and per kind, with the unanswerable queries answered with no match
// at all, and the queries keyword-only ranks first and the variant does not.
//
//   npm run bench:search -- [--stars 10000] [--real-stars 1000] [--models hashed,use-lite]
//                           [--variants keyword,hybrid] [--runs 5] [--real-runs 0] [--limit 30]
//                           [--state DIR] [--json] [--verbose]
//   --state DIR keeps each synced library in DIR/<model>-<stars> and reuses it next time (the sync
//   is the slow part).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { startAiEmulator } from "../emulators/ai/server.ts";
import { USE_LITE_DIMENSIONS, USE_LITE_MODEL } from "../emulators/ai/use-lite.ts";
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
import {
  parseSearchVariants,
  SEARCH_VARIANTS_SYNTAX,
  VariantError,
  workerVarNames,
  type SearchVariant,
} from "./variants.ts";

// The command line only when this file is the program: bench/search-ab.ts imports its helpers.
const { values } = parseArgs({
  args: import.meta.main ? process.argv.slice(2) : [],
  options: {
    stars: { type: "string", default: "10000" },
    "real-stars": { type: "string", default: "1000" },
    models: { type: "string", default: "hashed,use-lite" },
    variants: { type: "string", default: "keyword,hybrid" },
    runs: { type: "string", default: "5" },
    "real-runs": { type: "string", default: "0" },
    limit: { type: "string", default: "30" },
    state: { type: "string" },
    queries: { type: "string", default: path.join(projectRoot, "bench/search-queries.json") },
    json: { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
  },
});

/** Progress on stderr (with `--json` too: stdout is the report alone). */
const log = (message: string) => console.error(message);

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
type LabelledQueries = z.infer<typeof LabelledQueries>;
export type LabelledQuery = LabelledQueries["queries"][number];

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

/** What a kept library's sync reported (`--state`). */
const SyncInfo = z.object({ stars: z.number(), wallMs: z.number(), stats: DoneData.shape.stats });
type SyncInfo = z.infer<typeof SyncInfo>;
/** Answers this deep are scored for relevance (ten distinct repositories may take more than ten hits). */
const RELEVANCE_LIMIT = 50;

type ModelName = "hashed" | "use-lite";
type Model = {
  name: ModelName;
  stars: number;
  /** Timed passes over the labelled queries after the warm-up (0: relevance only). */
  runs: number;
  /** The Worker's vars for this model (on top of the emulators'). */
  vars: Record<string, string>;
};

const MODEL_VARS: Record<ModelName, Record<string, string>> = {
  // The emulator's default embedding model, as the rest of the test world uses it.
  hashed: {},
  // One request of 100 README chunks is ~13 s of the real model; the default 2,048 would be minutes.
  "use-lite": {
    EMBEDDING_MODEL: USE_LITE_MODEL,
    EMBEDDING_DIMENSIONS: String(USE_LITE_DIMENSIONS),
    EMBEDDING_BATCH_SIZE: "100",
  },
};

type Measured = {
  variant: SearchVariant;
  latenciesMs: number[];
  /** `Server-Timing` of every timed request, by part. */
  parts: Record<string, number[]>;
  answers: Map<string, string[]>;
  /** Answers whose `mode` was not the one this variant runs (a failing embedder says keyword). */
  wrongMode: number;
  /** Unanswerable queries answered with no match at all. */
  noMatch: number;
  /** Items the unanswerable queries were answered with, in all. */
  unanswerableItems: number;
};

export async function signIn(worker: WorkerProcess): Promise<string> {
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

/** The user's own notes and tags onto their stars, through the API a person's edits take. */
async function annotate(worker: WorkerProcess, session: string, annotations: LabelledQueries["annotations"]) {
  for (const annotation of annotations) {
    const [owner, name] = annotation.repository.split("/");
    const body = {
      ...(annotation.notes !== undefined ? { notes: annotation.notes } : {}),
      ...(annotation.tags !== undefined ? { customTags: annotation.tags } : {}),
    };
    const response = await fetch(
      `${worker.url}/api/repositories/${encodeURIComponent(owner!)}/${encodeURIComponent(name!)}`,
      {
        method: "PATCH",
        headers: { Authorization: `Bearer ${session}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      },
    );
    if (!response.ok)
      throw new Error(`annotating ${annotation.repository}: HTTP ${response.status} ${await response.text()}`);
  }
}

/** One `GET /api/search`: the client's wall time, the Worker's `Server-Timing` parts, the body as JSON (unchecked). */
export async function timedSearch(worker: WorkerProcess, session: string, q: string, limit: number) {
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
  return { ms, parts, body: JSON.parse(text) as unknown };
}

async function ask(worker: WorkerProcess, session: string, q: string, limit: number) {
  const { ms, parts, body } = await timedSearch(worker, session, q, limit);
  return { ms, parts, answer: SearchResponse.parse(body) };
}

async function measure(
  worker: WorkerProcess,
  session: string,
  variant: SearchVariant,
  queries: readonly LabelledQuery[],
  unanswerable: readonly string[],
  runs: number,
  limit: number,
): Promise<Measured> {
  const measured: Measured = {
    variant,
    latenciesMs: [],
    parts: {},
    answers: new Map(),
    wrongMode: 0,
    noMatch: 0,
    unanswerableItems: 0,
  };
  for (const q of unanswerable) {
    const { answer } = await ask(worker, session, q, limit);
    if (answer.items.length === 0) measured.noMatch++;
    measured.unanswerableItems += answer.items.length;
  }
  // Warm-up, and the answers scored for relevance: the isolate, D1's pages and the vector
  // store's scan cache are then as a used Worker has them.
  for (const { q } of queries) {
    const { answer } = await ask(worker, session, q, RELEVANCE_LIMIT);
    if (answer.mode !== variant.mode) measured.wrongMode++;
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
      if (answer.mode !== variant.mode) measured.wrongMode++;
    }
  }
  return measured;
}

type Scores = { recallAt10: number; mrr: number; n: number };
const mean = (list: readonly number[]) => list.reduce((sum, value) => sum + value, 0) / Math.max(1, list.length);

function summarise(measured: Measured, queries: readonly LabelledQuery[], keyword: Measured | undefined) {
  const sorted = [...measured.latenciesMs].sort((a, b) => a - b);
  const scores = queries.map((query) => ({ query, ...relevance(measured.answers.get(query.q) ?? [], query.relevant) }));
  const of = (list: typeof scores): Scores => ({
    recallAt10: mean(list.map((score) => score.recall)),
    mrr: mean(list.map((score) => score.reciprocalRank)),
    n: list.length,
  });
  // The queries keyword-only answers first and this variant does not: the top spot fusion lost.
  const keywordFirst = keyword
    ? scores.filter(
        (score) =>
          relevance(keyword.answers.get(score.query.q) ?? [], score.query.relevant).reciprocalRank === 1 &&
          score.reciprocalRank < 1,
      )
    : [];
  return {
    variant: measured.variant.name,
    mode: measured.variant.mode,
    requests: sorted.length,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    ...of(scores),
    en: of(scores.filter((score) => score.query.lang === "en")),
    zh: of(scores.filter((score) => score.query.lang === "zh")),
    kinds: Object.fromEntries(
      QUERY_KINDS.map((kind) => [kind, of(scores.filter((score) => score.query.kind === kind))]),
    ) as Record<(typeof QUERY_KINDS)[number], Scores>,
    keywordFirstLost: keyword ? keywordFirst.map((score) => score.query.q) : null,
    wrongMode: measured.wrongMode,
    noMatch: measured.noMatch,
    unanswerableItems: measured.unanswerableItems,
    /** Median and p95 of each part the Worker reported (ms; Workers' clock moves only across I/O). */
    parts: Object.fromEntries(
      Object.entries(measured.parts).map(([part, list]) => {
        const sortedPart = [...list].sort((a, b) => a - b);
        return [part, { p50: percentile(sortedPart, 50), p95: percentile(sortedPart, 95) }];
      }),
    ),
    perQuery: scores.map((score) => ({
      q: score.query.q,
      kind: score.query.kind,
      recall: score.recall,
      reciprocalRank: score.reciprocalRank,
      top: distinctProjects(measured.answers.get(score.query.q) ?? []).slice(0, 3),
    })),
  };
}
type Summary = ReturnType<typeof summarise>;

async function main() {
  const limit = Number(values.limit);
  const { queries, unanswerable, annotations } = LabelledQueries.parse(
    JSON.parse(readFileSync(values.queries, "utf8")),
  );
  const reserved = new Map<string, string>(
    [
      "GITHUB_API_URL",
      "OPENDIGGER_URL",
      "EMBEDDING_PROVIDER",
      "EMBEDDING_MODEL",
      "EMBEDDING_DIMENSIONS",
      "AI_BASE_URL",
      "AI_API_KEY",
      "CHAT_MODEL",
      "AI_ALLOW_PRIVATE_URLS",
      "VECTOR_STORE",
      "SEARCHES_PER_MINUTE",
    ].map((name) => [name, "the emulators and the model under test (--models)"]),
  );
  let variants: SearchVariant[];
  try {
    variants = parseSearchVariants(values.variants, {
      known: workerVarNames(readFileSync(path.join(projectRoot, "wrangler.toml"), "utf8")),
      reserved,
    });
  } catch (error) {
    if (!(error instanceof VariantError)) throw error;
    console.error(`--variants: ${error.message} (${SEARCH_VARIANTS_SYNTAX})`);
    process.exit(2);
  }
  const models = values.models.split(",").map((name): Model => {
    const trimmed = name.trim();
    if (trimmed === "hashed")
      return { name: trimmed, stars: Number(values.stars), runs: Number(values.runs), vars: MODEL_VARS.hashed };
    if (trimmed === "use-lite")
      return {
        name: trimmed,
        stars: Number(values["real-stars"]),
        runs: Number(values["real-runs"]),
        vars: MODEL_VARS["use-lite"],
      };
    throw new VariantError(`--models: "${trimmed}" is not a model (hashed, use-lite)`);
  });
  const state = values.state
    ? path.resolve(values.state)
    : await mkdtemp(path.join(tmpdir(), "starwise-bench-search-"));
  const reports = [];
  try {
    for (const model of models)
      reports.push(await benchModel(model, variants, state, queries, unanswerable, annotations, limit));
  } finally {
    if (!values.state) await rm(state, { recursive: true, force: true });
  }
  const report = {
    date: new Date().toISOString().slice(0, 10),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}`,
    loadAverage: loadavg().map((value) => Number(value.toFixed(2))),
    queries: {
      total: queries.length,
      en: queries.filter((q) => q.lang === "en").length,
      zh: queries.filter((q) => q.lang === "zh").length,
      kinds: Object.fromEntries(QUERY_KINDS.map((kind) => [kind, queries.filter((q) => q.kind === kind).length])),
      unanswerable: unanswerable.length,
    },
    limit,
    models: reports,
  };
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(tables(report));
    if (values.verbose) for (const model of reports) console.log(perQuery(model.name, model.results));
  }
  for (const model of reports)
    for (const result of model.results)
      if (result.wrongMode > 0)
        log(`warning: ${model.name}: ${result.wrongMode} ${result.variant} answers came back in another mode`);
}

/** One model: its emulators and library (synced once, kept with `--state`), then every variant on it. */
async function benchModel(
  model: Model,
  variants: readonly SearchVariant[],
  stateRoot: string,
  queries: readonly LabelledQuery[],
  unanswerable: readonly string[],
  annotations: LabelledQueries["annotations"],
  limit: number,
) {
  const github = await startGithubEmulator({ port: 0, stars: model.stars, seed: 1, quiet: true });
  const ai = await startAiEmulator({ port: 0, quiet: true, embeddings: model.name });
  const opendigger = await startOpendiggerEmulator({ port: 0, quiet: true });
  const state = path.join(stateRoot, `${model.name}-${model.stars}`);
  const marker = path.join(state, "bench-search.json");
  // One user asking hundreds of searches a minute: past the per-user budget (worker/search/budget.ts), which
  // would answer 429 instead of measuring the search.
  const base = {
    ...emulatorVars({ github: github.url, ai: ai.url, opendigger: opendigger.url }),
    ...model.vars,
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
    worker = await start(base);
    const session = await signIn(worker);
    const kept = existsSync(marker) ? SyncInfo.parse(JSON.parse(readFileSync(marker, "utf8"))) : null;
    let syncInfo: SyncInfo;
    if (kept && kept.stars === model.stars) {
      syncInfo = kept;
      log(`${model.name}: reusing the synced library in ${state} (${model.stars.toLocaleString("en")} stars)`);
    } else {
      log(`${model.name}: syncing ${model.stars.toLocaleString("en")} stars (analysis and embeddings)…`);
      const { done, wallMs } = await sync(worker, session);
      syncInfo = { stars: done.total, wallMs, stats: done.stats };
      log(
        `  done: ${done.total} stars in ${(wallMs / 1000).toFixed(0)} s; ` +
          `enrichment ${JSON.stringify(done.stats.enrichment ?? null)}`,
      );
      writeFileSync(marker, JSON.stringify(syncInfo));
    }
    await annotate(worker, session, annotations);
    await worker.stop();
    worker = undefined;
    const measured: Measured[] = [];
    for (const variant of variants) {
      worker = await start({
        ...base,
        ...variant.vars,
        ...(variant.mode === "keyword" ? { EMBEDDING_PROVIDER: "none" } : {}),
      });
      log(`${model.name}, ${variant.name}: ${queries.length} queries × ${model.runs} timed runs (limit ${limit})…`);
      // The session lives in D1, so it outlives the Worker that issued it (sign-in has its own rate limit).
      measured.push(await measure(worker, session, variant, queries, unanswerable, model.runs, limit));
      await worker.stop();
      worker = undefined;
    }
    const keyword = measured.find((m) => m.variant.name === "keyword");
    return {
      name: model.name,
      stars: model.stars,
      runs: model.runs,
      sync: syncInfo,
      results: measured.map((m) => summarise(m, queries, keyword)),
    };
  } finally {
    await worker?.stop();
    await Promise.all([github.close(), ai.close(), opendigger.close()]);
  }
}

function tables(report: {
  date: string;
  machine: string;
  loadAverage: number[];
  queries: { total: number; en: number; zh: number; kinds: Record<string, number>; unanswerable: number };
  limit: number;
  models: Array<{ name: string; stars: number; runs: number; results: Summary[] }>;
}): string {
  const ms = (value: number) => (Number.isNaN(value) ? "–" : `${value.toFixed(1)} ms`);
  const n = (value: number) => value.toFixed(3);
  const lines = [
    `${report.queries.total} labelled queries (${report.queries.en} English, ${report.queries.zh} Chinese), ` +
      `${report.queries.unanswerable} unanswerable; ${report.date}, ${report.machine}, ` +
      `load average ${report.loadAverage.join(" / ")} at the end`,
  ];
  for (const model of report.models) {
    lines.push(
      "",
      `${model.name}: ${model.stars.toLocaleString("en")} stars, ${model.runs} timed runs`,
      "",
      "| variant | p50 | p95 | recall@10 | MRR | recall@10 en / zh | MRR en / zh | no match (unanswerable) " +
        "| keyword 1st, this not | Worker p50 / p95: keyword · embed · vectors · hydrate |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
      ...model.results.map((r) => {
        const part = (name: string) => (r.parts[name] ? `${r.parts[name].p50} / ${r.parts[name].p95}` : "–");
        return (
          `| ${r.variant} | ${ms(r.p50Ms)} | ${ms(r.p95Ms)} | ${n(r.recallAt10)} | ${n(r.mrr)} ` +
          `| ${n(r.en.recallAt10)} / ${n(r.zh.recallAt10)} | ${n(r.en.mrr)} / ${n(r.zh.mrr)} ` +
          `| ${r.noMatch} of ${report.queries.unanswerable} ` +
          `| ${r.keywordFirstLost === null ? "–" : r.keywordFirstLost.length} ` +
          `| ${["keyword", "embed", "vectors", "hydrate"].map(part).join(" · ")} |`
        );
      }),
      "",
      `${model.name}, per kind (recall@10 / MRR):`,
      "",
      `| kind (queries) | ${model.results.map((r) => r.variant).join(" | ")} |`,
      `| --- | ${model.results.map(() => "---").join(" | ")} |`,
      ...QUERY_KINDS.map(
        (kind) =>
          `| ${kind} (${report.queries.kinds[kind]}) | ` +
          `${model.results.map((r) => `${n(r.kinds[kind].recallAt10)} / ${n(r.kinds[kind].mrr)}`).join(" | ")} |`,
      ),
    );
  }
  return lines.join("\n");
}

/** Every query's reciprocal rank, recall and first three repositories under each variant (`--verbose`). */
function perQuery(model: string, results: readonly Summary[]): string {
  const lines = [`\n${model}, per query:`];
  for (let i = 0; i < (results[0]?.perQuery.length ?? 0); i++) {
    lines.push(`${results[0]!.perQuery[i]!.q} (${results[0]!.perQuery[i]!.kind})`);
    for (const result of results) {
      const q = result.perQuery[i]!;
      lines.push(
        `  ${result.variant.padEnd(28)} RR ${q.reciprocalRank.toFixed(2)} R ${q.recall.toFixed(2)} ${q.top.join(", ")}`,
      );
    }
  }
  return lines.join("\n");
}

if (import.meta.main) {
  await main();
}
