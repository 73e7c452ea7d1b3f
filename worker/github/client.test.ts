import { describe, expect, it } from "vitest";
import { emulator, env } from "../test/helpers";
import { GithubClient, githubConfig } from "./client";

// GitHub's server time is estimated by the response time (worker/github/pacer.ts). Inside workerd
// the clock moves only with I/O: a send time read while the isolate is still busy with its own work
// is that work's start, and the pacer would count the work as GitHub's.

/** Work that holds the isolate for a while, and how long it held it (read on a fresh clock). */
async function busy(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  const from = Date.now();
  let hash = 0;
  for (let i = 0; i < 3_000_000; i++) hash = (hash * 31 + JSON.stringify({ i }).length) | 0;
  await new Promise((resolve) => setTimeout(resolve, 0));
  expect(hash).not.toBeNaN();
  return Date.now() - from;
}

describe("GithubClient: response times", () => {
  it("does not count the isolate's own work before a request as GitHub's time", async () => {
    await emulator("users", { login: "clock-fresh", stars: 3 });
    const client = new GithubClient(githubConfig(env), "emulator-token-clock-fresh");
    // Asked, then the isolate computes before the request can go out.
    const answer = client.rest("GET /user/starred", { per_page: 1 });
    const heldMs = await busy();
    const { ms, status } = await answer;
    expect(status).toBe(200);
    expect(heldMs).toBeGreaterThan(100);
    expect(ms).toBeLessThan(heldMs / 2);
  });
});
