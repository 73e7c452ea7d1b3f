import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAtom } from "../worker/test/atom";
import { launchWithExtension, screenshotOf, type ExtensionBrowser } from "./lib/browser";
import { signInThroughOptions, syncFromPopup } from "./lib/flows";
import { EMULATOR_TOKEN, startStack, type Stack } from "./lib/stack";
import { startDisplay, type Display } from "./lib/xvfb";

// Star health beyond the digest panel (issue 18, item 3's rest), against the real Worker and the GitHub emulator,
// in Chromium headed on Xvfb (the notifications permission is the browser's own prompt, answered with the keyboard):
// the new tab's cards carry health chips; the options make, show once and revoke the digest's Atom feed, which a
// strict XML parser reads; release notifications are turned on from the options, a card marks a repository
// watched, and a sync that learns of its new release shows exactly one notification — the next sync none.

const STARRED = [
  { fullName: "acme/rocket", description: "Launches things", language: "Rust" },
  { fullName: "acme/retired", description: "An old tool", language: "Go" },
  { fullName: "acme/vanished", description: "Was here once", language: "C" },
  { fullName: "acme/dusty", description: "Finished, or forgotten", language: "Perl" },
  { fullName: "acme/frozen", description: "Switched off by GitHub", language: "Java" },
];

type Chrome = {
  chrome: {
    notifications: { create: (...args: unknown[]) => unknown; getAll(): Promise<Record<string, boolean>> };
  };
  starwiseNotices?: unknown[][];
};

