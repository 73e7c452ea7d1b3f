// Per-repository access states (`POST /_emulator/repo-state`) and `GET /user/starred/{owner}/{repo}`:
// what REST, GraphQL, the star lists and the ground truth show for a repository that GitHub
// blocked, took down, guards with SAML, deleted, or that its owner made private.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEmulatorClient, type EmulatorClient, type GroundTruthStar } from "./client.ts";
import { startGithubEmulator, type GithubEmulator } from "./server.ts";
import { STAR_JSON, call, callJson, graphql, parseLinks } from "./test-helpers.ts";

let emulator: GithubEmulator;
let ctl: EmulatorClient;

beforeAll(async () => {
  emulator = await startGithubEmulator({ port: 0, stars: 120, seed: 1, quiet: true });
  ctl = createEmulatorClient(emulator.url);
});
afterAll(() => emulator.close());
afterEach(() => ctl.reset());

const CHECK_DOCS =
  "https://docs.github.com/rest/activity/starring#check-if-a-repository-is-starred-by-the-authenticated-user";
const SSO_MESSAGE =
  "Resource protected by organization SAML enforcement. " +
  "You must grant your Personal Access token access to this organization.";
const SSO_BODY = {
  message: SSO_MESSAGE,
  documentation_url:
    "https://docs.github.com/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/",
};

/** octocat's public stars, newest first, and the one at `index` of them. */
async function publicStar(index: number): Promise<GroundTruthStar> {
  const stars = (await ctl.stars("octocat")).filter((s) => !s.private);
  return stars[index] as GroundTruthStar;
}

async function listedNames(path = "/user/starred?per_page=100&page=1", token?: string | null): Promise<string[]> {
  const { body } = await callJson<any[]>(emulator, path, token === undefined ? {} : { token });
  return body.map((repo) => repo.full_name);
}

async function allListed(): Promise<string[]> {
  return [
    ...(await listedNames("/user/starred?per_page=100&page=1")),
    ...(await listedNames("/user/starred?per_page=100&page=2")),
  ];
}

const LOOKUPS = /* GraphQL */ `
  query ($o: String!, $n: String!, $id: ID!, $okO: String!, $okN: String!) {
    byName: repository(owner: $o, name: $n) { nameWithOwner }
    byId: node(id: $id) { id }
    many: nodes(ids: [$id]) { id }
    fine: repository(owner: $okO, name: $okN) { nameWithOwner }
  }
`;

async function lookups(star: GroundTruthStar, ok: GroundTruthStar) {
  const [o, n] = star.fullName.split("/");
  const [okO, okN] = ok.fullName.split("/");
  return graphql(emulator, LOOKUPS, { o, n, id: star.nodeId, okO, okN });
}

async function starredTotal(): Promise<{ totalCount: number; names: string[] }> {
  const { body } = await graphql(
    emulator,
    "{ viewer { starredRepositories(first: 100, orderBy: {field: STARRED_AT, direction: DESC}) " +
      "{ totalCount nodes { nameWithOwner } } } }",
  );
  const connection = body.data.viewer.starredRepositories;
  return {
    totalCount: connection.totalCount,
    names: connection.nodes.map((n: { nameWithOwner: string }) => n.nameWithOwner),
  };
}

describe("GET /user/starred/{owner}/{repo}", () => {
  it(
    "answers 204 with no body for a starred repository, " + "charged to the core budget under its own template",
    async () => {
      const star = await publicStar(3);
      const before = await call(emulator, "/rate_limit");
      const usedBefore = ((await before.json()) as { rate: { used: number } }).rate.used;
      const response = await call(emulator, `/user/starred/${star.fullName}`);
      expect(response.status).toBe(204);
      expect(await response.text()).toBe("");
      expect(response.headers.get("content-type")).toBeNull();
      expect(Number(response.headers.get("x-ratelimit-used"))).toBe(usedBefore + 1);
      expect((await ctl.stats()).requests.byRoute["GET /user/starred/{owner}/{repo}"]).toBe(1);
    },
  );

  it("answers GitHub's 404 for a repository not starred, unknown, or another user's private one", async () => {
    await ctl.createUser({ login: "carol", stars: 0 });
    const star = await publicStar(0);
    const notStarred = await callJson(emulator, `/user/starred/${star.fullName}`, { token: "emulator-token-carol" });
    expect(notStarred.status).toBe(404);
    expect(notStarred.body).toEqual({ message: "Not Found", documentation_url: CHECK_DOCS, status: "404" });
    expect((await call(emulator, "/user/starred/nobody-here/nothing")).status).toBe(404);
    const secret = (await ctl.stars("octocat")).find((s) => s.private);
    if (secret)
      expect((await call(emulator, `/user/starred/${secret.fullName}`, { token: "emulator-token-carol" })).status).toBe(
        404,
      );
    expect((await call(emulator, `/user/starred/${star.fullName}`, { token: null })).status).toBe(401);
  });

  it("does not shadow the list, and the list does not shadow it", async () => {
    const star = await publicStar(0);
    const list = await callJson<any[]>(emulator, "/user/starred", { accept: STAR_JSON });
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(30);
    expect(list.body[0].repo.full_name).toBe(star.fullName);
    expect((await call(emulator, `/user/starred/${star.fullName}/`)).status).toBe(204);
    const { byRoute } = (await ctl.stats()).requests;
    expect(byRoute).toMatchObject({ "GET /user/starred": 1, "GET /user/starred/{owner}/{repo}": 1 });
  });
});

