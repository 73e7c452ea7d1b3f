import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "puppeteer-core";
import { ARTIFACTS_DIR } from "./lib/browser";
import { startCountingProxy, type CountingProxy } from "./lib/counting-proxy";
import { firefoxScreenshot, launchFirefoxWithExtension, type FirefoxExtension } from "./lib/firefox";
import { startGithubSite, type GithubSite } from "./lib/github-site";
import { startLinkSite, type LinkSite } from "./lib/link-site";
import { EMULATOR_TOKEN, startStack, type Stack } from "./lib/stack";

// The Firefox (MV2) build in Debian's Firefox ESR, over WebDriver BiDi: sign-in, a sync with its
// progress, the badge on a saved github.com page, the new tab's search and its "no match", the
// options' AI provider with its Test button — what a Firefox user does first — and, as in
// sites.test.ts, the address bar's handlers and the marks on an allowed site. The real Worker (through
// a counting proxy) with the GitHub, AI and OpenDigger emulators, as in the Chromium tests.
//
// Allowing a site: the options' click calls `permissions.request` (a real user gesture over BiDi);
// Firefox's pref `extensions.webextOptionalPermissionPrompts: false` grants it without drawing its
// doorhanger, which a headless Firefox cannot show — the grant, its event and the registration are
// Firefox's own.

/** Each listing request takes 1.5 s, so the run lasts long enough to see its progress. */
const SLOW_GITHUB = [
  { route: "POST /graphql", latencyMs: 1500 },
  { route: "GET /user/starred", latencyMs: 1500 },
];

const text = (page: Page, selector: string) =>
  page.$eval(selector, (element) => element.textContent ?? "").catch(() => null);

const LOOKUP = "POST /api/repositories/lookup";
/** Repositories the news page links to, in the library (tokio-rs/tokio with the person's tags). */
const ON_THE_NEWS = ["tokio-rs/tokio", "zed-industries/zed", "tokio-rs/axum"];

type BidiNode = {
  type: string;
  value?: {
    nodeType?: number;
    localName?: string;
    nodeValue?: string;
    attributes?: Record<string, string>;
    children?: BidiNode[];
    shadowRoot?: BidiNode | null;
  };
};

/**
 * The marks on a page, read over WebDriver BiDi with closed shadow trees included (`includeShadowTree:
 * "all"`): their roots are closed, so the page's own scripts — and puppeteer's — cannot read them.
 */
async function marksIn(firefox: FirefoxExtension, page: Page): Promise<Array<{ text: string; card: string }>> {
  const connection = (firefox.browser as unknown as { connection: { send(m: string, p: object): Promise<unknown> } })
    .connection;
  const context = (page.mainFrame() as unknown as { _id: string })._id;
  const response = (await connection.send("script.evaluate", {
    expression: "[...document.querySelectorAll('starwise-mark')]",
    target: { context },
    awaitPromise: false,
    serializationOptions: { includeShadowTree: "all", maxDomDepth: 8 },
  })) as { result?: { result?: { value?: BidiNode[] } } };
  const hosts = response.result?.result?.value ?? [];
  const textOf = (node: BidiNode | undefined): string =>
    !node?.value || node.value.localName === "style"
      ? ""
      : (node.value.nodeValue ?? "") + (node.value.children ?? []).map(textOf).join("");
  return hosts.map((host) => {
    const parts = host.value?.shadowRoot?.value?.children ?? [];
    const chip = parts.find((part) => part.value?.attributes?.class?.startsWith("mark"));
    const card = parts.find((part) => part.value?.attributes?.class === "tip");
    return {
      text: textOf(chip).trim(),
      card: card && !("hidden" in (card.value?.attributes ?? {})) ? textOf(card) : "",
    };
  });
}

