// What happens to a starred repository over its life, as GitHub shows it: archived, disabled,
// deleted, blocked, made private, transferred, a release published (with or without a push), and
// starring or unstarring through the API with the token's scopes or permissions.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEmulatorClient, type EmulatorClient, type GroundTruthStar } from "./client.ts";
import { graphqlServerMs, noWork, realismPreset } from "./realism.ts";
import { startGithubEmulator, type GithubEmulator } from "./server.ts";
import { STAR_JSON, call, callJson, graphql } from "./test-helpers.ts";

let emulator: GithubEmulator;
let ctl: EmulatorClient;

beforeAll(async () => {
  emulator = await startGithubEmulator({ port: 0, stars: 40, seed: 5, quiet: true });
  ctl = createEmulatorClient(emulator.url);
});
afterAll(() => emulator.close());
afterEach(() => ctl.reset());

async function publicStar(index = 0): Promise<GroundTruthStar> {
  const stars = (await ctl.stars("octocat")).filter((s) => !s.private && !s.archived);
  return stars[index] as GroundTruthStar;
}

const HEALTH = /* GraphQL */ `
  query ($id: ID!) {
    node(id: $id) {
      ... on Repository {
        nameWithOwner pushedAt isArchived archivedAt isDisabled
        latestRelease { tagName name publishedAt isPrerelease }
        defaultBranchRef { target { ... on Commit { committedDate } } }
      }
    }
    rateLimit { cost }
  }
`;

async function health(nodeId: string) {
  const { body } = await graphql(emulator, HEALTH, { id: nodeId });
  return body;
}

async function listedIds(token?: string): Promise<number[]> {
  const { body } = await callJson<any[]>(emulator, "/user/starred?per_page=100", {
    accept: STAR_JSON,
    ...(token ? { token } : {}),
  });
  return body.map((item) => item.repo.id);
}

describe("archive and disable", () => {
  it("archives without a push: REST archived, GraphQL isArchived and archivedAt; unarchive clears them", async () => {
    const star = await publicStar();
    const archived = await ctl.archive({ fullName: star.fullName });
    expect(archived).toMatchObject({ archived: true, pushedAt: star.pushedAt });
    expect(archived.archivedAt).toMatch(/Z$/);
    const { body } = await callJson(emulator, `/repos/${star.fullName}`);
    expect(body).toMatchObject({ archived: true, pushed_at: star.pushedAt });
    const listed = (await callJson<any[]>(emulator, "/user/starred?per_page=100")).body.find((r) => r.id === star.id);
    expect(listed.archived).toBe(true);
    const answer = await health(star.nodeId);
    expect(answer.data.node).toMatchObject({
      isArchived: true,
      archivedAt: archived.archivedAt,
      pushedAt: star.pushedAt,
    });

    await ctl.archive({ fullName: star.fullName, archived: false });
    expect((await health(star.nodeId)).data.node).toMatchObject({ isArchived: false, archivedAt: null });
  });

  it("disables: still listed, disabled in REST, isDisabled in GraphQL", async () => {
    const star = await publicStar();
    await ctl.disable({ fullName: star.fullName });
    const listed = (await callJson<any[]>(emulator, "/user/starred?per_page=100")).body.find((r) => r.id === star.id);
    expect(listed.disabled).toBe(true);
    expect((await health(star.nodeId)).data.node.isDisabled).toBe(true);
    await ctl.disable({ fullName: star.fullName, disabled: false });
    expect((await health(star.nodeId)).data.node.isDisabled).toBe(false);
  });
});

