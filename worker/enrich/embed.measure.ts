import { env } from "cloudflare:workers";
import { it } from "vitest";
import { createDb } from "../db/client";
import { repositories, stars, users } from "../db/schema";
import { embedRepositories, type EmbedResult } from "./embed";
import { createServices } from "../services";

// The embed step at 10,000 stars, against local D1 (the D1 vector store), with a stand-in
// Workers AI binding (deterministic vectors, no network): how long a call takes when
// everything is new, when a second user finds everything in the cache, and when nothing
// changed (the hourly resync). Run with
//   npx vitest run --config bench/vectors.vitest.config.ts

const STARS = 10_000;
const DIMS = 1024;

const ai = {
  requests: 0,
  async run(_model: string, inputs: { text: string[] }) {
    this.requests++;
    return {
      shape: [inputs.text.length, DIMS],
      data: inputs.text.map((text) => {
        let h = 2166136261;
        for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
        return Array.from({ length: DIMS }, (_, d) => Math.sin(h + d * 0.7));
      }),
    };
  },
};

const WORDS = (
  "framework server router database query cache stream parser compiler runtime plugin template render " +
  "component state hook test deploy"
).split(" ");
const readme = (i: number) =>
  [
    `# repo${i}`,
    `repo${i} is a ${WORDS[i % WORDS.length]} for the web.`,
    "## Usage",
    Array.from({ length: 120 + (i % 400) }, (_, w) => WORDS[(w * 7 + i) % WORDS.length]).join(" "),
  ].join("\n\n");

it("embed step at 10,000 stars: first sync, a second user from the cache, a no-change resync", async () => {
  const db = createDb(env.DB);
  // D1 statements of each call (every statement of a batch counts against the 1,000 D1 queries of an invocation).
  let statements = 0;
  const counted = new Proxy(env.DB, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (key === "prepare") return (query: string) => (statements++, target.prepare(query));
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const vars = { ...env, DB: counted, EMBEDDING_PROVIDER: "workers-ai", AI: ai as unknown as Ai };
  const [alice, bob] = await db
    .insert(users)
    .values([
      { githubId: 1, login: "alice", tokenCiphertext: "x" },
      { githubId: 2, login: "bob", tokenCiphertext: "x" },
    ])
    .returning({ id: users.id });
  // D1 binds ≤ 100 parameters a statement: 5 repositories (17 values each) or 15 stars (6 each) a statement, 100
  // statements a batch.
  const repositoryRows = Array.from({ length: STARS }, (_, i) => ({
    githubId: 1000 + i,
    fullName: `acme/repo${i}`,
    name: `repo${i}`,
    ownerLogin: "acme",
    description: `Project ${i}`,
    htmlUrl: `https://github.com/acme/repo${i}`,
    readmeSha: `sha${i}`,
    readmeContent: readme(i),
    readmeStatus: "ok" as const,
  }));
  const inserts = [];
  for (let i = 0; i < STARS; i += 5) inserts.push(db.insert(repositories).values(repositoryRows.slice(i, i + 5)));
  for (let i = 0; i < inserts.length; i += 100) {
    const [first, ...rest] = inserts.slice(i, i + 100);
    await db.batch([first!, ...rest]);
  }
  const ids = (await db.select({ id: repositories.id }).from(repositories)).map((r) => r.id);
  const starRows = ids.flatMap((repositoryId) =>
    [alice!, bob!].map((u) => ({ userId: u.id, repositoryId, isStarred: true })),
  );
  const starInserts = [];
  for (let i = 0; i < starRows.length; i += 15) starInserts.push(db.insert(stars).values(starRows.slice(i, i + 15)));
  for (let i = 0; i < starInserts.length; i += 100) {
    const [first, ...rest] = starInserts.slice(i, i + 100);
    await db.batch([first!, ...rest]);
  }
  const run = async (userId: number) => {
    const calls: Array<{ ms: number; statements: number; result: EmbedResult }> = [];
    for (;;) {
      const started = performance.now();
      statements = 0;
      const result = await embedRepositories(createServices(vars), { userId });
      calls.push({ ms: performance.now() - started, statements, result });
      if (result.pending === 0) return calls;
    }
  };
  const lines = [
    "| case | calls | per call (max) | D1 statements per call (max) | total | " +
      "embedded / reused / unchanged | model requests |",
    "| --- | ---: | ---: | ---: | ---: | --- | ---: |",
  ];
  for (const [name, userId] of [
    ["first sync (all new)", alice!.id],
    ["second user (all cached)", bob!.id],
    ["no-change resync", alice!.id],
  ] as const) {
    const before = ai.requests;
    const calls = await run(userId);
    const total = calls.reduce((sum, c) => sum + c.ms, 0);
    const sum = (key: "embedded" | "reused" | "unchanged") => calls.reduce((s, c) => s + c.result[key], 0);
    lines.push(
      `| ${name} | ${calls.length} | ${(Math.max(...calls.map((c) => c.ms)) / 1000).toFixed(1)} s | ` +
        `${Math.max(...calls.map((c) => c.statements))} | ${(total / 1000).toFixed(1)} s | ` +
        `${sum("embedded")} / ${sum("reused")} / ${sum("unchanged")} | ${ai.requests - before} |`,
    );
    console.log(lines.at(-1));
  }
  console.log(lines.join("\n"));
});
