import { describe, expect, it } from "vitest";
import { emulator, env } from "../test/helpers";
import { GithubClients, githubConfig } from "./client";
import { GithubError } from "./errors";
import { fetchRepository } from "./repository";

const config = () => new GithubClients(githubConfig(env));
const token = (login: string) => `emulator-token-${login}`;

async function failure(promise: Promise<unknown>): Promise<GithubError> {
  const error = await promise.then(
    () => new Error("expected a failure"),
    (e: unknown) => e,
  );
  if (!(error instanceof GithubError)) throw error;
  return error;
}

describe("fetchRepository", () => {
  it("maps GitHub's GraphQL repository onto RepoMetadata", async () => {
    await emulator("users", { login: "fr-owner", stars: 0 });
    await emulator("star", {
      login: "fr-owner",
      fullName: "fr-owner/Mapped.Repo",
      repo: {
        description: "A mapped repository",
        language: "Rust",
        topics: ["cli", "parser"],
        homepage: "https://mapped.example",
        stargazers: 1234,
      },
    });
    const meta = await fetchRepository(config(), token("fr-owner"), "FR-OWNER", "mapped.repo");
    expect(meta).toMatchObject({
      fullName: "fr-owner/Mapped.Repo",
      name: "Mapped.Repo",
      ownerLogin: "fr-owner",
      description: "A mapped repository",
      homepage: "https://mapped.example",
      stargazersCount: 1234,
      language: "Rust",
      topics: ["cli", "parser"],
      license: "MIT",
      archived: false,
      fork: false,
      isPrivate: false,
    });
    expect(meta.githubId).toBeGreaterThan(0);
    expect(meta.nodeId).toMatch(/^R_/);
    expect(meta.htmlUrl).toMatch(/\/fr-owner\/Mapped\.Repo$/);
    expect(meta.githubPushedAt).toEqual(expect.any(Number));
    expect(meta.githubCreatedAt).toEqual(expect.any(Number));
  });

  it("is not_found for a missing repository and for a private one the token cannot see", async () => {
    await emulator("users", { login: "fr-private-owner", stars: 0 });
    await emulator("users", { login: "fr-outsider", stars: 0 });
    await emulator("star", { login: "fr-private-owner", fullName: "fr-private-owner/hidden", repo: { private: true } });

    const mine = await fetchRepository(config(), token("fr-private-owner"), "fr-private-owner", "hidden");
    expect(mine.isPrivate).toBe(true);
    expect((await failure(fetchRepository(config(), token("fr-outsider"), "fr-private-owner", "hidden"))).kind).toBe(
      "not_found",
    );
    expect((await failure(fetchRepository(config(), token("fr-outsider"), "no-such-owner", "nothing"))).kind).toBe(
      "not_found",
    );
  });

  it("is token_invalid for a bad token", async () => {
    const error = await failure(fetchRepository(config(), "not-a-token", "octocat", "anything"));
    expect(error.kind).toBe("token_invalid");
    expect(error.toApiError().code).toBe("github_token_invalid");
  });

  it("classifies rate limits and server failures", async () => {
    await emulator("users", { login: "fr-limited", stars: 0 });
    await emulator("users", { login: "fr-broken", stars: 0 });
    await emulator("star", { login: "fr-limited", fullName: "fr-limited/r" });
    await emulator("star", { login: "fr-broken", fullName: "fr-broken/r" });
    await emulator("faults", { route: "POST /graphql", login: "fr-limited", rateLimit: "graphql", count: 1 });
    await emulator("faults", { route: "POST /graphql", login: "fr-broken", status: 500, count: 1 });

    const limited = await failure(fetchRepository(config(), token("fr-limited"), "fr-limited", "r"));
    expect(limited.kind).toBe("rate_limited");
    expect(limited.toApiError().code).toBe("github_rate_limited");
    const broken = await failure(fetchRepository(config(), token("fr-broken"), "fr-broken", "r"));
    expect(broken.kind).toBe("unavailable");
    expect(broken.toApiError().code).toBe("github_unavailable");
  });
});
