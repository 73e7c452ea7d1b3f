import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { ARTIFACTS_DIR } from "./browser.ts";

// Debian's Firefox ESR (`apt-get install firefox-esr`, 153 ESR on Debian 12) with the built Firefox
// (MV2) extension, driven by puppeteer-core 25 over WebDriver BiDi (it needs the project's Node 22,
// not the system's). Its traps, met here:
// - BiDi opens moz-extension:// pages only with `--remote-allow-system-access`;
// - `page.goto(moz-extension://…)` never reports `load`: `openPage` polls the document instead, by
//   hand (an evaluation that meets the navigation half-way fails, and `waitForFunction` gives up);
// - the background page is no target, and extension pages' console does not reach puppeteer: what
//   the background holds is read through an extension page (`browser.storage` there).

/** The Firefox build of the extension, as `wxt build -b firefox` writes it. */
export const FIREFOX_EXTENSION_DIR = fileURLToPath(new URL("../../.output/extension/firefox-mv2", import.meta.url));

export const FIREFOX_CANDIDATES = ["/usr/bin/firefox-esr", "/usr/lib/firefox-esr/firefox-esr"];

/** wxt.config.ts: `browser_specific_settings.gecko.id`. */
const GECKO_ID = "starwise@starwise.dev";
/** Fixed, so the extension's pages have a known origin (Firefox gives each profile a random one). */
const EXTENSION_UUID = "5a4d1e6c-2f7b-4c1e-9a53-5f6e8d2b7c10";

/** `FIREFOX_PATH`, else Debian's `firefox-esr`; null when neither exists. */
export function locateFirefox(): string | null {
  const fromEnv = process.env.FIREFOX_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  return FIREFOX_CANDIDATES.find((path) => existsSync(path)) ?? null;
}

const INSTALL_COMMAND = "sudo apt-get update && sudo apt-get install -y firefox-esr";

/**
 * Makes sure a Firefox ESR exists before the suite starts, as `ensureChromium` does for Chromium: as
 * root with apt-get it installs Debian's `firefox-esr` (and says so on stderr); anywhere else it fails
 * with the exact command to run. `.ci/run` installs it up front.
 */
export function ensureFirefox(): string {
  const found = locateFirefox();
  if (found) return found;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const hasApt = spawnSync("sh", ["-c", "command -v apt-get"], { stdio: "ignore" }).status === 0;
  if (!isRoot || !hasApt)
    throw new Error(`The Firefox tests need Debian's Firefox ESR and none is installed.\nRun: ${INSTALL_COMMAND}`);
  process.stderr.write("starwise e2e: Firefox ESR is missing; installing Debian's `firefox-esr` with apt-get…\n");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [
    ["update", "-qq"],
    ["install", "-y", "-qq", "firefox-esr"],
  ]) {
    const run = spawnSync("apt-get", args, { env, stdio: ["ignore", "ignore", "inherit"] });
    if (run.status !== 0)
      throw new Error(`\`apt-get ${args.join(" ")}\` failed; install it by hand: ${INSTALL_COMMAND}`);
  }
  const installed = locateFirefox();
  if (!installed) throw new Error(`apt-get installed firefox-esr, but it is not at ${FIREFOX_CANDIDATES.join(" or ")}`);
  return installed;
}

export interface FirefoxExtension {
  browser: Browser;
  /** `moz-extension://<uuid>/<path>` */
  extensionUrl(path: string): string;
  /** Opens an extension page in a new tab and waits until its document is complete. */
  openPage(path: string): Promise<Page>;
  /** Opens any URL (https://github.com/… is the local fixture site) in a new tab. */
  open(url: string): Promise<Page>;
  close(): Promise<void>;
}

/**
 * https://github.com for Firefox, which has no host-resolver rule with a port: Firefox sends HTTPS
 * through this CONNECT proxy, which tunnels github.com:443 to the fixture site and refuses every other
 * host (the saved pages name GitHub's CDNs, which must not be reached). Loopback (the Worker) is not
 * proxied: Firefox never sends localhost through a proxy unless told to.
 */
async function startGithubTunnel(githubPort: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((_request, response) => response.writeHead(403).end());
  server.on("connect", (request, client: Socket, head) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    if (request.url !== "github.com:443") {
      client.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    const upstream = connect(githubPort, "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Starts headless Firefox ESR with the built extension installed as a temporary add-on. */
export async function launchFirefoxWithExtension(
  options: { githubPort?: number; locale?: string; prefs?: Record<string, string | number | boolean> } = {},
): Promise<FirefoxExtension> {
  if (!existsSync(join(FIREFOX_EXTENSION_DIR, "manifest.json"))) {
    throw new Error(`No Firefox build at ${FIREFOX_EXTENSION_DIR}; run \`wxt build -b firefox\` first.`);
  }
  const executablePath = locateFirefox();
  if (!executablePath) {
    throw new Error(
      `No Firefox ESR found (looked at ${FIREFOX_CANDIDATES.join(", ")}). ` +
        `Install it with \`${INSTALL_COMMAND}\` or set FIREFOX_PATH.`,
    );
  }
  const tunnel = options.githubPort ? await startGithubTunnel(options.githubPort) : null;
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      browser: "firefox",
      executablePath,
      headless: true,
      protocol: "webDriverBiDi",
      acceptInsecureCerts: true,
      args: ["--remote-allow-system-access"],
      extraPrefsFirefox: {
        "extensions.webextensions.uuids": JSON.stringify({ [GECKO_ID]: EXTENSION_UUID }),
        ...options.prefs,
        ...(options.locale ? { "intl.locale.requested": options.locale, "intl.accept_languages": options.locale } : {}),
        ...(tunnel
          ? {
              "network.proxy.type": 1,
              "network.proxy.ssl": "127.0.0.1",
              "network.proxy.ssl_port": tunnel.port,
              "network.proxy.no_proxies_on": "localhost, 127.0.0.1",
            }
          : {}),
      },
    });
  } catch (error) {
    await tunnel?.close();
    throw error;
  }
  try {
    await browser.installExtension(FIREFOX_EXTENSION_DIR);
  } catch (error) {
    await browser.close();
    await tunnel?.close();
    throw error;
  }
  const extensionUrl = (path: string) => `moz-extension://${EXTENSION_UUID}/${path.replace(/^\//, "")}`;
  const opened = browser;
  return {
    browser: opened,
    extensionUrl,
    async openPage(path) {
      const page = await opened.newPage();
      const url = extensionUrl(path);
      // Never reports `load` for an extension page (see the top of this file): wait on the document.
      void page.goto(url).catch(() => {
        // The navigation's own promise is not what says the page is there.
      });
      // Polled by hand, not with waitForFunction: an evaluation that meets the navigation half-way
      // fails with a protocol error ("right-hand side of 'in' should be an object, got null"),
      // which waitForFunction throws at once instead of trying again (seen on a loaded machine).
      const deadline = Date.now() + 15_000;
      for (;;) {
        const ready = await page
          .evaluate((expected: string) => location.href === expected && document.readyState === "complete", url)
          .catch(() => false);
        if (ready) return page;
        if (Date.now() > deadline) throw new Error(`${url} did not load in Firefox within 15 s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async open(url) {
      const page = await opened.newPage();
      await page.goto(url);
      return page;
    },
    async close() {
      try {
        await opened.close();
      } finally {
        await tunnel?.close();
      }
    },
  };
}

export async function firefoxScreenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`) as `${string}.png`, fullPage: true });
}
