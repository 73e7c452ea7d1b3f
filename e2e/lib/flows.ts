import type { Page } from "playwright-core";
import type { ExtensionBrowser } from "./browser.ts";

/** Signs in the way a user does: the options page, a Worker URL and a GitHub token. */
export async function signInThroughOptions(
  browser: ExtensionBrowser,
  workerUrl: string,
  githubToken: string,
): Promise<Page> {
  const page = await browser.openPage("options.html");
  await page.locator("input[name=workerUrl]").fill(workerUrl);
  await page.locator("input[name=githubToken]").fill(githubToken);
  await page.locator("button.sign-in").click();
  await page.locator(".sign-out").waitFor({ timeout: 20_000 });
  return page;
}

type Chrome = {
  chrome: {
    action: { getBadgeText(details: object): Promise<string> };
    storage: { local: { get(key: string): Promise<Record<string, unknown>> } };
  };
};

/** The toolbar icon's badge text, read in the background. */
export function badgeText(browser: ExtensionBrowser): Promise<string> {
  return browser.background.evaluate(() => (globalThis as unknown as Chrome).chrome.action.getBadgeText({}));
}

/** A value from the extension's storage (e.g. to prove the GitHub token is not kept). */
export function storedLocal(browser: ExtensionBrowser): Promise<Record<string, unknown>> {
  return browser.background.evaluate(() =>
    (globalThis as unknown as Chrome).chrome.storage.local.get(null as unknown as string),
  );
}

/** When the last sync's result was stored; null before any. */
async function lastFinished(browser: ExtensionBrowser): Promise<number | null> {
  const state = (await storedLocal(browser)).syncState as { lastResult?: { finishedAt?: number } } | undefined;
  return state?.lastResult?.finishedAt ?? null;
}

/**
 * A sync started from the popup, waited for until its own result is stored (the popup shows the last sync's
 * "finished" until the new one runs) and the popup says it is done.
 */
export async function syncFromPopup(browser: ExtensionBrowser): Promise<void> {
  const before = await lastFinished(browser);
  const popup = await browser.openPage("popup.html");
  await popup.getByRole("button", { name: "Sync" }).click();
  for (const deadline = Date.now() + 90_000; (await lastFinished(browser)) === before; ) {
    if (Date.now() > deadline) throw new Error("the sync did not finish within 90 s");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await popup.locator(".done").waitFor({ timeout: 10_000 });
  await popup.close();
}
