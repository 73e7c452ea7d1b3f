// The control API: users, stars, pushes, faults, revocation, reset and stats.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEmulatorClient, type EmulatorClient } from "./client.ts";
import { startGithubEmulator, type GithubEmulator } from "./server.ts";
import { STAR_JSON, call, callJson, graphql } from "./test-helpers.ts";

let emulator: GithubEmulator;
let ctl: EmulatorClient;

beforeAll(async () => {
  emulator = await startGithubEmulator({ port: 0, stars: 40, quiet: true });
  ctl = createEmulatorClient(emulator.url);
});
afterAll(() => emulator.close());
afterEach(() => ctl.reset());

async function firstStar(token = "emulator-token-octocat") {
  const { body } = await callJson<any[]>(emulator, "/user/starred?per_page=1", { token, accept: STAR_JSON });
  return body[0];
}

describe("users", () => {
  it("creates users with deterministic stars and their own token", async () => {
    const created = await ctl.createUser({ login: "carol", stars: 120 });
    expect(created).toMatchObject({ login: "carol", token: "emulator-token-carol", stars: 120 });
    const { status, body, headers } = await callJson<any[]>(emulator, "/user/starred?per_page=100", {
      token: "emulator-token-carol",
    });
    expect(status).toBe(200);
    expect(body).toHaveLength(100);
    expect(new URL(headers.get("link")?.match(/<([^>]+)>; rel="last"/)?.[1] ?? "").searchParams.get("page")).toBe("2");
    const me = await callJson(emulator, "/user", { token: "emulator-token-carol" });
    expect(me.body.login).toBe("carol");
  });

  it("replaces an existing user", async () => {
    await ctl.createUser({ login: "carol", stars: 10 });
    await ctl.createUser({ login: "carol", stars: 3 });
    const { body } = await callJson<any[]>(emulator, "/user/starred", { token: "emulator-token-carol" });
    expect(body).toHaveLength(3);
  });

  it("validates input", async () => {
    await expect(ctl.createUser({ login: "x", stars: 50_001 })).rejects.toMatchObject({
      name: "EmulatorControlError",
      status: 422,
    });
    await expect(ctl.createUser({ login: "-bad-", stars: 1 })).rejects.toMatchObject({ status: 422 });
    await expect(ctl.createUser({ login: "x", scopes: 7 as unknown as string })).rejects.toMatchObject({ status: 422 });
    const unknown = await fetch(`${emulator.url}/_emulator/nope`);
    expect(unknown.status).toBe(404);
  });

  it("revokes tokens", async () => {
    await ctl.revoke("octocat");
    const rest = await callJson(emulator, "/user");
    expect(rest.status).toBe(401);
    expect(rest.body.message).toBe("Bad credentials");
    expect((await graphql(emulator, "{ viewer { login } }")).status).toBe(401);
  });

  it("issues a new token after a revocation; the old one stays revoked", async () => {
    await ctl.revoke("octocat");
    const response = await fetch(`${emulator.url}/_emulator/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ login: "octocat" }),
    });
    expect(response.status).toBe(201);
    const { token } = (await response.json()) as { token: string };
    expect(token).toMatch(/^emulator-token-octocat-\d+$/);
    const fresh = await fetch(`${emulator.url}/user`, { headers: { Authorization: `Bearer ${token}` } });
    expect(fresh.status).toBe(200);
    expect(((await fresh.json()) as { login: string }).login).toBe("octocat");
    expect((await callJson(emulator, "/user")).status).toBe(401);
  });
});

describe("star, unstar and push", () => {
  it("stars an existing repository now, newest first in REST and GraphQL", async () => {
    const before = await graphql(emulator, "{ viewer { starredRepositories(first: 1) { totalCount } } }");
    expect(before.body.data.viewer.starredRepositories.totalCount).toBe(40);

    const result = await ctl.star({ login: "octocat", fullName: "aframevr/aframe-v3" });
    expect(result).toMatchObject({ fullName: "aframevr/aframe-v3", created: false, alreadyStarred: false });
    const top = await firstStar();
    expect(top.repo.full_name).toBe("aframevr/aframe-v3");
    expect(Math.abs(Date.parse(top.starred_at) - Date.now())).toBeLessThan(5000);

    const after = await graphql(
      emulator,
      "{ viewer { starredRepositories(first: 1, orderBy: {field: STARRED_AT, direction: DESC}) " +
        "{ totalCount nodes { nameWithOwner } } } }",
    );
    expect(after.body.data.viewer.starredRepositories).toEqual({
      totalCount: 41,
      nodes: [{ nameWithOwner: "aframevr/aframe-v3" }],
    });

    const again = await ctl.star({ login: "octocat", fullName: "aframevr/aframe-v3" });
    expect(again.alreadyStarred).toBe(true);
  });

  it("creates a new repository when starring an unknown name", async () => {
    const result = await ctl.star({
      login: "octocat",
      fullName: "newco/shiny",
      repo: { description: "Shiny new thing", language: "Rust", topics: ["cli", "Fast.Tool"] },
    });
    expect(result.created).toBe(true);
    const top = await firstStar();
    expect(top.repo).toMatchObject({
      full_name: "newco/shiny",
      description: "Shiny new thing",
      language: "Rust",
      topics: ["cli", "fasttool"],
    });
    const readme = await call(emulator, "/repos/newco/shiny/readme", { accept: "application/vnd.github.raw" });
    expect((await readme.text()).startsWith("# newco/shiny\n")).toBe(true);
  });

  it("unstars", async () => {
    const top = await firstStar();
    const result = await ctl.unstar({ login: "octocat", fullName: top.repo.full_name });
    expect(result.unstarred).toBe(true);
    expect((await firstStar()).repo.full_name).not.toBe(top.repo.full_name);
    const { body } = await callJson<any[]>(emulator, "/user/starred?per_page=100");
    expect(body).toHaveLength(39);
  });

  it("push gives a new pushed_at, and with a README a new blob sha everywhere", async () => {
    const stars = (await ctl.stars("octocat", { sha: true })) as any[];
    const star = stars.find((s) => s.readmePath === "README.md" && !s.private);
    const [owner, name] = star.fullName.split("/");
    const oldRaw = await call(emulator, `/repos/${star.fullName}/readme`, {
      accept: "application/vnd.github.raw+json",
    });
    expect(oldRaw.headers.get("etag")).toBe(`"${star.readmeSha}"`);

    const pushed = await ctl.push({ fullName: star.fullName, readme: "# Rewritten\n\nAll new.\n" });
    expect(pushed.readmeSha).not.toBe(star.readmeSha);
    expect(Date.parse(pushed.pushedAt)).toBeGreaterThan(Date.now() - 5000);

    const newRaw = await call(emulator, `/repos/${star.fullName}/readme`, {
      accept: "application/vnd.github.raw+json",
      headers: { "if-none-match": `"${star.readmeSha}"` },
    });
    expect(newRaw.status).toBe(200); // the old ETag no longer matches
    expect(newRaw.headers.get("etag")).toBe(`"${pushed.readmeSha}"`);
    expect(await newRaw.text()).toBe("# Rewritten\n\nAll new.\n");

    const gql = await graphql(
      emulator,
      "query ($o: String!, $n: String!) { repository(owner: $o, name: $n) " +
        '{ pushedAt object(expression: "HEAD:README.md") { ... on Blob { oid } } } }',
      { o: owner, n: name },
    );
    expect(gql.body.data.repository.object.oid).toBe(pushed.readmeSha);
    expect(gql.body.data.repository.pushedAt).toBe(pushed.pushedAt);

    const repo = await callJson(emulator, `/repos/${star.fullName}`);
    expect(repo.body.pushed_at).toBe(pushed.pushedAt);
  });
});

describe("faults", () => {
  it("fails the next N matching requests only", async () => {
    await ctl.addFaults({ route: "GET /repos/*/*/readme", status: 502, count: 2 });
    const stars = (await ctl.stars("octocat")) as any[];
    const star = stars.find((s) => s.readmePath && !s.private);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(emulator, `/repos/${star.fullName}/readme`)).status);
    expect(statuses).toEqual([502, 502, 200]);
    expect((await call(emulator, "/user")).status).toBe(200); // other routes untouched
  });

  it("serves a custom status and body, optionally for one login only", async () => {
    await ctl.createUser({ login: "dave", stars: 2 });
    await ctl.addFaults({ route: "POST /graphql", status: 504, body: { message: "timeout" }, login: "dave" });
    const dave = await callJson(emulator, "/graphql", {
      token: "emulator-token-dave",
      body: { query: "{ viewer { login } }" },
    });
    expect(dave.status).toBe(504);
    expect(dave.body).toEqual({ message: "timeout" });
    expect((await graphql(emulator, "{ viewer { login } }")).status).toBe(200);
  });

  it("matches query parameters: one page of a listing fails, the others are served", async () => {
    await ctl.addFaults({ route: "GET /user/starred", query: { page: "2" }, status: 500, count: 1 });
    const statuses = [];
    for (const page of [1, 2, 2])
      statuses.push((await call(emulator, `/user/starred?per_page=10&page=${page}`)).status);
    expect(statuses).toEqual([200, 500, 200]);
    const bad = await fetch(`${emulator.url}/_emulator/faults`, {
      method: "POST",
      body: JSON.stringify({ status: 500, query: { page: 2 } }),
    });
    expect(bad.status).toBe(422);
  });

  it("applies probabilities", async () => {
    await ctl.addFaults({ route: "GET /user", status: 500, probability: 0.5 });
    const statuses = [];
    for (let i = 0; i < 60; i++) statuses.push((await call(emulator, "/user")).status);
    const failures = statuses.filter((s) => s === 500).length;
    expect(failures).toBeGreaterThan(10);
    expect(failures).toBeLessThan(50);
    await ctl.clearFaults();
    expect((await call(emulator, "/user")).status).toBe(200);
  });

  it("adds latency", async () => {
    await ctl.addFaults({ route: "GET /user", latencyMs: 250 });
    const start = performance.now();
    expect((await call(emulator, "/user")).status).toBe(200);
    expect(performance.now() - start).toBeGreaterThanOrEqual(240);
  });

  it("applies the configured base latency", async () => {
    await ctl.setConfig({ latencyMs: 120 });
    const start = performance.now();
    await call(emulator, "/user");
    expect(performance.now() - start).toBeGreaterThanOrEqual(115);
    await ctl.setConfig({ latencyMs: 0 });
  });

  it("holds the socket without answering on timeout", async () => {
    await ctl.addFaults({ route: "GET /user/starred", timeout: true, count: 1 });
    await expect(call(emulator, "/user/starred", { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect((await call(emulator, "/user/starred")).status).toBe(200);
  });

  it("resets the connection on reset: the client sees a network error, not an answer", async () => {
    await ctl.addFaults({ route: "GET /user/starred", reset: true, count: 1 });
    await expect(call(emulator, "/user/starred")).rejects.toThrow(/fetch failed/);
    expect((await call(emulator, "/user/starred")).status).toBe(200);
  });

  it("rejects malformed rules", async () => {
    const response = await fetch(`${emulator.url}/_emulator/faults`, {
      method: "POST",
      body: JSON.stringify({ route: "GET /user", probability: 2 }),
    });
    expect(response.status).toBe(422);
  });
});

describe("stats and reset", () => {
  it("reports exactly the documented shape with route templates and charged costs", async () => {
    const stars = (await ctl.stars("octocat")) as any[];
    const withReadme = stars.filter((s) => s.readmePath === "README.md" && !s.private);
    const page = await call(emulator, "/user/starred?per_page=10");
    await call(emulator, "/user/starred?per_page=10", {
      headers: { "if-none-match": page.headers.get("etag") as string },
    });
    await call(emulator, `/repos/${withReadme[0].fullName}/readme`);
    await call(emulator, `/repos/${withReadme[1].fullName}/readme`, { accept: "application/vnd.github.raw+json" });
    const [owner, name] = withReadme[2].fullName.split("/");
    await graphql(
      emulator,
      "query ($o: String!, $n: String!) { repository(owner: $o, name: $n) " +
        `{ a: object(expression: "HEAD:README.md") { ... on Blob { text } }
       b: object(expression: "HEAD:README.md") { ... on Blob { oid } } } }`,
      { o: owner, n: name },
    );
    await graphql(
      emulator,
      "{ viewer { starredRepositories(first: 100) { nodes { repositoryTopics(first: 10) " +
        "{ nodes { topic { stargazers(first: 1) { totalCount } } } } } } } }",
    );
    await call(emulator, "/user", { token: "bogus" });

    const stats = await ctl.stats();
    expect(Object.keys(stats).sort()).toEqual(["maxConcurrency", "rateLimit", "readmeDownloads", "requests", "tokens"]);
    expect(stats.requests).toEqual({
      total: 7,
      byRoute: { "GET /user/starred": 2, "GET /repos/{owner}/{repo}/readme": 2, "POST /graphql": 2, "GET /user": 1 },
      byStatus: { "200": 5, "304": 1, "401": 1 },
    });
    expect(stats.rateLimit.octocat?.core).toMatchObject({ used: 3, limit: 5000 });
    // 1 point for the repository query, 1 + 100 + 1000 requests → 11 for the nested one
    expect(stats.rateLimit.octocat?.graphql).toMatchObject({ used: 12, limit: 5000 });
    expect(stats.readmeDownloads).toEqual({ octocat: 3 });
    expect(stats.maxConcurrency).toBe(1);
  });

  it("resets to the initial state", async () => {
    await ctl.createUser({ login: "erin", stars: 5 });
    await ctl.unstar({ login: "octocat", fullName: (await firstStar()).repo.full_name });
    await ctl.addFaults({ route: "GET /user", status: 500 });
    await ctl.revoke("octocat");
    await call(emulator, "/user");

    await ctl.reset();
    const stats = await ctl.stats();
    expect(stats).toEqual({
      requests: { total: 0, byRoute: {}, byStatus: {} },
      rateLimit: {
        octocat: {
          core: expect.objectContaining({ used: 0, limit: 5000 }),
          graphql: expect.objectContaining({ used: 0, limit: 5000 }),
        },
      },
      readmeDownloads: { octocat: 0 },
      maxConcurrency: 0,
      tokens: {},
    });
    expect(await ctl.faults()).toEqual([]);
    expect((await call(emulator, "/user", { token: "emulator-token-erin" })).status).toBe(401);
    const { body } = await callJson<any[]>(emulator, "/user/starred?per_page=100");
    expect(body).toHaveLength(40);
  });
});
