import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchWithExtension, screenshot, type ExtensionBrowser } from "./lib/browser";
import { signInThroughOptions, storedLocal } from "./lib/flows";
import { EMULATOR_TOKEN, startStack, type Stack } from "./lib/stack";

// GitHub Lists in the new tab against the real Worker and the GitHub emulator (issue 19, item 4): two Lists made on
// "github.com" before the first sync, read by it; the List filter, "In no List", the List chips on cards, and the
// note that says why Starwise cannot write them (octocat's token has no `user` scope). Then, with a token that has
// it, a List made from a tag in the tags view (GitHub holds it with the tag's repositories), unlinked, and an
// existing List linked to a tag, in Chinese.

const STARRED = [
  { fullName: "acme/rocket", description: "Launches things", language: "Rust" },
  { fullName: "acme/compass", description: "Finds the way", language: "Go" },
  { fullName: "acme/lantern", description: "Lights the night", language: "C" },
];

/** A browser with the extension, signed in as octocat through the options, after one sync from the popup. */
async function signedInAndSynced(stack: Stack): Promise<ExtensionBrowser> {
  const browser = await launchWithExtension();
  (await signInThroughOptions(browser, stack.worker.url, EMULATOR_TOKEN)).close();
  const popup = await browser.openPage("popup.html");
  await popup.getByRole("button", { name: "Sync" }).click();
  for (const deadline = Date.now() + 90_000; ; ) {
    const state = (await storedLocal(browser)).syncState as { lastResult?: { finishedAt?: number } } | undefined;
    if (state?.lastResult?.finishedAt) break;
    if (Date.now() > deadline) throw new Error("the sync did not finish within 90 s");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await popup.close();
  return browser;
}

describe("GitHub Lists in the new tab", () => {
  let stack: Stack;
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    stack = await startStack({ stars: 6 });
    for (const { fullName, language, description } of STARRED)
      await stack.control("star", { login: "octocat", fullName, repo: { description, language } });
    await stack.control("lists", { login: "octocat", name: "Tools", items: ["acme/rocket", "acme/compass"] });
    await stack.control("lists", { login: "octocat", name: "Read later", isPrivate: true, items: ["acme/rocket"] });
    browser = await signedInAndSynced(stack);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("filters by List and by In no List, with List chips on cards and the read-only note", async () => {
    const newtab = await browser.openPage("newtab.html");
    const select = newtab.locator("select[name=list]");
    await select.waitFor({ timeout: 30_000 });
    expect(await select.locator("option").allTextContents()).toEqual([
      "Any GitHub List",
      "Read later (1)",
      "Tools (2)",
      `In no List (${6 + STARRED.length - 2})`,
    ]);
    const rocket = newtab.locator(".result", { hasText: "acme/rocket" });
    await expect.poll(() => rocket.locator(".list-chip").allTextContents()).toEqual(["Read later", "Tools"]);
    expect(await newtab.locator(".lists-note").textContent()).toContain("classic token with the “user” scope");
    await screenshot(newtab, "newtab-lists");

    await select.selectOption({ label: "Tools (2)" });
    await expect
      .poll(async () => (await newtab.locator(".result h2").allTextContents()).sort())
      .toEqual(["acme/compass", "acme/rocket"]);
    expect(new URL(newtab.url()).search).toBe("?list=Tools");
    await screenshot(newtab, "newtab-lists-filtered");

    await select.selectOption({ label: `In no List (${6 + STARRED.length - 2})` });
    await expect.poll(() => newtab.locator(".result").count()).toBe(6 + STARRED.length - 2);
    expect(await newtab.locator(".result .list-chip").count()).toBe(0);
    expect(browser.errors).toEqual([]);
    await newtab.close();
  });
});

describe("GitHub Lists pushed from the new tab's tags view", () => {
  let stack: Stack;
  let browser: ExtensionBrowser;

  /** The user's Lists as GitHub (the emulator) holds them now. */
  const githubLists = async () =>
    (
      (await stack.control("lists?login=octocat", undefined, "GET")) as {
        lists: Array<{ id: string; name: string; items: string[] }>;
      }
    ).lists;
  /** The new tab with its tags view open. */
  const tagsView = async () => {
    const newtab = await browser.openPage("newtab.html");
    const panel = newtab.locator("details.tags-panel");
    await panel.locator("summary").click();
    await panel.locator(".tags-row[data-tag='launch']").waitFor({ timeout: 30_000 });
    return { newtab, panel };
  };

  beforeAll(async () => {
    stack = await startStack({ stars: 6 });
    // A classic token with the `user` scope may write Lists (a replaced user starts with no Lists).
    await stack.control("users", { login: "octocat", stars: 6, scopes: "repo, user" });
    for (const { fullName, language, description } of STARRED)
      await stack.control("star", { login: "octocat", fullName, repo: { description, language } });
    await stack.control("lists", { login: "octocat", name: "Tools", items: ["acme/compass"] });
    browser = await signedInAndSynced(stack);
    // The user's own tags, as the card editor or a bulk change would leave them.
    await stack.d1Execute(
      "update stars set custom_tags = '[\"launch\"]' where repository_id in " +
        "(select id from repositories where full_name in ('acme/rocket', 'acme/lantern')); " +
        "update stars set custom_tags = '[\"navigation\"]' where repository_id in " +
        "(select id from repositories where full_name = 'acme/compass');",
    );
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("makes a List from a tag, which GitHub then holds with the tag's repositories, and unlinks it", async () => {
    const { newtab, panel } = await tagsView();
    const launch = panel.locator(".tags-row[data-tag='launch']");
    await launch.getByRole("button", { name: "Make a GitHub List" }).click();
    const chip = launch.locator(".list-chip");
    await chip.waitFor({ timeout: 30_000 });
    expect(await chip.textContent()).toBe("launch");
    expect(await chip.getAttribute("href")).toBe("https://github.com/stars/octocat/lists/launch");
    expect(await panel.locator(".lists-notice").textContent()).toContain("with 2 repositories");
    const made = (await githubLists()).find((list) => list.name === "launch");
    expect(made?.items.sort()).toEqual(["acme/lantern", "acme/rocket"]);
    // Each List with its tag; the filter has the new List with its stars.
    const section = panel.locator(".lists-section");
    await expect.poll(() => section.locator(".lists-row[data-list='launch'] .lists-tag").textContent()).toBe("launch");
    expect(await section.locator(".lists-row[data-list='Tools'] .lists-tag").textContent()).toBe("not linked");
    await expect.poll(() => newtab.locator("select[name=list] option").allTextContents()).toContain("launch (2)");
    // Read again from the Worker: the Lists in its order, and the cards with their List chips.
    await expect
      .poll(() => section.locator(".lists-row").evaluateAll((rows) => rows.map((row) => row.dataset.list)))
      .toEqual(["launch", "Tools"]);
    const rocket = newtab.locator(".result", { hasText: "acme/rocket" });
    await expect.poll(() => rocket.locator(".list-chip").allTextContents()).toEqual(["launch"]);
    expect(await newtab.locator(".lists-note").count()).toBe(0);
    await newtab.mouse.move(0, 0); // no hover left on a link in the picture
    await screenshot(newtab, "newtab-lists-push");

    await launch.getByRole("button", { name: "Unlink" }).click();
    await launch.getByRole("button", { name: "Make a GitHub List" }).waitFor({ timeout: 30_000 });
    expect(await panel.locator(".lists-notice").textContent()).toContain("Unlinked the List");
    await expect
      .poll(() => section.locator(".lists-row[data-list='launch'] .lists-tag").textContent())
      .toBe("not linked");
    // Unlinking takes nothing out of the List on GitHub.
    expect((await githubLists()).find((list) => list.name === "launch")?.items.sort()).toEqual([
      "acme/lantern",
      "acme/rocket",
    ]);
    expect(browser.errors).toEqual([]);
    await newtab.close();
  });

  it("links an existing List to a tag, in Chinese", async () => {
    const options = await browser.openPage("options.html");
    await options.locator("select[name=language]").selectOption("zh");
    await options.locator("button.confirm-language").click();
    try {
      const { newtab, panel } = await tagsView();
      const tools = panel.locator(".lists-row[data-list='Tools']");
      expect(await tools.locator(".lists-tag").textContent()).toBe("未关联");
      await tools.getByRole("button", { name: "关联到标签" }).click();
      await tools.locator("input[name=link-tag]").fill("navigation");
      await tools.getByRole("button", { name: "关联", exact: true }).click();
      await expect.poll(() => tools.locator(".lists-tag").textContent(), { timeout: 30_000 }).toBe("navigation");
      expect(await panel.locator(".tags-row[data-tag='navigation'] .list-chip").textContent()).toBe("Tools");
      expect(await panel.locator(".lists-notice").textContent()).toContain("已将列表");
      expect(await panel.locator(".tags-row[data-tag='launch'] .lists-make").textContent()).toBe("新建 GitHub 列表");
      await newtab.mouse.move(0, 0); // no hover left on a link in the picture
      await screenshot(newtab, "newtab-lists-push-zh");
      await newtab.close();
    } finally {
      await options.locator("select[name=language]").selectOption("auto");
      await options.close();
    }
  });

  it("renames a List on GitHub, and says before sending that a name is too long for GitHub", async () => {
    const { newtab, panel } = await tagsView();
    const tools = panel.locator(".lists-row[data-list='Tools']");
    await tools.getByRole("button", { name: "Rename" }).click();
    const name = tools.locator("input[name=list-name]");
    await name.fill("Tools for finding our way around the sky");
    expect(await tools.locator(".lists-name-error").textContent()).toBe(
      "GitHub takes at most 32 characters for a List's name.",
    );
    expect(await tools.getByRole("button", { name: "Rename" }).isDisabled()).toBe(true);
    await newtab.mouse.move(0, 0); // no hover left on a link in the picture
    await screenshot(newtab, "newtab-lists-rename");

    await name.fill("Wayfinding");
    await tools.getByRole("button", { name: "Rename" }).click();
    const renamed = panel.locator(".lists-row[data-list='Wayfinding']");
    await renamed.waitFor({ timeout: 30_000 });
    expect(await panel.locator(".lists-notice").textContent()).toContain("Renamed the List");
    expect((await githubLists()).map((list) => list.name)).toContain("Wayfinding");
    expect((await githubLists()).map((list) => list.name)).not.toContain("Tools");
    // The link to its tag stays with the List.
    expect(await renamed.locator(".lists-tag").textContent()).toBe("navigation");
    expect(browser.errors).toEqual([]);
    await newtab.close();
  });
});
