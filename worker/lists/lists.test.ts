import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { createEmulatorClient, type ListSummary } from "../../emulators/github/client";
import { ErrorBody } from "../../shared/errors";
import { GithubList, ListItemsResponse, ListsResponse } from "../../shared/lists";
import { RepositoryItem } from "../../shared/repositories";
import { SearchResponse } from "../../shared/search";
import { AuthTokenResponse } from "../../shared/api";
import { api, BASE, env, githubUrl, workerFetch } from "../test/helpers";
import { doneOf, fastWorkflows, githubStars, stats, syncOnce } from "../test/sync-helpers";

// GitHub Lists both ways (docs/architecture.md §4, "Lists"), against the GitHub emulator's Lists: read on each sync,
// shown as `list:Name`, pushed on request with a token that has the `user` scope, merged both ways for a List
// linked to a tag.

const github = () => createEmulatorClient(githubUrl());

async function signInWith(login: string, stars: number, scopes: string, tokenKind?: "fine-grained") {
  await github().createUser({ login, stars, ...(tokenKind ? { tokenKind } : { scopes }) });
  const githubToken = `emulator-token-${login}`;
  await env.DB.prepare("delete from sign_in_attempts where key like 'token:%'").run();
  const response = await api().api.auth.token.$post({ json: { githubToken } });
  if (response.status !== 200) throw new Error(`sign-in of ${login}: ${response.status} ${await response.text()}`);
  return AuthTokenResponse.parse(await response.json());
}

function call(session: string, path: string, init: { method?: string; body?: unknown } = {}) {
  return workerFetch(`${BASE}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { Authorization: `Bearer ${session}`, "Content-Type": "application/json" },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

async function lists(session: string) {
  const response = await call(session, "/api/lists");
  expect(response.status).toBe(200);
  return ListsResponse.parse(await response.json());
}

async function itemsOf(session: string, query: string) {
  const response = await call(session, `/api/repositories?limit=100&${query}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: unknown[] }).items.map((item) => RepositoryItem.parse(item));
}

async function tag(session: string, fullName: string, customTags: string[]) {
  const response = await call(session, `/api/repositories/${fullName}`, { method: "PATCH", body: { customTags } });
  expect(response.status, await response.clone().text()).toBe(200);
}

async function truth(login: string): Promise<Record<string, string[]>> {
  const all = await github().lists(login);
  return Object.fromEntries(all.map((list) => [list.name, [...list.items].sort()]));
}

const sorted = (names: string[]) => [...names].sort();
const mutations = async () => (await stats()).requests.byRoute["POST /graphql"] ?? 0;

describe("reading Lists on each sync", () => {
  it("imports Lists and memberships, shows them as list:Name and in no list, and stays true to GitHub", async () => {
    await using _ = await fastWorkflows();
    const login = "lists-import";
    const { sessionToken } = await signInWith(login, 12, "repo");
    const stars = (await githubStars(login)).map((star) => star.fullName);
    const dev = await github().createList({ login, name: "Dev tools", items: stars.slice(0, 3) });
    await github().createList({
      login,
      name: "Later",
      isPrivate: true,
      items: [stars[3] as string, stars[0] as string],
    });
    doneOf(await syncOnce(sessionToken));

    const read = await lists(sessionToken);
    expect(read.lists.map((list) => [list.name, list.itemCount, list.inLibrary])).toEqual([
      ["Dev tools", 3, 3],
      ["Later", 2, 2],
    ]);
    expect(read.notInAnyList).toBe(12 - 4);
    expect(read.write).toEqual({ canWrite: false, reason: "missing-scope", scopes: "repo" });
    expect(read.lists[0]?.url).toBe(`https://github.com/stars/${login}/lists/dev-tools`);
    expect(sorted((await itemsOf(sessionToken, "list=dev%20tools")).map((item) => item.fullName))).toEqual(
      sorted(stars.slice(0, 3)),
    );
    const first = (await itemsOf(sessionToken, "list=Later")).find((item) => item.fullName === stars[0]);
    expect(first?.lists).toEqual(["Dev tools", "Later"]);
    expect(await itemsOf(sessionToken, "unlisted=true")).toHaveLength(8);
    // The search's operators: `list:"Dev tools"` alone lists it; `no:list` is the rest.
    const search = async (q: string) => {
      const response = await call(sessionToken, `/api/search?q=${encodeURIComponent(q)}&limit=50`);
      expect(response.status).toBe(200);
      return SearchResponse.parse(await response.json()).items.map((item) => item.fullName);
    };
    expect(sorted(await search('list:"Dev tools"'))).toEqual(sorted(stars.slice(0, 3)));
    expect(await search("no:list")).toHaveLength(8);

    // Renamed on GitHub: same id, memberships kept; deleted: gone with its memberships; items changed: followed.
    await github().updateList({
      login,
      listId: dev.id,
      name: "Tools",
      items: [stars[1] as string, stars[5] as string],
    });
    const later = (await github().lists(login)).find((list) => list.name === "Later") as ListSummary;
    await github().deleteList({ login, listId: later.id });
    doneOf(await syncOnce(sessionToken));
    const after = await lists(sessionToken);
    expect(after.lists.map((list) => [list.id, list.name, list.inLibrary])).toEqual([[dev.id, "Tools", 2]]);
    expect(sorted((await itemsOf(sessionToken, "list=Tools")).map((item) => item.fullName))).toEqual(
      sorted([stars[1] as string, stars[5] as string]),
    );
    expect((await itemsOf(sessionToken, "list=Later")).length).toBe(0);
    expect(await itemsOf(sessionToken, "unlisted=true")).toHaveLength(10);
  });

  it("reads only the index when GitHub shows no List changed: one request, one point", async () => {
    await using _ = await fastWorkflows();
    const login = "lists-quiet";
    const { sessionToken } = await signInWith(login, 6, "");
    const stars = (await githubStars(login)).map((star) => star.fullName);
    await github().createList({ login, name: "A", items: stars.slice(0, 2) });
    doneOf(await syncOnce(sessionToken));
    const before = (await stats()).rateLimit[login]?.graphql.used ?? 0;
    const requests = await mutations();
    doneOf(await syncOnce(sessionToken));
    // The second sync's GraphQL: the Lists index only (no README, health or items lookups for an unchanged library).
    expect(((await stats()).rateLimit[login]?.graphql.used ?? 0) - before).toBe(1);
    expect((await mutations()) - requests).toBe(1);
  });
});