describe("POST /_emulator/repo-state", () => {
  it("answers the summary with its state; GET repo shows it; 404 unknown, 422 bad state or org", async () => {
    const star = await publicStar(1);
    expect((await ctl.repo(star.fullName)).state).toBe("ok");
    const blocked = await ctl.setRepoState({ fullName: star.fullName, state: "blocked" });
    expect(blocked).toMatchObject({ fullName: star.fullName, id: star.id, state: "blocked" });
    expect(Math.abs(Date.parse(blocked.stateSince as string) - Date.now())).toBeLessThan(5000);
    expect((await ctl.repo(star.fullName)).state).toBe("blocked");
    expect(await ctl.setRepoState({ fullName: star.fullName, state: "ok" })).toMatchObject({ state: "ok" });

    await expect(ctl.setRepoState({ fullName: "nobody-here/nothing", state: "blocked" })).rejects.toMatchObject({
      status: 404,
    });
    await expect(ctl.setRepoState({ fullName: star.fullName, state: "gone" as never })).rejects.toMatchObject({
      status: 422,
    });
    await expect(ctl.setRepoState({ fullName: star.fullName, state: "sso", org: "-bad-" })).rejects.toMatchObject({
      status: 422,
    });
  });
});

describe("blocked (GitHub's terms of service)", () => {
  it("stays listed and starred; every /repos route answers 403 with the block", async () => {
    const star = await publicStar(5);
    const { stateSince } = await ctl.setRepoState({ fullName: star.fullName, state: "blocked" });
    const body = {
      message: "Repository access blocked",
      block: { reason: "tos", created_at: stateSince, html_url: "https://github.com/tos" },
    };

    for (const path of [`/repos/${star.fullName}`, `/repos/${star.fullName}/readme`]) {
      const answer = await callJson(emulator, path);
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual(body);
    }
    expect((await call(emulator, `/user/starred/${star.fullName}`)).status).toBe(204);
    expect(await allListed()).toContain(star.fullName);
    expect(await starredTotal()).toMatchObject({ totalCount: 120 });
    const truth = await ctl.stars("octocat");
    expect(truth).toHaveLength(120);
    expect(truth.find((s) => s.fullName === star.fullName)?.state).toBe("blocked");
    expect(truth.filter((s) => s.state !== undefined)).toHaveLength(1);
  });

  it("resolves GraphQL lookups to null with FORBIDDEN, answering the other aliases", async () => {
    const star = await publicStar(5);
    const ok = await publicStar(6);
    await ctl.setRepoState({ fullName: star.fullName, state: "blocked" });
    const { status, body } = await lookups(star, ok);
    expect(status).toBe(200);
    expect(body.data).toEqual({ byName: null, byId: null, many: [null], fine: { nameWithOwner: ok.fullName } });
    expect(body.errors).toEqual([
      { type: "FORBIDDEN", path: ["byName"], locations: [expect.any(Object)], message: "Repository access blocked" },
      { type: "FORBIDDEN", path: ["byId"], locations: [expect.any(Object)], message: "Repository access blocked" },
      { type: "FORBIDDEN", path: ["many", 0], locations: [expect.any(Object)], message: "Repository access blocked" },
    ]);
    expect((await starredTotal()).names).toContain(star.fullName);
  });

  it("is undone by state ok", async () => {
    const star = await publicStar(5);
    await ctl.setRepoState({ fullName: star.fullName, state: "blocked" });
    await ctl.setRepoState({ fullName: star.fullName, state: "ok" });
    expect((await call(emulator, `/repos/${star.fullName}`)).status).toBe(200);
    expect((await ctl.stars("octocat")).every((s) => s.state === undefined)).toBe(true);
  });
});

