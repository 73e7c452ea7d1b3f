import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS_DIR, launchWithExtension, screenshot, type ExtensionBrowser } from "./lib/browser";
import { badgeText, signInThroughOptions, storedLocal } from "./lib/flows";
import { EMULATOR_TOKEN, startStack, type Stack } from "./lib/stack";

// Issue 16, "the extension shows everything the Worker can do": the AI provider set up and tested
// from the options, why a sync left summaries out (a rejected key) named in the popup, what a
// language change costs said before it happens, a revoked GitHub token leading to a working
// re-authorise form, and a toolbar percentage that never goes down. Real Chromium, the real
// Worker under wrangler, the GitHub, AI and OpenDigger emulators.

const STARS = 30;
const RUN_TIMEOUT = 120_000;
const WRONG_KEY = "sk-wrong-key-1234";

/** Clicks Sync in a fresh popup and waits for the run's end; the badge and stored percentage sampled meanwhile. */
async function syncFromPopup(browser: ExtensionBrowser): Promise<{ popup: Page; badges: string[]; overall: number[] }> {
  const popup = await browser.openPage("popup.html");
  const clicked = Date.now();
  await popup.getByRole("button", { name: "Sync" }).click();
  const badges: string[] = [];
  const overall: number[] = [];
  const deadline = Date.now() + RUN_TIMEOUT;
  for (;;) {
    const [badge, stored] = await Promise.all([badgeText(browser), storedLocal(browser)]);
    const state = (
      stored as { syncState?: { running: boolean; overall?: number; lastResult?: { finishedAt: number } | null } }
    ).syncState;
    if (badge && badges.at(-1) !== badge) badges.push(badge);
    if (state?.overall !== undefined && overall.at(-1) !== state.overall) overall.push(state.overall);
    // This run's end (not the last one's): the background stored a result after the click.
    if (state && !state.running && (state.lastResult?.finishedAt ?? 0) >= clicked) break;
    if (Date.now() > deadline) throw new Error(`the sync did not end; badges ${badges.join(" ")}`);
    await popup.waitForTimeout(100);
  }
  return { popup, badges, overall };
}

