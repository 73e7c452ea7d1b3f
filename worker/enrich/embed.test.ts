import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "../db/client";
import { analyses, repositories, stars, users, vectors, vectorValues } from "../db/schema";
import { unstarRows } from "../sync/unstar";
import { api, emulatorControl, env, signIn } from "../test/helpers";
import { userNamespace, vectorId } from "../vectors";
import { D1VectorStore } from "../vectors/d1-store";
import { createServices } from "../services";
import { removeVectors } from "../vectors/remove";
import { embedRepositories, type EmbedResult } from "./embed";

// The embed step in workerd against real D1 (migrations applied) and the AI emulator, with
// the D1 vector store (VECTOR_STORE=d1 in the tests). This file's embedding requests name a
// model of their own, so the emulator's per-model counts are this file's alone.
const MODEL = "starwise-embed";
const testEnv = { ...env, EMBEDDING_MODEL: MODEL };
const db = createDb(env.DB);

type ModelStats = { requests: number; inputs: number };
async function modelStats(): Promise<ModelStats> {
  const stats = (await emulatorControl("ai", "GET", "stats")) as { models: Record<string, ModelStats | undefined> };
  return stats.models[MODEL] ?? { requests: 0, inputs: 0 };
}
async function counted<T>(run: () => Promise<T>): Promise<{ value: T; requests: number; inputs: number }> {
  const before = await modelStats();
  const value = await run();
  const after = await modelStats();
  return { value, requests: after.requests - before.requests, inputs: after.inputs - before.inputs };
}

const WORDS = (
  "framework server router database query cache stream parser compiler runtime plugin template render " +
  "component state hook test deploy cluster queue worker schedule index search vector embedding token model"
).split(" ");
/** A README of `sections` sections of ~`words` words each (deterministic). */
function readme(name: string, sections: number, words = 250): string {
  const parts = [`# ${name}`, `${name} is a ${WORDS[name.length % WORDS.length]} for the web.`];
  for (let s = 0; s < sections; s++) {
    parts.push(
      `## Section ${s}`,
      Array.from({ length: words }, (_, i) => WORDS[(i * 7 + s * 3 + name.length) % WORDS.length]).join(" ") + ".",
    );
  }
  return parts.join("\n\n");
}

let nextGithubId = 7_000_000;
async function seedUser(login: string, language: "en" | "zh" = "en"): Promise<number> {
  const [row] = await db
    .insert(users)
    .values({ githubId: nextGithubId++, login, tokenCiphertext: "test", language })
    .returning({ id: users.id });
  return row!.id;
}
async function seedRepository(name: string, sections: number): Promise<number> {
  const [row] = await db
    .insert(repositories)
    .values({
      githubId: nextGithubId++,
      fullName: `acme/${name}`,
      name,
      ownerLogin: "acme",
      description: `The ${name} project`,
      htmlUrl: `https://github.com/acme/${name}`,
      topics: ["web"],
      language: "TypeScript",
      readmeSha: `sha-${name}`,
      readmeContent: readme(name, sections),
      readmeStatus: "ok",
    })
    .returning({ id: repositories.id });
  return row!.id;
}
async function star(userId: number, repositoryIds: number[]) {
  // D1 binds ≤ 100 parameters a statement (7 a star here).
  for (let i = 0; i < repositoryIds.length; i += 10) {
    await db
      .insert(stars)
      .values(
        repositoryIds
          .slice(i, i + 10)
          .map((repositoryId) => ({ userId, repositoryId, isStarred: true, starredAt: new Date() })),
      );
  }
}
async function vectorIdsOf(userId: number): Promise<string[]> {
  const rows = await db
    .select({ id: vectors.id })
    .from(vectors)
    .where(eq(vectors.namespace, userNamespace(userId)));
  return rows.map((r) => r.id).sort();
}
async function starsOf(userId: number) {
  return db.select().from(stars).where(eq(stars.userId, userId)).orderBy(stars.repositoryId);
}
/** Calls the step until nothing is pending, waiting out 429s as the Workflow would (here: in place). */
async function embedAll(userId: number, input: { limit?: number } = {}, vars = testEnv) {
  const results: EmbedResult[] = [];
  for (let i = 0; i < 50; i++) {
    const result = await embedRepositories(createServices(vars), { userId, ...input });
    results.push(result);
    if (result.waitUntil)
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, result.waitUntil! - Date.now())));
    else if (result.pending === 0) break;
  }
  const sum = (key: "embedded" | "reused" | "unchanged" | "removed" | "requests") =>
    results.reduce((total, r) => total + r[key], 0);
  return {
    results,
    embedded: sum("embedded"),
    reused: sum("reused"),
    unchanged: sum("unchanged"),
    removed: sum("removed"),
    requests: sum("requests"),
  };
}