describe("writing Lists from Starwise", () => {
  it("refuses every write without the `user` scope, says why in words, and writes nothing", async () => {
    const login = "lists-noscope";
    const { sessionToken } = await signInWith(login, 4, "repo, read:user");
    const before = await mutations();
    const response = await call(sessionToken, "/api/lists", { body: { tag: "rust" } });
    expect(response.status).toBe(403);
    const body = ErrorBody.parse(await response.json());
    expect(body.error.code).toBe("github_scope_missing");
    expect(body.error.message).toContain('"user" scope');
    expect(body.error.message).toContain('it has "repo, read:user"');
    expect(await github().lists(login)).toEqual([]);
    // One read (the index, whose answer carries X-OAuth-Scopes); no mutation.
    expect((await mutations()) - before).toBe(1);
    expect((await lists(sessionToken)).write).toEqual({
      canWrite: false,
      reason: "missing-scope",
      scopes: "repo, read:user",
    });

    const fine = await signInWith("lists-fine", 3, "", "fine-grained");
    const refused = await call(fine.sessionToken, "/api/lists", { body: { tag: "rust" } });
    expect(refused.status).toBe(403);
    expect(ErrorBody.parse(await refused.json()).error.message).toContain("fine-grained");
    expect((await lists(fine.sessionToken)).write).toMatchObject({ canWrite: false, reason: "fine-grained" });
  });

  it("creates a List from a tag, its stars added, linked to the tag", async () => {
    const login = "lists-create";
    const { sessionToken } = await signInWith(login, 6, "repo, user");
    doneOf(await syncOnce(sessionToken));
    const stars = (await githubStars(login)).map((star) => star.fullName);
    await tag(sessionToken, stars[0] as string, ["rust"]);
    await tag(sessionToken, stars[2] as string, ["Rust", "cli"]);
    const response = await call(sessionToken, "/api/lists", { body: { tag: "rust", name: "Rust crates" } });
    expect(response.status).toBe(201);
    const list = GithubList.parse(await response.json());
    expect(list).toMatchObject({ name: "Rust crates", linkedTag: "rust", slug: "rust-crates" });
    expect(await truth(login)).toEqual({ "Rust crates": sorted([stars[0] as string, stars[2] as string]) });
    expect((await lists(sessionToken)).write).toEqual({ canWrite: true, scopes: "repo, user" });
  });

  it("says the List limit in GitHub's own words, and creates nothing", async () => {
    const login = "lists-limit";
    const { sessionToken } = await signInWith(login, 3, "user");
    await github().createList({ login, name: "The only one" });
    await github().setConfig({ listLimit: 1 });
    try {
      const response = await call(sessionToken, "/api/lists", { body: { tag: "x" } });
      expect(response.status).toBe(422);
      const body = ErrorBody.parse(await response.json());
      expect(body.error.code).toBe("github_list_limit");
      expect(body.error.message).toBe(
        `GitHub allows no more Lists on this account. GitHub said: "You can't create more than 1 lists."`,
      );
      expect(Object.keys(await truth(login))).toEqual(["The only one"]);
    } finally {
      await github().setConfig({ listLimit: 32 });
    }
  });

  it("the replace-membership trap: adding to one List keeps every other List, one changed on GitHub too", async () => {
    const login = "lists-trap";
    const { sessionToken } = await signInWith(login, 5, "user");
    const stars = (await githubStars(login)).map((star) => star.fullName);
    const [r] = stars as [string];
    await github().createList({ login, name: "A", items: [r] });
    await github().createList({ login, name: "B" });
    const c = await github().createList({ login, name: "C" });
    doneOf(await syncOnce(sessionToken));
    // On GitHub after the sync: r also goes into B. Starwise's copy does not know.
    const b = (await github().lists(login)).find((list) => list.name === "B") as ListSummary;
    await github().updateList({ login, listId: b.id, items: [r] });

    const added = await call(sessionToken, `/api/lists/${c.id}/items`, { body: { add: [r] } });
    expect(added.status).toBe(200);
    expect(ListItemsResponse.parse(await added.json())).toMatchObject({ changed: [r], unchanged: [], skipped: [] });
    // Sending only C would have dropped r from A and B (the emulator's mutation replaces, as GitHub's does).
    expect(await truth(login)).toEqual({ A: [r], B: [r], C: [r] });
    const removed = await call(sessionToken, `/api/lists/${c.id}/items`, {
      body: { remove: [r], add: ["nobody/not-starred"] },
    });
    expect(ListItemsResponse.parse(await removed.json())).toMatchObject({
      changed: [r],
      skipped: ["nobody/not-starred"],
    });
    expect(await truth(login)).toEqual({ A: [r], B: [r], C: [] });
    const item = (await itemsOf(sessionToken, "list=A")).find((one) => one.fullName === r);
    expect(item?.lists).toEqual(["A", "B"]);
  });
});

