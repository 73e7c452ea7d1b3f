import type { TestProject } from "vitest/node";
import { startAiEmulator } from "../../emulators/ai/server.ts";
import { startGithubEmulator } from "../../emulators/github/server.ts";
import { startOpendiggerEmulator } from "../../emulators/opendigger/server.ts";

/**
 * The OpenDigger emulator's clock in worker tests: the latest complete month is 2026-10, the latest complete quarter
 * 2026Q3.
 */
export const OPENDIGGER_NOW = "2026-11-20T00:00:00Z";

/** The outside world for worker tests: real HTTP servers on 127.0.0.1, reached from workerd. */
export default async function setup(project: TestProject) {
  const [github, ai, opendigger] = await Promise.all([
    startGithubEmulator({ port: 0, stars: 50, seed: 1, quiet: true }),
    startAiEmulator({ port: 0, seed: 1, quiet: true }),
    startOpendiggerEmulator({ port: 0, seed: 1, now: OPENDIGGER_NOW, quiet: true }),
  ]);
  project.provide("githubUrl", github.url);
  project.provide("aiUrl", ai.url);
  project.provide("opendiggerUrl", opendigger.url);
  return async () => {
    await Promise.all([github.close(), ai.close(), opendigger.close()]);
  };
}