describe("embedRepositories", () => {
  it(
    "embeds a library once: a second user's sync copies the cached vectors " +
      "(0 model calls for the shared repositories)",
    async () => {
      const repos = [];
      for (let i = 0; i < 5; i++) repos.push(await seedRepository(`shared${i}`, i + 1));
      const own = await seedRepository("bonly", 2);
      const alice = await seedUser("alice-embed");
      await star(alice, repos);

      const progress: Array<[string, number, number]> = [];
      const first = await counted(() =>
        embedRepositories(createServices(testEnv), { userId: alice }, (current, completed, total) =>
          progress.push([current, completed, total]),
        ),
      );
      expect(first.value).toMatchObject({ embedded: 5, reused: 0, pending: 0, removed: 0 });
      expect(first.value.waitUntil).toBeUndefined();
      expect(first.requests).toBe(first.value.requests);
      expect(first.requests).toBe(1); // ≤ 2,048 chunks: one request
      expect(progress.map(([, completed, total]) => [completed, total])).toEqual([1, 2, 3, 4, 5].map((n) => [n, 5]));
      expect(progress.map(([current]) => current).sort()).toEqual(repos.map((_, i) => `acme/shared${i}`));

      const aliceStars = await starsOf(alice);
      const chunks = aliceStars.map((s) => s.embeddedChunks!);
      expect(chunks.every((n) => n >= 1)).toBe(true);
      expect(first.inputs).toBe(chunks.reduce((a, b) => a + b, 0));
      for (const s of aliceStars) {
        expect(s.embeddingModel).toBe(createServices(testEnv).embedder()!.key);
        expect(s.embeddedSha).toMatch(/^[A-Za-z0-9_-]{43}$/);
      }
      expect(await vectorIdsOf(alice)).toEqual(
        aliceStars
          .flatMap((s) => Array.from({ length: s.embeddedChunks! }, (_, c) => vectorId(alice, s.repositoryId, c)))
          .sort(),
      );

      // Bob stars four of the same and one of his own: the model sees only his own one's chunks.
      const bob = await seedUser("bob-embed");
      await star(bob, [...repos.slice(0, 4), own]);
      const second = await counted(() => embedRepositories(createServices(testEnv), { userId: bob }));
      expect(second.value).toMatchObject({ embedded: 1, reused: 4, pending: 0 });
      expect(second.requests).toBe(1);
      const bobOwn = (await starsOf(bob)).find((s) => s.repositoryId === own)!;
      expect(second.inputs).toBe(bobOwn.embeddedChunks);
      // Carol stars only shared ones: no model call at all.
      const carol = await seedUser("carol-embed");
      await star(carol, repos.slice(1, 3));
      const third = await counted(() => embedRepositories(createServices(testEnv), { userId: carol }));
      expect(third.value).toMatchObject({ embedded: 0, reused: 2, requests: 0, pending: 0 });
      expect(third.requests).toBe(0);

      // The copied vectors are the same vectors: a repository's chunk finds itself in Bob's namespace.
      const store = new D1VectorStore(env.DB, 1024);
      const [aliceFirst] = await db
        .select()
        .from(vectorValues)
        .where(
          and(eq(vectorValues.namespace, userNamespace(alice)), eq(vectorValues.id, vectorId(alice, repos[0]!, 0))),
        );
      const values = Array.from(new Float32Array(new Uint8Array(aliceFirst!.values).buffer));
      const nearest = await store.query(userNamespace(bob), values, 1);
      expect(nearest[0]).toMatchObject({ id: vectorId(bob, repos[0]!, 0), repositoryId: repos[0] });
      expect(nearest[0]!.score).toBeCloseTo(1, 5);

      // A no-change resync: nothing to look at, no call, no README read.
      const again = await counted(() => embedRepositories(createServices(testEnv), { userId: alice }));
      expect(again.value).toEqual({ embedded: 0, reused: 0, unchanged: 0, removed: 0, requests: 0, pending: 0 });
      expect(again.requests).toBe(0);
    },
  );

  it("replaces the vectors of a changed text and leaves none of the old chunks behind", async () => {
    const user = await seedUser("changer-embed");
    const long = await seedRepository("shrinks", 6);
    const other = await seedRepository("steady", 1);
    await star(user, [long, other]);
    await embedAll(user);
    const before = (await starsOf(user)).find((s) => s.repositoryId === long)!;
    expect(before.embeddedChunks).toBeGreaterThanOrEqual(4);

    // A new README with two sections: fewer chunks.
    await db
      .update(repositories)
      .set({ readmeContent: readme("shrinks", 1), readmeSha: "sha-shrinks-2" })
      .where(eq(repositories.id, long));
    const changed = await counted(() => embedRepositories(createServices(testEnv), { userId: user }));
    const after = (await starsOf(user)).find((s) => s.repositoryId === long)!;
    // Its new chunks are the old ones' first part, already in the cache: no model call needed.
    expect(changed.value).toMatchObject({
      embedded: 0,
      reused: 1,
      pending: 0,
      removed: before.embeddedChunks! - after.embeddedChunks!,
    });
    expect(changed.requests).toBe(0);
    expect(after.embeddedSha).not.toBe(before.embeddedSha);
    const ids = await vectorIdsOf(user);
    expect(ids.filter((id) => id.startsWith(`${user}:${long}:`))).toEqual(
      Array.from({ length: after.embeddedChunks! }, (_, c) => vectorId(user, long, c)).sort(),
    );

    // Metadata the text does not show (the star count) changes nothing; a new description
    // re-embeds only the chunk that shows it (the others come from the cache).
    // Neither does a README fetch that failed this time (its last text stays).
    await db
      .update(repositories)
      .set({ stargazersCount: 12345, readmeStatus: "error" })
      .where(eq(repositories.id, other));
    const drift = await counted(() => embedRepositories(createServices(testEnv), { userId: user }));
    expect(drift.value).toMatchObject({ embedded: 0, reused: 0, unchanged: 0, pending: 0 });
    expect(drift.requests).toBe(0);
    await db
      .update(repositories)
      .set({ readmeContent: readme("shrinks", 6), readmeSha: "sha-shrinks-3" })
      .where(eq(repositories.id, long));
    await embedAll(user);
    await db.update(repositories).set({ description: "Now with a new description" }).where(eq(repositories.id, long));
    const described = await counted(() => embedRepositories(createServices(testEnv), { userId: user }));
    expect(described.value).toMatchObject({ embedded: 1, requests: 1 });
    expect(described.inputs).toBe(1);
  });

  it("re-embeds when the analysis the user reads arrives, and when the language changes", async () => {
    const user = await seedUser("reader-embed");
    const repo = await seedRepository("analysed", 1);
    await star(user, [repo]);
    await embedAll(user);
    const [analysis] = await db
      .insert(analyses)
      .values({
        inputSha: "in-analysed",
        model: "heuristic",
        language: "en",
        summary: "A tool for analysed things.",
        tags: ["analysis"],
      })
      .returning({ id: analyses.id });
    await db
      .update(stars)
      .set({ analysisId: analysis!.id })
      .where(and(eq(stars.userId, user), eq(stars.repositoryId, repo)));
    const withSummary = await counted(() => embedRepositories(createServices(testEnv), { userId: user }));
    expect(withSummary.value).toMatchObject({ embedded: 1 });
    expect(withSummary.inputs).toBe(1); // only the first chunk shows the summary and tags
    await db.update(users).set({ language: "zh" }).where(eq(users.id, user));
    const inChinese = await embedRepositories(createServices(testEnv), { userId: user });
    expect(inChinese).toMatchObject({ embedded: 1, pending: 0 });
  });

  it("waits out a 429: stops with waitUntil, keeps what was done, finishes on the next call", async () => {
    const user = await seedUser("limited-embed");
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await seedRepository(`limited${i}`, 2));
    await star(user, ids);
    await emulatorControl("ai", "POST", "faults", {
      route: "POST /v1/embeddings",
      model: MODEL,
      status: 429,
      headers: { "retry-after-ms": "400" },
      count: 1,
    });
    const started = Date.now();
    const limited = await embedRepositories(createServices(testEnv), { userId: user });
    expect(limited.waitUntil).toBeGreaterThanOrEqual(started + 400);
    expect(limited).toMatchObject({ embedded: 0, pending: 4, requests: 1 });
    expect(await vectorIdsOf(user)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, limited.waitUntil! - Date.now()));
    const resumed = await embedRepositories(createServices(testEnv), { userId: user });
    expect(resumed).toMatchObject({ embedded: 4, pending: 0 });
    expect(resumed.waitUntil).toBeUndefined();
    expect((await starsOf(user)).every((s) => s.embeddedChunks !== null)).toBe(true);
  });

  it("stops with the provider's words when it refuses the key or the model: no retry can help", async () => {
    const user = await seedUser("refused-embed");
    await star(user, [await seedRepository("refused0", 1)]);
    const rejected = await embedRepositories(createServices({ ...testEnv, AI_API_KEY: "sk-wrong-embed-9999" }), {
      userId: user,
    });
    expect(rejected).toMatchObject({ embedded: 0, pending: 1, stopCode: "ai_key_rejected" });
    expect(rejected.unavailable).toMatch(/^Incorrect API key provided: sk-\*+9999\./);
    await emulatorControl("ai", "POST", "faults", {
      route: "POST /v1/embeddings",
      model: MODEL,
      status: 503,
      count: 1,
    });
    try {
      // A provider that is down for a moment is the Workflow's to retry: thrown, not a stop.
      await expect(embedRepositories(createServices(testEnv), { userId: user })).rejects.toThrow();
    } finally {
      await emulatorControl("ai", "DELETE", "faults");
    }
    expect(await vectorIdsOf(user)).toEqual([]);
  });

  it("is bounded per call and resumable: full requests only, ⌈chunks ÷ batch size⌉ in all", async () => {
    const user = await seedUser("bounded-embed");
    const ids = [];
    for (let i = 0; i < 7; i++) ids.push(await seedRepository(`bounded${i}`, 2 + (i % 3)));
    await star(user, ids);
    const smallBatches = { ...testEnv, EMBEDDING_BATCH_SIZE: "3" };
    const run = await counted(() => embedAll(user, { limit: 2 }, smallBatches));
    expect(run.value.results[0]!.pending).toBeGreaterThan(0);
    expect(run.value.embedded + run.value.reused).toBe(7);
    const chunks = (await starsOf(user)).reduce((total, s) => total + s.embeddedChunks!, 0);
    expect(run.requests).toBe(Math.ceil(chunks / 3));
    expect(run.value.requests).toBe(run.requests);
    expect(run.inputs).toBe(chunks);
    // Every call but the last sent full requests only.
    expect((await vectorIdsOf(user)).length).toBe(chunks);
  });

  it("always makes progress when a call's chunks cannot fill a request (short READMEs, a big batch)", async () => {
    const user = await seedUser("short-embed");
    const ids = [];
    for (let i = 0; i < 30; i++) ids.push(await seedRepository(`tiny${i}`, 0));
    await star(user, ids);
    const calls: EmbedResult[] = [];
    for (let i = 0; i < 10; i++) {
      const result = await embedRepositories(createServices(testEnv), { userId: user, limit: 5 });
      calls.push(result);
      if (result.pending === 0) break;
    }
    expect(calls.at(-1)!.pending).toBe(0);
    // Each call looked past its limit of 5 (up to 3×) to fill the request, and each one embedded something.
    expect(calls.length).toBe(2);
    for (const call of calls) expect(call.embedded).toBe(15);
    expect(calls.reduce((sum, c) => sum + c.requests, 0)).toBe(2);
  });
});