describe("health chips, the feed and release notifications", () => {
  let stack: Stack;
  let display: Display;
  let browser: ExtensionBrowser;

  const sync = () => syncFromPopup(browser);

  const setLanguage = (language: "en" | "zh") =>
    browser.background.evaluate(
      (lang) =>
        (
          globalThis as unknown as { chrome: { storage: { local: { set(items: object): Promise<void> } } } }
        ).chrome.storage.local.set({ preferences: { language: lang, autoSync: true } }),
      language,
    );

  beforeAll(async () => {
    stack = await startStack({ stars: 6 });
    for (const { fullName, language, description } of STARRED)
      await stack.control("star", { login: "octocat", fullName, repo: { description, language } });
    await stack.control("archive", { fullName: "acme/retired" });
    await stack.control("disable", { fullName: "acme/frozen" });
    await stack.control("release", { fullName: "acme/rocket", tag: "v2.1.0", name: "Liftoff", tagPush: true });
    display = await startDisplay();
    browser = await launchWithExtension({ display: display.name });
    (await signInThroughOptions(browser, stack.worker.url, EMULATOR_TOKEN)).close();
    await sync();
    await stack.control("repo-state", { fullName: "acme/vanished", state: "deleted" });
    await sync();
    // Quiet for three years: the emulator's repositories are all recent, so the fact is written as a sync would.
    await stack.d1Execute(
      `update repositories set last_commit_at = ${Date.now() - 3.1 * 365.25 * 86_400_000} ` +
        "where full_name = 'acme/dusty'",
    );
  });
  afterAll(async () => {
    await browser?.close();
    await display?.close();
    await stack?.stop();
  });

  it("shows each card's health as chips, and counts the gone star apart", async () => {
    const newtab = await browser.openPage("newtab.html");
    const card = (name: string) => newtab.locator(`[id="result-${name}"]`);
    await card("acme/rocket").waitFor({ timeout: 30_000 });
    const chips = (name: string) =>
      card(name)
        .locator(".chip.health")
        .evaluateAll((elements) => elements.map((chip) => [chip.getAttribute("data-kind"), chip.textContent]));
    expect(await chips("acme/rocket")).toEqual([["release", expect.stringMatching(/^v2\.1\.0 released /)]]);
    expect(await chips("acme/retired")).toEqual([["archived", "Archived"]]);
    expect(await chips("acme/vanished")).toEqual([["gone", "Gone: deleted or made private"]]);
    expect(await chips("acme/dusty")).toEqual([["quiet", "Quiet for 3 years"]]);
    expect(await chips("acme/frozen")).toEqual([["disabled", "Disabled by GitHub"]]);
    expect(await newtab.locator(".mode").textContent()).toMatch(/, and 1 gone from GitHub \(kept with your notes\)$/);
    await screenshotOf(newtab.locator("ul.results"), "newtab-health-chips", 12);
    await newtab.close();

    // In Chinese, as the person chose it in the options.
    await setLanguage("zh");
    const zh = await browser.openPage("newtab.html");
    const zhCard = zh.locator('[id="result-acme/vanished"]');
    await zhCard.waitFor({ timeout: 30_000 });
    expect(await zhCard.locator(".chip.health").textContent()).toBe("已消失：已删除或设为私有");
    expect(await zh.locator('[id="result-acme/dusty"] .chip.health').textContent()).toBe("3 年无提交");
    await screenshotOf(zh.locator("ul.results"), "newtab-health-chips-zh", 12);
    await zh.close();
    await setLanguage("en");
  });

  it("makes a feed address shown once, which serves valid Atom of the changes, and revokes it", async () => {
    const options = await browser.openPage("options.html");
    const section = options.locator("section.feed");
    await section.locator(".none").waitFor({ timeout: 20_000 });
    await section.locator("button.create-feed").click();
    const url = await section.locator(".feed-url").inputValue();
    expect(url).toMatch(new RegExp(`^${stack.worker.url}/feed/swf_[\\w-]{43}$`));
    await section.locator(".feeds li").waitFor();
    await screenshotOf(section, "options-feed", 12);

    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
    const atom = parseAtom(await response.text());
    expect(atom.entries.map((entry) => entry.title)).toEqual(
      expect.arrayContaining([
        "acme/rocket released v2.1.0: Liftoff",
        "acme/retired was archived",
        "acme/vanished was deleted or made private",
      ]),
    );
    // Read again: the same ids, so a reader shows nothing twice.
    const again = parseAtom(await (await fetch(url)).text());
    expect(again.entries.map((entry) => entry.id)).toEqual(atom.entries.map((entry) => entry.id));

    await section.locator("button.revoke-feed").click();
    await section.locator(".note.ok").waitFor();
    expect((await fetch(url)).status).toBe(404);
    expect(await section.locator(".feed-url").count()).toBe(0);
    await options.close();
  });

  it("notifies once a sync of a watched repository's new release, after notifications are turned on", async () => {
    for (const build of ["chrome-mv3", "firefox-mv2"]) {
      const manifest = JSON.parse(readFileSync(`.output/extension/${build}/manifest.json`, "utf8")) as {
        optional_permissions?: string[];
      };
      expect(manifest.optional_permissions, build).toContain("notifications");
    }
    const options = await browser.openPage("options.html");
    const section = options.locator("section.notifications");
    await section.locator("button.notify-on").waitFor({ timeout: 20_000 });
    await section.locator("button.notify-on").click();
    // Chrome's dialog "Starwise has requested additional permissions": Allow, with the keyboard.
    await options.waitForTimeout(800);
    display.keys("Tab", "space");
    await section.locator("button.notify-off").waitFor({ timeout: 10_000 });
    await screenshotOf(section, "options-notifications", 12);
    await options.close();

    const newtab = await browser.openPage("newtab.html");
    const watch = newtab.locator('[id="result-acme/rocket"] button.watch');
    await watch.waitFor({ timeout: 30_000 });
    await watch.click();
    await expect.poll(() => watch.getAttribute("aria-pressed")).toBe("true");
    await newtab.close();

    // What the background shows, recorded as it calls the browser.
    await browser.background.evaluate(() => {
      const scope = globalThis as unknown as Chrome;
      const create = scope.chrome.notifications.create.bind(scope.chrome.notifications);
      scope.starwiseNotices = [];
      scope.chrome.notifications.create = (...args: unknown[]) => {
        scope.starwiseNotices!.push(args);
        return create(...args);
      };
    });
    const notices = () =>
      browser.background.evaluate(() => (globalThis as unknown as Chrome).starwiseNotices as unknown[][]);

    await stack.control("release", { fullName: "acme/rocket", tag: "v2.2.0", name: "Orbit", tagPush: true });
    await sync();
    await expect.poll(async () => (await notices()).length, { timeout: 15_000 }).toBe(1);
    expect((await notices())[0]).toEqual([
      "starwise-releases",
      expect.objectContaining({ type: "basic", title: "New releases in your stars", message: "acme/rocket v2.2.0" }),
    ]);
    expect(
      await browser.background.evaluate(() => (globalThis as unknown as Chrome).chrome.notifications.getAll()),
    ).toHaveProperty("starwise-releases");

    // The next sync learns nothing new: no second notification.
    await sync();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await notices()).toHaveLength(1);
  });
});
