// The OpenDigger emulator over plain fetch, as the Worker and HyperCRX call it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startOpendiggerEmulator, type OpendiggerEmulator } from "./server.ts";

let od: OpendiggerEmulator;
beforeAll(async () => {
  od = await startOpendiggerEmulator({ quiet: true, now: "2026-11-20T12:00:00Z", notFoundShare: 0.1 });
});
afterAll(() => od.close());
beforeEach(() => control("POST", "reset"));

async function control<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${od.url}/_emulator/${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`control ${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

const get = (path: string, init?: RequestInit) => fetch(`${od.url}${path}`, init);

/** Names that the generated export covers (seed 1), found by asking. */
async function coveredRepos(count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    if ((await get(`/github/acme/repo-${i}/meta.json`)).status === 200) out.push(`acme/repo-${i}`);
  }
  return out;
}

describe("files", () => {
  it("serves openrank.json in OpenDigger's format: months, quarters, years; sums; 2 decimals", async () => {
    const [repo] = await coveredRepos(1);
    const response = await get(`/github/${repo}/openrank.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(new Date(response.headers.get("expires") ?? "").toISOString()).toBe("2026-12-05T03:17:42.000Z");
    const data = (await response.json()) as Record<string, number>;
    const keys = Object.keys(data);
    expect(keys.every((k) => /^\d{4}(-\d{2}(-raw)?|Q[1-4])?$/.test(k))).toBe(true);
    // Year keys come first, as JSON objects order integer-like keys.
    const firstNonYear = keys.findIndex((k) => !/^\d{4}$/.test(k));
    expect(keys.slice(firstNonYear).some((k) => /^\d{4}$/.test(k))).toBe(false);
    for (const value of Object.values(data)) {
      expect(value).not.toBe(0);
      expect(Math.round(value * 100) / 100).toBe(value);
    }
    const months = keys.filter((k) => /^\d{4}-\d{2}$/.test(k)).sort();
    expect(months.at(-1)! <= "2026-10").toBe(true);
    expect(months).not.toContain("2026-11"); // the current month is not exported
    for (const quarter of keys.filter((k) => /Q/.test(k))) {
      const [y, q] = quarter.split("Q").map(Number) as [number, number];
      const sum = [1, 2, 3]
        .map((i) => data[`${y}-${String((q - 1) * 3 + i).padStart(2, "0")}`] ?? 0)
        .reduce((a, b) => a + b, 0);
      expect(data[quarter]).toBeCloseTo(sum, 2);
    }
  });

  it("has a partial current quarter and year, and meta.json's updatedAt tells which month is complete", async () => {
    // A repository active last month (a tenth went quiet and have no recent months).
    let repo = "";
    let truth: any;
    for (const candidate of await coveredRepos(10)) {
      truth = await control("GET", `repo?fullName=${candidate}`);
      repo = candidate;
      if (truth.openrank["2026-10"] !== undefined) break;
    }
    expect(truth).toMatchObject({
      latestCompleteMonth: "2026-10",
      latestCompleteQuarter: "2026Q3",
      latestCompleteYear: "2025",
    });
    const meta = (await (await get(`/github/${repo}/meta.json`)).json()) as {
      updatedAt: number;
      type: string;
      id: number;
      labels: unknown[];
    };
    expect(meta).toMatchObject({ type: "repo", labels: expect.any(Array) });
    expect(new Date(meta.updatedAt).toISOString()).toBe("2026-11-05T03:17:42.000Z");
    // The seed's mistake: the lexically last key is the partial quarter, not a complete one.
    const data = truth.openrank as Record<string, number>;
    expect(Object.keys(data).sort().at(-1)).toBe("2026Q4");
    expect(data["2026Q4"]).toBe(data["2026-10"]);
    expect(data["2026"]).toBeGreaterThan(data["2026-10"] as number);
    expect(truth.openrankOfLatestMonth).toBe(data["2026-10"]);
  });

  it("derives the months from the clock: before the 5th the previous export is served", async () => {
    await control("POST", "config", { now: "2026-11-03T00:00:00Z" });
    const [repo] = await coveredRepos(1);
    const truth = await control("GET", `repo?fullName=${repo}`);
    expect(truth).toMatchObject({ latestCompleteMonth: "2026-09", latestCompleteQuarter: "2026Q3" });
    const data = (await (await get(`/github/${repo}/openrank.json`)).json()) as Record<string, number>;
    expect(Object.keys(data).filter((k) => k.startsWith("2026-10"))).toEqual([]);
    const meta = (await (await get(`/github/${repo}/meta.json`)).json()) as { updatedAt: number };
    expect(new Date(meta.updatedAt).toISOString()).toBe("2026-10-05T03:17:42.000Z");
    await control("POST", "config", { now: "2027-01-10T00:00:00Z" });
    expect(await control("GET", `repo?fullName=${repo}`)).toMatchObject({
      latestCompleteMonth: "2026-12",
      latestCompleteQuarter: "2026Q4",
      latestCompleteYear: "2026",
    });
  });

  it("keeps the interpolated 2021-10 next to its -raw value", async () => {
    await control("POST", "config", { now: "2022-03-10T00:00:00Z" });
    for (const repo of await coveredRepos(30)) {
      const data = (await (await get(`/github/${repo}/openrank.json`)).json()) as Record<string, number>;
      if (data["2021-10-raw"] === undefined) continue;
      const expected = Math.round((((data["2021-09"] ?? 0) + (data["2021-11"] ?? 0)) / 2) * 100) / 100;
      expect(data["2021-10"] ?? 0).toBeCloseTo(expected, 2);
      return;
    }
    throw new Error("no covered repository with data in 2021-10 among 30");
  });

  it("is deterministic per repository and seed", async () => {
    const [repo] = await coveredRepos(1);
    const a = await (await get(`/github/${repo}/openrank.json`)).text();
    const other = await startOpendiggerEmulator({ quiet: true, now: "2026-11-20T12:00:00Z" });
    try {
      expect(await (await fetch(`${other.url}/github/${repo}/openrank.json`)).text()).toBe(a);
    } finally {
      await other.close();
    }
    const reseeded = await startOpendiggerEmulator({
      quiet: true,
      now: "2026-11-20T12:00:00Z",
      seed: 2,
      notFoundShare: 0,
    });
    try {
      expect(await (await fetch(`${reseeded.url}/github/${repo}/openrank.json`)).text()).not.toBe(a);
    } finally {
      await reseeded.close();
    }
  });

  it("answers 304 to a matching If-None-Match", async () => {
    const [repo] = await coveredRepos(1);
    const first = await get(`/github/${repo}/openrank.json`);
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"[0-9A-F]{32}"$/);
    expect((await get(`/github/${repo}/openrank.json`, { headers: { "if-none-match": etag } })).status).toBe(304);
  });
});

