import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { launchWithExtension, screenshotOf, type ExtensionBrowser } from "./lib/browser";
import { startCountingProxy, type CountingProxy } from "./lib/counting-proxy";
import { signInThroughOptions } from "./lib/flows";
import { startLinkSite, type LinkSite } from "./lib/link-site";
import { EMULATOR_TOKEN, startStack, type Stack } from "./lib/stack";
import { startDisplay, type Display } from "./lib/xvfb";

// Beyond github.com, in Chromium: the address bar's suggestions (driven through the very handlers its
// listeners call: no browser automates its address bar) and the marks on other sites — a site
// allowed in the options through the browser's real permission prompt (Chromium headed on Xvfb,
// the prompt answered with the keyboard: lib/xvfb.ts), a news page on it whose GitHub links get
// marks with one lookup, one more lookup for a batch of links it adds, and a site never allowed
// that gets nothing and sends nothing. The real Worker (through a counting proxy) and the emulators.

const LOOKUP = "POST /api/repositories/lookup";
const HOSTILE_DESCRIPTION = "<match>tricks</match> & <dim>more</dim> \u202Egnp.exe\u0007";
const TOKIO_TAGS = ["async", "networking", "rust"];
const sql = (text: string) => `'${text.replaceAll("'", "''")}'`;

type Omnibox = {
  input(
    text: string,
  ): Promise<{ default: string; state: string; suggestions: { content: string; description: string }[] }>;
  enter(text: string, disposition: string): Promise<string>;
};
type Chrome = {
  chrome: {
    omnibox: { setDefaultSuggestion(suggestion: { description: string }): Promise<void> };
    scripting: { getRegisteredContentScripts(): Promise<Array<{ id: string; matches?: string[] }>> };
    permissions: { getAll(): Promise<{ origins?: string[] }> };
  };
  starwiseOmnibox: Omnibox;
};

/** The marks on a page, read through DevTools (their shadow roots are closed: the page's scripts cannot). */
async function marksOf(page: Page): Promise<Array<{ href: string; text: string; label: string; card: string }>> {
  const cdp = await page.context().newCDPSession(page);
  type Node = {
    nodeId: number;
    localName: string;
    nodeValue: string;
    attributes?: string[];
    children?: Node[];
    shadowRoots?: Node[];
  };
  const { root } = (await cdp.send("DOM.getDocument", { depth: -1, pierce: true })) as { root: Node };
  const attribute = (node: Node | undefined, name: string) => {
    const list = node?.attributes ?? [];
    const at = list.indexOf(name);
    return at >= 0 && at % 2 === 0 ? (list[at + 1] ?? "") : "";
  };
  const text = (node: Node): string =>
    node.localName === "style" ? "" : node.nodeValue + (node.children ?? []).map(text).join("");
  const found: Array<{ href: string; text: string; label: string; card: string }> = [];
  const walk = (node: Node) => {
    const children = node.children ?? [];
    children.forEach((child, i) => {
      if (child.localName === "starwise-mark") {
        const shadow = child.shadowRoots?.[0];
        const chip = shadow?.children?.find((element) => attribute(element, "class").startsWith("mark"));
        const card = shadow?.children?.find((element) => attribute(element, "class") === "tip");
        found.push({
          href: attribute(children[i - 1], "href"),
          text: chip ? text(chip).trim() : "",
          label: attribute(chip, "aria-label"),
          // The hover card, made when first hovered; "" before, or while hidden.
          card: card && !card.attributes?.includes("hidden") ? text(card) : "",
        });
      }
      walk(child);
    });
    for (const shadow of node.shadowRoots ?? []) walk(shadow);
  };
  walk(root);
  await cdp.detach();
  return found;
}

