// `npm run bench:enrich`: the enrichment of a sync (AI analysis, OpenRank, embeddings) through
// the real HTTP API of a local Worker (`wrangler dev --local`) against the emulators, and the
// seed's approach (no cache, README cut at 8,000 characters, serial embeddings, OpenRank for
// every repository every run) against the same emulators in the same run. Every figure comes
// from outside the code under test: calls, tokens and 429s are counted by the AI and OpenDigger
// emulators; per-analysis input tokens and vectors are read from D1.
//
//   npm run bench:enrich -- [--stars 5000] [--second 4000] [--rpm 200] [--rate-window-ms 10000]
//                           [--ai-latency 50] [--batch 100] [--no-seed] [--json]
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startAiEmulator } from "../emulators/ai/server.ts";
import { createEmulatorClient } from "../emulators/github/client.ts";
import { startGithubEmulator } from "../emulators/github/server.ts";
import { startOpendiggerEmulator } from "../emulators/opendigger/server.ts";
import {
  d1Execute,
  emulatorVars,
  freePort,
  startWorker,
  type WorkerProcess,
} from "../emulators/scripts/worker-process.ts";
import { isFinal, readSse, type DoneData, type SyncEvent } from "../shared/events.ts";

const { values } = parseArgs({
  options: {
    stars: { type: "string", default: "5000" },
    second: { type: "string", default: "4000" },
    rpm: { type: "string", default: "200" },
    "rate-window-ms": { type: "string", default: "10000" },
    "ai-latency": { type: "string", default: "50" },
    batch: { type: "string", default: "100" },
    "no-seed": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const STARS = Number(values.stars);
const SECOND = Math.min(Number(values.second), STARS);
const RPM = Number(values.rpm);
const WINDOW_MS = Number(values["rate-window-ms"]);
const BATCH = Number(values.batch);
const CHAT_MODEL = "starwise-chat";
const EMBED_MODEL = "@cf/baai/bge-m3";
const log = (message: string) => console.error(message);

type AiStats = {
  models: Record<
    string,
    {
      requests: number;
      succeeded: number;
      rateLimited: number;
      promptTokens: number;
      completionTokens: number;
      inputs: number;
    }
  >;
  rateLimited: number;
};
type OdStats = { total: number };

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

type Phases = { analysingMs: number; wallMs: number };

async function sync(worker: WorkerProcess, session: string): Promise<{ done: DoneData } & Phases> {
  const started = performance.now();
  const headers = { Authorization: `Bearer ${session}` };
  let response = await fetch(`${worker.url}/api/repositories/sync`, { method: "POST", headers });
  let last: SyncEvent | undefined;
  let analysingFrom: number | null = null;
  let analysingTo: number | null = null;
  for (;;) {
    if (!response.ok || !response.body) throw new Error(`sync: HTTP ${response.status}`);
    try {
      for await (const event of readSse(response.body)) {
        last = event;
        if (event.event === "progress" && event.data.phase === "analyzing" && analysingFrom === null)
          analysingFrom = performance.now();
        if (
          event.event === "progress" &&
          (event.data.phase === "saving" || event.data.phase === "openrank") &&
          analysingFrom !== null &&
          analysingTo === null
        )
          analysingTo = performance.now();
        if (isFinal(event)) break;
      }
    } catch (error) {
      log(`    (event stream dropped: ${String(error)}; re-attaching)`);
    }
    if (last && isFinal(last)) break;
    response = await fetch(`${worker.url}/api/sync/events`, { headers });
  }
  if (last?.event !== "done") throw new Error(`sync did not finish: ${JSON.stringify(last)}`);
  return {
    done: last.data,
    wallMs: performance.now() - started,
    analysingMs: analysingFrom !== null && analysingTo !== null ? analysingTo - analysingFrom : 0,
  };
}

type Row = {
  approach: "starwise" | "seed";
  scenario: string;
  chatCalls: number;
  analyses: number;
  medianInputTokens: number | null;
  promptTokens: number;
  rateLimited: number;
  /** Analyses that failed their checks twice (invalid output; a 429 is never one). */
  failed: number;
  /** Analyses left for the next sync (a provider down, waits used up): 429s lose none. */
  pending: number;
  embeddingRequests: number;
  embeddingInputs: number;
  expectedEmbeddingRequests: number | null;
  opendigger: number;
  wallMs: number;
  throughput: number | null;
  note?: string;
};

function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main() {
  const github = await startGithubEmulator({
    port: 0,
    stars: STARS,
    seed: 1,
    quiet: true,
    realism: { preset: "ideal" },
  });
  const ai = await startAiEmulator({
    port: 0,
    seed: 1,
    quiet: true,
    rpm: RPM,
    rateWindowMs: WINDOW_MS,
    latencyMs: Number(values["ai-latency"]),
  });
  const od = await startOpendiggerEmulator({ port: 0, seed: 1, quiet: true, now: "2026-11-20T00:00:00Z" });
  const gh = createEmulatorClient(github.url);
  const state = await mkdtemp(path.join(tmpdir(), "starwise-bench-enrich-"));
  const rows: Row[] = [];
  let worker: WorkerProcess | undefined;
  const aiStats = () => json<AiStats>(`${ai.url}/_emulator/stats`);
  const odStats = () => json<OdStats>(`${od.url}/_emulator/stats`);
  try {
    const vars = {
      ...emulatorVars({ github: github.url, ai: ai.url, opendigger: od.url }),
      CHAT_MODEL,
      EMBEDDING_MODEL: EMBED_MODEL,
      EMBEDDING_BATCH_SIZE: String(BATCH),
    };
    // Another wrangler on this machine may take the port between the probe and the start: try again.
    for (let attempt = 0; !worker; attempt++) {
      try {
        worker = await startWorker({ port: await freePort(), persistTo: state, stdio: "log", vars, watch: false });
      } catch (error) {
        if (attempt >= 3 || !/already in use/i.test(String(error))) throw error;
      }
    }
    const signIn = async (login: string) => {
      const answer = await json<{ sessionToken: string }>(`${worker!.url}/api/auth/token`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ githubToken: `emulator-token-${login}` }),
      });
      return answer.sessionToken;
    };

    const measure = async (scenario: string, session: string, options: { expectedChat?: number } = {}) => {
      const beforeAi = await aiStats();
      const beforeOd = await odStats();
      const maxIdBefore =
        (await d1Execute<{ id: number | null }>(state, "select max(id) as id from analyses"))[0]?.id ?? 0;
      const result = await sync(worker!, session);
      const afterAi = await aiStats();
      const afterOd = await odStats();
      const delta = (model: string, key: "requests" | "rateLimited" | "promptTokens" | "inputs") =>
        (afterAi.models[model]?.[key] ?? 0) - (beforeAi.models[model]?.[key] ?? 0);
      const tokens = await d1Execute<{ t: number }>(
        state,
        `select input_tokens as t from analyses where id > ${maxIdBefore} and input_tokens is not null`,
      );
      const e = result.done.stats.enrichment!;
      const inputs = delta(EMBED_MODEL, "inputs");
      const row: Row = {
        approach: "starwise",
        scenario,
        chatCalls: delta(CHAT_MODEL, "requests") - delta(CHAT_MODEL, "rateLimited"),
        analyses: e.analysed,
        medianInputTokens: median(tokens.map((r) => r.t)),
        promptTokens: delta(CHAT_MODEL, "promptTokens"),
        rateLimited: delta(CHAT_MODEL, "rateLimited") + delta(EMBED_MODEL, "rateLimited"),
        failed: e.failed,
        pending: e.pending,
        embeddingRequests: delta(EMBED_MODEL, "requests") - delta(EMBED_MODEL, "rateLimited"),
        embeddingInputs: inputs,
        expectedEmbeddingRequests: Math.ceil(inputs / BATCH),
        opendigger: afterOd.total - beforeOd.total,
        wallMs: result.wallMs,
        throughput:
          result.analysingMs > 0 && e.analysed > 50
            ? e.analysed / (result.analysingMs / 1000) / (RPM / (WINDOW_MS / 1000))
            : null,
        ...(options.expectedChat !== undefined ? { note: `${options.expectedChat} inputs needed an analysis` } : {}),
      };
      rows.push(row);
      log(`  ${scenario}: ${JSON.stringify(row)}`);
      return result;
    };

    log(
      `${STARS} stars; AI emulator ${RPM} requests per ${WINDOW_MS} ms per model, ` +
        `${values["ai-latency"]} ms latency; embedding batch ${BATCH}`,
    );
    const octocat = await signIn("octocat");
    // A first sync: everything is new. Inputs needing an analysis = repositories whose README (or its absence) is
    // known.
    await measure("first sync (new repositories)", octocat);
    const needed =
      (
        await d1Execute<{ n: number }>(
          state,
          "select count(*) as n from stars s join repositories r on r.id = s.repository_id " +
            "where r.readme_status in ('ok','missing')",
        )
      )[0]?.n ?? 0;
    const distinct = (
      await d1Execute<{ n: number }>(
        state,
        "select count(distinct readme_sha) as n from repositories where readme_status = 'ok'",
      )
    )[0]?.n;
    rows.at(-1)!.note = `${needed} repositories with a known README state; ${distinct} distinct READMEs`;
    await measure("no-change resync", octocat);

    await gh.createUser({ login: "second", stars: SECOND });
    const second = await signIn("second");
    await measure(`second user, ${SECOND} of the same`, second);

    const vectorsBefore =
      (await d1Execute<{ n: number }>(state, "select count(*) as n from vectors where namespace = 'u1'"))[0]?.n ?? 0;
    const list = await gh.stars("octocat");
    const pushed = list.filter((_, i) => i % 100 === 50).slice(0, Math.max(1, Math.round(STARS / 100)));
    const names = pushed.map((repo) => `'${repo.fullName.replace(/'/g, "''")}'`).join(",");
    // The pushed repositories' rows in octocat's namespace, exactly: id, code (the int8 vector) and whether its float32
    // row exists.
    type VectorRow = { repo: number; id: string; code: string; exact: number };
    const pushedVectors = () =>
      d1Execute<VectorRow>(
        state,
        "select v.repository_id as repo, v.id, v.code, " +
          `(select count(*) from vector_values x where x.namespace = v.namespace and x.id = v.id) as exact
         from vectors v join repositories r on r.id = v.repository_id ` +
          `where v.namespace = 'u1' and r.full_name in (${names})`,
      );
    const before = await pushedVectors();
    for (const repo of pushed)
      await gh.push({
        fullName: repo.fullName,
        readme:
          `# ${repo.fullName}\n\nRewritten for the benchmark: a command-line tool that converts ` +
          `${repo.fullName.split("/")[1]} data into CSV files.`,
      });
    await measure(`1% pushed (${pushed.length} new READMEs)`, octocat, { expectedChat: pushed.length });
    const vectorsAfter =
      (await d1Execute<{ n: number }>(state, "select count(*) as n from vectors where namespace = 'u1'"))[0]?.n ?? 0;
    const after = await pushedVectors();
    const chunks = await d1Execute<{ repo: number; n: number | null }>(
      state,
      "select s.repository_id as repo, s.embedded_chunks as n " +
        "from stars s join repositories r on r.id = s.repository_id " +
        `where s.user_id = 1 and r.full_name in (${names})`,
    );
    // Every pushed repository has exactly ids 1:<repo>:0 … n-1 (n = the star's embedded_chunks), each with its float32
    // row, and no vector of before.
    const oldCodes = new Set(before.map((v) => `${v.id} ${v.code}`));
    const expectedIds = new Set(chunks.flatMap((c) => Array.from({ length: c.n ?? 0 }, (_, i) => `1:${c.repo}:${i}`)));
    const afterIds = new Set(after.map((v) => v.id));
    const missing = [...expectedIds].filter((id) => !afterIds.has(id)).length;
    const extra = after.filter((v) => !expectedIds.has(v.id)).length;
    const kept = after.filter((v) => oldCodes.has(`${v.id} ${v.code}`)).length;
    const withoutValues = after.filter((v) => v.exact !== 1).length;
    const stale =
      (
        await d1Execute<{ n: number }>(
          state,
          "select count(*) as n from vectors v join stars s on s.user_id = 1 and s.repository_id = v.repository_id " +
            "where v.namespace = 'u1' and v.id not like '1:' || v.repository_id || ':%'",
        )
      )[0]?.n ?? 0;
    rows.at(-1)!.note =
      `pushed repositories' vectors ${before.length} → ${after.length} (embedded_chunks ${expectedIds.size}); ` +
      `missing ${missing}, left behind ${extra}, unchanged from before ${kept}, ` +
      `without float32 row ${withoutValues}; ` +
      `octocat's namespace ${vectorsBefore} → ${vectorsAfter}; ids not of their repository: ${stale}`;

    if (!values["no-seed"]) rows.push(...(await seedApproach(state, ai.url, od.url, aiStats, odStats)));
  } finally {
    await worker?.stop();
    await github.close();
    await ai.close();
    await od.close();
    await rm(state, { recursive: true, force: true });
    await rm(`${state}.log`, { force: true });
  }
  if (values.json) console.log(JSON.stringify(rows, null, 2));
  else console.log(table(rows));
}