describe("a List linked to a tag: both ways at each sync (three-way, against the last sync's agreement)", () => {
  async function linked(login: string) {
    const { sessionToken } = await signInWith(login, 6, "user");
    doneOf(await syncOnce(sessionToken));
    const stars = (await githubStars(login)).map((star) => star.fullName) as [
      string,
      string,
      string,
      string,
      ...string[],
    ];
    await tag(sessionToken, stars[0], ["go"]);
    await tag(sessionToken, stars[1], ["go"]);
    const response = await call(sessionToken, "/api/lists", { body: { tag: "go", name: "Go" } });
    const list = GithubList.parse(await response.json());
    doneOf(await syncOnce(sessionToken));
    return { sessionToken, stars, list };
  }
  const tagsOf = async (session: string, fullName: string) =>
    (await itemsOf(session, "sort=name")).find((item) => item.fullName === fullName)?.customTags;

  it("changed only here (tag added, tag removed): GitHub follows", async () => {
    await using _ = await fastWorkflows();
    const login = "link-here";
    const { sessionToken, stars } = await linked(login);
    await tag(sessionToken, stars[2], ["go"]);
    await tag(sessionToken, stars[0], []);
    doneOf(await syncOnce(sessionToken));
    expect(await truth(login)).toEqual({ Go: sorted([stars[1], stars[2]]) });
  });

  it("changed only on GitHub (added, removed): the tag follows, other tags kept", async () => {
    await using _ = await fastWorkflows();
    const login = "link-github";
    const { sessionToken, stars, list } = await linked(login);
    await tag(sessionToken, stars[3], ["keep"]);
    await github().updateList({ login, listId: list.id, items: [stars[1], stars[3]] });
    doneOf(await syncOnce(sessionToken));
    expect(await tagsOf(sessionToken, stars[3])).toEqual(["keep", "go"]);
    expect(await tagsOf(sessionToken, stars[0])).toEqual([]);
    expect(await truth(login)).toEqual({ Go: sorted([stars[1], stars[3]]) });
  });

  it("changed the same way on both sides: nothing is sent", async () => {
    await using _ = await fastWorkflows();
    const login = "link-both";
    const { sessionToken, stars, list } = await linked(login);
    await tag(sessionToken, stars[2], ["go"]);
    await github().updateList({ login, listId: list.id, items: [stars[0], stars[1], stars[2]] });
    const before = await mutations();
    doneOf(await syncOnce(sessionToken));
    // The index and the changed List's items: no mutation.
    expect((await mutations()) - before).toBe(2);
    expect(await truth(login)).toEqual({ Go: sorted([stars[0], stars[1], stars[2]]) });
  });

  it("deleted on GitHub while the tag changed here: GitHub's deletion wins, the link ends, the tag stays", async () => {
    await using _ = await fastWorkflows();
    const login = "link-deleted";
    const { sessionToken, stars, list } = await linked(login);
    await tag(sessionToken, stars[2], ["go"]);
    await github().deleteList({ login, listId: list.id });
    doneOf(await syncOnce(sessionToken));
    expect(await truth(login)).toEqual({});
    expect((await lists(sessionToken)).lists).toEqual([]);
    expect(await tagsOf(sessionToken, stars[2])).toEqual(["go"]);
  });

  it("renamed on GitHub and here since the last sync: GitHub's name is kept, said as a conflict", async () => {
    await using _ = await fastWorkflows();
    const login = "link-rename";
    const { sessionToken, list } = await linked(login);
    await github().updateList({ login, listId: list.id, name: "Golang" });
    const response = await call(sessionToken, `/api/lists/${list.id}`, { method: "PATCH", body: { name: "Go code" } });
    expect(response.status).toBe(409);
    expect(ErrorBody.parse(await response.json()).error.message).toContain('now "Golang"');
    expect(Object.keys(await truth(login))).toEqual(["Golang"]);
    expect((await lists(sessionToken)).lists.map((one) => [one.name, one.linkedTag])).toEqual([["Golang", "go"]]);
    // Not renamed on GitHub since: the rename from here goes through.
    const renamed = await call(sessionToken, `/api/lists/${list.id}`, { method: "PATCH", body: { name: "Go code" } });
    expect(renamed.status).toBe(200);
    expect(Object.keys(await truth(login))).toEqual(["Go code"]);
  });
});