describe("404s", () => {
  it("answers a configurable share of repositories with object storage's 404", async () => {
    const statuses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => get(`/github/acme/r${i}/openrank.json`).then((r) => r.status)),
    );
    const missing = statuses.filter((s) => s === 404).length;
    expect(missing).toBeGreaterThan(8);
    expect(missing).toBeLessThan(35);
    const stats = await control("GET", "stats");
    expect(stats.notFound).toBe(missing);
    expect(Object.keys(stats.notFoundByRepo)).toHaveLength(missing);
    expect(stats.byRepo["github/acme/r0"]).toBe(1);

    await control("POST", "config", { notFoundShare: 1 });
    const response = await get("/github/acme/r1/openrank.json");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/xml");
    expect(await response.text()).toMatch(/<Code>NoSuchKey<\/Code>[\s\S]*<Key>github\/acme\/r1\/openrank.json<\/Key>/);
    expect((await get("/github/acme/r1/nothing.json")).status).toBe(404);
  });
});

describe("control", () => {
  it("sets a repository's data, makes it missing, and restores it", async () => {
    const [repo] = (await coveredRepos(1)) as [string];
    const generated = await (await get(`/github/${repo}/openrank.json`)).text();
    const openrank = { "2026": 30.5, "2026-08": 10.25, "2026-09": 10.25, "2026-10": 10, "2026Q3": 20.5, "2026Q4": 10 };
    await control("POST", "repo", {
      fullName: repo.toUpperCase(),
      openrank,
      meta: { updatedAt: 1, type: "repo", id: 5, labels: [] },
    });
    expect(await (await get(`/github/${repo}/openrank.json`)).json()).toEqual(openrank);
    expect(await control("GET", `repo?fullName=${repo}`)).toMatchObject({
      openrankOfLatestMonth: 10,
      openrankOfLatestQuarter: 20.5,
    });
    await control("POST", "repo", { fullName: repo, missing: true });
    expect((await get(`/github/${repo}/openrank.json`)).status).toBe(404);
    expect((await get(`/github/${repo}/meta.json`)).status).toBe(404);
    await control("DELETE", "repo", { fullName: repo });
    expect(await (await get(`/github/${repo}/openrank.json`)).text()).toBe(generated);
  });

  it("injects faults: status, latency, non-JSON, timeout", async () => {
    const [repo] = await coveredRepos(1);
    await control("POST", "faults", [
      { repo, status: 503, count: 1 },
      { repo, latencyMs: 120, count: 1 },
    ]);
    expect((await get(`/github/${repo}/openrank.json`)).status).toBe(503);
    const started = Date.now();
    expect((await get(`/github/${repo}/openrank.json`)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    await control("POST", "faults", { file: "openrank.json", nonJson: true, count: 1 });
    const html = await get(`/github/${repo}/openrank.json`);
    await expect(html.json()).rejects.toThrow();
    await control("POST", "faults", { timeout: true, count: 1 });
    await expect(get(`/github/${repo}/meta.json`, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    const stats = await control("GET", "stats");
    expect(stats.byStatus).toMatchObject({ "503": 1, "200": expect.any(Number) });
  });

  it("rejects malformed control input", async () => {
    expect(
      (await fetch(`${od.url}/_emulator/faults`, { method: "POST", body: JSON.stringify({ repo: "nope" }) })).status,
    ).toBe(422);
    expect(
      (await fetch(`${od.url}/_emulator/config`, { method: "POST", body: JSON.stringify({ now: "yesterday" }) }))
        .status,
    ).toBe(422);
  });
});
