import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "puppeteer-core";
import { ARTIFACTS_DIR } from "./lib/browser";
import { firefoxScreenshot, launchFirefoxWithExtension, type FirefoxExtension } from "./lib/firefox";
import { startGithubSite, type GithubSite } from "./lib/github-site";
import { EMULATOR_TOKEN, startStack, type Stack } from "./lib/stack";

// The Firefox (MV2) build in Debian's Firefox ESR, over WebDriver BiDi: sign-in, a sync with its
// progress, the badge on a saved github.com page, the new tab's search and its "no match", and the
// options' AI provider with its Test button — what a Firefox user does first. The real Worker with
// the GitHub, AI and OpenDigger emulators, as in the Chromium tests.

/** Each listing request takes 1.5 s, so the run lasts long enough to see its progress. */
const SLOW_GITHUB = [
  { route: "POST /graphql", latencyMs: 1500 },
  { route: "GET /user/starred", latencyMs: 1500 },
];

const text = (page: Page, selector: string) =>
  page.$eval(selector, (element) => element.textContent ?? "").catch(() => null);

describe("Firefox ESR", () => {
  let stack: Stack;
  let site: GithubSite;
  let firefox: FirefoxExtension;

  beforeAll(async () => {
    stack = await startStack({ stars: 150, enrich: true });
    await stack.control("star", {
      login: "octocat",
      fullName: "microsoft/playwright",
      repo: { description: "microsoft/playwright (emulated)", language: "TypeScript" },
    });
    site = await startGithubSite();
    firefox = await launchFirefoxWithExtension({ githubPort: site.port });
  });
  afterAll(async () => {
    await firefox?.close();
    await site?.close();
    await stack?.stop();
  });

  it("signs in through the options page", async () => {
    const options = await firefox.openPage("options.html");
    await options.locator("input[name=workerUrl]").fill(stack.worker.url);
    await options.locator("input[name=githubToken]").fill(EMULATOR_TOKEN);
    await options.locator("button.sign-in").click();
    await options.waitForSelector(".sign-out", { timeout: 20_000 });
    expect(await text(options, ".login")).toBe("octocat");
    await options.close();
  });

  it("syncs from the popup with live progress", { timeout: 150_000 }, async () => {
    await stack.control("faults", SLOW_GITHUB);
    try {
      const popup = await firefox.openPage("popup.html");
      await popup.locator("button.sync").click();
      await popup.waitForSelector(".progress", { timeout: 10_000 });
      await expect
        .poll(() => text(popup, ".progress .phase"), { timeout: 15_000 })
        .toMatch(/^Listing your stars: \d+ of 151$/);
      await firefoxScreenshot(popup, "firefox-popup-syncing");
      await popup.waitForSelector(".done", { timeout: 120_000 });
      expect(await text(popup, ".done")).toBe("Sync finished.");
      expect(await text(popup, ".last-result")).toBe("151 stars · 151 new · 0 updated · 0 unstarred");
      await popup.close();
    } finally {
      await stack.control("faults", undefined, "DELETE");
    }
  });

  it("shows the badge on a repository page on github.com", async () => {
    const page = await firefox.open("https://github.com/microsoft/playwright");
    const badge = await page.waitForSelector("starwise-repo-badge >>> .badge", { timeout: 15_000 });
    expect(await badge!.$eval(".when", (element) => element.textContent)).toMatch(/^Starred /);
    // In its shadow root, next to the repository's name.
    expect(
      await page.evaluate(
        () =>
          document.querySelector("#repository-container-header strong[itemprop='name'] + starwise-repo-badge")
            ?.shadowRoot !== null,
      ),
    ).toBe(true);
    const header = await page.$("#repository-container-header");
    await header!.screenshot({ path: `${ARTIFACTS_DIR}/firefox-github-badge.png` });
    await page.close();
  });

  it("searches from the new tab, and Back from an opened result comes back to the search", async () => {
    const newtab = await firefox.openPage("newtab.html");
    await newtab.waitForSelector(".result");
    expect(await newtab.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("q");
    await newtab.keyboard.type("playwright");
    await expect
      .poll(() => newtab.$$eval(".result .name", (links) => links.map((link) => link.textContent)))
      .toEqual(["microsoft/playwright"]);
    const offered = await newtab.$$eval("select[name=language] option", (options) => options.length);
    expect(offered).toBeGreaterThan(2);
    await firefoxScreenshot(newtab, "firefox-newtab");
    await Promise.all([newtab.waitForNavigation(), newtab.keyboard.press("Enter")]);
    expect(newtab.url()).toBe("https://github.com/microsoft/playwright");
    // Not `goBack()`: an extension page never reports `load` over BiDi (lib/firefox.ts), so the
    // page itself says when it is back.
    await newtab.evaluate(() => history.back());
    await expect.poll(() => newtab.evaluate(() => location.search).catch(() => null)).toBe("?q=playwright");
    await expect
      .poll(() => newtab.$eval("input[name=q]", (box) => (box as HTMLInputElement).value).catch(() => null))
      .toBe("playwright");
    await newtab.close();
  });

  it("says no match for words nothing in the library has", async () => {
    const newtab = await firefox.openPage("newtab.html");
    await newtab.waitForSelector(".result");
    await newtab.keyboard.type("qwzxjv kvetch");
    await expect
      .poll(() => text(newtab, ".no-match .headline"), { timeout: 10_000 })
      .toBe("No stars match “qwzxjv kvetch”");
    // No match in the results list; the nearest by meaning may follow, apart, as related.
    expect(await newtab.$$("#results .result")).toHaveLength(0);
    await newtab.close();
  });

  it("tests an AI provider from the options and names a rejected key in the provider's words", async () => {
    const options = await firefox.openPage("options.html");
    await options.waitForSelector("section.ai select[name=aiKind]");
    await options.locator("section.ai input[name=aiBaseUrl]").fill(`${stack.ai!.url}/v1`);
    await options.locator("section.ai input[name=aiModel]").fill("starwise-chat");
    await options.locator("section.ai input[name=aiApiKey]").fill("sk-wrong-key-1234");
    await options.locator("section.ai button.ai-test").click();
    await expect
      .poll(() => options.$eval("section.ai .test-result", (e) => e.getAttribute("data-code")).catch(() => null))
      .toBe("ai_key_rejected");
    expect(await text(options, "section.ai .test-result .note-text")).toBe(
      "AI key rejected: the provider refused the API key. Enter a valid key in the options.",
    );
    expect(await text(options, "section.ai .test-result .provider-said")).toMatch(/^The provider said \(HTTP 401\)/);
    await firefoxScreenshot(options, "firefox-options-ai-test");
    await options.close();
  });
});