describe("dmca (taken down)", () => {
  it("leaves the lists: totals, pages and Link count only what is listed", async () => {
    await ctl.createUser({ login: "dana", stars: 101 });
    const token = "emulator-token-dana";
    const before = await callJson<any[]>(emulator, "/user/starred?per_page=100", { token });
    expect(parseLinks(before.headers.get("link")).last).toContain("page=2");
    const truth = await ctl.stars("dana");
    const gone = truth[2] as GroundTruthStar;
    await ctl.setRepoState({ fullName: gone.fullName, state: "dmca" });

    const after = await callJson<any[]>(emulator, "/user/starred?per_page=100", { token });
    expect(after.body).toHaveLength(100);
    expect(after.headers.get("link")).toBeNull(); // one page holds everything now
    const page2 = await callJson<any[]>(emulator, "/user/starred?per_page=5&page=2", { token });
    // Later items move up: the second page now starts with what was the seventh star.
    expect(page2.body[0].full_name).toBe(truth[6]?.fullName);
    const names = (await ctl.stars("dana")).map((s) => s.fullName);
    expect(names).toEqual(truth.filter((s) => s !== gone).map((s) => s.fullName));
  });

  it("answers 451 with the takedown on /repos routes and on the starred check; GraphQL FORBIDDEN", async () => {
    const star = await publicStar(5);
    const ok = await publicStar(6);
    const { stateSince } = await ctl.setRepoState({ fullName: star.fullName, state: "dmca" });
    for (const path of [
      `/repos/${star.fullName}`,
      `/repos/${star.fullName}/readme`,
      `/user/starred/${star.fullName}`,
    ]) {
      const answer = await callJson(emulator, path);
      expect(answer.status).toBe(451);
      expect(answer.body).toEqual({
        message: "Repository access blocked",
        block: {
          reason: "dmca",
          created_at: stateSince,
          html_url: expect.stringMatching(
            /^https:\/\/github\.com\/github\/dmca\/blob\/master\/\d{4}\/\d{4}-\d\d-\d\d-[\w.-]+\.md$/,
          ),
        },
      });
    }
    expect(await allListed()).not.toContain(star.fullName);
    expect(await starredTotal()).toMatchObject({ totalCount: 119 });
    expect((await starredTotal()).names).not.toContain(star.fullName);
    const { body } = await lookups(star, ok);
    expect(body.data.byName).toBeNull();
    expect(body.data.fine).toEqual({ nameWithOwner: ok.fullName });
    expect(body.errors[0]).toMatchObject({ type: "FORBIDDEN", path: ["byName"], message: "Repository access blocked" });
  });
});

describe("sso (an organisation's SAML single sign-on)", () => {
  it("answers 403 with X-GitHub-SSO: required on /repos routes and on the starred check", async () => {
    const star = await publicStar(4);
    const result = await ctl.setRepoState({ fullName: star.fullName, state: "sso", org: "acme-corp" });
    expect(result).toMatchObject({ state: "sso", org: "acme-corp", orgId: expect.any(Number) });
    const headers: string[] = [];
    for (const path of [
      `/repos/${star.fullName}`,
      `/repos/${star.fullName}/readme`,
      `/user/starred/${star.fullName}`,
    ]) {
      const answer = await callJson(emulator, path);
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual(SSO_BODY);
      headers.push(answer.headers.get("x-github-sso") ?? "");
    }
    expect(headers[0]).toMatch(
      /^required; url=https:\/\/github\.com\/orgs\/acme-corp\/sso\?authorization_request=[\w-]+$/,
    );
    expect(new Set(headers).size).toBe(1); // stable
  });

  it("is left out of token lists with X-GitHub-SSO: partial-results; organizations=<id>, and of GraphQL", async () => {
    const star = await publicStar(4);
    const { orgId, org } = await ctl.setRepoState({ fullName: star.fullName, state: "sso" });
    expect(org).toBe(star.fullName.split("/")[0]); // defaults to the owner
    const own = await callJson<any[]>(emulator, "/user/starred?per_page=100");
    expect(own.headers.get("x-github-sso")).toBe(`partial-results; organizations=${orgId}`);
    expect(own.body.map((r) => r.full_name)).not.toContain(star.fullName);
    const byLogin = await callJson<any[]>(emulator, "/users/octocat/starred?per_page=100");
    expect(byLogin.headers.get("x-github-sso")).toBe(`partial-results; organizations=${orgId}`);
    // SAML guards tokens: an anonymous caller sees the public repository as usual.
    expect(await listedNames("/users/octocat/starred?per_page=100", null)).toContain(star.fullName);
    // A page that would not have held it still says the list is partial.
    expect((await call(emulator, "/user/starred?per_page=100&page=2")).headers.get("x-github-sso")).toBe(
      `partial-results; organizations=${orgId}`,
    );
    expect(await starredTotal()).toMatchObject({ totalCount: 119 });
    expect((await ctl.stars("octocat")).map((s) => s.fullName)).not.toContain(star.fullName);
  });

  it("resolves GraphQL lookups to null with FORBIDDEN and saml_failure, and says where to authorise", async () => {
    const star = await publicStar(4);
    const ok = await publicStar(6);
    await ctl.setRepoState({ fullName: star.fullName, state: "sso", org: "acme-corp" });
    const { status, body, headers } = await lookups(star, ok);
    expect(status).toBe(200);
    expect(body.data).toEqual({ byName: null, byId: null, many: [null], fine: { nameWithOwner: ok.fullName } });
    expect(body.errors[0]).toEqual({
      type: "FORBIDDEN",
      path: ["byName"],
      locations: [expect.any(Object)],
      extensions: { saml_failure: true },
      message: SSO_MESSAGE,
    });
    expect(headers.get("x-github-sso")).toMatch(
      /^required; url=https:\/\/github\.com\/orgs\/acme-corp\/sso\?authorization_request=/,
    );
  });
});

