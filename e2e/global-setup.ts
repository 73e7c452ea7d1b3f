import { ensureChromium, ensureCjkFont } from "./lib/chromium.ts";
import { ensureFirefox } from "./lib/firefox.ts";
import { ensureXvfb } from "./lib/xvfb.ts";

// Before any browser test: a Chromium and a Firefox ESR to drive, and Xvfb for the one headed test
// (lib/xvfb.ts). Installs Debian's packages when it can (root + apt-get, announced on stderr), else
// stops with the exact command to run.
export default function setup(): void {
  ensureChromium();
  ensureFirefox();
  ensureCjkFont();
  ensureXvfb();
}
