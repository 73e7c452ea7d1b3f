import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchWithExtension, screenshot, type ExtensionBrowser } from "./lib/browser";
import { signInThroughOptions, storedLocal } from "./lib/flows";
import { EMULATOR_TOKEN, startStack, type Stack } from "./lib/stack";

// GitHub Lists in the new tab against the real Worker and the GitHub emulator (issue 19, item 4): two Lists made on
// "github.com" before the first sync, read by it; the List filter, "In no List", the List chips on cards, and the
// note that says why Starwise cannot write them (octocat's token has no `user` scope).

const STARRED = [
  { fullName: "acme/rocket", description: "Launches things", language: "Rust" },
  { fullName: "acme/compass", description: "Finds the way", language: "Go" },
  { fullName: "acme/lantern", description: "Lights the night", language: "C" },
];

describe("GitHub Lists in the new tab", () => {
  let stack: Stack;
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    stack = await startStack({ stars: 6 });
    for (const { fullName, language, description } of STARRED)
      await stack.control("star", { login: "octocat", fullName, repo: { description, language } });
    await stack.control("lists", { login: "octocat", name: "Tools", items: ["acme/rocket", "acme/compass"] });
    await stack.control("lists", { login: "octocat", name: "Read later", isPrivate: true, items: ["acme/rocket"] });
    browser = await launchWithExtension();
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