describe("deleted", () => {
  it("is gone everywhere: lists, REST 404, starred check 404, GraphQL NOT_FOUND", async () => {
    const star = await publicStar(2);
    const ok = await publicStar(6);
    await ctl.setRepoState({ fullName: star.fullName, state: "deleted" });
    const repo = await callJson(emulator, `/repos/${star.fullName}`);
    expect(repo.status).toBe(404);
    expect(repo.body).toEqual({
      message: "Not Found",
      documentation_url: "https://docs.github.com/rest/repos/repos#get-a-repository",
      status: "404",
    });
    expect((await call(emulator, `/repos/${star.fullName}/readme`)).status).toBe(404);
    expect((await call(emulator, `/user/starred/${star.fullName}`)).status).toBe(404);
    expect(await allListed()).not.toContain(star.fullName);
    expect(await starredTotal()).toMatchObject({ totalCount: 119 });
    expect((await ctl.stars("octocat")).map((s) => s.fullName)).not.toContain(star.fullName);
    const { body } = await lookups(star, ok);
    expect(body.data.fine).toEqual({ nameWithOwner: ok.fullName });
    expect(body.errors.map((e: { type: string; message: string }) => [e.type, e.message])).toEqual([
      ["NOT_FOUND", `Could not resolve to a Repository with the name '${star.fullName}'.`],
      ["NOT_FOUND", `Could not resolve to a node with the global id of '${star.nodeId}'`],
      ["NOT_FOUND", `Could not resolve to a node with the global id of '${star.nodeId}'`],
    ]);
  });
});

describe("private (made private by its owner)", () => {
  it("is gone for its stargazers but not for its owner", async () => {
    await ctl.createUser({ login: "erin", stars: 0 });
    await ctl.star({ login: "octocat", fullName: "erin/was-public" });
    await ctl.star({ login: "erin", fullName: "erin/was-public" });
    expect((await call(emulator, "/repos/erin/was-public")).status).toBe(200);
    await ctl.setRepoState({ fullName: "erin/was-public", state: "private" });

    expect((await call(emulator, "/repos/erin/was-public")).status).toBe(404);
    expect((await call(emulator, "/user/starred/erin/was-public")).status).toBe(404);
    expect(await listedNames()).not.toContain("erin/was-public");
    expect((await ctl.stars("octocat")).map((s) => s.fullName)).not.toContain("erin/was-public");
    expect(
      (await graphql(emulator, '{ repository(owner: "erin", name: "was-public") { id } }')).body.errors[0].type,
    ).toBe("NOT_FOUND");

    const erin = "emulator-token-erin";
    const own = await callJson(emulator, "/repos/erin/was-public", { token: erin });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ private: true, visibility: "private" });
    expect((await call(emulator, "/user/starred/erin/was-public", { token: erin })).status).toBe(204);
    expect(await listedNames("/user/starred", erin)).toEqual(["erin/was-public"]);
    expect(await ctl.stars("erin")).toEqual([
      expect.objectContaining({ fullName: "erin/was-public", private: true, state: "private" }),
    ]);
    // It is private now: no longer in the owner's public repositories.
    expect(await listedNames("/users/erin/repos", erin)).toEqual([]);
  });
});
