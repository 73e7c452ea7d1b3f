import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

// Which Chromium the browser tests drive, and how one gets onto a machine that has none.
// Branded Google Chrome ignores `--load-extension` since 137, so it is not a candidate,
// and we never download a browser (`playwright install`): Debian's `chromium` package it is.

const CHROMIUM_CANDIDATES = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"];

/** The exact commands that install what the tests need; printed when we cannot run them ourselves. */
export const INSTALL_COMMAND = "sudo apt-get update && sudo apt-get install -y chromium";

/** `CHROMIUM_PATH`, else Debian's `chromium`; null when neither exists. */
export function locateChromium(): string | null {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  return CHROMIUM_CANDIDATES.find((path) => existsSync(path)) ?? null;
}

/**
 * Screenshots of the Chinese UI need a CJK font; a bare Debian has none and draws boxes.
 * As root with apt-get, installs Debian's `fonts-noto-cjk` (announced on stderr);
 * otherwise says how, and goes on (only the pictures suffer, not the tests).
 */
export function ensureCjkFont(): void {
  const listed = spawnSync("fc-list", [":lang=zh"], { encoding: "utf8" });
  if (listed.status === 0 && listed.stdout.trim() !== "") return;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot || !hasAptGet()) {
    process.stderr.write(
      "starwise e2e: no Chinese font; screenshots of the zh UI will show boxes " +
        "(sudo apt-get install -y fonts-noto-cjk)\n",
    );
    return;
  }
  process.stderr.write(
    "starwise e2e: no Chinese font; installing Debian's `fonts-noto-cjk` with apt-get (running as root)…\n",
  );
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  spawnSync("apt-get", ["update", "-qq"], { env, stdio: ["ignore", "ignore", "inherit"] });
  const run = spawnSync("apt-get", ["install", "-y", "-qq", "fonts-noto-cjk"], {
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (run.status !== 0)
    process.stderr.write("starwise e2e: fonts-noto-cjk did not install; zh screenshots will show boxes\n");
}

/** Like `locateChromium`, but a missing browser is an error that says how to install it. */
export function findChromium(): string {
  const found = locateChromium();
  if (found) return found;
  throw new Error(
    `No Chromium found (looked at ${CHROMIUM_CANDIDATES.join(", ")}). ` +
      `Install it with \`${INSTALL_COMMAND}\` or set CHROMIUM_PATH.`,
  );
}

const hasAptGet = () => spawnSync("sh", ["-c", "command -v apt-get"], { stdio: "ignore" }).status === 0;

/**
 * Makes sure a Chromium exists before the suite starts. As root on a Debian-like machine
 * it installs the `chromium` package itself (and says so on stderr); anywhere else it
 * fails with the exact command to run. `.ci/run` installs it up front, so CI never
 * reaches the install here.
 */
export function ensureChromium(): string {
  const found = locateChromium();
  if (found) return found;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot || !hasAptGet()) {
    throw new Error(
      "The browser tests need Debian's Chromium and none is installed " +
        `(looked at ${CHROMIUM_CANDIDATES.join(", ")}).\n` +
        `Run: ${INSTALL_COMMAND}\n(or set CHROMIUM_PATH to a Chromium that honours --load-extension)`,
    );
  }
  process.stderr.write(
    "starwise e2e: Chromium is missing; installing Debian's `chromium` with apt-get (running as root)…\n",
  );
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [
    ["update", "-qq"],
    ["install", "-y", "-qq", "chromium"],
  ]) {
    const run = spawnSync("apt-get", args, { env, stdio: ["ignore", "ignore", "inherit"] });
    if (run.status !== 0) {
      throw new Error(
        `\`apt-get ${args.join(" ")}\` failed (exit ${run.status ?? run.signal}). ` +
          `Install it by hand: ${INSTALL_COMMAND}`,
      );
    }
  }
  const installed = locateChromium();
  if (!installed) throw new Error(`apt-get installed chromium, but it is not at ${CHROMIUM_CANDIDATES.join(" or ")}`);
  process.stderr.write(`starwise e2e: installed ${installed}\n`);
  return installed;
}
