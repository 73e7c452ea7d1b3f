// `npm run screens`: the screenshots of every screen, taken by the e2e run (e2e/artifacts/), copied
// into docs/screens/ for the READMEs. Run after `npm run test:e2e` (the script does both); a screen
// missing from the run fails it, so the READMEs never show a picture the tests no longer take.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const artifacts = join(root, "e2e", "artifacts");
const screens = join(root, "docs", "screens");

/** Every screen a user can reach that the READMEs show, light, dark and Chinese where it has them. */
export const SCREENS = [
  "popup-signed-out",
  "popup-syncing",
  "popup-synced",
  "popup-synced-dark",
  "popup-stop-reason",
  "popup-zh",
  "options-signed-in",
  "options-signed-in-dark",
  "options-zh",
  "options-ai",
  "options-ai-zh",
  "options-ai-test-error",
  "options-language-cost",
  "options-reauthorise",
  "options-sites",
  "newtab-recent",
  "newtab-results",
  "newtab-results-dark",
  "newtab-results-zh",
  "newtab-no-match",
  "newtab-no-match-zh",
  "newtab-spelling",
  "newtab-spelling-zh",
  "newtab-filling",
  "newtab-digest",
  "newtab-health-chips",
  "newtab-health-chips-zh",
  "newtab-unstar-confirm",
  "newtab-unstar-done",
  "newtab-unstar-undone",
  "popup-unstarring",
  "newtab-tags",
  "newtab-tags-merged",
  "newtab-tags-zh",
  "newtab-lists",
  "newtab-lists-filtered",
  "newtab-lists-push",
  "newtab-lists-push-zh",
  "newtab-lists-rename",
  "options-feed",
  "options-notifications",
  "github-badge-light",
  "github-badge-dark",
  "github-badge-zh",
  "github-similar-open",
  "github-star-popover",
  "github-star-popover-saved",
  "github-stars-list-chips",
  "sites-marks-light",
  "sites-marks-dark",
  "firefox-popup-syncing",
  "firefox-newtab",
  "firefox-github-badge",
  "firefox-options-ai-test",
  "firefox-sites-marks",
  "firefox-sites-marks-hover",
  "firefox-options-notifications",
];

const missing = SCREENS.filter((name) => !existsSync(join(artifacts, `${name}.png`)));
if (missing.length > 0) {
  console.error(`No screenshot from the e2e run for: ${missing.join(", ")} (run npm run test:e2e first)`);
  process.exit(1);
}
rmSync(screens, { recursive: true, force: true });
mkdirSync(screens, { recursive: true });
for (const name of SCREENS) copyFileSync(join(artifacts, `${name}.png`), join(screens, `${name}.png`));
console.log(`${SCREENS.length} screens in docs/screens/ (from ${readdirSync(artifacts).length} e2e screenshots)`);
