// Triggers (`POST /_emulator/triggers`): a change that runs once a given request has been answered,
// so stars move while a sync's pages are in flight. Also pins down when a page's content is read:
// when its handler runs, after any latency sleep.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEmulatorClient, type EmulatorClient } from "./client.ts";
import { startGithubEmulator, type GithubEmulator } from "./server.ts";
import { call, callJson } from "./test-helpers.ts";

let emulator: GithubEmulator;
let ctl: EmulatorClient;

beforeAll(async () => {
  emulator = await startGithubEmulator({ port: 0, stars: 250, seed: 1, quiet: true });
  ctl = createEmulatorClient(emulator.url);
});
afterAll(() => emulator.close());
afterEach(() => ctl.reset());

async function page(n: number, token?: string): Promise<string[]> {
  const { status, body } = await callJson<any[]>(
    emulator,
    `/user/starred?per_page=100&page=${n}`,
    token ? { token } : {},
  );
  expect(status).toBe(200);
  return body.map((repo) => repo.full_name);
}

async function truthNames(login = "octocat"): Promise<string[]> {
  return (await ctl.stars(login)).map((s) => s.fullName);
}

describe("the control calls", () => {
  it("adds (201), lists and clears triggers; reset clears them too", async () => {
    const trigger = await ctl.addTrigger({
      route: "GET /user/starred",
      query: { page: "2" },
      after: 1,
      action: { unstar: "a/b" },
    });
    expect(trigger).toEqual({
      id: 1,
      route: "GET /user/starred",
      query: { page: "2" },
      after: 1,
      action: { unstar: "a/b" },
      matched: 0,
      fired: false,
      firedAt: null,
    });
    const raw = await fetch(`${emulator.url}/_emulator/triggers`, {
      method: "POST",
      body: JSON.stringify({ route: "GET /user", after: 2, action: { star: "c/d" } }),
    });
    expect(raw.status).toBe(201);
    expect(await ctl.triggers()).toHaveLength(2);
    expect(await ctl.clearTriggers()).toEqual({ cleared: 2 });
    await ctl.addTrigger({ route: "GET /user", after: 1, action: { star: "c/d" } });
    await ctl.reset();
    expect(await ctl.triggers()).toEqual([]);
  });

  it("refuses malformed triggers with 422", async () => {
    const bad = [
      { route: "GET /user", after: 0, action: { unstar: "a/b" } },
      { route: "GET /user", after: 1 },
      { route: "GET /user", after: 1, action: { unstar: "a/b", star: "c/d" } },
      { route: "GET /user", after: 1, action: { explode: "a/b" } },
      { route: "GET /user", after: 1, action: { state: { fullName: "a/b", state: "gone" } } },
      { route: "GET /user", after: 1, action: { rename: { fullName: "a/b" } } },
      { route: "GET /user", query: { page: [1] }, after: 1, action: { unstar: "a/b" } },
    ];
    for (const input of bad) {
      await expect(ctl.addTrigger(input as never)).rejects.toMatchObject({ status: 422 });
    }
  });
});

