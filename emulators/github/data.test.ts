// Generated data: git/GitHub id formats, determinism by seed, realistic distributions, and the
// 50,000-star ceiling (fast and memory-sane).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCorpus } from "./corpus.ts";
import { blobSha, decodeNodeId, encodeNodeId, treeSha } from "./git.ts";
import { Universe } from "./repos.ts";
import { createEmulatorClient } from "./client.ts";
import { startGithubEmulator, type GithubEmulator } from "./server.ts";
import { call, callJson, graphql } from "./test-helpers.ts";
import { UserStore } from "./users.ts";

describe("ids", () => {
  it("computes git blob and tree shas like git", () => {
    expect(blobSha("hello\n")).toBe("ce013625030ba8dba906f756967f9e9ca394464a");
    expect(treeSha([])).toBe("4b825dc642cb6eb9a060e54bf8d69288fbee4904");
    expect(treeSha([{ name: "hello.txt", type: "blob", sha: "ce013625030ba8dba906f756967f9e9ca394464a" }])).toBe(
      "aaa96ced2d9a1c8e72c56b253a0e2fe78393feb7",
    );
  });

  it("encodes GitHub's next-format node ids and decodes them back", () => {
    expect(decodeNodeId("R_kgDOGq0JdA")).toEqual({ prefix: "R", databaseId: 0x1aad0974 });
    expect(encodeNodeId("R", 0x1aad0974)).toBe("R_kgDOGq0JdA");
    for (const id of [1, 200, 70_000, 123_456_789, 5_000_000_000]) {
      expect(decodeNodeId(encodeNodeId("U", id))).toEqual({ prefix: "U", databaseId: id });
    }
    expect(decodeNodeId("MDQ6VXNlcjU4MzIzMQ==")).toBeUndefined();
  });
});

describe("the generated universe", () => {
  const universe = new Universe(loadCorpus(), 1);
  const repos = Array.from({ length: 50_000 }, (_, uid) => universe.repo(uid));

  it("keeps 50,000 full names and ids unique and resolvable", () => {
    expect(new Set(repos.map((r) => r.fullName.toLowerCase())).size).toBe(50_000);
    expect(new Set(repos.map((r) => r.id)).size).toBe(50_000);
    for (const repo of repos.filter((_, i) => i % 997 === 0)) {
      expect(universe.find(repo.fullName.toUpperCase())).toBe(repo);
      expect(universe.byDatabaseId(repo.id)).toBe(repo);
      expect(repo.nodeId).toMatch(/^R_kgDO[A-Za-z0-9_-]{6}$/);
    }
  });

  it("has realistic shares of missing READMEs, README names and private repositories", () => {
    const share = (predicate: (r: (typeof repos)[number]) => boolean) => repos.filter(predicate).length / repos.length;
    expect(share((r) => r.readmePath === null)).toBeGreaterThan(0.03);
    expect(share((r) => r.readmePath === null)).toBeLessThan(0.05);
    expect(share((r) => r.readmePath === "README.md")).toBeGreaterThan(0.75);
    expect(share((r) => r.readmePath === "README.md")).toBeLessThan(0.85);
    for (const path of ["readme.md", "README.rst", "README", "docs/README.md", ".github/README.md", "README.txt"]) {
      expect(share((r) => r.readmePath === path)).toBeGreaterThan(0.005);
    }
    expect(share((r) => r.private)).toBeGreaterThan(0.015);
    expect(share((r) => r.private)).toBeLessThan(0.025);
  });

  it("has plausible dates and popularity", () => {
    for (const repo of repos.slice(0, 2000)) {
      expect(repo.pushedAt).toBeGreaterThanOrEqual(repo.createdAt);
      expect(repo.updatedAt).toBeGreaterThanOrEqual(repo.pushedAt);
    }
    const originals = repos.slice(0, universe.corpus.repos.length);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
    expect(median(originals.map((r) => r.stargazers))).toBeGreaterThan(1000);
    expect(median(repos.slice(10_000, 12_000).map((r) => r.stargazers))).toBeLessThan(1000);
  });

  it("gives every variant its own README (and blob sha), titled with the variant's name", () => {
    const n = universe.corpus.repos.length;
    let compared = 0;
    for (let uid = 0; uid < n && compared < 20; uid++) {
      const original = universe.readme(universe.repo(uid));
      const variant = universe.readme(universe.repo(uid + 5 * n));
      if (!original || !variant || original.kind !== "text" || variant.kind !== "text") continue;
      compared++;
      expect(variant.sha).not.toBe(original.sha);
      const variantText = variant.bytes.toString("utf8");
      expect(variantText.split("\n")[0]).toBe(`# ${universe.repo(uid + 5 * n).fullName}`);
      expect(variantText.endsWith(original.bytes.toString("utf8"))).toBe(true);
    }
    expect(compared).toBe(20);
  });

  it("generates users' stars deterministically, after the repository existed", () => {
    const a = new UserStore(universe, 1).create("zoe", 500);
    const b = new UserStore(new Universe(loadCorpus(), 1), 1).create("zoe", 500);
    expect(a.stars).toEqual(b.stars);
    for (const star of a.stars) expect(star.starredAt).toBeGreaterThan(universe.repo(star.uid).createdAt);
    const c = new UserStore(new Universe(loadCorpus(), 2), 2).create("zoe", 500);
    expect(c.stars).not.toEqual(a.stars);
  });
});