describe("without an embedding model", () => {
  it("EMBEDDING_PROVIDER=none embeds nothing and leaves nothing pending (no step to retry)", async () => {
    const user = await seedUser("none-embed");
    await star(user, [await seedRepository("unembedded", 1)]);
    const result = await counted(() =>
      embedRepositories(createServices({ ...testEnv, EMBEDDING_PROVIDER: "none" }), { userId: user }),
    );
    expect(result.value).toEqual({ embedded: 0, reused: 0, unchanged: 0, removed: 0, requests: 0, pending: 0 });
    expect(result.requests).toBe(0);
    expect((await starsOf(user))[0]!.embeddedSha).toBeNull();
  });
});

describe("removing vectors", () => {
  it("unstar removes the repository's vectors (saved ones stay); starring again embeds again", async () => {
    const user = await seedUser("unstar-embed");
    const [gone, saved, kept] = [
      await seedRepository("gone", 2),
      await seedRepository("saved", 1),
      await seedRepository("kept", 1),
    ];
    await star(user, [gone!, saved!, kept!]);
    await db
      .update(stars)
      .set({ isSaved: true })
      .where(and(eq(stars.userId, user), eq(stars.repositoryId, saved!)));
    await embedAll(user);
    await unstarRows(createServices(env), user, [gone!]);
    const ids = await vectorIdsOf(user);
    expect(ids.some((id) => id.startsWith(`${user}:${gone}:`))).toBe(false);
    expect(ids.some((id) => id.startsWith(`${user}:${saved}:`))).toBe(true);
    expect(ids.some((id) => id.startsWith(`${user}:${kept}:`))).toBe(true);
    const goneStar = (await starsOf(user)).find((s) => s.repositoryId === gone)!;
    expect(goneStar).toMatchObject({ embeddedSha: null, embeddedChunks: null, embeddedSource: null });

    await db
      .update(stars)
      .set({ isStarred: true })
      .where(and(eq(stars.userId, user), eq(stars.repositoryId, gone!)));
    const restarred = await counted(() => embedRepositories(createServices(testEnv), { userId: user }));
    expect(restarred.value).toMatchObject({ reused: 1, pending: 0 });
    expect(restarred.requests).toBe(0);
    const restored = (await vectorIdsOf(user)).filter((id) => id.startsWith(`${user}:${gone}:`));
    expect(restored.length).toBeGreaterThan(0);
    expect(await removeVectors(createServices(env), user, [gone!])).toBe(restored.length);
    expect((await vectorIdsOf(user)).filter((id) => id.startsWith(`${user}:${gone}:`))).toEqual([]);
  });

  it("DELETE /api/me removes every vector of the account", async () => {
    const { sessionToken, user } = await signIn("vectors-leaver", 0);
    const repo = await seedRepository("leaver", 2);
    await star(user.id, [repo]);
    await embedAll(user.id);
    expect((await vectorIdsOf(user.id)).length).toBeGreaterThan(0);
    const response = await api(sessionToken).api.me.$delete();
    expect(response.status).toBe(204);
    expect(await vectorIdsOf(user.id)).toEqual([]);
  });
});
