import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";

// A real X display for the one thing headless Chromium cannot do: answer the browser's own
// permission prompt. `permissions.request` (the options' "Allow", a click: a real user gesture)
// opens Chrome's dialog "… has requested additional permissions": headless, that dialog is never
// drawn and never answered, and no command-line switch or DevTools command grants an optional host
// permission. So the sites test runs Chromium headed on Xvfb and answers the dialog with the
// keyboard, as a person would (Deny has the focus; Tab moves it to Allow; Space presses it).

export const XVFB_PACKAGES = ["xvfb", "xdotool"];

export function hasXvfb(): boolean {
  return ["/usr/bin/Xvfb", "/usr/bin/xdotool"].every((path) => existsSync(path));
}

/** As root with apt-get, installs Xvfb and xdotool (said on stderr); otherwise says how. */
export function ensureXvfb(): void {
  if (hasXvfb()) return;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const hasApt = spawnSync("sh", ["-c", "command -v apt-get"], { stdio: "ignore" }).status === 0;
  if (!isRoot || !hasApt)
    throw new Error(`The sites test needs Xvfb and xdotool.\nRun: sudo apt-get install -y ${XVFB_PACKAGES.join(" ")}`);
  process.stderr.write(`starwise e2e: installing Debian's ${XVFB_PACKAGES.join(" and ")} with apt-get…\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const run = spawnSync("apt-get", ["install", "-y", "-qq", ...XVFB_PACKAGES], {
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (run.status !== 0 || !hasXvfb()) throw new Error(`apt-get could not install ${XVFB_PACKAGES.join(" ")}`);
}

export interface Display {
  /** `:NN`, for DISPLAY. */
  name: string;
  /** Presses keys in whatever window has the focus (xdotool key). */
  keys(...keys: string[]): void;
  close(): Promise<void>;
}

/** Starts Xvfb on a free display number. */
export async function startDisplay(): Promise<Display> {
  for (let number = 90 + Math.floor(Math.random() * 100); number < 400; number++) {
    if (existsSync(`/tmp/.X11-unix/X${number}`) || existsSync(`/tmp/.X${number}-lock`)) continue;
    const name = `:${number}`;
    const server: ChildProcess = spawn("Xvfb", [name, "-screen", "0", "1280x900x24", "-nolisten", "tcp"], {
      stdio: "ignore",
    });
    const up = await new Promise<boolean>((resolve) => {
      const started = Date.now();
      const check = () => {
        if (server.exitCode !== null) resolve(false);
        else if (existsSync(`/tmp/.X11-unix/X${number}`)) resolve(true);
        else if (Date.now() - started > 5000) resolve(false);
        else setTimeout(check, 50);
      };
      check();
    });
    if (!up) {
      server.kill();
      continue;
    }
    return {
      name,
      keys(...keys) {
        for (const key of keys) {
          const run = spawnSync("xdotool", ["key", "--clearmodifiers", key], {
            env: { ...process.env, DISPLAY: name },
          });
          if (run.status !== 0) throw new Error(`xdotool key ${key} failed: ${run.stderr}`);
        }
      },
      close: () =>
        new Promise((resolve) => {
          if (server.exitCode !== null) return resolve();
          server.once("exit", () => resolve());
          server.kill();
        }),
    };
  }
  throw new Error("no free X display for Xvfb");
}
