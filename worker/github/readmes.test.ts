import { describe, expect, it } from "vitest";
import { emulator, env } from "../test/helpers";
import { GithubClient, githubConfig } from "./client";
import { GithubError } from "./errors";
import { fetchReadmeRest } from "./readmes";

// REST `/readme`, the fallback for what GraphQL cannot read (a link that leaves the repository, a
// README gone since the listing, rows without a node id): GitHub's path, and a 403 on one
// repository as that repository's state, never the token's.

const client = (login: string) => new GithubClient(githubConfig(env), `emulator-token-${login}`);
const request = (fullName: string) => ({ githubId: 1, nodeId: "", fullName, knownSha: null });

async function ownRepository(login: string, name: string) {
  await emulator("users", { login, stars: 0 });
  const fullName = `${login}-org/${name}`;
  await emulator("star", { login, fullName, repo: { readme: `# ${name}\n` } });
  return fullName;
}

describe("fetchReadmeRest", () => {
  it("stores the path GitHub reports, wherever the README is", async () => {
    const repo = await ownRepository("rest-readme-path", "moved");
    await emulator("push", { fullName: repo, readmePath: ".github/README.md" });
    const outcome = await fetchReadmeRest(client("rest-readme-path"), request(repo));
    expect(outcome).toMatchObject({ kind: "ok", readme: { path: ".github/README.md", text: "# moved\n" } });
  });

  it(
    "a 403 for an organisation's SAML single sign-on is that repository's state, " +
      "with where to authorise the token",
    async () => {
      const repo = await ownRepository("rest-readme-sso", "guarded");
      await emulator("repo-state", { fullName: repo, state: "sso", org: "acme-rest" });
      try {
        const outcome = await fetchReadmeRest(client("rest-readme-sso"), request(repo));
        expect(outcome).toMatchObject({
          kind: "denied",
          access: { state: "sso", url: expect.stringMatching(/^https:\/\/github\.com\/orgs\/acme-rest\/sso\?/) },
        });
      } finally {
        await emulator("repo-state", { fullName: repo, state: "ok" });
      }
    },
  );

  it("a blocked repository (403) and a DMCA takedown (451) are that repository's state", async () => {
    const repo = await ownRepository("rest-readme-blocked", "blocked");
    for (const state of ["blocked", "dmca"]) {
      await emulator("repo-state", { fullName: repo, state });
      const outcome = await fetchReadmeRest(client("rest-readme-blocked"), request(repo));
      expect(outcome, state).toMatchObject({
        kind: "denied",
        access: { state: "blocked", message: "Repository access blocked" },
      });
    }
    await emulator("repo-state", { fullName: repo, state: "ok" });
  });

  it("a revoked token is the run's trouble: it throws", async () => {
    const repo = await ownRepository("rest-readme-revoked", "any");
    await emulator("revoke", { login: "rest-readme-revoked" });
    const error = await fetchReadmeRest(client("rest-readme-revoked"), request(repo)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GithubError);
    expect((error as GithubError).kind).toBe("token_invalid");
  });
});
