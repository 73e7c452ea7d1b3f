// Renames (`POST /_emulator/rename`): the new name everywhere, the same ids and git objects, 301
// from the old name to `/repositories/{id}/…` (which fetch follows), GraphQL following the rename.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEmulatorClient, type EmulatorClient, type GroundTruthStar } from "./client.ts";
import { startGithubEmulator, type GithubEmulator } from "./server.ts";
import { STAR_JSON, call, callJson, graphql } from "./test-helpers.ts";

let emulator: GithubEmulator;
let ctl: EmulatorClient;

beforeAll(async () => {
  emulator = await startGithubEmulator({ port: 0, stars: 60, seed: 3, quiet: true });
  ctl = createEmulatorClient(emulator.url);
});
afterAll(() => emulator.close());
afterEach(() => ctl.reset());

async function starWithReadme(): Promise<GroundTruthStar> {
  const stars = await ctl.stars("octocat", { sha: true });
  return stars.find((s) => s.readmePath === "README.md" && s.readmeKind === "text" && !s.private) as GroundTruthStar;
}

const REPO_QUERY = /* GraphQL */ `
  query ($o: String!, $n: String!) {
    repository(owner: $o, name: $n) {
      id databaseId nameWithOwner url owner { login }
      defaultBranchRef { target { oid } }
      object(expression: "HEAD:README.md") { ... on Blob { oid } }
    }
  }
`;

async function repoByName(fullName: string) {
  const [o, n] = fullName.split("/");
  return (await graphql(emulator, REPO_QUERY, { o, n })).body;
}