describe("moving stars while pages are in flight", () => {
  it("unstars after page 1 has been answered: page 2 moves up and the client misses one star", async () => {
    const truth = await truthNames();
    const sixth = truth[5] as string;
    await ctl.addTrigger({
      route: "GET /user/starred",
      query: { page: "1", per_page: "100" },
      after: 1,
      action: { unstar: sixth },
    });

    const first = await page(1);
    expect(first).toEqual(truth.slice(0, 100)); // computed before the change
    const [trigger] = await ctl.triggers();
    expect(trigger).toMatchObject({ matched: 1, fired: true, firedAt: expect.any(String) });
    const second = await page(2);
    // Star 101 moved up to page 1, which the client already has: it sees it on neither page.
    expect(second[0]).toBe(truth[101]);
    expect([...first, ...second]).not.toContain(truth[100]);
    expect(await truthNames()).not.toContain(sixth);
  });

  it("stars after page 1 has been answered: page 2 moves down and repeats one star", async () => {
    const truth = await truthNames();
    await ctl.addTrigger({
      route: "GET /user/starred",
      query: { page: "1", per_page: "100" },
      after: 1,
      action: { star: "newco/late-arrival" },
    });
    await page(1);
    const second = await page(2);
    expect(second[0]).toBe(truth[99]);
    expect((await truthNames())[0]).toBe("newco/late-arrival");
  });

  it("counts only requests whose query matches, from the trigger's creation, and fires once", async () => {
    const truth = await truthNames();
    await page(1);
    await ctl.addTrigger({
      route: "GET /user/starred",
      query: { page: "1" },
      after: 2,
      action: { unstar: truth[0] as string },
    });
    await page(2);
    await callJson(emulator, "/user/starred?per_page=100"); // no page parameter: not {page: "1"}
    expect((await ctl.triggers())[0]).toMatchObject({ matched: 0, fired: false });
    expect(await page(1)).toContain(truth[0]);
    expect((await ctl.triggers())[0]).toMatchObject({ matched: 1, fired: false });
    expect(await page(1)).toContain(truth[0]); // the second one is answered before the change
    expect((await ctl.triggers())[0]).toMatchObject({ matched: 2, fired: true });
    expect(await page(1)).not.toContain(truth[0]);
    await page(1);
    expect((await ctl.triggers())[0]).toMatchObject({ matched: 2, fired: true });
    expect(await truthNames()).toHaveLength(249);
  });

  it("limits a trigger to one login's requests, and stars and unstars for that user", async () => {
    await ctl.createUser({ login: "carol", stars: 30 });
    const carols = await truthNames("carol");
    await ctl.addTrigger({
      route: "GET /user/starred",
      login: "carol",
      after: 1,
      action: { unstar: carols[0] as string },
    });
    await page(1);
    expect((await ctl.triggers())[0]?.fired).toBe(false);
    await page(1, "emulator-token-carol");
    expect((await ctl.triggers())[0]?.fired).toBe(true);
    expect(await truthNames("carol")).toHaveLength(29);
    expect(await truthNames()).toHaveLength(250);
  });

  it("does not count requests answered by a fault", async () => {
    const truth = await truthNames();
    await ctl.addFaults({ route: "GET /user", status: 502, count: 1 });
    await ctl.addTrigger({ route: "GET /user", after: 1, action: { unstar: truth[0] as string } });
    expect((await call(emulator, "/user")).status).toBe(502);
    expect((await ctl.triggers())[0]).toMatchObject({ matched: 0, fired: false });
    expect((await call(emulator, "/user")).status).toBe(200);
    expect((await ctl.triggers())[0]?.fired).toBe(true);
  });

  it("sets a repository state and renames through actions; a failed action is recorded", async () => {
    const truth = await truthNames();
    await ctl.addTrigger({
      route: "GET /user",
      after: 1,
      action: { state: { fullName: truth[0] as string, state: "dmca" } },
    });
    await ctl.addTrigger({
      route: "GET /user",
      after: 1,
      action: { rename: { fullName: truth[1] as string, newName: "renamed-org/renamed" } },
    });
    await ctl.addTrigger({ route: "GET /user", after: 1, action: { unstar: "nobody-here/nothing" } });
    await call(emulator, "/user");
    const names = await truthNames();
    expect(names[0]).toBe("renamed-org/renamed");
    expect(names).not.toContain(truth[0]);
    const triggers = await ctl.triggers();
    expect(triggers.map((t) => t.fired)).toEqual([true, true, true]);
    expect(triggers[2]?.error).toBe('no repository "nobody-here/nothing"');
  });
});

describe("when a page's content is read", () => {
  it("after the latency sleep: a request held up by latency sees a change made while it waited", async () => {
    const truth = await truthNames();
    await ctl.addFaults({ route: "GET /user/starred", latencyMs: 400, count: 1 });
    await ctl.addTrigger({ route: "GET /user", after: 1, action: { unstar: truth[0] as string } });
    const delayed = page(1); // sleeps 400 ms before its handler runs
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await call(emulator, "/user")).status).toBe(200); // answered at once; the trigger fires
    expect((await ctl.triggers())[0]?.fired).toBe(true);
    const names = await delayed;
    expect(names).not.toContain(truth[0]);
    expect(names[0]).toBe(truth[1]);
  });
});
