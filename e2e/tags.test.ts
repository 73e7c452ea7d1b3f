import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchWithExtension, screenshot, screenshotOf, type ExtensionBrowser } from "./lib/browser";
import { signInThroughOptions } from "./lib/flows";
import { startGithubSite, type GithubSite } from "./lib/github-site";
import { EMULATOR_TOKEN, startStack, type Stack } from "./lib/stack";

// The new tab's tags view against the real Worker (docs/architecture.md §2, "Tags"): two tags merged from the
// new tab show as one in the badge on github.com (the saved microsoft/playwright page), and undo brings them back.

const sql = (text: string) => `'${text.replaceAll("'", "''")}'`;
/** An AI analysis as the enrichment writes it (a shared `analyses` row the star points at). */
const analysis = (fullName: string, tags: string[]) =>
  "insert into analyses (input_sha, model, language, summary, tags, platforms, created_at) " +
  `values (${sql(`e2e-${fullName}`)}, 'e2e', 'en', 'An analysed summary', ${sql(JSON.stringify(tags))}, '[]', 0); ` +
  `update stars set analysis_id = (select id from analyses where input_sha = ${sql(`e2e-${fullName}`)}) ` +
  `where repository_id in (select id from repositories where full_name = ${sql(fullName)}); `;

describe("the tags view", () => {
  let stack: Stack;
  let site: GithubSite;
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    stack = await startStack({ stars: 6 });
    for (const fullName of ["microsoft/playwright", "tokio-rs/tokio", "vitejs/vite"])
      await stack.control("star", { login: "octocat", fullName, repo: { description: `${fullName} (emulated)` } });
    site = await startGithubSite();
    browser = await launchWithExtension({ githubPort: site.port });
    (await signInThroughOptions(browser, stack.worker.url, EMULATOR_TOKEN)).close();
    const popup = await browser.openPage("popup.html");
    await popup.getByRole("button", { name: "Sync" }).click();
    await popup.locator(".done").waitFor({ timeout: 60_000 });
    await popup.close();
    await stack.d1Execute(
      analysis("microsoft/playwright", ["e2e-testing", "automation"]) +
        analysis("tokio-rs/tokio", ["testing", "async"]) +
        analysis("vitejs/vite", ["frontend", "前端", "testing"]) +
        "update stars set custom_tags = '[\"Testing\"]' " +
        "where repository_id in (select id from repositories where full_name = 'vitejs/vite');",
    );
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await stack?.stop();
  });

  const badgeTags = async () => {
    const page = await browser.open("https://github.com/microsoft/playwright");
    const badge = page.locator("starwise-repo-badge .badge");
    await badge.waitFor();
    const tags = await badge.locator(":scope > .chip:not(.more)").allTextContents();
    return { page, tags };
  };

  it("merges two tags from the new tab, the badge shows the merged tag, and undo brings both back", async () => {
    const before = await badgeTags();
    expect(before.tags.slice(0, 2)).toEqual(["e2e-testing", "automation"]);
    await before.page.close();

    const newtab = await browser.openPage("newtab.html");
    const panel = newtab.locator("details.tags-panel");
    await panel.locator("summary").click();
    await panel.locator(".tags-row").first().waitFor();
    // The gardener saw 前端/frontend, both in this library.
    await expect
      .poll(() => panel.locator(".tags-proposal[data-reason=translation] .chip").allTextContents())
      .toEqual(["前端 1", "frontend 1"]);
    await screenshot(newtab, "newtab-tags");

    await panel.locator(".tags-row[data-tag='e2e-testing'] input[type=checkbox]").check();
    await panel.locator(".tags-row[data-tag='Testing'] input[type=checkbox]").check();
    await panel.locator("input[name=merge-into]").fill("testing");
    await panel.locator(".tags-merge button[type=submit]").click();
    await expect.poll(() => panel.locator(".tags-last").textContent()).toMatch(/^Merged into testing: 1 repositories/);
    await expect.poll(() => panel.locator(".tags-row[data-tag='testing'] .tags-count").textContent()).toBe("3");
    expect(await panel.locator(".tags-row[data-tag='e2e-testing']").count()).toBe(0);
    // The result cards read the merged tag too.
    await expect
      .poll(() => newtab.locator(".result:has(a.name:text-is('microsoft/playwright')) .chip").allTextContents())
      .toContain("testing");
    await screenshotOf(panel, "newtab-tags-merged");

    const merged = await badgeTags();
    expect(merged.tags.slice(0, 2)).toEqual(["testing", "automation"]);
    await merged.page.close();

    await panel.locator("button.tags-undo").click();
    await expect.poll(() => panel.locator(".tags-last").textContent()).toMatch(/^Undone: 1 repositories/);
    await expect.poll(() => panel.locator(".tags-row[data-tag='e2e-testing']").count()).toBe(1);
    const undone = await badgeTags();
    expect(undone.tags.slice(0, 2)).toEqual(["e2e-testing", "automation"]);
    await undone.page.close();
    await newtab.close();
  });

  it("adds a tag to every repository the list shows, not only the page drawn, and undoes it", async () => {
    const newtab = await browser.openPage("newtab.html");
    const panel = newtab.locator("details.tags-panel");
    await panel.locator("summary").click();
    await expect
      .poll(() => panel.locator(".tags-bulk .field span").textContent())
      .toBe("Your tag on all 9 repositories listed");
    await panel.locator("input[name=bulk-tag]").fill("reading-list");
    await panel.locator("button[name=bulk-add]").click();
    await expect.poll(() => panel.locator(".tags-last").textContent()).toMatch(/^Changed the tags of 9 repositories/);
    await expect.poll(() => panel.locator(".tags-row[data-tag='reading-list'] .tags-count").textContent()).toBe("9");
    await panel.locator("button.tags-undo").click();
    await expect.poll(() => panel.locator(".tags-row[data-tag='reading-list']").count()).toBe(0);
    await newtab.close();
  });

  it("speaks Chinese", async () => {
    const options = await browser.openPage("options.html");
    await options.locator("select[name=language]").selectOption("zh");
    await options.locator("button.confirm-language").click();
    try {
      const newtab = await browser.openPage("newtab.html");
      const panel = newtab.locator("details.tags-panel");
      await expect.poll(() => panel.locator(".tags-title").textContent()).toBe("标签");
      await panel.locator("summary").click();
      await panel.locator(".tags-row").first().waitFor();
      expect(await panel.locator(".tags-proposals h3").textContent()).toBe("建议");
      expect(await panel.locator(".tags-proposal[data-reason=translation] .tags-reason").textContent()).toBe(
        "同一主题的中英文",
      );
      await screenshot(newtab, "newtab-tags-zh");
      await newtab.close();
    } finally {
      await options.locator("select[name=language]").selectOption("auto");
      await options.close();
    }
  });
});
