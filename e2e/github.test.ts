import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { launchWithExtension, screenshot, screenshotOf, type ExtensionBrowser } from "./lib/browser";
import { startCountingProxy, type CountingProxy } from "./lib/counting-proxy";
import { signInThroughOptions, storedLocal } from "./lib/flows";
import { startGithubSite, type GithubSite } from "./lib/github-site";
import { EMULATOR_TOKEN, startStack, type Stack } from "./lib/stack";
import { turboVisit } from "./lib/turbo";

// github.com as the saved real pages (e2e/fixtures/github-pages/), reached at
// https://github.com through the browser's host mapping; the extension against the
// real Worker (through a counting proxy) and the GitHub emulator.

const HOSTILE_SUMMARY =
  `<img src=x onerror="window.__pwned='img'"><script>window.__pwned='script'</script> ` +
  `A framework for web testing. [docs](javascript:window.__pwned='link')`;
const HOSTILE_TAG = "<b onmouseover=alert(1)>browser</b>";
const STARRED_ON_STARS_TAB = ["AathifZahir/ProIntern", "rauf17/flex-prime"];
const STARRED_ON_TRENDING = ["tokio-rs/tokio", "zed-industries/zed"];
const STARRED_ON_SEARCH = ["jupyter/docker-stacks"];
const STARRED_ON_USER_REPOS = ["ammarasad2005/Exam-Table"];

const pwned = (page: Page) => page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned ?? null);
const sql = (text: string) => `'${text.replaceAll("'", "''")}'`;