describe("POST /_emulator/rename", () => {
  it("shows the new name everywhere, with the same id, node_id and git objects", async () => {
    const star = await starWithReadme();
    const before = (await repoByName(star.fullName)).data.repository;
    const owner = star.fullName.split("/")[0] as string;
    const renamed = await ctl.rename({ fullName: star.fullName, newName: `${owner}/brand-new-name` });
    expect(renamed).toMatchObject({
      fullName: `${owner}/brand-new-name`,
      previousName: star.fullName,
      id: star.id,
      nodeId: star.nodeId,
      state: "ok",
    });

    const truth = (await ctl.stars("octocat", { sha: true })).find((s) => s.id === star.id);
    expect(truth).toMatchObject({
      fullName: `${owner}/brand-new-name`,
      nodeId: star.nodeId,
      readmeSha: star.readmeSha,
    });
    const { body } = await callJson<any[]>(emulator, "/user/starred?per_page=100", { accept: STAR_JSON });
    const item = body.find((s) => s.repo.id === star.id);
    expect(item.repo).toMatchObject({
      name: "brand-new-name",
      full_name: `${owner}/brand-new-name`,
      node_id: star.nodeId,
      html_url: `https://github.com/${owner}/brand-new-name`,
      url: `${emulator.url}/repos/${owner}/brand-new-name`,
    });
    const gql = await graphql(
      emulator,
      "{ viewer { starredRepositories(first: 100) { nodes { databaseId nameWithOwner } } } }",
    );
    expect(gql.body.data.viewer.starredRepositories.nodes).toContainEqual({
      databaseId: star.id,
      nameWithOwner: `${owner}/brand-new-name`,
    });

    const after = (await repoByName(`${owner}/brand-new-name`)).data.repository;
    expect(after).toEqual({
      ...before,
      nameWithOwner: `${owner}/brand-new-name`,
      url: `https://github.com/${owner}/brand-new-name`,
    });
    expect((await call(emulator, `/repos/${owner}/brand-new-name`)).status).toBe(200);
  });

  it("moves the repository to another owner", async () => {
    const star = await starWithReadme();
    await ctl.createUser({ login: "newhome", stars: 0 });
    await ctl.rename({ fullName: star.fullName, newName: "newhome/moved" });
    const { body } = await callJson(emulator, "/repos/newhome/moved");
    expect(body).toMatchObject({ id: star.id, full_name: "newhome/moved", owner: { login: "newhome" } });
    expect((await callJson<any[]>(emulator, "/users/newhome/repos")).body.map((r) => r.full_name)).toEqual([
      "newhome/moved",
    ]);
  });

  it("answers 301 to /repositories/{id}/… for the old name, which fetch follows", async () => {
    const star = await starWithReadme();
    const owner = star.fullName.split("/")[0] as string;
    await ctl.rename({ fullName: star.fullName, newName: `${owner}/renamed` });

    const manual = await fetch(`${emulator.url}/repos/${star.fullName}`, {
      redirect: "manual",
      headers: { authorization: "token emulator-token-octocat" },
    });
    const url = `${emulator.url}/repositories/${star.id}`;
    expect(manual.status).toBe(301);
    expect(manual.headers.get("location")).toBe(url);
    expect(await manual.json()).toEqual({
      message: "Moved Permanently",
      url,
      documentation_url: "https://docs.github.com/v3/#http-redirects",
    });
    const readme = await fetch(`${emulator.url}/repos/${star.fullName}/readme?ref=main`, { redirect: "manual" });
    expect(readme.status).toBe(301);
    expect(readme.headers.get("location")).toBe(`${url}/readme?ref=main`);

    const followed = await callJson(emulator, `/repos/${star.fullName}`);
    expect(followed.status).toBe(200);
    expect(followed.body).toMatchObject({ id: star.id, full_name: `${owner}/renamed` });
    const raw = await call(emulator, `/repos/${star.fullName}/readme`, { accept: "application/vnd.github.raw+json" });
    expect(raw.status).toBe(200);
    expect(raw.headers.get("etag")).toBe(`"${star.readmeSha}"`);

    expect((await call(emulator, `/repositories/${star.id}`)).status).toBe(200);
    expect((await call(emulator, `/repositories/${star.id}/readme`)).status).toBe(200);
    expect((await call(emulator, "/repositories/12345")).status).toBe(404);
    expect((await ctl.stats()).requests.byRoute).toMatchObject({
      "GET /repos/{owner}/{repo}": 2,
      "GET /repos/{owner}/{repo}/readme": 2,
      "GET /repositories/{id}": 3,
      "GET /repositories/{id}/readme": 2,
    });
  });

  it("resolves the old name in GraphQL repository(owner, name) to the renamed repository", async () => {
    const star = await starWithReadme();
    const owner = star.fullName.split("/")[0] as string;
    await ctl.rename({ fullName: star.fullName, newName: `${owner}/renamed` });
    const { data } = await repoByName(star.fullName);
    expect(data.repository).toMatchObject({ databaseId: star.id, nameWithOwner: `${owner}/renamed` });
  });

  it("lets another repository take the old name, which then stops redirecting", async () => {
    const star = await starWithReadme();
    const owner = star.fullName.split("/")[0] as string;
    await ctl.rename({ fullName: star.fullName, newName: `${owner}/renamed` });
    const created = await ctl.star({ login: "octocat", fullName: star.fullName });
    expect(created.created).toBe(true);
    const { status, body } = await callJson(emulator, `/repos/${star.fullName}`);
    expect(status).toBe(200);
    expect(body.id).not.toBe(star.id);
  });

  it("refuses a taken or invalid name (422) and an unknown repository (404)", async () => {
    const [a, b] = await ctl.stars("octocat");
    await expect(ctl.rename({ fullName: a!.fullName, newName: b!.fullName.toUpperCase() })).rejects.toMatchObject({
      status: 422,
    });
    await expect(ctl.rename({ fullName: a!.fullName, newName: "no-slash" })).rejects.toMatchObject({ status: 422 });
    await expect(ctl.rename({ fullName: a!.fullName, newName: "owner/bad name" })).rejects.toMatchObject({
      status: 422,
    });
    await expect(ctl.rename({ fullName: "nobody-here/nothing", newName: "x/y" })).rejects.toMatchObject({
      status: 404,
    });
    // A change of case only is the same repository's name.
    expect(await ctl.rename({ fullName: a!.fullName, newName: a!.fullName.toUpperCase() })).toMatchObject({
      id: a!.id,
    });
  });
});
