// The pacer on a fake clock: GitHub's server-time budget per sliding minute, sizes from
// measured times, cut-offs never asked again at the same size, and the state that crosses
// steps and runs.
import { describe, expect, it } from "vitest";
import { freshPacing, Pacer, rememberedPacing, SIZE_BOUNDS, WINDOW_MS } from "./pacer";

function clock() {
  let now = 1_000_000;
  const waits: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
    waits,
  };
}

describe("Pacer: GitHub's server-time budget", () => {
  it(
    "starts GraphQL requests while less than 60 s of server time ended in the window, " +
      "as GitHub checks, then waits for it to slide",
    async () => {
      const c = clock();
      const pacer = new Pacer(null, c.now, c.sleep);
      const usedAtStart: number[] = [];
      // 5 s requests, one after another, each finishing at once on the fake clock.
      for (let i = 0; i < 20; i++) {
        const ticket = await pacer.admit("graphql", 5_000);
        usedAtStart.push(pacer.toJSON().recent.reduce((sum, [, ms]) => sum + ms, 0));
        pacer.done(ticket, 5_000);
        c.advance(100);
      }
      // Twelve went at once (0 … 55 s used when each started); the thirteenth waited for the window.
      expect(usedAtStart.slice(0, 12)).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55].map((s) => s * 1_000));
      expect(c.waits.length).toBeGreaterThan(0);
      expect(c.now() - 1_000_000).toBeGreaterThanOrEqual(WINDOW_MS);
      // No request ever started with the minute's budget spent.
      expect(Math.max(...usedAtStart)).toBeLessThan(60_000);
    },
  );

  it("lets a second request go beside another only while the budget has room for both", async () => {
    const c = clock();
    const pacer = new Pacer(null, c.now, c.sleep);
    pacer.done(await pacer.admit("graphql", 40_000), 40_000);
    const first = await pacer.admit("graphql", 10_000);
    expect(pacer.fits("graphql", 10_000)).toBe(true); // 40 + 10 + 10 ≤ 60
    expect(pacer.fits("graphql", 10_001)).toBe(false);
    pacer.done(first, 10_000);
    expect(pacer.fits("graphql", 10_001)).toBe(false);
    // A lone request still starts: 50 s ended, less than the budget.
    await pacer.admit("graphql", 10_001);
    expect(c.waits).toEqual([]);
  });

  it(
    "allows requests side by side only until the budget is first reached, " + "and again once the window is empty",
    async () => {
      const c = clock();
      const pacer = new Pacer(null, c.now, c.sleep);
      expect(pacer.burst(5_000)).toBe(true);
      for (let i = 0; i < 13; i++) {
        pacer.done(await pacer.admit("graphql", 5_000), 5_000);
        c.advance(1_000);
      }
      // The thirteenth waited for the window: from now on one request after another.
      expect(c.waits.length).toBeGreaterThan(0);
      expect(pacer.burst(1)).toBe(false);
      // Still so in the next step of the run (the state crosses steps).
      expect(new Pacer(pacer.toJSON(), c.now, c.sleep).burst(1)).toBe(false);
      c.advance(WINDOW_MS + 1);
      expect(pacer.burst(5_000)).toBe(true);
    },
  );

  it("allows requests side by side again for the last of the work, once it fits in one minute's budget", async () => {
    const c = clock();
    const pacer = new Pacer(null, c.now, c.sleep);
    for (let i = 0; i < 13; i++) {
      pacer.done(await pacer.admit("graphql", 5_000), 5_000);
      c.advance(1_000);
    }
    // Saturated, with room for one more 5 s batch: two minutes of work left keep one lane…
    expect(pacer.fits("graphql", 5_000)).toBe(true);
    expect(pacer.burst(5_000, 120_000)).toBe(false);
    // …while work that fits in one minute's budget spends the room as it comes…
    expect(pacer.burst(5_000, 40_000)).toBe(true);
    // …and never beyond it, however little is left.
    const ticket = await pacer.admit("graphql", 5_000);
    expect(pacer.burst(5_000, 1_000)).toBe(false);
    pacer.done(ticket, 5_000);
  });

  it("counts requests in flight against the budget", async () => {
    const c = clock();
    const pacer = new Pacer(null, c.now, c.sleep);
    const tickets = [];
    for (let i = 0; i < 6; i++) tickets.push(await pacer.admit("graphql", 10_000));
    expect(c.waits).toEqual([]);
    // 60 s in flight, the whole budget: a seventh 10 s request waits until some land.
    const seventh = pacer.admit("graphql", 10_000);
    await Promise.resolve();
    for (const ticket of tickets) pacer.done(ticket, 10_000);
    await seventh;
    expect(c.waits.length).toBeGreaterThan(0);
  });

  it(
    "leaves REST the rest of the 90 s total beside what GraphQL used, " + "and 30 s while GraphQL is in flight",
    async () => {
      const c = clock();
      const pacer = new Pacer(null, c.now, c.sleep);
      pacer.done(await pacer.admit("graphql", 20_000), 20_000);
      // GraphQL used 20 s and nothing of it is in flight: REST may use the other 70 s.
      pacer.done(await pacer.admit("rest", 40_000), 40_000);
      pacer.done(await pacer.admit("rest", 30_000), 30_000);
      expect(c.waits).toEqual([]);
      await pacer.admit("rest", 6_000);
      expect(c.waits.length).toBeGreaterThan(0);

      // While a GraphQL request is in flight, REST keeps to what the total leaves beside GraphQL's whole budget.
      const d = clock();
      const busy = new Pacer(null, d.now, d.sleep);
      await busy.admit("graphql", 5_000);
      busy.done(await busy.admit("rest", 25_000), 25_000);
      busy.done(await busy.admit("rest", 6_000), 6_000);
      expect(d.waits).toEqual([]);
      await busy.admit("rest", 1_000);
      expect(d.waits.length).toBeGreaterThan(0);
    },
  );

  it("lowers its budget when GitHub says secondary limit first", async () => {
    const c = clock();
    const pacer = new Pacer(null, c.now, c.sleep);
    pacer.done(await pacer.admit("graphql", 20_000), 20_000);
    pacer.secondaryHit("graphql");
    const limits = pacer.toJSON().limits;
    expect(limits.graphqlMs).toBeLessThan(20_000);
    expect(limits.graphqlMs).toBeGreaterThanOrEqual(5_000);
    // And keeps to it: another 20 s request now waits for the window.
    await pacer.admit("graphql", 20_000);
    expect(c.waits.length).toBeGreaterThan(0);
  });
});

