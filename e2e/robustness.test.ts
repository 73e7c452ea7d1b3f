import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { launchWithExtension, type ExtensionBrowser } from "./lib/browser";
import { startCountingProxy, type CountingProxy } from "./lib/counting-proxy";
import { signInThroughOptions, storedLocal } from "./lib/flows";
import { fixture, startGithubSite, type GithubSite } from "./lib/github-site";
import { EMULATOR_TOKEN, startStack, type Stack } from "./lib/stack";
import { turboVisit } from "./lib/turbo";

// Extension robustness (issue 10): github.com pages whose markup changed, 50 Turbo navigations,
// the Worker going away mid-session, and a session revoked while the popup is open.

/** A repository page whose header GitHub "redesigned": the title selector finds nothing. */
const CHANGED = "starwise-changed";
function changedPage(name: string): string {
  return fixture("repo-microsoft-playwright-2026.html")
    .replaceAll("microsoft/playwright", `${CHANGED}/${name}`)
    .replaceAll('itemprop="name"', 'data-redesigned="name"');
}

const starwiseLines = (browser: ExtensionBrowser, match: string) =>
  browser.errors.filter((line) => line.includes(match));

/** Event listeners (every world's, the content script's included) and DOM nodes alive in the tab, after a full GC. */
async function liveCounts(page: Page): Promise<{ listeners: number; nodes: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  await cdp.send("HeapProfiler.collectGarbage");
  const { metrics } = await cdp.send("Performance.getMetrics");
  await cdp.detach();
  const metric = (name: string) => metrics.find((m) => m.name === name)!.value;
  return { listeners: metric("JSEventListeners"), nodes: metric("Nodes") };
}

describe("the extension when things go wrong", () => {
  let stack: Stack;
  let proxy: CountingProxy;
  let site: GithubSite;
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    stack = await startStack({ stars: 10 });
    await stack.control("star", {
      login: "octocat",
      fullName: "microsoft/playwright",
      repo: { description: "microsoft/playwright (emulated)", language: "TypeScript" },
    });
    proxy = await startCountingProxy(stack.worker.url);
    site = await startGithubSite();
    browser = await launchWithExtension({ githubPort: site.port });
    await browser.context.route(`https://github.com/${CHANGED}/**`, (route) =>
      route.fulfill({
        status: 200,
        contentType: "text/html; charset=utf-8",
        body: changedPage(new URL(route.request().url()).pathname.split("/")[2] ?? "x"),
      }),
    );
    (await signInThroughOptions(browser, proxy.url, EMULATOR_TOKEN)).close();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await proxy?.close();
    await stack?.stop();
  });

  it(
    "a repository page whose markup changed: no badge, the page untouched, " +
      "one line in the console however often it is visited",
    async () => {
      const page = await browser.open(`https://github.com/${CHANGED}/one`);
      const logged = page.waitForEvent("console", {
        predicate: (m) => m.text().includes('feature "repo-badge" failed'),
        timeout: 30_000,
      });
      await logged;
      expect(await page.locator("starwise-repo-badge").count()).toBe(0);
      for (let i = 0; i < 6; i++) await turboVisit(page, `https://github.com/${CHANGED}/${i % 2 ? "one" : "two"}`);
      // Every visit has had its chance to report (each run's check is aborted by the next visit; the last one
      // runs out).
      await page.waitForTimeout(4000);
      expect(starwiseLines(browser, 'feature "repo-badge" failed')).toHaveLength(1);
      expect(starwiseLines(browser, 'feature "repo-badge" failed')[0]).toContain("markup changed");
      expect(await page.locator("starwise-repo-badge").count()).toBe(0);
      expect(await page.locator("[data-redesigned='name']").count()).toBe(1);
      await page.close();
    },
  );

  it("50 Turbo navigations leave no listener behind and exactly one badge", async () => {
    const page = await browser.open("https://github.com/microsoft/playwright");
    await page.locator("starwise-repo-badge .badge").waitFor();
    const pages = ["https://github.com/ammarasad2005/Drama-Ghar", "https://github.com/microsoft/playwright"];
    const visit = async (count: number) => {
      for (let i = 0; i < count; i++) await turboVisit(page, pages[i % 2]!);
      await page.locator("starwise-repo-badge .badge").waitFor();
    };
    const onePage = (await liveCounts(page)).nodes;
    await visit(10);
    const warm = await liveCounts(page);
    await visit(40);
    const after = await liveCounts(page);
    // The figures of docs/reliability.md's extension table.
    console.log(
      `turbo visits: one page ${onePage} nodes; after 10 visits ${warm.listeners} listeners, ${warm.nodes} nodes; ` +
        `after 50 ${after.listeners} listeners, ${after.nodes} nodes`,
    );
    // Each visit replaces <body>, and its listeners and nodes go with it: a feature that kept a
    // listener per visit adds 40 or more here, one that kept a page alive 40 pages of nodes.
    expect(after.listeners - warm.listeners).toBeLessThan(10);
    expect(after.nodes - warm.nodes).toBeLessThan(onePage);
    expect(await page.locator("starwise-repo-badge").count()).toBe(1);
    expect(starwiseLines(browser, "https://github.com/microsoft/playwright")).toEqual([]);
    await page.close();
  });

  it(
    "the Worker unreachable mid-session: pages stay untouched, the popup says so, " +
      "and it all works again when it is back",
    async () => {
      proxy.setDown(true);
      try {
        const page = await browser.open("https://github.com/docker-library/docker");
        await page.locator("#repository-container-header strong[itemprop='name']").waitFor();
        await page.waitForTimeout(1500);
        expect(await page.locator("starwise-repo-badge .badge").count()).toBe(0);
        await page.close();
        const popup = await browser.openPage("popup.html");
        await popup.getByRole("button", { name: "Sync" }).click();
        await expect
          .poll(() => popup.locator("[role=alert]").getAttribute("data-code"), { timeout: 20_000 })
          .toBe("worker_unreachable");
        // Still signed in: an unreachable Worker is not a revoked session.
        expect(
          ((await storedLocal(browser)) as { connection: { sessionToken: string | null } }).connection.sessionToken,
        ).toBeTruthy();
        await popup.close();
      } finally {
        proxy.setDown(false);
      }
      const popup = await browser.openPage("popup.html");
      await popup.getByRole("button", { name: "Sync" }).click();
      await popup.locator(".done").waitFor({ timeout: 60_000 });
      await popup.close();
    },
  );

  it("a session revoked while the popup is open: the next action signs the extension out, clearly", async () => {
    const popup = await browser.openPage("popup.html");
    await popup.getByRole("button", { name: "Sync" }).waitFor();
    // The popup's own requests on open (the digest line is the last) are answered before the session goes:
    // a request of theirs made after it would sign out before the click, which is right but not this test.
    await popup.locator(".digest-line").waitFor();
    const { connection } = (await storedLocal(browser)) as { connection: { sessionToken: string } };
    // Signed out elsewhere (another device, or the session revoked by a sign-in past the cap).
    const revoked = await fetch(`${stack.worker.url}/api/auth/session`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${connection.sessionToken}` },
    });
    expect(revoked.status).toBe(204);
    await popup.getByRole("button", { name: "Sync" }).click();
    await popup.locator(".not-connected").waitFor({ timeout: 20_000 });
    expect(
      ((await storedLocal(browser)) as { connection: { sessionToken: string | null } }).connection.sessionToken,
    ).toBeNull();
    await popup.close();
  });
});
