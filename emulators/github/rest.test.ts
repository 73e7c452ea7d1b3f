// REST endpoints: shapes (validated against GitHub's OpenAPI schemas), pagination and Link headers,
// conditional requests, README variants, authentication and visibility.
import { createHash } from "node:crypto";
import { Octokit } from "@octokit/rest";
import { loadCorpus } from "./corpus.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulatorClient, type EmulatorClient } from "./client.ts";
import { startGithubEmulator, type GithubEmulator } from "./server.ts";
import { STAR_JSON, call, callJson, openapiErrors, parseLinks } from "./test-helpers.ts";

let emulator: GithubEmulator;
let ctl: EmulatorClient;

beforeAll(async () => {
  emulator = await startGithubEmulator({ port: 0, stars: 250, seed: 1, quiet: true });
  ctl = createEmulatorClient(emulator.url);
});
afterAll(() => emulator.close());

function gitBlobSha(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

interface GroundTruthStar {
  fullName: string;
  starredAt: string;
  private: boolean;
  readmePath: string | null;
  readmeSha?: string | null;
}

async function groundTruth(login = "octocat", sha = false): Promise<GroundTruthStar[]> {
  return ctl.stars(login, { sha });
}

describe("GET /user", () => {
  it("returns the authenticated user as a valid private-user", async () => {
    const { status, body, headers } = await callJson(emulator, "/user");
    expect(status).toBe(200);
    expect(body.login).toBe("octocat");
    expect(body.id).toBe(583231);
    expect(openapiErrors("private-user", body)).toEqual([]);
    expect(headers.get("x-ratelimit-resource")).toBe("core");
    expect(headers.get("x-ratelimit-limit")).toBe("5000");
  });

  it("accepts Bearer tokens too", async () => {
    const response = await call(emulator, "/user", {
      token: null,
      headers: { authorization: "Bearer emulator-token-octocat" },
    });
    expect(response.status).toBe(200);
  });

  it("answers 401 Bad credentials for an unknown token", async () => {
    const { status, body } = await callJson(emulator, "/user", { token: "ghp_nope" });
    expect(status).toBe(401);
    expect(body).toEqual({
      message: "Bad credentials",
      documentation_url: "https://docs.github.com/rest",
      status: "401",
    });
    expect(openapiErrors("basic-error", body)).toEqual([]);
  });

  it("answers 401 Requires authentication without a token", async () => {
    const { status, body } = await callJson(emulator, "/user/starred", { token: null });
    expect(status).toBe(401);
    expect(body.message).toBe("Requires authentication");
    expect(body.status).toBe("401");
  });
});

describe("GET /user/starred", () => {
  it("pages through all stars with GitHub's Link headers at every position", async () => {
    const truth = await groundTruth();
    expect(truth).toHaveLength(250);

    const seen: string[] = [];
    const expectedRels = [
      ["next", "last"],
      ["prev", "next", "last", "first"],
      ["prev", "first"],
    ];
    for (let page = 1; page <= 3; page++) {
      const { status, headers, body } = await callJson<any[]>(emulator, `/user/starred?per_page=100&page=${page}`, {
        accept: STAR_JSON,
      });
      expect(status).toBe(200);
      const link = headers.get("link") ?? "";
      // Order of the rels, not just their presence, is part of GitHub's format.
      expect([...link.matchAll(/rel="(\w+)"/g)].map((m) => m[1])).toEqual(expectedRels[page - 1]);
      const links = parseLinks(link);
      for (const url of Object.values(links)) {
        expect(url.startsWith(`${emulator.url}/user/starred?`)).toBe(true);
        expect(new URL(url).searchParams.get("per_page")).toBe("100");
      }
      if (links.next) expect(new URL(links.next).searchParams.get("page")).toBe(String(page + 1));
      if (links.prev) expect(new URL(links.prev).searchParams.get("page")).toBe(String(page - 1));
      if (links.last) expect(new URL(links.last).searchParams.get("page")).toBe("3");
      if (links.first) expect(new URL(links.first).searchParams.get("page")).toBe("1");
      expect(body.length).toBe(page < 3 ? 100 : 50);
      for (const item of body) {
        expect(openapiErrors("starred-repository", item)).toEqual([]);
        seen.push(item.repo.full_name);
      }
    }
    expect(seen).toEqual(truth.map((s) => s.fullName));
    expect(new Set(seen).size).toBe(250);
  });

  it("lists newest first by default, with starred_at spread over years", async () => {
    const { body } = await callJson<any[]>(emulator, "/user/starred?per_page=100", { accept: STAR_JSON });
    const times = body.map((item) => Date.parse(item.starred_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const truth = await groundTruth();
    const years = new Set(truth.map((s) => s.starredAt.slice(0, 4)));
    expect(years.size).toBeGreaterThanOrEqual(4);
  });

  it("accepts the v3 spelling of the star media type and serves plain repositories without it", async () => {
    const v3 = await callJson<any[]>(emulator, "/user/starred?per_page=5", {
      accept: "application/vnd.github.v3.star+json",
    });
    expect(v3.body[0].starred_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(v3.headers.get("x-github-media-type")).toBe("github.v3; param=star; format=json");

    const plain = await callJson<any[]>(emulator, "/user/starred?per_page=5");
    expect(plain.body[0].starred_at).toBeUndefined();
    expect(plain.body.map((r) => r.full_name)).toEqual(v3.body.map((i) => i.repo.full_name));
    for (const repo of plain.body) expect(openapiErrors("repository", repo)).toEqual([]);
  });

  it("puts the star count in rel=last with per_page=1 and carries the rest of the query", async () => {
    const { headers } = await callJson(emulator, "/user/starred?per_page=1&sort=created");
    const last = new URL(parseLinks(headers.get("link")).last ?? "");
    expect(last.searchParams.get("page")).toBe("250");
    expect(last.searchParams.get("sort")).toBe("created");
  });

  it("omits the Link header when one page holds everything", async () => {
    await ctl.createUser({ login: "smallfry", stars: 7 });
    const response = await call(emulator, "/user/starred?per_page=100", { token: "emulator-token-smallfry" });
    expect(response.headers.get("link")).toBeNull();
    expect(await response.json()).toHaveLength(7);
  });

  it("supports direction=asc and sort=updated", async () => {
    const desc = await callJson<any[]>(emulator, "/user/starred?per_page=100&page=3", { accept: STAR_JSON });
    const asc = await callJson<any[]>(emulator, "/user/starred?per_page=50&direction=asc", { accept: STAR_JSON });
    expect(asc.body.map((i) => i.repo.full_name)).toEqual(desc.body.map((i) => i.repo.full_name).reverse());

    const updated = await callJson<any[]>(emulator, "/user/starred?per_page=100&sort=updated");
    const pushed = updated.body.map((r) => Date.parse(r.pushed_at));
    expect([...pushed].sort((a, b) => b - a)).toEqual(pushed);
  });

  it("works with Octokit's paginate", async () => {
    const octokit = new Octokit({ auth: "emulator-token-octocat", baseUrl: emulator.url });
    const stars = await octokit.paginate(octokit.rest.activity.listReposStarredByAuthenticatedUser, {
      per_page: 100,
      headers: { accept: STAR_JSON },
    });
    expect(stars).toHaveLength(250);
    expect((stars[0] as unknown as { starred_at: string }).starred_at).toBeTruthy();
  });
});

describe("conditional requests", () => {
  it("answers 304 to a matching If-None-Match, without charging it", async () => {
    const first = await call(emulator, "/user/starred?per_page=10");
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^W\/"[0-9a-f]{64}"$/);
    const usedBefore = Number(first.headers.get("x-ratelimit-used"));

    const second = await call(emulator, "/user/starred?per_page=10", { headers: { "if-none-match": etag as string } });
    expect(second.status).toBe(304);
    expect(await second.text()).toBe("");
    expect(second.headers.get("etag")).toBe(etag);
    expect(Number(second.headers.get("x-ratelimit-used"))).toBe(usedBefore);
    expect(second.headers.get("x-ratelimit-remaining")).toBe(first.headers.get("x-ratelimit-remaining"));

    const third = await call(emulator, "/user/starred?per_page=10", {
      headers: { "if-none-match": '"something-else"' },
    });
    expect(third.status).toBe(200);
    expect(Number(third.headers.get("x-ratelimit-used"))).toBe(usedBefore + 1);
  });

  it("gives different ETags to different tokens for the same content", async () => {
    await ctl.createUser({ login: "etagger", stars: 300 });
    const mine = await call(emulator, "/users/octocat/starred?per_page=5");
    const theirs = await call(emulator, "/users/octocat/starred?per_page=5", { token: "emulator-token-etagger" });
    expect(await mine.text()).toBe(await theirs.text());
    expect(mine.headers.get("etag")).not.toBe(theirs.headers.get("etag"));
  });
});

describe("GET /repos/{owner}/{repo}/readme", () => {
  it("serves base64 content-file JSON and raw text with the blob sha as ETag", async () => {
    const truth = await groundTruth("octocat", true);
    const withReadme = truth.find((s) => s.readmePath === "README.md" && !s.private) as GroundTruthStar;

    const json = await callJson(emulator, `/repos/${withReadme.fullName}/readme`);
    expect(json.status).toBe(200);
    expect(openapiErrors("content-file", json.body)).toEqual([]);
    expect(json.body.encoding).toBe("base64");
    expect(json.body.path).toBe("README.md");
    const text = Buffer.from(json.body.content, "base64").toString("utf8");
    expect(json.body.sha).toBe(gitBlobSha(text));
    expect(json.body.sha).toBe(withReadme.readmeSha);
    expect(json.body.size).toBe(Buffer.byteLength(text));

    for (const accept of ["application/vnd.github.raw+json", "application/vnd.github.raw"]) {
      const raw = await call(emulator, `/repos/${withReadme.fullName}/readme`, { accept });
      expect(raw.status).toBe(200);
      expect(raw.headers.get("etag")).toBe(`"${json.body.sha}"`);
      expect(raw.headers.get("content-type")).toContain("application/vnd.github.raw");
      expect(await raw.text()).toBe(text);
    }

    const notModified = await call(emulator, `/repos/${withReadme.fullName}/readme`, {
      accept: "application/vnd.github.raw+json",
      headers: { "if-none-match": `"${json.body.sha}"` },
    });
    expect(notModified.status).toBe(304);
  });

  it("finds READMEs under any supported name and directory", async () => {
    const truth = await groundTruth();
    const paths = new Map<string, GroundTruthStar>();
    for (const star of truth) if (star.readmePath && !paths.has(star.readmePath)) paths.set(star.readmePath, star);
    expect(paths.size).toBeGreaterThanOrEqual(4);
    for (const [path, star] of paths) {
      const { status, body } = await callJson(emulator, `/repos/${star.fullName}/readme`);
      expect(status).toBe(200);
      expect(body.path).toBe(path);
      expect(body.name).toBe(path.split("/").pop());
    }
  });

  it("answers GitHub's 404 body when there is no README or no repository", async () => {
    const truth = await groundTruth();
    const without = truth.find((s) => s.readmePath === null);
    expect(without).toBeDefined();
    const expected = {
      message: "Not Found",
      documentation_url: "https://docs.github.com/rest/repos/contents#get-a-repository-readme",
      status: "404",
    };
    const missing = await callJson(emulator, `/repos/${without?.fullName}/readme`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(expected);
    const unknown = await callJson(emulator, "/repos/nobody/nothing-here/readme");
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual(expected);
  });

  it("resolves owner/name case-insensitively like GitHub", async () => {
    const truth = await groundTruth();
    const star = truth.find((s) => s.readmePath !== null && !s.private) as GroundTruthStar;
    const response = await call(emulator, `/repos/${star.fullName.toUpperCase()}/readme`);
    expect(response.status).toBe(200);
  });
});

describe("visibility of private repositories", () => {
  it("hides other users' private repositories (404) and shows them to their stargazer", async () => {
    await ctl.createUser({ login: "alice", stars: 3 });
    await ctl.star({ login: "alice", fullName: "alice/secret-plans", repo: { private: true, description: "shh" } });

    const asAlice = await callJson<any[]>(emulator, "/user/starred", { token: "emulator-token-alice" });
    expect(asAlice.body[0].full_name).toBe("alice/secret-plans");
    expect(asAlice.body[0].private).toBe(true);
    expect((await call(emulator, "/repos/alice/secret-plans/readme", { token: "emulator-token-alice" })).status).toBe(
      200,
    );

    const asOctocat = await callJson<any[]>(emulator, "/users/alice/starred");
    expect(asOctocat.body.map((r) => r.full_name)).not.toContain("alice/secret-plans");
    expect(asOctocat.body).toHaveLength(3);
    expect((await call(emulator, "/repos/alice/secret-plans/readme")).status).toBe(404);
    expect((await call(emulator, "/repos/alice/secret-plans")).status).toBe(404);
  });

  it("serves /users/{username}/starred anonymously with the unauthenticated budget", async () => {
    const response = await call(emulator, "/users/octocat/starred?per_page=3", { token: null });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-ratelimit-limit")).toBe("60");
  });
});

describe("other endpoints", () => {
  it("GET /repos/{owner}/{repo} returns a valid repository", async () => {
    const truth = await groundTruth();
    const { status, body } = await callJson(emulator, `/repos/${truth[0]?.fullName}`);
    expect(status).toBe(200);
    expect(openapiErrors("repository", body)).toEqual([]);
  });

  it("GET /users/{username} returns a valid public-user", async () => {
    const { status, body } = await callJson(emulator, "/users/octocat");
    expect(status).toBe(200);
    expect(openapiErrors("public-user", body)).toEqual([]);
  });

  it("GET /rate_limit is free and reports both budgets", async () => {
    const before = await callJson(emulator, "/rate_limit");
    const after = await callJson(emulator, "/rate_limit");
    expect(after.body.resources.core.used).toBe(before.body.resources.core.used);
    expect(after.body.resources.graphql.limit).toBe(5000);
  });

  it("answers unknown paths with a 404 basic-error", async () => {
    const { status, body } = await callJson(emulator, "/no/such/endpoint");
    expect(status).toBe(404);
    expect(openapiErrors("basic-error", body)).toEqual([]);
  });
});

describe("GET /users/{username}/repos", () => {
  it("lists a user's public repositories as minimal-repository, sorted, paged, with ETags", async () => {
    // A user whose login is a corpus owner owns that owner's real repositories.
    const corpus = loadCorpus();
    const counts = new Map<string, number>();
    for (const repo of corpus.repos) counts.set(repo.owner, (counts.get(repo.owner) ?? 0) + 1);
    const [owner, owned] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] as [string, number];
    expect(owned).toBeGreaterThan(1);
    await ctl.createUser({ login: owner, stars: 1 });
    await ctl.star({ login: owner, fullName: `${owner}/zz-new-tool`, repo: { description: "mine" } });
    await ctl.star({ login: owner, fullName: `${owner}/zz-hidden`, repo: { private: true } });
    const expected = owned + 1;

    const { status, headers, body } = await callJson<any[]>(emulator, `/users/${owner}/repos?per_page=100`);
    expect(status).toBe(200);
    expect(body).toHaveLength(expected); // the private one is not listed
    for (const repo of body) {
      expect(openapiErrors("minimal-repository", repo)).toEqual([]);
      expect(repo.owner.login.toLowerCase()).toBe(owner.toLowerCase());
      expect(repo.private).toBe(false);
    }
    const names = body.map((r) => r.full_name.toLowerCase());
    expect(names).toEqual([...names].sort()); // default: full_name ascending
    expect(names).toContain(`${owner}/zz-new-tool`.toLowerCase());
    expect(headers.get("link")).toBeNull();

    const pushed = await callJson<any[]>(emulator, `/users/${owner}/repos?sort=pushed&per_page=100`);
    const times = pushed.body.map((r) => Date.parse(r.pushed_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const asc = await callJson<any[]>(emulator, `/users/${owner}/repos?sort=pushed&direction=asc&per_page=100`);
    expect(asc.body.map((r) => r.full_name)).toEqual(pushed.body.map((r) => r.full_name).reverse());

    const paged = await call(emulator, `/users/${owner}/repos?per_page=1&page=1`);
    expect(new URL(parseLinks(paged.headers.get("link")).last ?? "").searchParams.get("page")).toBe(String(expected));
    const etag = paged.headers.get("etag") as string;
    const again = await call(emulator, `/users/${owner}/repos?per_page=1&page=1`, {
      headers: { "if-none-match": etag },
    });
    expect(again.status).toBe(304);

    expect((await callJson(emulator, `/users/${owner}/repos?type=member`)).body).toEqual([]);
  });

  it("answers [] for a user without repositories and 404 for an unknown user", async () => {
    const none = await callJson(emulator, "/users/octocat/repos");
    expect(none.status).toBe(200);
    expect(none.body).toEqual([]);
    const unknown = await callJson(emulator, "/users/no-such-user-here/repos");
    expect(unknown.status).toBe(404);
    expect(openapiErrors("basic-error", unknown.body)).toEqual([]);
  });
});

describe("X-OAuth-Scopes", () => {
  it("names the token's scopes on every authenticated REST answer, empty for a token with none", async () => {
    await ctl.createUser({ login: "scoped", stars: 3, scopes: ["repo", " read:user"] });
    const me = await call(emulator, "/user", { token: "emulator-token-scoped" });
    expect(me.headers.get("x-oauth-scopes")).toBe("repo, read:user");
    expect(me.headers.get("x-accepted-oauth-scopes")).toBe("");
    const [star] = await ctl.stars("scoped");
    const repo = await call(emulator, `/repos/${star?.fullName}`, { token: "emulator-token-scoped" });
    expect(repo.headers.get("x-accepted-oauth-scopes")).toBe("repo");
    expect(
      (await call(emulator, "/user/starred?per_page=1", { token: "emulator-token-scoped" })).headers.get(
        "x-oauth-scopes",
      ),
    ).toBe("repo, read:user");

    const octocat = await call(emulator, "/user");
    expect(octocat.headers.get("x-oauth-scopes")).toBe(""); // present and empty
    expect((await ctl.users()).find((u) => u.login === "scoped")?.scopes).toBe("repo, read:user");
    const anonymous = await call(emulator, "/users/octocat", { token: null });
    expect(anonymous.headers.get("x-oauth-scopes")).toBeNull();
  });
});

describe("anonymous conditional requests", () => {
  it("charge a 304 to the IP's budget, unlike an authenticated one", async () => {
    const first = await call(emulator, "/users/octocat/starred?per_page=2", { token: null });
    expect(first.headers.get("x-ratelimit-limit")).toBe("60");
    const used = Number(first.headers.get("x-ratelimit-used"));
    const second = await call(emulator, "/users/octocat/starred?per_page=2", {
      token: null,
      headers: { "if-none-match": first.headers.get("etag") as string },
    });
    expect(second.status).toBe(304);
    expect(Number(second.headers.get("x-ratelimit-used"))).toBe(used + 1);

    const truth = await groundTruth("octocat", true);
    const star = truth.find((s) => !s.private && s.readmeSha) as GroundTruthStar;
    const raw = await call(emulator, `/repos/${star.fullName}/readme`, {
      token: null,
      accept: "application/vnd.github.raw",
      headers: { "if-none-match": `"${star.readmeSha}"` },
    });
    expect(raw.status).toBe(304);
    expect(Number(raw.headers.get("x-ratelimit-used"))).toBe(used + 2);

    const authed = await call(emulator, `/repos/${star.fullName}/readme`, {
      accept: "application/vnd.github.raw",
      headers: { "if-none-match": `"${star.readmeSha}"` },
    });
    const authedAgain = await call(emulator, `/repos/${star.fullName}/readme`, {
      accept: "application/vnd.github.raw",
      headers: { "if-none-match": `"${star.readmeSha}"` },
    });
    expect(authedAgain.status).toBe(304);
    expect(authedAgain.headers.get("x-ratelimit-used")).toBe(authed.headers.get("x-ratelimit-used"));
  });
});
