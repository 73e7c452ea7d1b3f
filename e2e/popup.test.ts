import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { ARTIFACTS_DIR, launchWithExtension, type ExtensionBrowser } from "./lib/browser";

// What the background's `chrome` looks like to this test (the root tsconfig has
// Node types, not extension types).
type ExtensionGlobal = {
  chrome: { storage: { local: { set(items: Record<string, unknown>): Promise<void>; clear(): Promise<void> } } };
};

const HOSTILE_LOGIN = "<img src=x onerror=alert(1)>";

describe("popup in Chromium", () => {
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    browser = await launchWithExtension();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("loads the extension's service worker", () => {
    expect(browser.extensionId).toMatch(/^[a-p]{32}$/);
  });

  it("shows not-connected, then the login once a connection is stored", async () => {
    await browser.background.evaluate(() => (globalThis as unknown as ExtensionGlobal).chrome.storage.local.clear());
    const page = await browser.openPage("popup.html");
    onTestFailed(async () => {
      await mkdir(ARTIFACTS_DIR, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS_DIR, "popup-connection.png") });
    });

    await expect.poll(() => page.locator("h1").textContent()).toBe("Starwise");
    await expect.poll(() => page.locator("main").textContent()).toContain("Not connected — open options to connect");
    expect(await page.locator("button").count()).toBe(0);

    // Sign in the way the options page will: write the storage item from an
    // extension context (here the background service worker).
    await browser.background.evaluate(
      (connection) => (globalThis as unknown as ExtensionGlobal).chrome.storage.local.set({ connection }),
      { workerUrl: "http://127.0.0.1:8787", sessionToken: "e2e-session", login: HOSTILE_LOGIN },
    );

    // The open popup follows storage changes, and a reload reads them back.
    await expect.poll(() => page.locator(".login").textContent()).toBe(HOSTILE_LOGIN);
    await page.reload();
    await expect.poll(() => page.locator(".login").textContent()).toBe(HOSTILE_LOGIN);
    expect(await page.locator(".login").innerText()).toBe(HOSTILE_LOGIN);
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.locator("main").textContent()).not.toContain("Not connected");
    expect(await page.locator("main").textContent()).not.toContain("e2e-session");

    // The Sync button reaches the background and shows its answer.
    await page.getByRole("button", { name: "Sync" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toBe("Syncing from the extension is not available yet.");

    expect(browser.errors).toEqual([]);
    await page.close();
  });
});