/**
 * The seed's enrichment against the same emulators: every repository analysed without a cache
 * (README cut at 8,000 characters, output forced to Chinese), one embedding request per
 * repository in series, OpenRank for every repository. Its first sync, then its resync (which
 * asks OpenDigger for every repository again).
 */
async function seedApproach(
  state: string,
  aiUrl: string,
  odUrl: string,
  aiStats: () => Promise<AiStats>,
  odStats: () => Promise<OdStats>,
): Promise<Row[]> {
  type Repo = { full_name: string; description: string | null; topics: string; readme: string | null };
  const repos: Repo[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await d1Execute<Repo>(
      state,
      "select r.full_name, r.description, r.topics, substr(r.readme_content, 1, 8000) as readme " +
        "from stars s join repositories r on r.id = s.repository_id " +
        `where s.user_id = 1 order by r.id limit 500 offset ${offset}`,
    );
    repos.push(...page);
    if (page.length < 500) break;
  }
  const post = async (route: string, body: unknown): Promise<{ usage?: { prompt_tokens: number } }> => {
    for (;;) {
      const response = await fetch(`${aiUrl}/v1/${route}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: "Bearer sk-emulator" },
        body: JSON.stringify(body),
      });
      if (response.status === 429) {
        // The seed's client retried; we let it wait exactly as long as asked (kinder than it was).
        await new Promise((r) => setTimeout(r, Number(response.headers.get("retry-after-ms") ?? 1000)));
        continue;
      }
      if (!response.ok) throw new Error(`${route}: ${response.status}`);
      return (await response.json()) as { usage?: { prompt_tokens: number } };
    }
  };
  const pool = async <T>(items: T[], limit: number, task: (item: T) => Promise<void>) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: limit }, async () => {
        while (next < items.length) await task(items[next++]!);
      }),
    );
  };
  const rows: Row[] = [];
  const beforeAi = await aiStats();
  const beforeOd = await odStats();
  const started = performance.now();
  const promptTokens: number[] = [];
  await pool(repos, 5, async (repo) => {
    const answer = await post("chat/completions", {
      model: CHAT_MODEL,
      response_format: { type: "json_object" },
      messages: [
        {
          role: "system",
          content:
            "你是一个 GitHub 仓库分析助手。请用中文回答，输出 JSON：summary（摘要）、tags（标签）、platforms（平台）。",
        },
        {
          role: "user",
          content:
            `仓库名称: ${repo.full_name}\n描述: ${repo.description ?? ""}\n标签: ${repo.topics}\n` +
            `README内容:\n${repo.readme ?? ""}`,
        },
      ],
    });
    promptTokens.push(answer.usage?.prompt_tokens ?? 0);
  });
  const analysedAt = performance.now();
  for (const repo of repos) {
    // The seed's text, chunked at ~4,000 characters, all chunks of a repository in one request, one repository at a
    // time.
    const text =
      `仓库名称: ${repo.full_name}\n描述: ${repo.description ?? ""}\n标签: ${repo.topics}\n\n` +
      `README内容:\n${repo.readme ?? ""}`;
    const chunks = text.match(/[\s\S]{1,4000}/g) ?? [text];
    await post("embeddings", { model: EMBED_MODEL, input: chunks });
  }
  const embeddedAt = performance.now();
  const openrankAll = async () => {
    await pool(repos, 5, async (repo) => {
      const response = await fetch(`${odUrl}/github/${repo.full_name}/openrank.json`);
      await response.arrayBuffer();
    });
  };
  await openrankAll();
  const afterAi = await aiStats();
  const afterOd = await odStats();
  const delta = (model: string, key: "requests" | "rateLimited" | "promptTokens" | "inputs") =>
    (afterAi.models[model]?.[key] ?? 0) - (beforeAi.models[model]?.[key] ?? 0);
  const analysed = repos.length;
  rows.push({
    approach: "seed",
    scenario: "first sync (new repositories)",
    chatCalls: delta(CHAT_MODEL, "requests") - delta(CHAT_MODEL, "rateLimited"),
    analyses: analysed,
    medianInputTokens: median(promptTokens),
    promptTokens: delta(CHAT_MODEL, "promptTokens"),
    rateLimited: delta(CHAT_MODEL, "rateLimited") + delta(EMBED_MODEL, "rateLimited"),
    failed: 0,
    pending: 0,
    embeddingRequests: delta(EMBED_MODEL, "requests") - delta(EMBED_MODEL, "rateLimited"),
    embeddingInputs: delta(EMBED_MODEL, "inputs"),
    expectedEmbeddingRequests: null,
    opendigger: afterOd.total - beforeOd.total,
    wallMs: performance.now() - started,
    throughput: analysed / ((analysedAt - started) / 1000) / (RPM / (WINDOW_MS / 1000)),
    note:
      `analysis ${((analysedAt - started) / 1000).toFixed(0)} s, ` +
      `serial embeddings ${((embeddedAt - analysedAt) / 1000).toFixed(0)} s`,
  });
  log(`  seed first sync: ${JSON.stringify(rows.at(-1))}`);
  // The seed's resync: no analysis or embedding of unchanged repositories, but OpenRank for all of them.
  const resyncStarted = performance.now();
  const odBefore = await odStats();
  await openrankAll();
  rows.push({
    approach: "seed",
    scenario: "no-change resync",
    chatCalls: 0,
    analyses: 0,
    medianInputTokens: null,
    promptTokens: 0,
    rateLimited: 0,
    failed: 0,
    pending: 0,
    embeddingRequests: 0,
    embeddingInputs: 0,
    expectedEmbeddingRequests: null,
    opendigger: (await odStats()).total - odBefore.total,
    wallMs: performance.now() - resyncStarted,
    throughput: null,
    note: "the seed's second user pays all of the first sync again (per-user rows, no shared cache)",
  });
  return rows;
}

function table(rows: Row[]): string {
  const header = [
    "approach",
    "scenario",
    "chat calls",
    "analyses",
    "median input tokens",
    "prompt tokens",
    "429s",
    "failed",
    "left pending",
    "embedding requests",
    "chunks",
    "⌈chunks ÷ batch⌉",
    "OpenDigger",
    "wall",
    "throughput / limit",
    "note",
  ];
  const lines = rows.map((r) => [
    r.approach,
    r.scenario,
    r.chatCalls.toLocaleString("en"),
    r.analyses.toLocaleString("en"),
    r.medianInputTokens === null ? "–" : r.medianInputTokens.toLocaleString("en"),
    r.promptTokens.toLocaleString("en"),
    String(r.rateLimited),
    String(r.failed),
    String(r.pending),
    r.embeddingRequests.toLocaleString("en"),
    r.embeddingInputs.toLocaleString("en"),
    r.expectedEmbeddingRequests === null ? "–" : r.expectedEmbeddingRequests.toLocaleString("en"),
    r.opendigger.toLocaleString("en"),
    `${(r.wallMs / 1000).toFixed(1)} s`,
    r.throughput === null ? "–" : `${(r.throughput * 100).toFixed(0)}%`,
    r.note ?? "",
  ]);
  const format = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model ?? "CPU"}`,
    format(header),
    `|${header.map(() => " --- ").join("|")}|`,
    ...lines.map(format),
  ].join("\n");
}

await main();