describe("beyond github.com (Chromium)", () => {
  let stack: Stack;
  let proxy: CountingProxy;
  let site: LinkSite;
  let display: Display;
  let browser: ExtensionBrowser;

  /** What the address bar's listeners do on a keystroke, and on Enter. */
  const input = (typed: string) =>
    browser.background.evaluate((text) => (globalThis as unknown as Chrome).starwiseOmnibox.input(text), typed);
  const enter = (typed: string, disposition: string) =>
    browser.background.evaluate(
      ([text, where]) => (globalThis as unknown as Chrome).starwiseOmnibox.enter(text, where),
      [typed, disposition] as const,
    );

  beforeAll(async () => {
    stack = await startStack({ stars: 20, enrich: true });
    for (const fullName of ["tokio-rs/tokio", "microsoft/playwright", "zed-industries/zed", "tokio-rs/axum"])
      await stack.control("star", {
        login: "octocat",
        fullName,
        repo: { description: `${fullName} (emulated)`, language: "Rust" },
      });
    await stack.control("star", { login: "octocat", fullName: "evil/tricks", repo: { description: "x" } });
    proxy = await startCountingProxy(stack.worker.url);
    site = await startLinkSite();
    display = await startDisplay();
    browser = await launchWithExtension({ display: display.name });
    (await signInThroughOptions(browser, proxy.url, EMULATOR_TOKEN)).close();
    const popup = await browser.openPage("popup.html");
    await popup.getByRole("button", { name: "Sync" }).click();
    await popup.locator(".done").waitFor({ timeout: 90_000 });
    // The person's own words, then a second sync: the address bar's index is asked again after each `done`.
    await stack.d1Execute(
      `update stars set custom_tags = ${sql(JSON.stringify(TOKIO_TAGS))}, ` +
        `custom_description = 'An asynchronous runtime for Rust' ` +
        `where repository_id in (select id from repositories where full_name = 'tokio-rs/tokio'); ` +
        `update stars set custom_description = ${sql(HOSTILE_DESCRIPTION)} ` +
        `where repository_id in (select id from repositories where full_name = 'evil/tricks')`,
    );
    await popup.getByRole("button", { name: "Sync" }).click();
    await popup.locator(".done").waitFor({ timeout: 90_000 });
    await popup.close();
  });
  afterAll(async () => {
    await browser?.close();
    await display?.close();
    await site?.close();
    await proxy?.close();
    await stack?.stop();
  });

  describe("the address bar", () => {
    it("suggests from the index refreshed after the sync, with no request per keystroke", async () => {
      // The index after the second sync's `done` holds the person's own description.
      await expect
        .poll(async () => (await input("tokio")).suggestions[0]?.description)
        .toBe(
          "<match>tokio</match>-rs/<match>tokio</match>" +
            "<dim> — An asynchronous runtime for Rust · async, networking, rust</dim>",
        );
      proxy.reset();
      for (const typed of ["t", "to", "tok", "toki", "tokio"]) {
        const answer = await input(typed);
        expect(answer.state, typed).toBe("matches");
      }
      expect(proxy.requests).toEqual([]);
      const answer = await input("tokio");
      expect(answer.suggestions.map((s) => s.content).slice(0, 2)).toEqual([
        "https://github.com/tokio-rs/tokio",
        "https://github.com/tokio-rs/axum",
      ]);
      expect(answer.default).toBe("Search your stars for “tokio” in the new tab");
    });

    it("escapes untrusted text into XML that Chrome's own parser takes", async () => {
      const answer = await input("tricks");
      const line = answer.suggestions.find((s) => s.content === "https://github.com/evil/tricks")!.description;
      // The AI's tags (the emulator's) may follow the summary.
      expect(line).toMatch(
        /^evil\/<match>tricks<\/match><dim> — &lt;match&gt;<match>tricks<\/match>&lt;\/match&gt; &amp; (?:.(?!<))*/,
      );
      expect(line).toContain("&lt;dim&gt;more&lt;/dim&gt; gnp.exe");
      // biome-ignore lint/suspicious/noControlCharactersInRegex: that none is left is the point.
      expect(line).not.toMatch(/[\u0007\u202E]/);
      // Chrome parses every description (and throws on one that is not XML): each line of ours passes,
      // the raw text would not.
      const parsed = await browser.background.evaluate(
        async ([lines, raw]) => {
          const { omnibox: api } = (globalThis as unknown as Chrome).chrome;
          const results: string[] = [];
          for (const description of [...lines, raw]) {
            try {
              await api.setDefaultSuggestion({ description });
              results.push("ok");
            } catch (error) {
              results.push(String(error));
            }
          }
          return results;
        },
        [answer.suggestions.map((s) => s.description), `evil/tricks — ${HOSTILE_DESCRIPTION} <b`] as const,
      );
      expect(parsed.slice(0, -1).every((result) => result === "ok")).toBe(true);
      expect(parsed.at(-1)).not.toBe("ok");
    });

    it("says when nothing matches, and Enter opens a repository or the new tab's results", async () => {
      const none = await input("qwzxjv");
      expect(none.state).toBe("no-match");
      expect(none.default).toBe(
        "No star's name, tags or summary has “qwzxjv” — press Enter to search by meaning in the new tab",
      );
      // The repository's page is asked for (github.com itself is not reachable from this machine).
      const [asked] = await Promise.all([
        browser.context.waitForEvent("request", (request) => request.url().startsWith("https://github.com/")),
        enter("https://github.com/tokio-rs/tokio", "newForegroundTab"),
      ]);
      expect(asked.url()).toBe("https://github.com/tokio-rs/tokio");
      await asked.frame().page().close();
      const [results] = await Promise.all([
        browser.context.waitForEvent("page"),
        enter("async runtime", "newForegroundTab"),
      ]);
      expect(results.url()).toBe(browser.extensionUrl("newtab.html?q=async+runtime"));
      await results.locator(".result .name", { hasText: "tokio-rs/tokio" }).first().waitFor();
      expect(await results.locator("input[name=q]").inputValue()).toBe("async runtime");
      await results.close();
    });
  });

  describe("marks on other sites", () => {
    let options: Page;

    it("allows a site from the options through the browser's own prompt", async () => {
      options = await browser.openPage("options.html");
      const section = options.locator("section.sites");
      await section.locator(".none").waitFor();
      expect(await section.locator("button.suggest-site").allTextContents()).toEqual([
        "Hacker News",
        "Reddit",
        "Lobsters",
      ]);
      await section.locator("input[name=site]").fill("news.localhost");
      await section.locator("button.allow-site").click();
      // Chrome's dialog "Starwise has requested additional permissions": Allow, with the keyboard.
      await options.waitForTimeout(800);
      display.keys("Tab", "space");
      await section.locator(".allowed-sites li").waitFor({ timeout: 10_000 });
      expect(await section.locator(".allowed-sites .site").allTextContents()).toEqual(["news.localhost"]);
      expect(await section.locator(".note").textContent()).toBe(
        "Allowed: news.localhost. Reload its open tabs to see the marks.",
      );
      const registered = await browser.background.evaluate(async () => {
        const { chrome } = globalThis as unknown as Chrome;
        return {
          origins: (await chrome.permissions.getAll()).origins,
          scripts: await chrome.scripting.getRegisteredContentScripts(),
        };
      });
      expect(registered.origins).toContain("*://*.news.localhost/*");
      expect(registered.scripts).toEqual([
        expect.objectContaining({ id: "starwise-sites", matches: ["*://*.news.localhost/*"] }),
      ]);
      await screenshotOf(section, "options-sites");
    });

    it("marks an allowed page's GitHub links with one lookup, and a batch of added links with one more", async () => {
      proxy.reset();
      const page = await browser.context.newPage();
      await page.setViewportSize({ width: 900, height: 560 });
      await page.goto(site.url("news"));
      await expect.poll(async () => (await marksOf(page)).length, { timeout: 10_000 }).toBe(4);
      const marks = await marksOf(page);
      expect(marks.map((mark) => mark.href)).toEqual([
        "https://github.com/tokio-rs/tokio",
        "https://github.com/microsoft/playwright",
        "https://github.com/zed-industries/zed/blob/main/README.md",
        "https://github.com/tokio-rs/tokio/issues/1",
      ]);
      // The person's tags on the mark; every tag, theirs first, in its accessible name.
      expect(marks[0]!.text).toBe("★async · networking +1");
      expect(marks[0]!.label).toMatch(/^In your stars: async, networking, rust\b/);
      expect(proxy.count(LOOKUP)).toBe(1);
      expect(proxy.requests.filter((line) => line !== LOOKUP)).toEqual([]);
      // The page is untouched but for the marks: its links, its text, its styles.
      expect(await page.locator("a.storylink").count()).toBe(8);
      expect(await page.locator("a.storylink").first().textContent()).toBe("Tokio: an asynchronous runtime for Rust");

      const stories = page.locator("#stories");
      await screenshotOf(stories, "sites-marks-light", 8);
      // Hover: the card with the summary and every tag.
      expect(marks[0]!.card).toBe("");
      await page.locator("starwise-mark").first().hover();
      await expect
        .poll(async () => (await marksOf(page))[0]!.card)
        .toMatch(/^tokio-rs\/tokioIn your stars since .+An asynchronous runtime for Rustasyncnetworkingrust/);
      // Its picture is Firefox's (firefox.test.ts): a screenshot of headed Chromium moves the pointer off the mark.
      await page.mouse.move(0, 0);
      await page.emulateMedia({ colorScheme: "dark" });
      await screenshotOf(stories, "sites-marks-dark", 8);
      await page.emulateMedia({ colorScheme: "light" });

      // "More": four stories at once, two repositories not asked yet (one in the library), one already answered.
      await page.locator("#more").click();
      await expect.poll(async () => (await marksOf(page)).length, { timeout: 10_000 }).toBe(6);
      await page.waitForTimeout(600);
      expect(proxy.count(LOOKUP)).toBe(2);
      await page.close();
    });

    it("a site never allowed gets no script, no mark, and sends nothing", async () => {
      proxy.reset();
      const before = site.hits.length;
      const page = await browser.context.newPage();
      await page.goto(site.url("other"));
      await page.locator("#more").click();
      await page.waitForTimeout(1500);
      expect(site.hits.length).toBeGreaterThan(before);
      expect(await page.locator("starwise-mark").count()).toBe(0);
      expect(await marksOf(page)).toEqual([]);
      expect(proxy.requests).toEqual([]);
      await page.close();
    });

    it("Remove takes the permission back, and the script with it", async () => {
      const section = options.locator("section.sites");
      await section.locator("button.remove-site").click();
      await section.locator(".none").waitFor();
      const registered = await browser.background.evaluate(async () => {
        const { chrome } = globalThis as unknown as Chrome;
        return {
          origins: (await chrome.permissions.getAll()).origins,
          scripts: await chrome.scripting.getRegisteredContentScripts(),
        };
      });
      expect(registered.origins).not.toContain("*://*.news.localhost/*");
      expect(registered.scripts).toEqual([]);
      proxy.reset();
      const page = await browser.context.newPage();
      await page.goto(site.url("news"));
      await page.waitForTimeout(1500);
      expect(await page.locator("starwise-mark").count()).toBe(0);
      expect(proxy.requests).toEqual([]);
      await page.close();
      await options.close();
    });
  });
});
