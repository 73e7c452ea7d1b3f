import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { launchWithExtension, screenshot, type ExtensionBrowser } from "./lib/browser";
import { startCountingProxy, type CountingProxy } from "./lib/counting-proxy";
import { badgeText, signInThroughOptions, storedLocal } from "./lib/flows";
import { EMULATOR_TOKEN, freePort, startStack, type Stack } from "./lib/stack";

// Sign-in through the options page, then the popup's Sync with live progress, against
// the real Worker and the GitHub emulator. GitHub is slowed down (a fault rule) so the
// run lasts long enough to close and reopen the popup in the middle of it.

const SLOW_GITHUB = [
  { route: "POST /graphql", latencyMs: 1500 },
  { route: "GET /user/starred", latencyMs: 1500 },
];

describe("options sign-in and popup sync", () => {
  let stack: Stack;
  let proxy: CountingProxy;
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    stack = await startStack({ stars: 150 });
    proxy = await startCountingProxy(stack.worker.url);
    browser = await launchWithExtension();
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await stack?.stop();
  });

  it("starts signed out and makes no request to the Worker", async () => {
    const popup = await browser.openPage("popup.html");
    await popup.locator(".not-connected").waitFor();
    expect(await popup.locator(".not-connected").textContent()).toBe("Not connected — sign in on the options page.");
    await screenshot(popup, "popup-signed-out");
    await popup.close();
    expect(proxy.requests).toEqual([]);
  });

  it("says clearly when the Worker is unreachable and when GitHub rejects the token", async () => {
    const options = await browser.openPage("options.html");
    const unreachable = `http://127.0.0.1:${await freePort()}`;
    await options.locator("input[name=workerUrl]").fill(unreachable);
    await options.locator("input[name=githubToken]").fill("ghp_whatever");
    await options.locator("button.sign-in").click();
    await expect.poll(() => options.locator("[role=alert]").getAttribute("data-code")).toBe("worker_unreachable");
    expect(await options.locator("[role=alert]").textContent()).toContain(`Could not reach the Starwise server at ${unreachable}`);

    await options.locator("input[name=workerUrl]").fill(proxy.url);
    await options.locator("input[name=githubToken]").fill("ghp_not-a-real-token");
    await options.locator("button.sign-in").click();
    await expect.poll(() => options.locator("[role=alert]").getAttribute("data-code")).toBe("github_token_invalid");
    expect(await options.locator("[role=alert]").textContent()).toBe(
      "GitHub rejected this token. Check that it is copied whole and not expired or revoked.",
    );
    await screenshot(options, "options-token-rejected");
    await options.close();
  });

  it("signs in with a GitHub token and keeps only the session", async () => {
    const options = await signInThroughOptions(browser, proxy.url, EMULATOR_TOKEN);
    expect(await options.locator(".login").textContent()).toBe("octocat");
    await screenshot(options, "options-signed-in");
    const stored = JSON.stringify(await storedLocal(browser));
    expect(stored).toContain("octocat");
    expect(stored).not.toContain(EMULATOR_TOKEN);
    await options.close();
  });

  it("syncs from the popup with live progress, also after the popup is closed and reopened", async () => {
    // Each GitHub listing request takes 1.5 s (REST and GraphQL): the run lasts several seconds.
    await stack.control("faults", SLOW_GITHUB);
    onTestFailed(async () => {
      const stored = (await storedLocal(browser)) as { connection?: { sessionToken?: string }; syncState?: unknown };
      const status = await fetch(`${stack.worker.url}/api/sync/status`, { headers: { Authorization: `Bearer ${stored.connection?.sessionToken}` } });
      console.error("extension syncState:", JSON.stringify(stored.syncState), "\nworker status:", await status.text(), "\nrequests:", proxy.requests.join(", "));
      console.error(stack.worker.output().slice(-3000));
    });
    const popup = await browser.openPage("popup.html");
    await popup.getByRole("button", { name: "Sync" }).click();
    await popup.locator(".progress").waitFor({ timeout: 10_000 });
    expect(await popup.locator(".progress .phase").textContent()).toMatch(/Listing your stars|Starting the sync/);
    expect(await popup.locator("button.sync").isDisabled()).toBe(true);
    await screenshot(popup, "popup-syncing");
    await expect.poll(() => badgeText(browser)).toMatch(/^(…|\d+%)$/);
    await popup.close();

    // Reopened mid-sync: the current phase is drawn at once, from what the background stored.
    const again = await browser.openPage("popup.html");
    await again.locator(".progress").waitFor({ timeout: 2000 });
    expect(await again.locator(".progress .phase").textContent()).not.toBe("");

    await again.locator(".done").waitFor({ timeout: 60_000 });
    expect(await again.locator(".done").textContent()).toBe("Sync finished.");
    expect(await again.locator(".last-result").textContent()).toBe("150 stars · 150 new · 0 updated · 0 unstarred");
    expect(await again.locator(".last-synced").textContent()).not.toBe("never");
    expect(await badgeText(browser)).toBe("");
    await screenshot(again, "popup-synced");
    await again.close();
    await stack.control("faults", undefined, "DELETE");
  });

  it("re-attaches with GET /api/sync/events when the stream drops mid-sync", async () => {
    await stack.control("star", { login: "octocat", fullName: "starwise-e2e/dropped-stream" });
    await stack.control("faults", SLOW_GITHUB);
    const popup = await browser.openPage("popup.html");
    await popup.getByRole("button", { name: "Sync" }).click();
    await popup.locator(".progress").waitFor({ timeout: 10_000 });
    proxy.reset();
    proxy.dropConnections();
    await popup.locator(".done").waitFor({ timeout: 60_000 });
    expect(proxy.count("GET /api/sync/events")).toBeGreaterThanOrEqual(1);
    expect(await popup.locator(".last-result").textContent()).toBe("151 stars · 1 new · 0 updated · 0 unstarred");
    await popup.close();
    await stack.control("faults", undefined, "DELETE");
    expect(browser.errors).toEqual([]);
  });
});