describe("gone from GitHub", () => {
  it("deleted: 404 by name and by id, gone from the star list, the star check 404", async () => {
    const star = await publicStar();
    await ctl.setRepoState({ fullName: star.fullName, state: "deleted" });
    expect((await call(emulator, `/repos/${star.fullName}`)).status).toBe(404);
    expect((await call(emulator, `/repositories/${star.id}`)).status).toBe(404);
    expect((await call(emulator, `/user/starred/${star.fullName}`)).status).toBe(404);
    expect(await listedIds()).not.toContain(star.id);
  });

  it("blocked (a takedown): 451 'Repository access blocked' by name and by id, gone from the star list", async () => {
    const star = await publicStar();
    await ctl.setRepoState({ fullName: star.fullName, state: "dmca" });
    for (const path of [`/repos/${star.fullName}`, `/repositories/${star.id}`, `/user/starred/${star.fullName}`]) {
      const { status, body } = await callJson(emulator, path);
      expect(status).toBe(451);
      expect(body.message).toBe("Repository access blocked");
    }
    expect(await listedIds()).not.toContain(star.id);
  });

  it("made private: 404 to others, gone from their lists, and the star erased for good", async () => {
    const star = await publicStar();
    await ctl.setRepoState({ fullName: star.fullName, state: "private" });
    expect((await call(emulator, `/repositories/${star.id}`)).status).toBe(404);
    expect(await listedIds()).not.toContain(star.id);
    // Public again: GitHub erased the stars when it went private, so it does not come back.
    await ctl.setRepoState({ fullName: star.fullName, state: "ok" });
    expect((await call(emulator, `/repositories/${star.id}`)).status).toBe(200);
    expect(await listedIds()).not.toContain(star.id);
  });

  it("transferred: the same id under the new owner, by id and through the old name's redirect", async () => {
    const star = await publicStar();
    await ctl.createUser({ login: "newowner", stars: 0 });
    await ctl.rename({ fullName: star.fullName, newName: "newowner/moved" });
    const byId = await callJson(emulator, `/repositories/${star.id}`);
    expect(byId.body).toMatchObject({ id: star.id, full_name: "newowner/moved" });
    expect((await callJson(emulator, `/repos/${star.fullName}`)).body.full_name).toBe("newowner/moved");
    expect(await listedIds()).toContain(star.id);
  });
});

describe("releases", () => {
  it("a release made on a commit already there does not move pushed_at; a pushed tag does", async () => {
    const star = await publicStar();
    const before = (await health(star.nodeId)).data.node;
    const onOld = await ctl.release({ fullName: star.fullName, tag: "v9.0.0", name: "Nine" });
    expect(onOld.pushedAt).toBe(star.pushedAt);
    const after = (await health(star.nodeId)).data.node;
    expect(after.latestRelease).toMatchObject({ tagName: "v9.0.0", name: "Nine", isPrerelease: false });
    expect(after.pushedAt).toBe(before.pushedAt);
    expect(after.defaultBranchRef).toEqual(before.defaultBranchRef);

    const pushed = await ctl.release({ fullName: star.fullName, tag: "v9.1.0", tagPush: true });
    expect(Date.parse(pushed.pushedAt)).toBeGreaterThan(Date.parse(star.pushedAt));
    const latest = (await health(star.nodeId)).data.node;
    expect(latest.latestRelease.tagName).toBe("v9.1.0");
    // A tag is not a commit on the default branch.
    expect(latest.defaultBranchRef).toEqual(before.defaultBranchRef);
    expect((await callJson(emulator, `/repos/${star.fullName}`)).body.pushed_at).toBe(pushed.pushedAt);
  });

  it("latestRelease skips prereleases; a push moves the default branch's commit date", async () => {
    const star = await publicStar(1);
    await ctl.release({ fullName: star.fullName, tag: "v1.0.0", publishedAt: "2026-11-02T00:00:00Z" });
    await ctl.release({ fullName: star.fullName, tag: "v2.0.0-rc.1", prerelease: true });
    expect((await health(star.nodeId)).data.node.latestRelease.tagName).toBe("v1.0.0");
    const pushed = await ctl.push({ fullName: star.fullName });
    const node = (await health(star.nodeId)).data.node;
    expect(node.defaultBranchRef.target.committedDate).toBe(pushed.pushedAt);
    expect(node.latestRelease.tagName).toBe("v1.0.0");
  });

  it("costs no points: single objects, not connections", async () => {
    const star = await publicStar();
    expect((await health(star.nodeId)).data.rateLimit.cost).toBe(1);
  });

  it("the realism model gives them server time", () => {
    const model = realismPreset("github");
    const flat = { ...model, model: { ...model.model, spread: 0 } };
    const plain = graphqlServerMs({ ...noWork(), repositories: 100 }, flat, 0, Math.random);
    const withHealth = graphqlServerMs(
      { ...noWork(), repositories: 100, releases: 100, commits: 100 },
      flat,
      0,
      Math.random,
    );
    expect(withHealth - plain).toBeCloseTo(100 * (model.model.perReleaseMs + model.model.perCommitMs));
    expect(model.model.perReleaseMs).toBeGreaterThan(0);
  });
});

