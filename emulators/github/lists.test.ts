// Star Lists as GitHub's GraphQL schema has them: reading `viewer.lists` and `UserList.items`, the four mutations,
// the replace-membership rule of `updateUserListsForItem`, the `user` scope, the list limit, the order of items.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEmulatorClient, type EmulatorClient, type GroundTruthStar } from "./client.ts";
import { DEFAULT_LIST_LIMIT } from "./lists.ts";
import { startGithubEmulator, type GithubEmulator } from "./server.ts";
import { graphql } from "./test-helpers.ts";

let emulator: GithubEmulator;
let ctl: EmulatorClient;
let token: string;
let stars: GroundTruthStar[];

beforeAll(async () => {
  emulator = await startGithubEmulator({ port: 0, stars: 10, seed: 3, quiet: true });
  ctl = createEmulatorClient(emulator.url);
});
afterAll(() => emulator.close());
afterEach(() => ctl.reset());

async function lister(scopes = "repo, user") {
  token = (await ctl.createUser({ login: "lister", stars: 30, scopes })).token;
  stars = (await ctl.stars("lister")).filter((star) => !star.private);
}

const LISTS = /* GraphQL */ `
  query ($first: Int!, $after: String) {
    viewer {
      lists(first: 10) {
        totalCount
        nodes {
          id name slug description isPrivate lastAddedAt updatedAt
          items(first: $first, after: $after) {
            totalCount
            pageInfo { hasNextPage endCursor }
            nodes { __typename ... on Repository { nameWithOwner databaseId } }
          }
        }
      }
    }
    rateLimit { cost }
  }
`;

const CREATE = /* GraphQL */ `
  mutation ($name: String!, $description: String, $isPrivate: Boolean) {
    createUserList(input: { name: $name, description: $description, isPrivate: $isPrivate }) {
      list { id name slug isPrivate }
    }
  }
`;
const SET_LISTS = /* GraphQL */ `
  mutation ($itemId: ID!, $listIds: [ID!]!) {
    updateUserListsForItem(input: { itemId: $itemId, listIds: $listIds }) {
      lists { name }
      item { ... on Repository { nameWithOwner } }
    }
  }
`;

describe("reading lists", () => {
  it("answers viewer.lists and UserList.items in GitHub's schema, paged, 1 point for lists with items", async () => {
    await lister();
    const names = stars.slice(0, 7).map((star) => star.fullName);
    const tools = await ctl.createList({ login: "lister", name: "Dev tools", description: "CLI", items: names });
    await ctl.createList({ login: "lister", name: "Secret", isPrivate: true, items: [] });

    const first = await graphql(emulator, LISTS, { first: 3 }, token);
    expect(first.status).toBe(200);
    expect(first.body.errors).toBeUndefined();
    // lists(first:10) + 10 × items(first:3): 11 requests, under 100: the minimum of 1 point.
    expect(first.body.data.rateLimit.cost).toBe(1);
    const lists = first.body.data.viewer.lists;
    expect(lists.totalCount).toBe(2);
    const [list, secret] = lists.nodes;
    expect(list).toMatchObject({ id: tools.id, name: "Dev tools", slug: "dev-tools", description: "CLI" });
    expect(secret).toMatchObject({ name: "Secret", isPrivate: true, items: { totalCount: 0, nodes: [] } });
    expect(list.items.totalCount).toBe(7);
    expect(list.items.nodes).toHaveLength(3);
    expect(list.items.nodes[0].__typename).toBe("Repository");

    // Every item exactly once over the pages.
    const seen: string[] = list.items.nodes.map((node: { nameWithOwner: string }) => node.nameWithOwner);
    let cursor = list.items.pageInfo.endCursor;
    while (cursor) {
      const page = (await graphql(emulator, LISTS, { first: 3, after: cursor }, token)).body.data.viewer.lists.nodes[0];
      seen.push(...page.items.nodes.map((node: { nameWithOwner: string }) => node.nameWithOwner));
      cursor = page.items.pageInfo.hasNextPage ? page.items.pageInfo.endCursor : null;
    }
    expect([...seen].sort()).toEqual([...names].sort());
    // No documented order: neither the order they were added in nor its reverse (a seeded shuffle, stable).
    expect(seen).not.toEqual(names);
    expect(seen).not.toEqual([...names].reverse());
    const again = (await graphql(emulator, LISTS, { first: 7 }, token)).body.data.viewer.lists.nodes[0];
    expect(again.items.nodes.map((node: { nameWithOwner: string }) => node.nameWithOwner)).toEqual(seen);
  });

  it("shows another user only the public lists; reading needs no scope", async () => {
    await lister("");
    await ctl.createList({ login: "lister", name: "Open", items: [stars[0]?.fullName as string] });
    await ctl.createList({ login: "lister", name: "Hidden", isPrivate: true });
    const own = await graphql(emulator, LISTS, { first: 5 }, token);
    expect(own.body.data.viewer.lists.totalCount).toBe(2);
    const other = await graphql(
      emulator,
      `{ user(login: "lister") { lists(first: 10) { totalCount nodes { name } } } }`,
    );
    expect(other.body.data.user.lists).toEqual({ totalCount: 1, nodes: [{ name: "Open" }] });
  });

  it("costs server time like other connections: each list's items and each repository", async () => {
    await lister();
    await ctl.createList({ login: "lister", name: "A", items: stars.slice(0, 4).map((star) => star.fullName) });
    await ctl.createList({ login: "lister", name: "B", items: stars.slice(4, 6).map((star) => star.fullName) });
    await ctl.setConfig({ realism: { preset: "github", model: { spread: 0, concurrencySlowdown: 0 } } });
    const before = (await ctl.stats()).tokens["user:lister"]?.serverMs.graphql ?? 0;
    await graphql(emulator, LISTS, { first: 100 }, token);
    const after = (await ctl.stats()).tokens["user:lister"]?.serverMs.graphql ?? 0;
    // 150 base + lists 15 + two items connections 2 × 15 + six repositories 6 × 30.
    expect(after - before).toBeCloseTo(150 + 15 + 2 * 15 + 6 * 30, 0);
    // A count alone resolves no repository: GitHub counts without fetching.
    await graphql(emulator, "{ viewer { lists(first: 10) { nodes { items { totalCount } } } } }", {}, token);
    const counted = (await ctl.stats()).tokens["user:lister"]?.serverMs.graphql ?? 0;
    expect(counted - after).toBeCloseTo(150 + 15 + 2 * 15, 0);
  });
});

