import { describe, expect, it } from "vitest";
import { sleep } from "../lib/concurrency";
import { emulator, env } from "../test/helpers";
import { GithubClient, githubConfig } from "./client";

// GitHub's server time is estimated by the response time (worker/github/pacer.ts). Inside workerd
// the clock moves only with I/O: a send time read while the isolate is still busy with its own work
// is that work's start, and the pacer would count the work as GitHub's.

/** Work that holds the isolate: `rounds` of it, and how long that took (read on a fresh clock). */
async function busy(rounds: number): Promise<number> {
  await sleep(0);
  const from = Date.now();
  let hash = 0;
  for (let i = 0; i < rounds; i++) hash = (hash * 31 + JSON.stringify({ i }).length) | 0;
  await sleep(0);
  expect(hash).not.toBeNaN();
  return Date.now() - from;
}

/** Rounds of `busy` that hold this machine's isolate for at least `ms`. */
async function roundsFor(ms: number): Promise<number> {
  let rounds = 100_000;
  for (let took = await busy(rounds); took < ms; took = await busy(rounds))
    rounds = Math.ceil(rounds * Math.min(10, (1.2 * ms) / Math.max(1, took)));
  return rounds;
}

describe("GithubClient: response times", () => {
  it("does not count the isolate's own work before a request as GitHub's time", async () => {
    await emulator("users", { login: "clock-fresh", stars: 3 });
    const client = new GithubClient(githubConfig(env), "emulator-token-clock-fresh");
    const rounds = await roundsFor(300);
    // Asked, then the isolate computes before the request can go out.
    const answer = client.rest("GET /user/starred", { per_page: 1 });
    const heldMs = await busy(rounds);
    const { ms, status } = await answer;
    expect(status).toBe(200);
    expect(heldMs).toBeGreaterThan(100);
    expect(ms).toBeLessThan(heldMs / 2);
  });
});
