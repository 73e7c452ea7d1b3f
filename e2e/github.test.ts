import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { launchWithExtension, screenshot, screenshotAround, screenshotOf, type ExtensionBrowser } from "./lib/browser";
import { startCountingProxy, type CountingProxy } from "./lib/counting-proxy";
import { signInThroughOptions, storedLocal } from "./lib/flows";
import { BENCH_OWNER, startGithubSite, type GithubSite } from "./lib/github-site";
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

// A repository page with more chips than the badge shows (the playwright page renamed, e2e/lib/github-site.ts).
const MANY_TAGS = `${BENCH_OWNER}/many-tags`;
const MANY_CUSTOM_TAGS = ["e2e", "automation", "chromium", "webkit", "firefox", "ci"];
// Near MANY_TAGS by shared words (the e2e Worker has no embedding model: similar falls back to words).
// One description hides its extension behind an RTL override and carries a NUL.
const SPOOF_DESCRIPTION = "Chromium webkit firefox automation: photo\u202Egnp.exe\u0000 helper";
const SIMILAR_TO_MANY_TAGS: Record<string, string> = {
  "e2e-similar/spoof-tool": SPOOF_DESCRIPTION,
  "e2e-similar/browser-automation": "Automation of chromium, webkit and firefox",
  "e2e-similar/engines": "Webkit and chromium engines compared",
};
// Tags of the first repository on the stars tab: more than a list row shows, one with an RTL override.
const LIST_TAGS = ["internships", "mobile", "students", "jobs", "\u202Eppa"];
/** GitHub's system font stack (Primer), as Chromium reports the computed value. */
const GITHUB_FONT = /^-apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif/;

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
    await stack.control("star", { login: "octocat", fullName: MANY_TAGS, repo: { description: "Many tags" } });
    for (const [fullName, description] of Object.entries(SIMILAR_TO_MANY_TAGS))
      await stack.control("star", { login: "octocat", fullName, repo: { description } });
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
          "where full_name = 'microsoft/playwright'; " +
          `update stars set custom_tags = ${sql(JSON.stringify(MANY_CUSTOM_TAGS))} ` +
          `where repository_id in (select id from repositories where full_name = ${sql(MANY_TAGS)}); ` +
          `update stars set custom_tags = ${sql(JSON.stringify(LIST_TAGS))} ` +
          `where repository_id in (select id from repositories where full_name = ${sql(STARRED_ON_STARS_TAB[0]!)})`,
      );
    });

    it("shows the badge with the summary on a repository page, inert", async () => {
      proxy.reset();
      const page = await browser.open("https://github.com/microsoft/playwright");
      const badge = page.locator("starwise-repo-badge .badge");
      await badge.waitFor();
      expect(await badge.locator(".when").textContent()).toMatch(/^Starred /);
      // testing, the hostile tag and the first platform; the second platform behind "+1".
      expect(await badge.locator(":scope > .chip:not(.more)").allTextContents()).toEqual([
        "testing",
        HOSTILE_TAG,
        "Linux",
      ]);
      expect(await badge.locator(".chip.more").textContent()).toBe("+1");
      expect(await badge.locator(".openrank").textContent()).toBe("OpenRank 123.46");
      // GitHub's type: its system font stack, 12 px chips; not the browser's serif default.
      const type = await badge.evaluate((element) => {
        const chip = element.querySelector(".chip")!;
        return {
          family: getComputedStyle(element).fontFamily,
          chip: getComputedStyle(chip).fontSize,
          chipFamily: getComputedStyle(chip).fontFamily,
          height: element.getBoundingClientRect().height,
        };
      });
      expect(type.family).toMatch(GITHUB_FONT);
      expect(type.family).not.toMatch(/Times|(^|, )serif/);
      expect(type.chipFamily).toMatch(GITHUB_FONT);
      expect(type.chip).toBe("12px");
      // One line.
      expect(type.height).toBeLessThanOrEqual(30);
      await screenshotOf(page.locator("#repository-container-header"), "github-repo-badge");
      await badge.locator("button.toggle").click();
      const details = badge.locator(".details");
      expect(await details.locator(".summary").textContent()).toBe(HOSTILE_SUMMARY);
      expect(await details.locator(".chip.tag").allTextContents()).toEqual(["testing", HOSTILE_TAG]);
      expect(await details.locator(".chip.platform").allTextContents()).toEqual(["Linux", "macOS"]);
      // Text, not markup: no element came out of it and nothing ran.
      expect(
        await page.locator("starwise-repo-badge img, starwise-repo-badge script, starwise-repo-badge b").count(),
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
      expect(proxy.count("POST /api/repositories/lookup")).toBe(1);
      // Nothing asked for similar repositories: only opening the list does.
      expect(proxy.count(/\/similar$/)).toBe(0);
      await page.close();
    });

    it("caps the chips with +N and says OpenRank — without data", async () => {
      const page = await browser.open(`https://github.com/${MANY_TAGS}`);
      const badge = page.locator("starwise-repo-badge .badge");
      await badge.waitFor();
      // Six tags of the user's: three on the line, "+3" for the rest.
      expect(await badge.locator(":scope > .chip:not(.more)").allTextContents()).toEqual(MANY_CUSTOM_TAGS.slice(0, 3));
      expect(await badge.locator(".chip.more").textContent()).toBe("+3");
      expect(await badge.locator(".openrank").textContent()).toBe("OpenRank —");
      expect((await badge.boundingBox())!.height).toBeLessThanOrEqual(30);
      await screenshotOf(page.locator("#repository-container-header"), "github-badge-light");
      await badge.locator("button.chip.more").click();
      expect(await badge.locator(".details .chip.tag").allTextContents()).toEqual(MANY_CUSTOM_TAGS);
      expect(await badge.locator(".details .openrank-hint").textContent()).toMatch(/^No OpenRank for this repository/);
      await page.close();
    });

    it("follows the page's dark theme, and GitHub's own colour variables win over the fallbacks", async () => {
      const page = await browser.open(`https://github.com/${MANY_TAGS}`);
      const badge = page.locator("starwise-repo-badge .badge");
      await badge.waitFor();
      const colour = () => badge.evaluate((element) => getComputedStyle(element).color);
      expect(await colour()).toBe("rgb(31, 35, 40)");
      // The saved page says data-color-mode="auto" with a dark theme: the system's dark scheme switches it.
      await page.emulateMedia({ colorScheme: "dark" });
      await expect.poll(() => page.locator("starwise-repo-badge").getAttribute("data-sw-theme")).toBe("dark");
      expect(await colour()).toBe("rgb(240, 246, 252)");
      // The saved page cannot load GitHub's CSS (offline): its dark page colours are painted here for the picture.
      await page.addStyleTag({
        content: "body, #repository-container-header { background: #0d1117 !important; color: #f0f6fc !important; }",
      });
      await screenshotOf(page.locator("#repository-container-header"), "github-badge-dark");
      await page.emulateMedia({ colorScheme: "light" });
      await expect.poll(() => page.locator("starwise-repo-badge").getAttribute("data-sw-theme")).toBe("light");
      // Where GitHub's CSS is loaded its Primer variables reach into the shadow root and decide.
      await page.evaluate(() => document.documentElement.style.setProperty("--fgColor-default", "rgb(1, 2, 3)"));
      expect(await colour()).toBe("rgb(1, 2, 3)");
      await page.close();
    });

    it("opens similar in your stars on demand: one request, entries with their line, hostile text inert", async () => {
      const page = await browser.open(`https://github.com/${MANY_TAGS}`);
      const badge = page.locator("starwise-repo-badge .badge");
      await badge.waitFor();
      // The saved page is unstyled (GitHub's CSS is offline): its header starts ~350 px down. Scrolled
      // to the top as on github.com, the card has the room below the badge it would have there.
      await page.evaluate(() => document.querySelector("#repository-container-header")?.scrollIntoView());
      proxy.reset();
      await badge.locator("button.toggle").click();
      const details = badge.locator(".details");
      await details.waitFor();
      expect(proxy.count(/\/similar$/)).toBe(0);
      await details.locator("button.similar-toggle").click();
      const entries = details.locator(".similar-list li");
      await entries.first().waitFor();
      expect(proxy.count(`GET /api/repositories/${MANY_TAGS}/similar`)).toBe(1);
      const count = await entries.count();
      expect(count).toBeGreaterThanOrEqual(1);
      expect(count).toBeLessThanOrEqual(5);
      const names = await details.locator(".similar-list .name").allTextContents();
      expect(names).toContain("e2e-similar/spoof-tool");
      expect(names).not.toContain(MANY_TAGS);
      // The RTL override is gone (logical order: "photognp.exe", not "photoexe.png"), and so is the NUL.
      const spoof = details.locator(".similar-list li", { hasText: "e2e-similar/spoof-tool" });
      const line = await spoof.locator(".line").textContent();
      expect(line).toBe("Chromium webkit firefox automation: photognp.exe helper");
      const shown = await details.evaluate((element) => element.textContent ?? "");
      for (const hidden of ["\u0000", "\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2069"])
        expect(shown.includes(hidden), `U+${hidden.codePointAt(0)!.toString(16)}`).toBe(false);
      expect(await spoof.locator("a.name").getAttribute("href")).toBe("https://github.com/e2e-similar/spoof-tool");
      // Inside the viewport: the card's height is capped to the room below the badge (it scrolls inside).
      const card = (await details.boundingBox())!;
      expect(card.y + card.height).toBeLessThanOrEqual(page.viewportSize()!.height);
      await screenshotAround([details, page.locator("#repository-container-header")], "github-similar-open", 8);
      // Hiding and showing again asks nothing more.
      await details.locator("button.similar-toggle").click();
      await details.locator("button.similar-toggle").click();
      await entries.first().waitFor();
      expect(proxy.count(/\/similar$/)).toBe(1);
      expect(await pwned(page)).toBeNull();
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
      expect(await page.locator("starwise-repo-badge .openrank").textContent()).toBe("OpenRank —");
      await page.close();
    });

    it("puts tag chips on library repositories in lists, one lookup per page", async () => {
      proxy.reset();
      const stars = await browser.open("https://github.com/ammarasad2005?tab=stars");
      await expect.poll(() => stars.locator("starwise-list-chips").count()).toBe(STARRED_ON_STARS_TAB.length);
      // Five tags: three chips and "+2" (the fifth's RTL override gone from its tooltip too).
      const tagged = stars.locator("starwise-list-chips").first();
      expect(await tagged.locator(".chip:not(.more)").allTextContents()).toEqual(["internships", "mobile", "students"]);
      expect(await tagged.locator(".chip.more").textContent()).toBe("+2");
      expect(await tagged.locator(".chip.more").getAttribute("title")).toBe("jobs, ppa");
      expect(
        await tagged
          .locator(".chip")
          .first()
          .evaluate((chip) => getComputedStyle(chip).fontSize),
      ).toBe("12px");
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
      await screenshotOf(
        trending.locator("article.Box-row", { has: trending.locator("starwise-list-chips") }).first(),
        "github-trending-list-chips",
      );
      const search = await browser.open("https://github.com/search?q=python+OR+docker&type=repositories&p=2");
      await expect.poll(() => search.locator("starwise-list-chips").count()).toBe(STARRED_ON_SEARCH.length);
      const repos = await browser.open("https://github.com/ammarasad2005?tab=repositories");
      // Drama-Ghar, saved (not starred) by an earlier test, is in the library too.
      await expect.poll(() => repos.locator("starwise-list-chips").count()).toBe(STARRED_ON_USER_REPOS.length + 1);
      // Four list pages, 5 + 16 + 10 + 30 repositories: one lookup request each.
      expect(proxy.count("POST /api/repositories/lookup")).toBe(4);
      for (const page of [stars, trending, search, repos]) await page.close();
    });

    it("offers tags and a note by GitHub's Star button, saved at once, and the badge shows them", async () => {
      const page = await browser.open("https://github.com/docker-library/docker");
      await page.locator("starwise-repo-badge .badge").waitFor();
      expect(await page.locator("starwise-repo-badge button.save").textContent()).toBe("Save to Starwise");
      const star = page
        .locator("form.js-social-form[action='/docker-library/docker/star'] button[type=submit]")
        .first();
      await star.click();
      const popover = page.locator("starwise-star-popover .popover");
      await popover.waitFor();
      // Next to the button: just below it, right edges lined up (or flipped above at the viewport's edge).
      const button = (await star.boundingBox())!;
      const box = (await popover.boundingBox())!;
      const below = box.y - (button.y + button.height);
      const above = button.y - (box.y + box.height);
      expect(Math.min(Math.abs(below - 4), Math.abs(above - 4))).toBeLessThanOrEqual(3);
      // Right edges lined up, or left ones where the viewport's left edge is too near (this unstyled page).
      const rightEdges = Math.abs(box.x + box.width - (button.x + button.width));
      expect(Math.min(rightEdges, Math.abs(box.x - button.x))).toBeLessThanOrEqual(3);
      expect(
        await popover.evaluate((element) => ({
          family: getComputedStyle(element).fontFamily,
          position: getComputedStyle(element).position,
        })),
      ).toMatchObject({ family: expect.stringMatching(GITHUB_FONT), position: "fixed" });
      await popover.locator("input[name=tags]").fill("containers, ci");
      await popover.locator("textarea[name=notes]").fill("<script>window.__pwned='note'</script> for CI images");
      await screenshotAround([popover, star, page.locator("#repository-container-header")], "github-star-popover", 8);
      await popover.locator("button.save").click();
      await popover.locator(".ok").waitFor();
      // The badge by the title changed without a reload: in the library now, with the new tags.
      const badge = page.locator("starwise-repo-badge .badge.in-library");
      await badge.waitFor({ timeout: 2000 });
      expect(await badge.locator(".when").textContent()).toBe("Saved in Starwise");
      expect(await badge.locator(".chip.tag").allTextContents()).toEqual(["containers", "ci"]);
      await screenshotAround(
        [popover, star, page.locator("#repository-container-header")],
        "github-star-popover-saved",
        8,
      );
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

    it("speaks the chosen language on github.com (Chinese)", async () => {
      const options = await browser.openPage("options.html");
      await options.locator("select[name=language]").selectOption("zh");
      // Signed in, a language change first says what it costs, then waits for a yes.
      await options.locator("button.confirm-language").click();
      try {
        const page = await browser.open(`https://github.com/${MANY_TAGS}`);
        const badge = page.locator("starwise-repo-badge .badge");
        await badge.waitFor();
        expect(await badge.locator(".toggle").textContent()).toMatch(/^详情/);
        expect(await badge.locator(".when").textContent()).toMatch(/加星$/);
        await screenshotOf(page.locator("#repository-container-header"), "github-badge-zh");
        await page.close();
      } finally {
        await options.locator("select[name=language]").selectOption("auto");
        await options.close();
      }
    });
  });
});
