import { ensureChromium, ensureCjkFont } from "./lib/chromium.ts";

// Before any browser test: a Chromium to drive. Installs Debian's package when it can
// (root + apt-get, announced on stderr), else stops with the exact command to run.
export default function setup(): void {
  ensureChromium();
  ensureCjkFont();
}