describe("writing lists", () => {
  it("creates, renames (same id, new slug, same items), describes and deletes", async () => {
    await lister();
    const created = await graphql(emulator, CREATE, { name: "Rust things!", description: "crates" }, token);
    expect(created.body.errors).toBeUndefined();
    const list = created.body.data.createUserList.list;
    expect(list).toMatchObject({ name: "Rust things!", slug: "rust-things", isPrivate: false });
    await graphql(emulator, SET_LISTS, { itemId: stars[0]?.nodeId, listIds: [list.id] }, token);

    const renamed = await graphql(
      emulator,
      `mutation ($id: ID!) { updateUserList(input: { listId: $id, name: "Rust" }) { list { id name slug } } }`,
      { id: list.id },
      token,
    );
    expect(renamed.body.data.updateUserList.list).toEqual({ id: list.id, name: "Rust", slug: "rust" });
    expect((await ctl.lists("lister"))[0]?.items).toEqual([stars[0]?.fullName]);

    const deleted = await graphql(
      emulator,
      `mutation ($id: ID!) { deleteUserList(input: { listId: $id }) { user { login } } }`,
      { id: list.id },
      token,
    );
    expect(deleted.body.data.deleteUserList.user.login).toBe("lister");
    expect(await ctl.lists("lister")).toEqual([]);
  });

  it("updateUserListsForItem REPLACES the item's whole membership: lists left out lose it", async () => {
    await lister();
    const item = stars[0] as GroundTruthStar;
    const a = await ctl.createList({
      login: "lister",
      name: "A",
      items: [item.fullName, stars[1]?.fullName as string],
    });
    const b = await ctl.createList({ login: "lister", name: "B", items: [item.fullName] });
    const c = await ctl.createList({ login: "lister", name: "C" });

    const answer = await graphql(emulator, SET_LISTS, { itemId: item.nodeId, listIds: [c.id] }, token);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.updateUserListsForItem).toEqual({
      lists: [{ name: "C" }],
      item: { nameWithOwner: item.fullName },
    });
    const after = Object.fromEntries((await ctl.lists("lister")).map((list) => [list.name, list.items]));
    // Asked to be "in C", it left A and B: the trap a client must avoid by sending every list it should stay in.
    expect(after).toEqual({ A: [stars[1]?.fullName], B: [], C: [item.fullName] });
    expect((await ctl.lists("lister")).find((list) => list.id === a.id)?.lastAddedAt).toBe(a.lastAddedAt);
    expect(b.id).not.toBe(c.id);
    // The mutation does not star: the repository's star is as it was.
    expect((await ctl.stars("lister")).some((star) => star.fullName === item.fullName)).toBe(true);
  });

  it("refuses an unknown list or item as NOT_FOUND at the field, changing nothing", async () => {
    await lister();
    const a = await ctl.createList({ login: "lister", name: "A", items: [stars[0]?.fullName as string] });
    const other = await ctl.createUser({ login: "someone", stars: 3, scopes: "user" });
    const theirs = await ctl.createList({ login: "someone", name: "Theirs" });
    const answer = await graphql(emulator, SET_LISTS, { itemId: stars[0]?.nodeId, listIds: [theirs.id] }, token);
    expect(answer.body.data).toEqual({ updateUserListsForItem: null });
    expect(answer.body.errors[0]).toMatchObject({ type: "NOT_FOUND", path: ["updateUserListsForItem"] });
    expect((await ctl.lists("lister")).find((list) => list.id === a.id)?.items).toEqual([stars[0]?.fullName]);
    expect(other.login).toBe("someone");
  });
});

