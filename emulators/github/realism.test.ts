// GitHub's speed and strictness in the emulator: server time, the cut-off in its shapes, the
// secondary limits, resource limits and isOverLimit. Server times are scaled down (timeScale)
// so the tests run in milliseconds while exercising the same rules.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { graphqlServerMs, noWork, realismPreset, SecondaryMeter } from "./realism.ts";
import { startGithubEmulator, type GithubEmulator } from "./server.ts";
import { call, control, graphql } from "./test-helpers.ts";

const LIGHT_PAGE =
  "query($first: Int!, $after: String) { viewer { " +
  `starredRepositories(first: $first, after: $after, orderBy: {field: STARRED_AT, direction: DESC}) {
  totalCount isOverLimit pageInfo { hasNextPage endCursor }
  edges { starredAt node { databaseId nameWithOwner stargazerCount ` +
  `repositoryTopics(first: 20) { nodes { topic { name } } } } } } }
  rateLimit { cost used } }`;
const TREE_PAGE = `query { viewer { starredRepositories(first: 100, orderBy: {field: STARRED_AT, direction: DESC}) {
  edges { node { nameWithOwner repositoryTopics(first: 20) { nodes { topic { name } } }
    root: object(expression: "HEAD:") { ... on Tree { entries { name oid } } }
    gh: object(expression: "HEAD:.github") { ... on Tree { entries { name oid } } }
    docs: object(expression: "HEAD:docs") { ... on Tree { entries { name oid } } } } } } }
  rateLimit { used } }`;

describe("server-time model (github preset, unscaled)", () => {
  const model = realismPreset("github");
  const noSpread = { ...model, model: { ...model.model, spread: 0 } };
  const never = () => 0.5;

  it(
    "takes seconds for a 100-repository page with the usual fields, " +
      "and passes 10 s with trees for every repository",
    () => {
      const light = graphqlServerMs({ ...noWork(), repositories: 100, nestedConnections: 100 }, noSpread, 0, never);
      expect(light).toBeGreaterThan(3_000);
      expect(light).toBeLessThan(8_000);
      const trees = graphqlServerMs(
        { ...noWork(), repositories: 100, nestedConnections: 100, objects: 300, treeEntries: 6_000 },
        noSpread,
        0,
        never,
      );
      expect(trees).toBeGreaterThan(10_000);
    },
  );

  it("is slower under concurrency and scales with timeScale", () => {
    const work = { ...noWork(), repositories: 50 };
    const alone = graphqlServerMs(work, noSpread, 0, never);
    expect(graphqlServerMs(work, noSpread, 5, never)).toBeCloseTo(alone * 1.5);
    expect(graphqlServerMs(work, { ...noSpread, timeScale: 2 }, 0, never)).toBeCloseTo(alone * 2);
  });

  it("meters a sliding window and says when it has room again", () => {
    const meter = new SecondaryMeter();
    meter.add("k", 1_000, 60_000, 40_000);
    meter.add("k", 11_000, 60_000, 30_000);
    expect(meter.used("k", 12_000, 60_000)).toBe(70_000);
    // Full at 60 s: the first entry leaves the window at 61 s.
    expect(meter.waitFor("k", 12_000, 60_000, 60_000)).toBe(49_000);
    expect(meter.waitFor("k", 61_001, 60_000, 60_000)).toBe(0);
  });
});

