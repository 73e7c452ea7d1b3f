import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { launchWithExtension, screenshot, type ExtensionBrowser } from "./lib/browser";
import { signInThroughOptions } from "./lib/flows";
import { startGithubSite, type GithubSite } from "./lib/github-site";
import { EMULATOR_TOKEN, startStack, type Stack } from "./lib/stack";

// The new tab against the real Worker and the GitHub emulator: filters from the whole library,
// the search in the URL (Enter opens a result, Back comes back to the search), the count said
// honestly, a misspelled name found and the correction said, and the words for "nothing matches" in
// English and Chinese.

/** Starred on top of the emulator's own, with languages the test can reason about. */
const STARRED = [
  {
    fullName: "tokio-rs/tokio",
    language: "Rust",
    description: "A runtime for writing reliable asynchronous applications",
  },
  { fullName: "haskell/haskell-language-server", language: "Haskell", description: "Official language server" },
  { fullName: "microsoft/playwright", language: "TypeScript", description: "Web testing and automation" },
];
const NONSENSE = "zzqxv wobblefrotz";

const optionTexts = (page: Page, name: string) => page.locator(`select[name=${name}] option`).allTextContents();
const names = (page: Page) => page.locator(".result .name").allTextContents();

describe("the new tab", () => {
  let stack: Stack;
  let site: GithubSite;
  let browser: ExtensionBrowser;
  let total = 0;

  beforeAll(async () => {
    stack = await startStack({ stars: 40 });
    for (const { fullName, language, description } of STARRED)
      await stack.control("star", { login: "octocat", fullName, repo: { description, language } });
    site = await startGithubSite();
    browser = await launchWithExtension({ githubPort: site.port });
    (await signInThroughOptions(browser, stack.worker.url, EMULATOR_TOKEN)).close();
    const popup = await browser.openPage("popup.html");
    await popup.getByRole("button", { name: "Sync" }).click();
    await popup.locator(".done").waitFor({ timeout: 90_000 });
    total = Number((await popup.locator(".last-result").textContent())?.match(/^(\d+) stars/)?.[1]);
    await popup.close();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await stack?.stop();
  });

  it("says how many of how many, and offers every language of the library, not only those on screen", async () => {
    const newtab = await browser.openPage("newtab.html");
    await newtab.locator(".result").first().waitFor();
    expect(total).toBe(43);
    await expect.poll(() => newtab.locator(".mode").textContent()).toBe(`Recently starred: the newest 30 of ${total}`);
    await screenshot(newtab, "newtab-recent");

    // The old new tab offered only the languages of the cards on screen: with Rust chosen, Rust alone.
    await newtab.locator("select[name=language]").selectOption("Rust");
    await newtab.locator("input[name=q]").fill("tokio");
    await expect.poll(() => newtab.locator(".mode").textContent()).toMatch(/^(Matches: \d+|The 30 best matches;.*)$/);
    const shown = await names(newtab);
    expect(shown).toContain("tokio-rs/tokio");
    expect(await newtab.locator(".mode").textContent()).toBe(
      shown.length < 30
        ? `Matches: ${shown.length}`
        : "The 30 best matches; there may be more: add a word or a filter to narrow them",
    );
    const onScreen = new Set(await newtab.locator(".result .language").allTextContents());
    const offered = (await optionTexts(newtab, "language")).slice(1).map((text) => text.replace(/ \(\d+\)$/, ""));
    // Haskell is in the library, and in none of the results for "tokio".
    expect(onScreen.has("Haskell")).toBe(false);
    expect(offered).toContain("Haskell");
    expect(offered.filter((language) => !onScreen.has(language)).length).toBeGreaterThan(0);
    expect(await optionTexts(newtab, "tag")).not.toEqual(["Any tag"]);
    expect([...onScreen]).toEqual(["Rust"]);
    await screenshot(newtab, "newtab-results");
    await newtab.emulateMedia({ colorScheme: "dark" });
    await screenshot(newtab, "newtab-results-dark");
    await newtab.close();
  });

  it("keeps the search in the URL: Enter opens a result, Back comes back to the same search", async () => {
    const newtab = await browser.openPage("newtab.html");
    await newtab.locator(".result").first().waitFor();
    await newtab.locator("select[name=language]").selectOption("Rust");
    await expect.poll(() => newtab.locator(".result .language").allTextContents()).not.toContain("TypeScript");
    await newtab.locator("input[name=q]").focus();
    await newtab.keyboard.type("tokio");
    await expect.poll(() => names(newtab)).toEqual(["tokio-rs/tokio"]);
    await expect.poll(() => new URL(newtab.url()).search).toBe("?q=tokio&language=Rust");
    expect(browser.errors).toEqual([]);
    // (The fixture site answers 404 for tokio's page: what counts is where Enter went, and Back.)
    await Promise.all([newtab.waitForURL("https://github.com/tokio-rs/tokio"), newtab.keyboard.press("Enter")]);
    const errorsBefore = browser.errors.length;

    await newtab.goBack();
    await expect.poll(() => newtab.locator("input[name=q]").inputValue()).toBe("tokio");
    expect(await newtab.locator("select[name=language]").inputValue()).toBe("Rust");
    await expect.poll(() => names(newtab)).toEqual(["tokio-rs/tokio"]);
    // Back once more: the language alone, before the words were typed.
    await newtab.goBack();
    await expect.poll(() => newtab.locator("input[name=q]").inputValue()).toBe("");
    expect(await newtab.locator("select[name=language]").inputValue()).toBe("Rust");
    // Only the fixture's 404 while the page was github.com's.
    expect(browser.errors.slice(errorsBefore).filter((error) => !error.includes("status of 404"))).toEqual([]);
    await newtab.close();
  });

  it("says when no star matches, with the words and what to try", async () => {
    const newtab = await browser.openPage("newtab.html");
    await newtab.locator(".result").first().waitFor();
    await newtab.keyboard.type(NONSENSE);
    const noMatch = newtab.locator(".no-match");
    await noMatch.waitFor();
    expect(await noMatch.locator(".headline").textContent()).toBe(`No stars match “${NONSENSE}”`);
    expect(await noMatch.locator(".hint").textContent()).toBe(
      "Try other or fewer words: search reads names, descriptions, topics, READMEs and your notes.",
    );
    await screenshot(newtab, "newtab-no-match");
    // With a filter, the hint says the filter narrows too, and offers to clear it.
    await newtab.locator("select[name=language]").selectOption("Haskell");
    await expect
      .poll(() => noMatch.locator(".hint").textContent())
      .toBe("The filters narrow the search too: clear them to search all your stars.");
    await screenshot(newtab, "newtab-no-match-filtered");
    await noMatch.locator("button.clear-filters").click();
    await expect.poll(() => newtab.locator("select[name=language]").inputValue()).toBe("");
    await expect.poll(() => noMatch.locator("button.clear-filters").count()).toBe(0);
    expect(new URL(newtab.url()).searchParams.get("language")).toBeNull();
    await newtab.close();
  });

  it("finds a half-remembered name typed wrong, and says what it searched instead", async () => {
    const newtab = await browser.openPage("newtab.html");
    await newtab.locator(".result").first().waitFor();
    await newtab.keyboard.type("playwrigth");
    await expect.poll(() => names(newtab).then((shown) => shown[0])).toBe("microsoft/playwright");
    expect(await newtab.locator(".spelling").textContent()).toBe(
      "None of your stars has “\u2068playwrigth\u2069”: also searched for \u2068playwright\u2069.",
    );
    await screenshot(newtab, "newtab-spelling");
    // The word as typed again matches: no correction, no line.
    await newtab.locator("input[name=q]").fill("playwright");
    await expect.poll(() => newtab.locator(".spelling").count()).toBe(0);
    await newtab.close();
  });

  it("speaks Chinese when chosen in the options", async () => {
    const options = await browser.openPage("options.html");
    await options.locator("select[name=language]").selectOption("zh");
    // Signed in, a language change first says what it costs, then waits for a yes.
    await options.locator("button.confirm-language").click();
    try {
      const newtab = await browser.openPage("newtab.html");
      await expect
        .poll(() => newtab.locator("input[name=q]").getAttribute("placeholder"))
        .toBe("搜索你的星标…（按 / 聚焦）");
      await newtab.locator(".result").first().waitFor();
      // The total follows when the facets are in.
      await expect.poll(() => newtab.locator(".mode").textContent()).toBe(`最近加星：共 ${total} 个，显示最新的 30 个`);
      expect(await optionTexts(newtab, "language")).toContain("Haskell（1）");
      await screenshot(newtab, "newtab-results-zh");
      await newtab.locator("input[name=q]").fill(NONSENSE);
      await expect
        .poll(() => newtab.locator(".no-match .headline").textContent())
        .toBe(`没有与“${NONSENSE}”匹配的星标`);
      await screenshot(newtab, "newtab-no-match-zh");
      await newtab.locator("input[name=q]").fill("playwrigth");
      await expect
        .poll(() => newtab.locator(".spelling").textContent())
        .toBe("你的星标中没有“\u2068playwrigth\u2069”，已同时搜索 \u2068playwright\u2069。");
      await screenshot(newtab, "newtab-spelling-zh");
      await newtab.close();
    } finally {
      await options.locator("select[name=language]").selectOption("auto");
      await options.close();
    }
  });
});