describe("Firefox ESR", () => {
  let stack: Stack;
  let site: GithubSite;
  let news: LinkSite;
  let proxy: CountingProxy;
  let firefox: FirefoxExtension;

  beforeAll(async () => {
    stack = await startStack({ stars: 150, enrich: true });
    await stack.control("star", {
      login: "octocat",
      fullName: "microsoft/playwright",
      repo: { description: "microsoft/playwright (emulated)", language: "TypeScript" },
    });
    for (const fullName of ON_THE_NEWS)
      await stack.control("star", { login: "octocat", fullName, repo: { description: `${fullName} (emulated)` } });
    site = await startGithubSite();
    news = await startLinkSite();
    proxy = await startCountingProxy(stack.worker.url);
    firefox = await launchFirefoxWithExtension({
      githubPort: site.port,
      prefs: {
        "extensions.webextOptionalPermissionPrompts": false,
        "network.dns.localDomains": "news.localhost, other.localhost",
      },
    });
  });
  afterAll(async () => {
    await firefox?.close();
    await proxy?.close();
    await news?.close();
    await site?.close();
    await stack?.stop();
  });

  it("signs in through the options page", async () => {
    const options = await firefox.openPage("options.html");
    await options.locator("input[name=workerUrl]").fill(proxy.url);
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
        .toMatch(/^Listing your stars: \d+ of 15\d$/);
      await firefoxScreenshot(popup, "firefox-popup-syncing");
      await popup.waitForSelector(".done", { timeout: 120_000 });
      expect(await text(popup, ".done")).toBe("Sync finished.");
      // 150 of the emulator's, microsoft/playwright, and those of ON_THE_NEWS it did not have already.
      expect(await text(popup, ".last-result")).toMatch(/^(15\d) stars · \1 new · 0 updated · 0 unstarred$/);
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

  it("suggests in the address bar from the index, as plain text, through the listeners' handlers", async () => {
    // Firefox's background page is no BiDi target: an extension page reaches it (getBackgroundPage).
    const page = await firefox.openPage("options.html");
    const ask = (typed: string) =>
      page.evaluate(async (words: string) => {
        type Omnibox = { input(text: string): Promise<unknown> };
        const api = (globalThis as unknown as { browser: { runtime: { getBackgroundPage(): Promise<Window> } } })
          .browser;
        const background = (await api.runtime.getBackgroundPage()) as unknown as { starwiseOmnibox: Omnibox };
        return JSON.parse(JSON.stringify(await background.starwiseOmnibox.input(words))) as {
          state: string;
          default: string;
          suggestions: Array<{ content: string; description: string }>;
        };
      }, typed);
    const answer = await ask("playwright");
    expect(answer.state).toBe("matches");
    expect(answer.suggestions[0]).toMatchObject({ content: "https://github.com/microsoft/playwright" });
    // Plain text: no markup for Firefox.
    expect(answer.suggestions[0]!.description).toMatch(/^microsoft\/playwright( — [^<>]+)?$/);
    expect((await ask("qwzxjv")).state).toBe("no-match");
    await page.close();
  });

  it("turns release notifications on from the options: the optional permission and the API, then off", async () => {
    const options = await firefox.openPage("options.html");
    await options.waitForSelector("section.notifications button.notify-on");
    await options.locator("section.notifications button.notify-on").click();
    await options.waitForSelector("section.notifications button.notify-off", { timeout: 10_000 });
    // Granted, Firefox's `browser.notifications` is there for the background's one notification a sync.
    const api = await options.evaluate(() => {
      const scope = globalThis as unknown as { browser: { notifications?: { create?: unknown } } };
      return typeof scope.browser.notifications?.create;
    });
    expect(api).toBe("function");
    await firefoxScreenshot(options, "firefox-options-notifications");
    await options.locator("section.notifications button.notify-off").click();
    await options.waitForSelector("section.notifications button.notify-on", { timeout: 10_000 });
    await options.close();
  });

  it("allows a site from the options, and marks its GitHub links with one lookup", async () => {
    const options = await firefox.openPage("options.html");
    await options.waitForSelector("section.sites .none");
    await options.locator("section.sites input[name=site]").fill("news.localhost");
    await options.locator("section.sites button.allow-site").click();
    await expect
      .poll(() => options.$$eval("section.sites .allowed-sites .site", (sites) => sites.map((s) => s.textContent)))
      .toEqual(["news.localhost"]);
    await stack.d1Execute(
      `update stars set custom_tags = '["async","networking","rust"]' ` +
        "where repository_id in (select id from repositories where full_name = 'tokio-rs/tokio')",
    );
    proxy.reset();
    const page = await firefox.browser.newPage();
    await page.setViewport({ width: 900, height: 560 });
    await page.goto(news.url("news"));
    await expect.poll(() => page.$$eval("starwise-mark", (marks) => marks.length), { timeout: 10_000 }).toBe(4);
    expect(proxy.count(LOOKUP)).toBe(1);
    const marks = await marksIn(firefox, page);
    expect(marks[0]).toEqual({ text: "★async · networking +1", card: "" });
    // Styled under the page's strict CSP: a rounded chip, not bare text.
    const stories = await page.$("#stories");
    await stories!.screenshot({ path: `${ARTIFACTS_DIR}/firefox-sites-marks.png` as `${string}.png` });
    await page.hover("starwise-mark");
    await expect.poll(async () => (await marksIn(firefox, page))[0]!.card).toMatch(/^tokio-rs\/tokioIn your stars/);
    const rows = await page.$$("tr.athing");
    const top = (await rows[0]!.boundingBox())!;
    const bottom = (await rows[4]!.boundingBox())!;
    await page.screenshot({
      path: `${ARTIFACTS_DIR}/firefox-sites-marks-hover.png`,
      clip: { x: 0, y: Math.max(0, top.y - 8), width: 900, height: bottom.y + bottom.height - top.y + 16 },
    });
    await page.close();
    await options.close();
  });

  it("a site not allowed gets nothing and sends nothing; Remove ends the marks", async () => {
    proxy.reset();
    const other = await firefox.browser.newPage();
    await other.goto(news.url("other"));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await other.$$("starwise-mark")).toHaveLength(0);
    expect(proxy.requests).toEqual([]);
    await other.close();

    const options = await firefox.openPage("options.html");
    await options.waitForSelector("section.sites .allowed-sites .remove-site");
    await options.locator("section.sites .remove-site").click();
    await options.waitForSelector("section.sites .none");
    const page = await firefox.browser.newPage();
    await page.goto(news.url("news"));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await page.$$("starwise-mark")).toHaveLength(0);
    // The options page asked for the account and its settings; the news page asked nothing.
    expect(proxy.count(LOOKUP)).toBe(0);
    await page.close();
    await options.close();
  });
});