describe("determinism by seed", () => {
  const emulators: GithubEmulator[] = [];
  afterAll(() => Promise.all(emulators.map((e) => e.close())));

  async function snapshot(seed: number) {
    const emulator = await startGithubEmulator({ port: 0, stars: 150, seed, quiet: true });
    emulators.push(emulator);
    const rest = await call(emulator, "/user/starred?per_page=100&page=2", {
      accept: "application/vnd.github.star+json",
    });
    const gql = await graphql(
      emulator,
      "{ viewer { starredRepositories(first: 50, orderBy: {field: STARRED_AT, direction: DESC}) " +
        "{ edges { starredAt node { id nameWithOwner stargazerCount pushedAt } } } } }",
    );
    const truth = await createEmulatorClient(emulator.url).stars("octocat", { sha: true });
    return { rest: (await rest.text()).replaceAll(emulator.url, "BASE"), graphql: gql.body, truth };
  }

  it("serves identical data for the same seed and different data for another", async () => {
    const [first, second, other] = await Promise.all([snapshot(3), snapshot(3), snapshot(4)]);
    expect(second).toEqual(first);
    expect(other.truth).not.toEqual(first.truth);
    expect(other.rest).not.toBe(first.rest);
  });
});

describe("a 50,000-star user", () => {
  let emulator: GithubEmulator;
  beforeAll(async () => {
    emulator = await startGithubEmulator({ port: 0, stars: 10, quiet: true });
  });
  afterAll(() => emulator.close());

  it("can be created and its last page served quickly", async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    let start = performance.now();
    await createEmulatorClient(emulator.url).createUser({ login: "whale", stars: 50_000 });
    expect(performance.now() - start).toBeLessThan(10_000);

    start = performance.now();
    const { status, headers, body } = await callJson<any[]>(emulator, "/user/starred?per_page=100&page=500", {
      token: "emulator-token-whale",
      accept: "application/vnd.github.star+json",
    });
    expect(performance.now() - start).toBeLessThan(1500);
    expect(status).toBe(200);
    expect(body).toHaveLength(100);
    expect([...(headers.get("link") ?? "").matchAll(/rel="(\w+)"/g)].map((m) => m[1])).toEqual(["prev", "first"]);
    const oldest = Date.parse(body[99].starred_at);

    const first = await callJson(emulator, "/user/starred?per_page=1", { token: "emulator-token-whale" });
    expect(first.headers.get("link")).toContain('page=50000>; rel="last"');

    start = performance.now();
    const gql = await graphql(
      emulator,
      "{ viewer { starredRepositories(first: 100, orderBy: {field: STARRED_AT, direction: ASC}) " +
        "{ totalCount edges { starredAt node { nameWithOwner } } } } }",
      undefined,
      "emulator-token-whale",
    );
    expect(performance.now() - start).toBeLessThan(1500);
    const connection = gql.body.data.viewer.starredRepositories;
    expect(connection.totalCount).toBe(50_000);
    expect(Date.parse(connection.edges[0].starredAt)).toBe(oldest);
    expect(connection.edges[0].node.nameWithOwner).toBe(body[99].repo.full_name);

    // README texts are shared corpus text, generated on demand: the heap stays modest.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(250 * 1024 * 1024);
  });
});
