import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Browser end-to-end tests: real Chromium with the built extension loaded, and Firefox ESR with
// the Firefox build (e2e/firefox.test.ts). Run with `npm run test:e2e` (builds both first).
export default defineConfig({
  // Paths (include, .output) are relative to the project root, not to e2e/.
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    name: "e2e",
    environment: "node",
    include: ["e2e/**/*.test.ts"],
    globalSetup: ["e2e/global-setup.ts"],
    // One browser at a time: they are heavy, and each test file owns its browser.
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
