// Primary (hourly budget) and secondary (concurrency) rate limits, as GitHub applies them.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEmulatorClient, type EmulatorClient } from "./client.ts";
import { startGithubEmulator, type GithubEmulator } from "./server.ts";
import { call, callJson, graphql, openapiErrors } from "./test-helpers.ts";

let emulator: GithubEmulator;
let ctl: EmulatorClient;

beforeAll(async () => {
  emulator = await startGithubEmulator({ port: 0, stars: 30, quiet: true });
  ctl = createEmulatorClient(emulator.url);
});
afterAll(() => emulator.close());
afterEach(() => ctl.reset());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("primary rate limit (REST core)", () => {
  it("sends x-ratelimit-* headers on every authenticated response, 404s included", async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const path of ["/user", "/user/starred", "/repos/nobody/nothing/readme"]) {
      const response = await call(emulator, path);
      expect(response.headers.get("x-ratelimit-limit")).toBe("5000");
      expect(response.headers.get("x-ratelimit-resource")).toBe("core");
      const reset = Number(response.headers.get("x-ratelimit-reset"));
      expect(reset).toBeGreaterThanOrEqual(now + 3590);
      // An hour from the window's first request, which came after `now` (on a busy machine, seconds after).
      expect(reset).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 3600);
    }
    const last = await call(emulator, "/user");
    expect(last.headers.get("x-ratelimit-used")).toBe("4");
    expect(last.headers.get("x-ratelimit-remaining")).toBe("4996");
  });

  it("answers 403 with GitHub's body once the budget is used up", async () => {
    await ctl.setConfig({ coreLimit: 3 });
    for (let i = 0; i < 3; i++) expect((await call(emulator, "/user")).status).toBe(200);
    const { status, headers, body } = await callJson(emulator, "/user/starred");
    expect(status).toBe(403);
    expect(body.message).toMatch(/^API rate limit exceeded for user ID 583231\./);
    expect(body.documentation_url).toBe("https://docs.github.com/rest/overview/rate-limits-for-the-rest-api");
    expect(openapiErrors("basic-error", body)).toEqual([]);
    expect(headers.get("x-ratelimit-remaining")).toBe("0");
    expect(headers.get("x-ratelimit-used")).toBe("3");
    // GraphQL has its own budget.
    expect((await graphql(emulator, "{ viewer { login } }")).body.data.viewer.login).toBe("octocat");
  });

  it("can be forced by a fault and resets when the window ends", async () => {
    await ctl.addFaults({ route: "GET /user/starred", rateLimit: "core", resetInSeconds: 1, count: 1 });
    const limited = await call(emulator, "/user/starred");
    expect(limited.status).toBe(403);
    const reset = Number(limited.headers.get("x-ratelimit-reset"));
    expect(reset).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 1);
    expect((await call(emulator, "/user")).status).toBe(403); // the whole core budget is gone, not just one route

    await sleep(1100);
    const fresh = await call(emulator, "/user");
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get("x-ratelimit-remaining")).toBe("4999");
    expect(Number(fresh.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000 + 3500);
  });

  it("uses a configurable window length (rateWindowSeconds)", async () => {
    await ctl.setConfig({ coreLimit: 2, rateWindowSeconds: 1 });
    const first = await call(emulator, "/user");
    expect(Number(first.headers.get("x-ratelimit-reset"))).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 1);
    expect((await call(emulator, "/user")).status).toBe(200);
    expect((await call(emulator, "/user")).status).toBe(403);
    await sleep(1100);
    expect((await call(emulator, "/user")).status).toBe(200);
    const stats = await ctl.stats();
    expect(stats.rateLimit.octocat?.core).toMatchObject({ used: 1, limit: 2, total: 3 });
  });

  it("can answer 429 instead of 403", async () => {
    await ctl.addFaults({ rateLimit: "core", resetInSeconds: 60, status: 429, count: 1 });
    const response = await call(emulator, "/user");
    expect(response.status).toBe(429);
    expect(response.headers.get("x-ratelimit-remaining")).toBe("0");
  });

  it("keeps budgets per token", async () => {
    await ctl.createUser({ login: "bob", stars: 1 });
    await ctl.setRateLimit({ login: "octocat", resource: "core", remaining: 0, resetInSeconds: 30 });
    expect((await call(emulator, "/user")).status).toBe(403);
    expect((await call(emulator, "/user", { token: "emulator-token-bob" })).status).toBe(200);
  });
});

describe("primary rate limit (GraphQL)", () => {
  it("answers RATE_LIMITED errors with HTTP 200 once the points are used up", async () => {
    await ctl.addFaults({ route: "POST /graphql", rateLimit: "graphql", resetInSeconds: 1, count: 1 });
    const { status, headers, body } = await graphql(emulator, "{ viewer { login } }");
    expect(status).toBe(200);
    expect(body.errors).toEqual([
      { type: "RATE_LIMITED", message: "API rate limit already exceeded for user ID 583231." },
    ]);
    expect(headers.get("x-ratelimit-remaining")).toBe("0");
    expect(headers.get("x-ratelimit-resource")).toBe("graphql");
    expect((await call(emulator, "/user")).status).toBe(200); // REST is unaffected

    await sleep(1100);
    const after = await graphql(emulator, "{ rateLimit { remaining used } }");
    expect(after.body.data.rateLimit).toEqual({ remaining: 4999, used: 1 });
  });

  it("refuses a query that costs more than what is left", async () => {
    await ctl.setRateLimit({ login: "octocat", resource: "graphql", remaining: 5 });
    const expensive = await graphql(
      emulator,
      "{ viewer { starredRepositories(first: 100) { nodes { repositoryTopics(first: 10) " +
        "{ nodes { topic { stargazers(first: 1) { totalCount } } } } } } } }",
    );
    expect(expensive.body.errors[0].type).toBe("RATE_LIMITED");
    const cheap = await graphql(emulator, "{ rateLimit { remaining } }");
    expect(cheap.body.data.rateLimit.remaining).toBe(4);
  });
});

describe("secondary rate limit", () => {
  it("rejects requests beyond the concurrency cap with retry-after and blocks the token meanwhile", async () => {
    await ctl.setConfig({ maxConcurrentRequests: 4, secondaryRetryAfter: 1 });
    await ctl.addFaults({ route: "GET /user", latencyMs: 300 });
    const responses = await Promise.all(Array.from({ length: 10 }, () => call(emulator, "/user")));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    expect(statuses.filter((s) => s === 403)).toHaveLength(6);
    const rejected = responses.find((r) => r.status === 403) as Response;
    expect(rejected.headers.get("retry-after")).toBe("1");
    const body = await rejected.json();
    expect(body.message).toMatch(/^You have exceeded a secondary rate limit/);
    expect(body.documentation_url).toBe(
      "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
    );

    const stats = await ctl.stats();
    expect(stats.maxConcurrency).toBeGreaterThanOrEqual(5);

    await ctl.clearFaults();
    expect((await call(emulator, "/user/starred")).status).toBe(403); // still blocked
    await sleep(1100);
    expect((await call(emulator, "/user/starred")).status).toBe(200);
  });

  it("does not charge rejected requests to the primary budget", async () => {
    await ctl.addFaults({ secondary: { retryAfter: 1 }, count: 1 });
    const rejected = await call(emulator, "/user");
    expect(rejected.status).toBe(403);
    expect(rejected.headers.get("retry-after")).toBe("1");
    await sleep(1100);
    const ok = await call(emulator, "/user");
    expect(ok.headers.get("x-ratelimit-used")).toBe("1");
  });
});
