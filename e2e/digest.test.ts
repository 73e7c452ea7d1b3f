import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchWithExtension, screenshotOf, type ExtensionBrowser } from "./lib/browser";
import { signInThroughOptions, syncFromPopup } from "./lib/flows";
import { EMULATOR_TOKEN, startStack, type Stack } from "./lib/stack";

// The new tab's "What changed" panel against the real Worker and the GitHub emulator (issue 18, "the digest"):
// the emulator archives one starred repository and publishes a release of another before the first sync, and
// deletes a third between two syncs; the panel lists each in its section, the deleted one as gone with its note.

const STARRED = [
  { fullName: "acme/rocket", description: "Launches things", language: "Rust" },
  { fullName: "acme/retired", description: "An old tool", language: "Go" },
  { fullName: "acme/vanished", description: "Was here once", language: "C" },
];

describe("the What changed panel", () => {
  let stack: Stack;
  let browser: ExtensionBrowser;

  const sync = () => syncFromPopup(browser);

  beforeAll(async () => {
    stack = await startStack({ stars: 12 });
    for (const { fullName, language, description } of STARRED)
      await stack.control("star", { login: "octocat", fullName, repo: { description, language } });
    await stack.control("archive", { fullName: "acme/retired" });
    await stack.control("release", { fullName: "acme/rocket", tag: "v2.1.0", name: "Liftoff", tagPush: true });
    browser = await launchWithExtension();
    (await signInThroughOptions(browser, stack.worker.url, EMULATOR_TOKEN)).close();
    await sync();
    await stack.d1Execute(
      "update stars set notes = 'Used it for the launch demo' " +
        "where repository_id = (select id from repositories where full_name = 'acme/vanished')",
    );
    await stack.control("repo-state", { fullName: "acme/vanished", state: "deleted" });
    await sync();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("lists the release, the archived and the gone star, each linking to GitHub", async () => {
    const newtab = await browser.openPage("newtab.html#digest");
    const panel = newtab.locator("details.digest");
    await panel.locator(".digest-body").waitFor({ timeout: 30_000 });
    const release = panel.locator('[data-kind="releases"] .digest-item', { hasText: "acme/rocket" });
    await expect.poll(() => release.textContent()).toContain("v2.1.0");
    expect(await release.locator("a").getAttribute("href")).toBe("https://github.com/acme/rocket");
    expect(await panel.locator('[data-kind="archived"]').textContent()).toContain("acme/retired");
    const gone = panel.locator('[data-kind="gone"]');
    expect(await gone.textContent()).toContain("acme/vanished");
    expect(await gone.textContent()).toContain("Used it for the launch demo");
    expect(await panel.locator(".digest-summary").textContent()).toMatch(/changes? since/);
    // Quiet is folded under its count; opened, it lists the library's quiet repositories.
    const quiet = panel.locator('details[data-kind="quiet"]');
    expect(await quiet.getAttribute("open")).toBeNull();
    await screenshotOf(panel, "newtab-digest", 16);
  });
});
