import type { TestProject } from "vitest/node";
import { startGithubEmulator } from "../../emulators/github/server.ts";


/** The outside world for worker tests: real HTTP servers on 127.0.0.1, reached from workerd. */
export default async function setup(project: TestProject) {
  const github = await startGithubEmulator({ port: 0, stars: 50, seed: 1, quiet: true });
  project.provide("githubUrl", github.url);
  return async () => {
    await github.close();
  };
}
