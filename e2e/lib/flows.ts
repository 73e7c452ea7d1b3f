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