describe("scopes", () => {
  it("refuses writes from a classic token without `user` before running or charging them", async () => {
    await lister("repo, read:user");
    const before = (await ctl.stats()).rateLimit.lister?.graphql.used ?? 0;
    const answer = await graphql(emulator, CREATE, { name: "Nope" }, token);
    expect(answer.status).toBe(200);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors).toEqual([
      {
        type: "INSUFFICIENT_SCOPES",
        locations: [{ line: 3, column: 5 }],
        message:
          "Your token has not been granted the required scopes to execute this query. The 'createUserList' field " +
          "requires one of the following scopes: ['user'], but your token has only been granted the: " +
          "['repo', 'read:user'] scopes. Please modify your token's scopes at: https://github.com/settings/tokens.",
      },
    ]);
    expect(answer.headers.get("x-oauth-scopes")).toBe("repo, read:user");
    expect(await ctl.lists("lister")).toEqual([]);
    expect((await ctl.stats()).rateLimit.lister?.graphql.used ?? 0).toBe(before);
  });

  it("refuses writes from a fine-grained token (FORBIDDEN at the field) and sends it no X-OAuth-Scopes", async () => {
    const fine = await ctl.createUser({ login: "fine", stars: 5, tokenKind: "fine-grained" });
    const answer = await graphql(emulator, CREATE, { name: "Nope" }, fine.token);
    expect(answer.body.data).toEqual({ createUserList: null });
    expect(answer.body.errors[0]).toMatchObject({
      type: "FORBIDDEN",
      path: ["createUserList"],
      message: "Resource not accessible by personal access token",
    });
    expect(answer.headers.get("x-oauth-scopes")).toBeNull();
    expect(await ctl.lists("fine")).toEqual([]);
  });
});

describe("the list limit", () => {
  it(`answers list ${DEFAULT_LIST_LIMIT + 1} as GitHub does: UNPROCESSABLE at createUserList, data null`, async () => {
    await lister();
    for (let i = 0; i < DEFAULT_LIST_LIMIT; i++) await ctl.createList({ login: "lister", name: `List ${i}` });
    const answer = await graphql(emulator, CREATE, { name: "One more" }, token);
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual({ createUserList: null });
    expect(answer.body.errors).toEqual([
      {
        type: "UNPROCESSABLE",
        path: ["createUserList"],
        locations: [{ line: 3, column: 5 }],
        message: `You can't create more than ${DEFAULT_LIST_LIMIT} lists.`,
      },
    ]);
    expect(await ctl.lists("lister")).toHaveLength(DEFAULT_LIST_LIMIT);
    await expect(ctl.createList({ login: "lister", name: "Still no" })).rejects.toMatchObject({ status: 422 });
  });

  it("takes a limit of the test's choosing, and refuses a taken or blank name", async () => {
    await lister();
    await ctl.setConfig({ listLimit: 1 });
    await ctl.createList({ login: "lister", name: "Only" });
    const over = await graphql(emulator, CREATE, { name: "Second" }, token);
    expect(over.body.errors[0].message).toBe("You can't create more than 1 lists.");
    await ctl.setConfig({ listLimit: 5 });
    const taken = await graphql(emulator, CREATE, { name: "ONLY" }, token);
    expect(taken.body.errors[0]).toMatchObject({ type: "UNPROCESSABLE", message: "Name has already been taken" });
    const blank = await graphql(emulator, CREATE, { name: "  " }, token);
    expect(blank.body.errors[0]).toMatchObject({ type: "UNPROCESSABLE", message: "Name can't be blank" });
  });
});
