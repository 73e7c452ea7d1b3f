import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  chromium,
  type BrowserContext,
  type ConsoleMessage,
  type Locator,
  type Page,
  type Worker,
} from "playwright-core";
import { findChromium } from "./chromium.ts";

export { findChromium };

/** The Chrome build of the extension, as `wxt build` writes it. */
export const EXTENSION_DIR = fileURLToPath(new URL("../../.output/extension/chrome-mv3", import.meta.url));

/** Screenshots of each screen, kept after the run (ignored by git: e2e/.gitignore). */
export const ARTIFACTS_DIR = fileURLToPath(new URL("../artifacts", import.meta.url));

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

/** A screenshot of one part of a page (the saved github.com pages are long and unstyled offline). */
export async function screenshotOf(locator: Locator, name: string, margin = 0): Promise<void> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  if (margin === 0) {
    await locator.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`) });
    return;
  }
  await locator.scrollIntoViewIfNeeded();
  const box = await locator.boundingBox();
  if (!box) throw new Error(`${name}: nothing to photograph`);
  const x = Math.max(0, box.x - margin);
  const y = Math.max(0, box.y - margin);
  await locator.page().screenshot({
    path: join(ARTIFACTS_DIR, `${name}.png`),
    clip: { x, y, width: box.width + 2 * margin, height: box.height + 2 * margin },
  });
}

/** A screenshot of the area around several parts of a page (a popover and the button it belongs to). */
export async function screenshotAround(locators: Locator[], name: string, margin = 24): Promise<void> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const boxes = [];
  for (const locator of locators) {
    const box = await locator.boundingBox();
    if (!box) throw new Error(`${name}: nothing to photograph`);
    boxes.push(box);
  }
  const left = Math.max(0, Math.min(...boxes.map((box) => box.x)) - margin);
  const top = Math.max(0, Math.min(...boxes.map((box) => box.y)) - margin);
  const right = Math.max(...boxes.map((box) => box.x + box.width)) + margin;
  const bottom = Math.max(...boxes.map((box) => box.y + box.height)) + margin;
  await locators[0]!.page().screenshot({
    path: join(ARTIFACTS_DIR, `${name}.png`),
    clip: { x: left, y: top, width: right - left, height: bottom - top },
  });
}

export interface ExtensionBrowser {
  context: BrowserContext;
  /** The extension's background service worker. */
  background: Worker;
  extensionId: string;
  /** `chrome-extension://<id>/<path>` */
  extensionUrl(path: string): string;
  /** Console errors and uncaught exceptions from the extension's pages and worker. */
  errors: string[];
  /** Opens an extension page and records its errors in `errors`. */
  openPage(path: string): Promise<Page>;
  /** Opens any URL (e.g. https://github.com/…) in a new tab, recording the extension's errors there. */
  open(url: string): Promise<Page>;
  /** Closes Chromium and deletes its temporary profile. */
  close(): Promise<void>;
}

/** Starts headless Chromium with the built extension in a fresh temporary profile. */
export async function launchWithExtension(
  options: {
    githubPort?: number;
    locale?: string;
    /** An X display (lib/xvfb.ts): Chromium headed there, where its own dialogs can be answered. */
    display?: string;
  } = {},
): Promise<ExtensionBrowser> {
  if (!existsSync(join(EXTENSION_DIR, "manifest.json"))) {
    throw new Error(`No built extension at ${EXTENSION_DIR}; run \`wxt build\` first (npm run test:e2e does).`);
  }
  const executablePath = findChromium();
  const profile = await mkdtemp(join(tmpdir(), "starwise-e2e-"));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      // Playwright's `headless: true` starts Chromium's new headless mode
      // (`--headless`, the full browser), which loads extensions; the old
      // headless shell could not.
      headless: !options.display,
      ...(options.display ? { env: { ...process.env, DISPLAY: options.display } } : {}),
      args: [
        `--disable-extensions-except=${EXTENSION_DIR}`,
        `--load-extension=${EXTENSION_DIR}`,
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        // https://github.com is the local fixture server; nothing else resolves (the
        // saved pages name GitHub's CDNs, which must not be reached from here).
        ...(options.githubPort
          ? [
              `--host-resolver-rules=MAP github.com 127.0.0.1:${options.githubPort}, ` +
                "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
              "--ignore-certificate-errors",
            ]
          : []),
        ...(options.locale ? [`--lang=${options.locale}`] : []),
      ],
      ignoreHTTPSErrors: true,
      ...(options.locale ? { locale: options.locale } : {}),
    });

    const isOurs = (worker: Worker) => worker.url().startsWith("chrome-extension://");
    const background =
      context.serviceWorkers().find(isOurs) ??
      (await context.waitForEvent("serviceworker", { predicate: isOurs, timeout: 15_000 }));
    // The id depends on the folder path (the manifest has no `key`), so read it.
    const extensionId = new URL(background.url()).host;

    const errors: string[] = [];
    const recordConsole = (where: string) => (message: ConsoleMessage) => {
      if (message.type() === "error") errors.push(`${where}: ${message.text()}`);
    };
    background.on("console", recordConsole("background"));
    if (process.env.STARWISE_E2E_VERBOSE)
      background.on("console", (m) => process.stderr.write(`[background ${m.type()}] ${m.text()}\n`));

    const extensionUrl = (path: string) => `chrome-extension://${extensionId}/${path.replace(/^\//, "")}`;
    const opened = context;
    return {
      context: opened,
      background,
      extensionId,
      extensionUrl,
      errors,
      async openPage(path) {
        const page = await opened.newPage();
        // The popup as the browser shows it: a narrow panel under the toolbar button, not a tab.
        if (path.startsWith("popup.html")) await page.setViewportSize({ width: 380, height: 600 });
        page.on("console", recordConsole(path));
        page.on("pageerror", (error) => errors.push(`${path}: ${error.message}`));
        await page.goto(extensionUrl(path));
        return page;
      },
      async open(url) {
        const page = await opened.newPage();
        // The saved github.com pages fail to load GitHub's CDN (offline) and run none of its
        // scripts; only the extension's own messages count there.
        page.on("console", (message) => {
          if (message.type() === "error" && message.text().includes("starwise"))
            errors.push(`${url}: ${message.text()}`);
        });
        await page.goto(url);
        return page;
      },
      async close() {
        try {
          await opened.close();
        } finally {
          await rm(profile, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await context?.close().catch(() => {
      // Already failing: the launch error below is the one worth reporting.
    });
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}
