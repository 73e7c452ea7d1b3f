import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchWithExtension, screenshotOf, type ExtensionBrowser } from "./lib/browser";
import { signInThroughOptions, syncFromPopup } from "./lib/flows";
import { EMULATOR_TOKEN, startStack, type Stack } from "./lib/stack";

// Unstar in bulk, reversibly (issue 18, item 4), against the real Worker and the GitHub emulator: two archived
// stars picked in the "What changed" panel → the confirmation → the run's progress in the popup → GitHub no longer
// lists them and the panel shows them "unstarred in Starwise", notes kept → Undo stars them again on GitHub.

const ARCHIVED = [
  { fullName: "acme/retired", description: "An old tool", language: "Go" },
  { fullName: "acme/sunset", description: "Was useful once", language: "C" },
];

describe("unstar in bulk with undo", () => {
  let stack: Stack;
  let browser: ExtensionBrowser;

  const githubStars = async () =>
    (
      (await stack.control("stars?login=octocat", undefined, "GET")) as { stars: Array<{ fullName: string }> }
    ).stars.map((star) => star.fullName);

  beforeAll(async () => {
    stack = await startStack({ stars: 6 });
    // A classic token allowed to star: public_repo.
    await stack.control("users", { login: "octocat", stars: 6, scopes: "public_repo, read:user" });
    for (const { fullName, language, description } of ARCHIVED) {
      await stack.control("star", { login: "octocat", fullName, repo: { description, language } });
      await stack.control("archive", { fullName });
    }
    browser = await launchWithExtension();
    (await signInThroughOptions(browser, stack.worker.url, EMULATOR_TOKEN)).close();
    await syncFromPopup(browser);
    await stack.d1Execute(
      "update stars set notes = 'Kept for the migration notes' " +
        "where repository_id = (select id from repositories where full_name = 'acme/retired')",
    );
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("picks, confirms, shows progress in the popup, unstars on GitHub, and undoes", async () => {
    const newtab = await browser.openPage("newtab.html#digest");
    const panel = newtab.locator("details.digest");
    const archived = panel.locator('[data-kind="archived"]');
    await archived.waitFor({ timeout: 30_000 });
    for (const { fullName } of ARCHIVED)
      await archived.getByRole("checkbox", { name: `Select ${fullName} to unstar` }).check();
    const bar = newtab.locator(".unstar-bar");
    expect(await bar.locator(".unstar-picked").textContent()).toContain("2 selected");
    await bar.getByRole("button", { name: "Unstar 2 on GitHub" }).click();

    const dialog = newtab.getByRole("dialog");
    await dialog.waitFor();
    expect(await dialog.locator("h2").textContent()).toBe("Unstar 2 repositories on GitHub?");
    const said = (await dialog.textContent()) ?? "";
    expect(said).toContain("acme/retired");
    expect(said).toContain("acme/sunset");
    expect(said).toContain("GitHub dates a re-star today");
    await screenshotOf(dialog, "newtab-unstar-confirm", 16);

    // Slow GitHub down so the run is seen going: the popup shows it like a sync.
    await stack.control("faults", { route: "DELETE /user/starred/**", latencyMs: 1500 });
    await dialog.getByRole("button", { name: "Unstar 2" }).click();
    const popup = await browser.openPage("popup.html");
    const progress = popup.locator('.progress[data-phase="unstarring"]');
    await progress.waitFor({ timeout: 15_000 });
    expect(await progress.textContent()).toMatch(/Unstarring on GitHub: \d of 2/);
    expect(await popup.locator("button.sync").textContent()).toBe("Unstarring on GitHub…");
    await screenshotOf(popup.locator("main"), "popup-unstarring");
    await popup.locator(".done").waitFor({ timeout: 30_000 });
    expect(await popup.locator(".done").textContent()).toBe("Unstarred 2 on GitHub. Undo is on the new tab.");
    await popup.close();
    await stack.control("faults", undefined, "DELETE");

    const outcome = bar.locator('.unstar-outcome[data-action="unstar"]');
    await outcome.waitFor({ timeout: 30_000 });
    expect(await outcome.textContent()).toContain("Unstarred 2 on GitHub.");
    const stars = await githubStars();
    for (const { fullName } of ARCHIVED) expect(stars).not.toContain(fullName);
    // The panel asked again: both are "unstarred in Starwise", the note kept.
    const unstarred = panel.locator('[data-kind="unstarred"]');
    await unstarred.waitFor({ timeout: 15_000 });
    expect(await unstarred.locator('[data-unstarred-by="starwise"]').count()).toBe(2);
    expect(await unstarred.textContent()).toContain("Kept for the migration notes");
    await screenshotOf(newtab.locator("main"), "newtab-unstar-done");

    await outcome.getByRole("button", { name: "Undo (star 2 again)" }).click();
    const undone = bar.locator('.unstar-outcome[data-action="restar"][data-status="done"]');
    await undone.waitFor({ timeout: 30_000 });
    expect(await undone.textContent()).toContain("Starred 2 again on GitHub.");
    expect(await undone.textContent()).toContain("Starwise keeps the date you first starred them");
    const again = await githubStars();
    for (const { fullName } of ARCHIVED) expect(again).toContain(fullName);
    await screenshotOf(bar, "newtab-unstar-undone", 16);
  }, 120_000);
});
