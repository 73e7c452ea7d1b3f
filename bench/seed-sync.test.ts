import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulatorClient, type EmulatorClient } from "../emulators/github/client.ts";
import { startGithubEmulator, type GithubEmulator } from "../emulators/github/server.ts";
import { rateLimitWaitMs, seedSync, type SeedStore } from "./seed-sync.ts";

const TOKEN = "emulator-token-octocat";

describe("bench:sync's seed baseline", () => {
  let github: GithubEmulator;
  let control: EmulatorClient;
  // One library across the tests, as across the scenarios of one benchmark: they run in order.
  const store: SeedStore = new Map();
  const downloads = async () => (await control.stats()).readmeDownloads.octocat ?? 0;
  const readmeRequests = async () => (await control.stats()).requests.byRoute["GET /repos/{owner}/{repo}/readme"] ?? 0;

  beforeAll(async () => {
    github = await startGithubEmulator({ port: 0, stars: 120, seed: 1, latencyMs: 0, quiet: true });
    control = createEmulatorClient(github.url);
  });
  afterAll(async () => {
    await github.close();
  });

  it("lists every star and fetches every README on a first sync", async () => {
    const truth = await control.stars("octocat", { sha: true });
    const result = await seedSync({ apiUrl: github.url, token: TOKEN, store });
    expect(result.total).toBe(120);
    expect(result.pages).toBe(2);
    expect(result.newCount).toBe(120);
    expect(result.rowsWritten).toBe(120);
    expect(store.size).toBe(120);
    // Every README the emulator has was downloaded, once; the repositories without one were asked too.
    expect(await downloads()).toBe(result.readmesFetched);
    expect(result.readmesFetched).toBe(truth.filter((star) => star.readmePath !== null).length);
    expect(result.readmeRequests).toBe(120);
    expect(result.readmeFailures).toBe(0);
    expect(result.wallMs).toBeGreaterThan(0);
  });

  it("fetches no README and writes no row when nothing changed", async () => {
    const before = await downloads();
    const requestsBefore = await readmeRequests();
    const result = await seedSync({ apiUrl: github.url, token: TOKEN, store });
    expect(result.total).toBe(120);
    expect(await downloads()).toBe(before);
    expect(result.readmesFetched).toBe(0);
    expect(result.rowsWritten).toBe(0);
    // The seed asks again for the READMEs it holds empty: the repositories without one.
    const empty = [...store.values()].filter((row) => !row.hasReadme).length;
    expect((await readmeRequests()) - requestsBefore).toBe(empty);
  });

  it("fetches and writes a pushed repository's new README, and counts an unstar", async () => {
    const [first, second] = await control.stars("octocat");
    await control.push({ fullName: first!.fullName, readme: `# ${first!.fullName}\n\nRewritten.` });
    await control.unstar({ login: "octocat", fullName: second!.fullName });
    const before = await downloads();
    const result = await seedSync({ apiUrl: github.url, token: TOKEN, store });
    expect(await downloads()).toBe(before + 1);
    expect(result.readmesFetched).toBe(1);
    expect(result.total).toBe(119);
    expect(result.updatedCount).toBe(1);
    expect(result.unstarredCount).toBe(1);
    expect(result.rowsWritten).toBe(2);
    expect(store.get(first!.id)?.pushedAt).toBe((await control.repo(first!.fullName)).pushedAt);
  });

  it("waits out an exhausted budget and a secondary limit, then asks again", async () => {
    await control.setRateLimit({ login: "octocat", resource: "core", remaining: 0, resetInSeconds: 1 });
    await control.addFaults({ route: "GET /repos/*/*/readme", secondary: { retryAfter: 1 }, count: 1 });
    const [star] = await control.stars("octocat");
    await control.push({ fullName: star!.fullName, readme: "# Pushed again" });
    const result = await seedSync({ apiUrl: github.url, token: TOKEN, store });
    // The listing waited for the reset; the README requests in flight when the token was blocked all waited.
    expect(result.rateLimitWaits).toBeGreaterThanOrEqual(2);
    expect(result.readmesFetched).toBe(1);
    expect(result.readmeFailures).toBe(0);
    expect(result.wallMs).toBeGreaterThanOrEqual(1000);
  });

  it("reads GitHub's rate-limit answers", () => {
    const now = 1_800_000_000_000;
    const headers = (entries: Record<string, string>) => new Headers(entries);
    expect(
      rateLimitWaitMs(
        403,
        headers({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(now / 1000 + 30) }),
        now,
      ),
    ).toBe(30_000);
    expect(rateLimitWaitMs(429, headers({ "x-ratelimit-remaining": "12", "retry-after": "60" }), now)).toBe(60_000);
    expect(rateLimitWaitMs(403, headers({ "x-ratelimit-remaining": "12" }), now)).toBeNull();
    expect(rateLimitWaitMs(404, headers({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1" }), now)).toBeNull();
  });
});