describe("Pacer: sizes", () => {
  it("starts from the initial size, then sizes requests at half the cut-off from measured time per item", () => {
    const pacer = new Pacer(null);
    expect(pacer.size("readme-batch")).toBe(SIZE_BOUNDS["readme-batch"].initial);
    pacer.learn("readme-batch", 50, 2_500); // 50 ms an item
    expect(pacer.size("readme-batch")).toBe(100); // 5 s / 50 ms
  });

  it("aims at half the cut-off however steady GitHub seems, and half an earlier cut-off it met", () => {
    const pacer = new Pacer(null);
    for (let i = 0; i < 40; i++) pacer.learn("readme-batch", 100, i % 2 ? 5_250 : 4_750);
    expect(pacer.targetMs).toBe(5_000);
    const before = pacer.size("readme-batch");
    pacer.timedOut("readme-batch", before, 8_000);
    expect(pacer.targetMs).toBe(4_000);
    // The cut-off teaches a rate of at least the cut-off per item: the next request is at most half as big.
    expect(pacer.size("readme-batch")).toBeLessThanOrEqual(Math.floor(before / 2));
  });

  it("never asks again at a size that was cut off, and learns an earlier cut-off", () => {
    const pacer = new Pacer(null);
    pacer.learn("readme-batch", 20, 1_000);
    expect(pacer.size("readme-batch")).toBe(100);
    pacer.timedOut("readme-batch", 100, 6_000); // this GitHub cuts off at 6 s
    const after = pacer.size("readme-batch");
    expect(after).toBeLessThanOrEqual(50);
    expect(pacer.targetMs).toBe(3_000);
    // Faster answers later do not bring the failed size back.
    pacer.learn("readme-batch", 10, 10);
    expect(pacer.size("readme-batch")).toBeLessThan(100);
  });

  it("keeps what it learned across steps and runs, and checks what it reads back", () => {
    const c = clock();
    const pacer = new Pacer(null, c.now, c.sleep);
    pacer.learn("readme-batch", 40, 4_000);
    pacer.timedOut("readme-batch", 80);
    pacer.done({ lane: "graphql", ms: 1 } as never, 1_000);
    const step = pacer.toJSON();
    expect(new Pacer(step, c.now).size("readme-batch")).toBe(pacer.size("readme-batch"));
    const run = rememberedPacing(step);
    // The minute GitHub counts does not restart with a run.
    expect(run.recent).toEqual(step.recent);
    expect(new Pacer(run).size("readme-batch")).toBeLessThanOrEqual(40);
    // Anything else (an older or damaged value in D1) starts afresh.
    expect(new Pacer({ v: 1, recent: "x" }).toJSON()).toEqual(freshPacing());
    expect(new Pacer("garbage").toJSON()).toEqual(freshPacing());
  });
});