describe("why work waits, and how to fix it", () => {
  let stack: Stack;
  let browser: ExtensionBrowser;
  let aiUrl: string;

  beforeAll(async () => {
    stack = await startStack({ stars: STARS, enrich: true });
    aiUrl = stack.ai!.url;
    browser = await launchWithExtension();
    (await signInThroughOptions(browser, stack.worker.url, EMULATOR_TOKEN)).close();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });
  afterEach(async (context) => {
    if (context.task.result?.state === "fail")
      await writeFile(join(ARTIFACTS_DIR, "worker-why-work-waits.log"), stack.worker.output());
  });

  it("sets up the AI provider, and its Test button says the provider's exact answer", async () => {
    const options = await browser.openPage("options.html");
    const ai = options.locator("section.ai");
    await ai.locator("select[name=aiKind]").waitFor();
    // The deployment's default, shown as a default (the emulator's chat model).
    expect(await ai.locator(".ai-default").textContent()).toBe(
      "Using this server's default: OpenAI-compatible API, model starwise-chat.",
    );
    expect(await ai.locator(".key-state").textContent()).toBe("No key is stored.");
    await screenshot(options, "options-ai");

    await ai.locator("input[name=aiBaseUrl]").fill(`${aiUrl}/v1`);
    await ai.locator("input[name=aiModel]").fill("starwise-chat");
    await ai.locator("input[name=aiApiKey]").fill(WRONG_KEY);
    await ai.locator("button.ai-save").click();
    await expect.poll(() => ai.locator(".ai-note").textContent()).toBe("Saved. The next sync uses this provider.");
    // Write-only: the key is not shown back, only that one is stored.
    expect(await ai.locator("input[name=aiApiKey]").inputValue()).toBe("");
    expect(await ai.locator(".key-state").textContent()).toMatch(/^A key is stored/);
    expect(await options.content()).not.toContain(WRONG_KEY);
    await options.close();
  });

  it("a sync with a wrong API key ends with the cause named in the popup; Test reproduces it", {
    timeout: RUN_TIMEOUT + 30_000,
  }, async () => {
    const { popup, badges, overall } = await syncFromPopup(browser);
    expect(await popup.locator(".done").textContent()).toBe("Sync finished.");
    const stop = popup.locator(".stop[data-phase=analyse]");
    expect(await stop.getAttribute("data-code")).toBe("ai_key_rejected");
    expect(await stop.locator(".stop-what").textContent()).toBe(`${STARS} repositories wait for their summary.`);
    expect(await stop.locator(".stop-why").textContent()).toBe(
      "AI key rejected: the provider refused the API key. Enter a valid key in the options.",
    );
    expect(await stop.locator(".provider-said").textContent()).toMatch(
      /^The provider said: HTTP 401: Incorrect API key provided: sk-\*+1234\./,
    );
    expect(await stop.locator("button.fix").textContent()).toBe("Open options");
    await screenshot(popup, "popup-stop-reason");
    await popup.close();

    // The toolbar's percentage over the whole run never went down.
    const numbers = badges.filter((b) => /^\d+%$/.test(b)).map((b) => Number.parseInt(b, 10));
    expect(numbers.length, `badges: ${badges.join(" ")}`).toBeGreaterThan(1);
    for (let i = 1; i < numbers.length; i++)
      expect(numbers[i], badges.join(" ")).toBeGreaterThanOrEqual(numbers[i - 1]!);
    for (let i = 1; i < overall.length; i++)
      expect(overall[i], overall.join(" ")).toBeGreaterThanOrEqual(overall[i - 1]!);

    // The new tab: one quiet line.
    const newtab = await browser.openPage("newtab.html");
    await expect
      .poll(() => newtab.locator(".summaries-waiting").textContent())
      .toBe(
        `Summaries for ${STARS} stars are missing: AI key rejected: the provider refused the API key. ` +
          "Enter a valid key in the options.",
      );
    await newtab.close();

    // The options' Test button, untouched form: the stored provider, the same answer.
    const options = await browser.openPage("options.html");
    const ai = options.locator("section.ai");
    await ai.locator("button.ai-test").click();
    const result = ai.locator(".test-result");
    await expect.poll(() => result.getAttribute("data-code")).toBe("ai_key_rejected");
    expect(await result.locator(".note-text").textContent()).toBe(
      "AI key rejected: the provider refused the API key. Enter a valid key in the options.",
    );
    expect(await result.locator(".provider-said").textContent()).toMatch(
      /^The provider said \(HTTP 401\): Incorrect API key provided: sk-\*+1234\. You can find your API key/,
    );
    await screenshot(options, "options-ai-test-error");

    // An unknown model, tested before saving: the provider's 404 in words.
    await ai.locator("input[name=aiModel]").fill("no-such-model");
    await ai.locator("input[name=aiApiKey]").fill("sk-emulator");
    await ai.locator("button.ai-test").click();
    await expect.poll(() => result.getAttribute("data-code")).toBe("ai_model_not_found");
    expect(await result.locator(".provider-said").textContent()).toBe(
      "The provider said (HTTP 404): The model `no-such-model` does not exist or you do not have access to it.",
    );

    // The right key: Test says it works, and Save keeps it.
    await ai.locator("input[name=aiModel]").fill("starwise-chat");
    await ai.locator("button.ai-test").click();
    await expect.poll(() => result.getAttribute("data-code")).toBe("ok");
    expect(await result.locator(".note-text").textContent()).toMatch(/^The provider answered: starwise-chat works/);
    await ai.locator("button.ai-save").click();
    await expect.poll(() => ai.locator(".ai-note").textContent()).toBe("Saved. The next sync uses this provider.");
    await options.close();
  });

  it("says what a language change costs before it happens", { timeout: RUN_TIMEOUT + 30_000 }, async () => {
    // With the right key the summaries are written in English.
    const { popup } = await syncFromPopup(browser);
    expect(await popup.locator(".stop").count()).toBe(0);
    await popup.close();

    const options = await browser.openPage("options.html");
    await options.locator("section.ai select[name=aiKind]").waitFor();
    await options.locator("select[name=language]").selectOption("zh");
    const cost = options.locator(".language-cost .cost");
    await expect
      .poll(() => cost.textContent())
      .toBe(`The next sync writes ${STARS} new summaries in 中文 (a model call each).`);
    // Nothing changed yet: the page is still in English.
    expect(await options.locator("h1").textContent()).toBe("Starwise options");
    await screenshot(options, "options-language-cost");
    await options.locator("button.confirm-language").click();
    await expect.poll(() => options.locator("h1").textContent()).toBe("Starwise 设置");
    await options.locator("section.ai .ai-default-button").waitFor();
    await screenshot(options, "options-ai-zh");

    // Back to English: those summaries still exist, so the switch is free, and it says so.
    await options.locator("select[name=language]").selectOption("en");
    await expect.poll(() => cost.textContent()).toBe("切换不产生费用：所需的English摘要都已存在。");
    await options.locator("button.confirm-language").click();
    await expect.poll(() => options.locator("h1").textContent()).toBe("Starwise options");
    await options.close();
  });

  it("a revoked GitHub token leads from the popup to a working re-authorise form", {
    timeout: RUN_TIMEOUT + 30_000,
  }, async () => {
    await stack.control("revoke", { login: "octocat" });
    const { popup } = await syncFromPopup(browser);
    const alert = popup.locator("[role=alert]");
    expect(await alert.getAttribute("data-code")).toBe("github_token_invalid");
    expect(await alert.locator("button").textContent()).toBe("Open options");
    await popup.close();

    const options = await browser.openPage("options.html");
    const form = options.locator("form.reauthorise");
    await form.waitFor({ timeout: 10_000 });
    expect(await form.locator("h3").textContent()).toBe("GitHub no longer accepts your token");
    expect(await form.locator(".why").textContent()).toMatch(/^GitHub rejected the token this account syncs with/);
    await screenshot(options, "options-reauthorise");

    // The old token is refused with its reason; a new one (made on "github.com") works.
    await form.locator("input[name=githubToken]").fill(EMULATOR_TOKEN);
    await form.locator("button.reauthorise-submit").click();
    await expect
      .poll(() => form.locator("[role=alert]").textContent())
      .toBe("GitHub rejected this token. Check that it is copied whole and not expired or revoked.");
    const { token } = (await stack.control("token", { login: "octocat" })) as { token: string };
    await form.locator("input[name=githubToken]").fill(token);
    await form.locator("button.reauthorise-submit").click();
    await expect.poll(() => options.locator("form.reauthorise").count(), { timeout: 10_000 }).toBe(0);
    expect(await options.locator(".login").textContent()).toBe("octocat");
    await options.close();

    const again = await syncFromPopup(browser);
    expect(await again.popup.locator(".done").textContent()).toBe("Sync finished.");
    await again.popup.close();
    expect(browser.errors).toEqual([]);
  });
});