describe("another user's Lists", () => {
  it("are neither read nor written by this user's syncs and writes", async () => {
    await using _ = await fastWorkflows();
    const mine = await signInWith("lists-mine", 4, "user");
    const theirs = await signInWith("lists-theirs", 4, "user");
    const their = (await githubStars("lists-theirs")).map((star) => star.fullName);
    const theirList = await github().createList({ login: "lists-theirs", name: "Theirs", items: their.slice(0, 2) });
    doneOf(await syncOnce(theirs.sessionToken));
    doneOf(await syncOnce(mine.sessionToken));
    expect((await lists(mine.sessionToken)).lists).toEqual([]);
    // Their List's id is not mine to change: GitHub says so before anything is sent, and D1 says not found.
    const response = await call(mine.sessionToken, `/api/lists/${theirList.id}/items`, { body: { add: [their[2]] } });
    expect(response.status).toBe(404);
    const patch = await call(mine.sessionToken, `/api/lists/${theirList.id}`, { method: "PATCH", body: { name: "x" } });
    expect(patch.status).toBe(404);
    expect(await truth("lists-theirs")).toEqual({ Theirs: sorted(their.slice(0, 2)) });
    expect((await lists(theirs.sessionToken)).lists.map((list) => list.name)).toEqual(["Theirs"]);
  });
});

describe("MCP", () => {
  it("lists the Lists, searches one, and adds to one on GitHub keeping the others", async () => {
    await using _ = await fastWorkflows();
    const login = "lists-agent";
    const { sessionToken } = await signInWith(login, 5, "user");
    const stars = (await githubStars(login)).map((star) => star.fullName) as [string, string, string];
    await github().createList({ login, name: "Reading", items: [stars[0]] });
    await github().createList({ login, name: "Keep", items: [stars[1]] });
    doneOf(await syncOnce(sessionToken));
    const client = new Client({ name: "starwise-test", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), {
        fetch: workerFetch,
        requestInit: { headers: { Authorization: `Bearer ${sessionToken}` } },
      }),
    );
    const text = (result: Awaited<ReturnType<Client["callTool"]>>) =>
      JSON.parse((result.content as Array<{ text: string }>)[0]?.text ?? "null");
    const overview = text(await client.callTool({ name: "list_github_lists", arguments: {} }));
    expect(overview.lists.map((list: { name: string }) => list.name)).toEqual(["Keep", "Reading"]);
    expect(overview).toMatchObject({ notInAnyList: 3, write: { canWrite: true } });
    const found = text(await client.callTool({ name: "search_stars", arguments: { query: "list:reading" } }));
    expect(found.results.map((hit: { fullName: string }) => hit.fullName)).toEqual([stars[0]]);
    expect(found.results[0].lists).toEqual(["Reading"]);
    const set = await client.callTool({
      name: "set_github_list_items",
      arguments: { list: "reading", add: [stars[1]] },
    });
    expect(text(set)).toMatchObject({ changed: [stars[1]] });
    expect(await truth(login)).toEqual({ Keep: [stars[1]], Reading: sorted([stars[0], stars[1]]) });
    const unknown = await client.callTool({
      name: "set_github_list_items",
      arguments: { list: "nope", add: [stars[2]] },
    });
    expect(unknown.isError).toBe(true);
    await client.close();
  });
});