describe("GitHub's limits over HTTP", () => {
  let emulator: GithubEmulator;
  beforeAll(async () => {
    emulator = await startGithubEmulator({ port: 0, stars: 120, quiet: true, realism: "github" });
  });
  afterAll(() => emulator.close());
  beforeEach(async () => {
    await control(emulator, "POST", "reset");
    // 1/100 of GitHub's times, with limits scaled the same way.
    await control(emulator, "POST", "config", {
      realism: {
        preset: "github",
        timeScale: 0.01,
        cutoffMs: 100,
        cpuGraphqlMsPerWindow: 600,
        cpuTotalMsPerWindow: 900,
        secondaryWindowMs: 60_000,
      },
    });
  });

  it("cuts a query off past the limit, in each of GitHub's shapes in turn, and charges penalty points", async () => {
    await control(emulator, "POST", "config", {
      realism: { timeoutShapes: ["200", "502", "504"], timeoutPenaltyPoints: 5 },
    });
    const first = await graphql(emulator, TREE_PAGE);
    expect(first.status).toBe(200);
    expect(first.body.data).toBeNull();
    expect(first.body.errors[0].message).toMatch(
      /^Something went wrong while executing your query\. This may be the result of a timeout/,
    );
    expect((await graphql(emulator, TREE_PAGE)).status).toBe(502);
    expect((await graphql(emulator, TREE_PAGE)).status).toBe(504);
    const stats = await control(emulator, "GET", "stats");
    expect(stats.tokens["user:octocat"].timeouts).toBe(3);
    // Each query cost 1 point plus 5 of penalty.
    expect(stats.rateLimit.octocat.graphql.used).toBe(18);
    // A light page of the same repositories is well under the cut-off.
    const light = await graphql(emulator, LIGHT_PAGE, { first: 100 });
    expect(light.body.data.viewer.starredRepositories.edges).toHaveLength(100);
  });

  it("refuses a token that used its GraphQL server time for the minute, with retry-after", async () => {
    let refused: Response | undefined;
    for (let i = 0; i < 30 && !refused; i++) {
      const response = await call(emulator, "/graphql", { body: { query: LIGHT_PAGE, variables: { first: 100 } } });
      if (response.status === 403) refused = response;
      else await response.text();
    }
    expect(refused).toBeDefined();
    expect(Number(refused!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await refused!.json()) as { message: string }).message).toMatch(/secondary rate limit/);
    // REST still has room in the total budget? No: the token is blocked until retry-after, as on GitHub.
    expect((await call(emulator, "/user")).status).toBe(403);
    const stats = await control(emulator, "GET", "stats");
    expect(stats.tokens["user:octocat"].secondaryLimitHits).toBe(2);
    expect(stats.tokens["user:octocat"].serverMs.graphql).toBeGreaterThanOrEqual(600);
  });

  it("limits GraphQL points and REST points per endpoint per minute", async () => {
    await control(emulator, "POST", "config", {
      realism: {
        graphqlPointsPerWindow: 3,
        restPointsPerEndpointPerWindow: 2,
        cpuGraphqlMsPerWindow: 0,
        cpuTotalMsPerWindow: 0,
      },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await graphql(emulator, "{ viewer { login } }")).status);
    expect(statuses).toEqual([200, 200, 200, 403]);
    await control(emulator, "POST", "reset");
    await control(emulator, "POST", "config", { realism: { restPointsPerEndpointPerWindow: 2 } });
    const rest: number[] = [];
    for (let i = 0; i < 3; i++) rest.push((await call(emulator, "/user")).status);
    expect(rest).toEqual([200, 200, 403]);
  });

  it("answers RESOURCE_LIMITS_EXCEEDED with partial data past the per-query budget", async () => {
    await control(emulator, "POST", "config", { realism: { resourceLimitMs: 20, model: { spread: 0 } } });
    const { body } = await graphql(emulator, LIGHT_PAGE, { first: 100 });
    expect(body.errors.map((e: { type: string }) => e.type)).toContain("RESOURCE_LIMITS_EXCEEDED");
    const edges = body.data.viewer.starredRepositories.edges as unknown[];
    const resolved = edges.filter((edge) => edge !== null).length;
    expect(resolved).toBeGreaterThan(0);
    expect(resolved).toBeLessThan(100);
  });

  it("truncates a long star list and says isOverLimit", async () => {
    await control(emulator, "POST", "config", { realism: { overLimitStars: 50 } });
    const first = await graphql(emulator, LIGHT_PAGE, { first: 40 });
    const page = first.body.data.viewer.starredRepositories;
    expect(page).toMatchObject({ totalCount: 120, isOverLimit: true });
    const second = await graphql(emulator, LIGHT_PAGE, { first: 40, after: page.pageInfo.endCursor });
    const rest = second.body.data.viewer.starredRepositories;
    expect(rest.edges).toHaveLength(10);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    // REST lists every star.
    const all = await call(emulator, "/user/starred?per_page=100&page=2");
    expect(((await all.json()) as unknown[]).length).toBe(20);
  });
});