describe("PUT and DELETE /user/starred/{owner}/{repo}", () => {
  const put = (fullName: string, token: string) =>
    call(emulator, `/user/starred/${fullName}`, { method: "PUT", token });
  const del = (fullName: string, token: string) =>
    call(emulator, `/user/starred/${fullName}`, { method: "DELETE", token });

  it("a classic token needs public_repo or repo: 404 without, 204 with", async () => {
    const star = await publicStar();
    const none = await ctl.createUser({ login: "noscope", stars: 40 });
    const refused = await del(star.fullName, none.token);
    expect(refused.status).toBe(404);
    expect(refused.headers.get("x-accepted-oauth-scopes")).toBe("public_repo, repo");
    const scoped = await ctl.createUser({ login: "scoped", stars: 40, scopes: "public_repo" });
    expect((await del(star.fullName, scoped.token)).status).toBe(204);
    expect(await listedIds(scoped.token)).not.toContain(star.id);
    // Idempotent: unstarring again is 204 too.
    expect((await del(star.fullName, scoped.token)).status).toBe(204);
    expect((await put(star.fullName, scoped.token)).status).toBe(204);
    expect(await listedIds(scoped.token)).toContain(star.id);
  });

  it("a private repository needs repo, not public_repo", async () => {
    await ctl.createUser({ login: "owner1", stars: 0 });
    await ctl.star({ login: "owner1", fullName: "owner1/secret", repo: { private: true } });
    const limited = await ctl.createUser({ login: "limited", stars: 0, scopes: "public_repo" });
    await ctl.star({ login: "limited", fullName: "owner1/secret" });
    expect((await del("owner1/secret", limited.token)).status).toBe(404);
    const full = await ctl.createUser({ login: "full", stars: 0, scopes: "repo" });
    await ctl.star({ login: "full", fullName: "owner1/secret" });
    expect((await del("owner1/secret", full.token)).status).toBe(204);
  });

  it("a fine-grained token needs Starring write: 403 naming it otherwise; no X-OAuth-Scopes", async () => {
    const star = await publicStar();
    const reader = await ctl.createUser({ login: "reader", stars: 40, tokenKind: "fine-grained" });
    expect(reader).toMatchObject({ tokenKind: "fine-grained", starring: "read", scopes: "" });
    const refused = await callJson(emulator, `/user/starred/${star.fullName}`, {
      method: "DELETE",
      token: reader.token,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe("Resource not accessible by personal access token");
    expect(refused.headers.get("x-accepted-github-permissions")).toBe("starring=write; metadata=read");
    expect(refused.headers.get("x-oauth-scopes")).toBeNull();
    expect((await call(emulator, "/user/starred", { token: reader.token })).status).toBe(200);

    const writer = await ctl.createUser({
      login: "writer",
      stars: 40,
      tokenKind: "fine-grained",
      permissions: { starring: "write" },
    });
    expect((await del(star.fullName, writer.token)).status).toBe(204);
    const blind = await ctl.createUser({
      login: "blind",
      stars: 1,
      tokenKind: "fine-grained",
      permissions: { starring: "none" },
    });
    expect((await call(emulator, "/user/starred", { token: blind.token })).status).toBe(403);
  });

  it("answers 404 for a deleted repository and 451 for a taken-down one", async () => {
    const [a, b] = [await publicStar(0), await publicStar(1)];
    const user = await ctl.createUser({ login: "cleaner", stars: 40, scopes: "repo" });
    await ctl.setRepoState({ fullName: a.fullName, state: "deleted" });
    await ctl.setRepoState({ fullName: b.fullName, state: "dmca" });
    expect((await del(a.fullName, user.token)).status).toBe(404);
    expect((await del(b.fullName, user.token)).status).toBe(451);
  });
});