describe("github.com with the extension", () => {
  let stack: Stack;
  let proxy: CountingProxy;
  let site: GithubSite;
  let browser: ExtensionBrowser;
  let session = "";

  beforeAll(async () => {
    stack = await startStack({ stars: 20 });
    for (const fullName of [
      "microsoft/playwright",
      ...STARRED_ON_STARS_TAB,
      ...STARRED_ON_TRENDING,
      ...STARRED_ON_SEARCH,
      ...STARRED_ON_USER_REPOS,
    ]) {
      await stack.control("star", {
        login: "octocat",
        fullName,
        repo: { description: `${fullName} (emulated)`, language: "TypeScript" },
      });
    }
    // Repositories octocat has not starred, known to GitHub (another user's stars create them).
    await stack.control("users", { login: "hubot", stars: 0 });
    for (const fullName of ["ammarasad2005/Drama-Ghar", "docker-library/docker"])
      await stack.control("star", { login: "hubot", fullName });
    proxy = await startCountingProxy(stack.worker.url);
    site = await startGithubSite();
    browser = await launchWithExtension({ githubPort: site.port });
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await proxy?.close();
    await stack?.stop();
  });

  it("signed out: the page renders untouched and the Worker gets no request at all", async () => {
    const page = await browser.open("https://github.com/microsoft/playwright");
    await page.locator("#repository-container-header strong[itemprop='name']").waitFor();
    const newtab = await browser.openPage("newtab.html");
    await newtab.locator(".signed-out").waitFor();
    expect(await newtab.locator(".signed-out p").textContent()).toBe("Sign in to search your stars.");
    await screenshot(newtab, "newtab-signed-out");
    await page.waitForTimeout(500);
    expect(await page.locator("starwise-repo-badge").count()).toBe(0);
    expect(proxy.requests).toEqual([]);
    await page.close();
    await newtab.close();
  });

  describe("signed in and synced", () => {
    // Setup, not a test: sign in through the options page, sync from the popup, and give
    // microsoft/playwright a hostile analysis (the AI fields filled in, hostile on purpose).
    beforeAll(async () => {
      (await signInThroughOptions(browser, proxy.url, EMULATOR_TOKEN)).close();
      const popup = await browser.openPage("popup.html");
      await popup.getByRole("button", { name: "Sync" }).click();
      await popup.locator(".done").waitFor({ timeout: 60_000 });
      await popup.close();
      session = String(
        ((await storedLocal(browser)) as { connection: { sessionToken: string } }).connection.sessionToken,
      );
      // A hostile analysis, written as the enrichment would: a shared `analyses` row the user's
      // star points at (the user reads the analysis of their language and model, stars.analysis_id).
      await stack.d1Execute(
        "insert into analyses (input_sha, model, language, summary, tags, platforms, created_at) " +
          "values ('e2e-hostile', 'e2e', 'en', " +
          `${sql(HOSTILE_SUMMARY)}, ${sql(JSON.stringify(["testing", HOSTILE_TAG]))}, '["Linux","macOS"]', 0); ` +
          `update stars set analysis_id = (select id from analyses where input_sha = 'e2e-hostile') ` +
          `where repository_id in (select id from repositories where full_name = 'microsoft/playwright'); ` +
          "update repositories set openrank = 123.456, homepage = 'javascript:alert(1)' " +
          "where full_name = 'microsoft/playwright'",
      );
    });

    it("shows the badge with the summary on a repository page, inert", async () => {
      proxy.reset();
      const page = await browser.open("https://github.com/microsoft/playwright");
      const badge = page.locator("starwise-repo-badge .badge");
      await badge.waitFor();
      expect(await badge.locator(".when").textContent()).toMatch(/^Starred /);
      expect(await badge.locator(".chip.tag").allTextContents()).toEqual(["testing", HOSTILE_TAG]);
      expect(await badge.locator(".chip.platform").allTextContents()).toEqual(["Linux", "macOS"]);
      expect(await badge.locator(".openrank").textContent()).toBe("OpenRank 123.46");
      await badge.locator("button.toggle").click();
      expect(await badge.locator(".summary").textContent()).toBe(HOSTILE_SUMMARY);
      // Text, not markup: no element came out of it and nothing ran.
      expect(
        await page
          .locator("starwise-repo-badge img, starwise-repo-badge script, starwise-repo-badge a, starwise-repo-badge b")
          .count(),
      ).toBe(0);
      expect(await pwned(page)).toBeNull();
      // The badge sits in a shadow root next to the title.
      expect(await page.evaluate(() => document.querySelector("starwise-repo-badge")?.shadowRoot !== null)).toBe(true);
      expect(
        await page.evaluate(
          () =>
            document.querySelector("#repository-container-header strong[itemprop='name'] + starwise-repo-badge") !==
            null,
        ),
      ).toBe(true);
      await screenshotOf(page.locator("#repository-container-header"), "github-repo-badge");
      expect(proxy.count("POST /api/repositories/lookup")).toBe(1);
      await page.close();
    });

    it("keeps exactly one badge through 20 Turbo navigations, with cached lookups", async () => {
      const page = await browser.open("https://github.com/microsoft/playwright");
      await page.locator("starwise-repo-badge .badge").waitFor();
      proxy.reset();
      const pages = ["https://github.com/ammarasad2005/Drama-Ghar", "https://github.com/microsoft/playwright"];
      for (let i = 0; i < 20; i++) {
        const url = pages[i % 2]!;
        await turboVisit(page, url);
        const expected = url.endsWith("/Drama-Ghar") ? ".not-in-library" : ".in-library";
        await page.locator(`starwise-repo-badge ${expected}`).waitFor({ timeout: 5000 });
        expect(await page.locator("starwise-repo-badge").count(), `visit ${i + 1}: ${url}`).toBe(1);
      }
      // playwright came from the cache; Drama-Ghar ("not in the library") was asked once.
      expect(proxy.count("POST /api/repositories/lookup")).toBe(1);
      expect(await pwned(page)).toBeNull();
      await page.close();
    });

    it("saves a repository you have not starred to Starwise", async () => {
      const page = await browser.open("https://github.com/ammarasad2005/Drama-Ghar");
      const badge = page.locator("starwise-repo-badge .badge");
      await badge.locator("button.save").waitFor();
      expect(await badge.locator("button.save").textContent()).toBe("Save to Starwise");
      await screenshotOf(page.locator("#repository-container-header"), "github-save-to-starwise");
      await badge.locator("button.save").click();
      await page.locator("starwise-repo-badge .in-library .when").waitFor();
      expect(await page.locator("starwise-repo-badge .when").textContent()).toBe("Saved in Starwise");
      await page.close();
    });

    it("puts tag chips on library repositories in lists, one lookup per page", async () => {
      proxy.reset();
      const stars = await browser.open("https://github.com/ammarasad2005?tab=stars");
      await expect.poll(() => stars.locator("starwise-list-chips").count()).toBe(STARRED_ON_STARS_TAB.length);
      await screenshotOf(stars.locator("#user-starred-repos"), "github-stars-list-chips");
      const trending = await browser.open("https://github.com/trending/rust?since=weekly");
      await expect.poll(() => trending.locator("starwise-list-chips").count()).toBe(STARRED_ON_TRENDING.length);
      // Each chip follows its own repository's link.
      const chipped = await trending.evaluate(() =>
        [...document.querySelectorAll("starwise-list-chips")].map((chip) =>
          chip.previousElementSibling?.getAttribute("href"),
        ),
      );
      expect(chipped.sort()).toEqual(STARRED_ON_TRENDING.map((name) => `/${name}`).sort());
      await screenshotOf(trending.locator("article.Box-row").first(), "github-trending-list-chips");
      const search = await browser.open("https://github.com/search?q=python+OR+docker&type=repositories&p=2");
      await expect.poll(() => search.locator("starwise-list-chips").count()).toBe(STARRED_ON_SEARCH.length);
      const repos = await browser.open("https://github.com/ammarasad2005?tab=repositories");
      // Drama-Ghar, saved (not starred) by an earlier test, is in the library too.
      await expect.poll(() => repos.locator("starwise-list-chips").count()).toBe(STARRED_ON_USER_REPOS.length + 1);
      // Four list pages, 5 + 16 + 10 + 30 repositories: one lookup request each.
      expect(proxy.count("POST /api/repositories/lookup")).toBe(4);
      for (const page of [stars, trending, search, repos]) await page.close();
    });

    it("offers tags and a note when GitHub's Star button is clicked, saved at once", async () => {
      const page = await browser.open("https://github.com/docker-library/docker");
      await page.locator("starwise-repo-badge .badge").waitFor();
      await page
        .locator("form.js-social-form[action='/docker-library/docker/star'] button[type=submit]")
        .first()
        .click();
      const popover = page.locator("starwise-star-popover .popover");
      await popover.waitFor();
      await popover.locator("input[name=tags]").fill("containers, ci");
      await popover.locator("textarea[name=notes]").fill("<script>window.__pwned='note'</script> for CI images");
      await screenshotOf(popover, "github-star-popover", 40);
      await popover.locator("button.save").click();
      await popover.locator(".ok").waitFor();
      const saved = await fetch(`${stack.worker.url}/api/repositories/docker-library/docker`, {
        headers: { Authorization: `Bearer ${session}` },
      });
      expect(await saved.json()).toMatchObject({
        customTags: ["containers", "ci"],
        notes: "<script>window.__pwned='note'</script> for CI images",
      });
      expect(await pwned(page)).toBeNull();
      await page.close();
    });

    it("searches from the new tab, keyboard first, and opens a result", async () => {
      const newtab = await browser.openPage("newtab.html");
      await expect.poll(() => newtab.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("q");
      // An empty query shows the recently starred.
      await newtab.locator(".result").first().waitFor();
      expect(await newtab.locator(".mode").textContent()).toMatch(/^Recently starred/);
      await newtab.keyboard.type("playwright");
      await expect.poll(() => newtab.locator(".result .name").allTextContents()).toEqual(["microsoft/playwright"]);
      const card = newtab.locator(".result").first();
      // The AI summary (hostile) wins over GitHub's description, shown as text.
      expect(await card.locator(".summary").textContent()).toBe(HOSTILE_SUMMARY);
      expect(await card.locator(".chip").allTextContents()).toContain(HOSTILE_TAG);
      // A `javascript:` homepage is not a link.
      expect(await card.locator("a.homepage").count()).toBe(0);
      expect(await newtab.locator(".result img, .result script").count()).toBe(0);
      await screenshot(newtab, "newtab-search");
      // Esc clears; `/` focuses; ↓ and Enter open the selected result.
      await newtab.keyboard.press("Escape");
      await expect.poll(() => newtab.locator(".mode").textContent()).toMatch(/^Recently starred/);
      await newtab.locator("body").click({ position: { x: 5, y: 5 } });
      await newtab.keyboard.press("/");
      expect(await newtab.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("q");
      await newtab.keyboard.type("tokio");
      await expect.poll(() => newtab.locator(".result .name").allTextContents()).toEqual(["tokio-rs/tokio"]);
      await newtab.keyboard.press("ArrowDown");
      // (The fixture site answers 404 for tokio's page: what counts is where Enter went.)
      expect(browser.errors).toEqual([]);
      await Promise.all([newtab.waitForURL("https://github.com/tokio-rs/tokio"), newtab.keyboard.press("Enter")]);
      await newtab.close();
    });
  });
});
