// GraphQL: real queries through @octokit/graphql against GitHub's schema, paging, nodes, git
// objects, validation errors and GitHub's cost rule.
import { graphql as octokitGraphql, GraphqlResponseError } from "@octokit/graphql";
import {
  getNamedType,
  getOperationAST,
  isNonNullType,
  isObjectType,
  parse,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeCost } from "./graphql-cost.ts";
import { githubSchema } from "./graphql.ts";
import { createEmulatorClient, type EmulatorClient } from "./client.ts";
import { startGithubEmulator, type GithubEmulator } from "./server.ts";
import { call, graphql } from "./test-helpers.ts";

let emulator: GithubEmulator;
let ctl: EmulatorClient;
let gql: typeof octokitGraphql;

beforeAll(async () => {
  emulator = await startGithubEmulator({ port: 0, stars: 1234, seed: 7, quiet: true });
  ctl = createEmulatorClient(emulator.url);
  gql = octokitGraphql.defaults({ baseUrl: emulator.url, headers: { authorization: "token emulator-token-octocat" } });
});
afterAll(() => emulator.close());

interface Truth {
  fullName: string;
  nodeId: string;
  starredAt: string;
  readmePath: string | null;
  readmeSha?: string | null;
  private: boolean;
}
async function truth(sha = false): Promise<Truth[]> {
  return ctl.stars("octocat", { sha });
}

const STARS_PAGE = /* GraphQL */ `
  query ($after: String, $direction: OrderDirection!) {
    viewer {
      starredRepositories(first: 100, after: $after, orderBy: { field: STARRED_AT, direction: $direction }) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges {
          starredAt
          node {
            databaseId id name nameWithOwner owner { login avatarUrl } description url homepageUrl
            stargazerCount primaryLanguage { name } repositoryTopics(first: 20) { nodes { topic { name } } }
            licenseInfo { spdxId } isArchived isFork isPrivate createdAt updatedAt pushedAt defaultBranchRef { name }
          }
        }
      }
    }
  }
`;

async function allStars(direction: "ASC" | "DESC") {
  const edges: Array<{ starredAt: string; node: Record<string, any> }> = [];
  let after: string | null = null;
  let totalCount = 0;
  let pages = 0;
  for (;;) {
    const result: any = await gql(STARS_PAGE, { after, direction });
    const connection = result.viewer.starredRepositories;
    totalCount = connection.totalCount;
    edges.push(...connection.edges);
    pages++;
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
  }
  return { edges, totalCount, pages };
}

describe("starredRepositories", () => {
  it("pages through every star newest first with cursors, totalCount and starredAt", async () => {
    const expected = await truth();
    const { edges, totalCount, pages } = await allStars("DESC");
    expect(totalCount).toBe(1234);
    expect(pages).toBe(13);
    expect(edges.map((e) => e.node.nameWithOwner)).toEqual(expected.map((s) => s.fullName));
    expect(edges.map((e) => e.starredAt)).toEqual(expected.map((s) => s.starredAt));
    const first = edges[0]?.node as Record<string, any>;
    expect(first.id).toMatch(/^R_kgDO/);
    expect(typeof first.databaseId).toBe("number");
    expect(first.owner.avatarUrl).toMatch(/^https:\/\/avatars\.githubusercontent\.com\/u\/\d+/);
    expect(first.defaultBranchRef.name).toMatch(/^(main|master|develop)$/);
    expect(edges.some((e) => e.node.repositoryTopics.nodes.length > 0)).toBe(true);
    expect(edges.some((e) => e.node.isPrivate)).toBe(true);
  });

  it("orders ascending with direction ASC and by default", async () => {
    const expected = (await truth()).map((s) => s.fullName).reverse();
    const asc = await allStars("ASC");
    expect(asc.edges.map((e) => e.node.nameWithOwner)).toEqual(expected);
    const noOrder: any = await gql(`{ viewer { starredRepositories(first: 5) { nodes { nameWithOwner } } } }`);
    expect(noOrder.viewer.starredRepositories.nodes.map((n: any) => n.nameWithOwner)).toEqual(expected.slice(0, 5));
  });

  it("supports last/before", async () => {
    const expected = (await truth()).map((s) => s.fullName);
    const page: any = await gql(
      "{ viewer { starredRepositories(last: 3, orderBy: {field: STARRED_AT, direction: DESC}) " +
        "{ pageInfo { hasPreviousPage startCursor } nodes { nameWithOwner } } } }",
    );
    expect(page.viewer.starredRepositories.nodes.map((n: any) => n.nameWithOwner)).toEqual(expected.slice(-3));
    const before: any = await gql(
      "query ($before: String) { viewer { " +
        "starredRepositories(last: 2, before: $before, orderBy: {field: STARRED_AT, direction: DESC}) " +
        "{ nodes { nameWithOwner } } } }",
      { before: page.viewer.starredRepositories.pageInfo.startCursor },
    );
    expect(before.viewer.starredRepositories.nodes.map((n: any) => n.nameWithOwner)).toEqual(expected.slice(-5, -3));
  });

  it("rejects a malformed cursor", async () => {
    const { status, body } = await graphql(
      emulator,
      `{ viewer { starredRepositories(first: 1, after: "bogus") { totalCount } } }`,
    );
    expect(status).toBe(200);
    expect(body.errors[0].type).toBe("INVALID_CURSOR_ARGUMENTS");
  });
});

describe("nodes, repository and git objects", () => {
  it("fetches up to 100 repositories by node id", async () => {
    const stars = (await truth()).slice(0, 100);
    const result: any = await gql(
      `query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Repository { nameWithOwner } } }`,
      {
        ids: stars.map((s) => s.nodeId),
      },
    );
    expect(result.nodes.map((n: any) => n.nameWithOwner)).toEqual(stars.map((s) => s.fullName));
  });

  it("answers null plus NOT_FOUND for unknown ids and refuses more than 100 ids", async () => {
    const stars = await truth();
    const { body } = await graphql(emulator, `query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, {
      ids: [stars[0]?.nodeId, "R_kgDOnope"],
    });
    expect(body.data.nodes[0].id).toBe(stars[0]?.nodeId);
    expect(body.data.nodes[1]).toBeNull();
    expect(body.errors[0]).toMatchObject({ type: "NOT_FOUND", path: ["nodes", 1] });

    const tooMany = await graphql(emulator, `query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, {
      ids: stars.slice(0, 101).map((s) => s.nodeId),
    });
    expect(tooMany.body.data).toBeUndefined();
    expect(tooMany.body.errors[0].type).toBe("EXCESSIVE_PAGINATION");
  });

  it("resolves repository(owner, name) and reports unknown ones as NOT_FOUND", async () => {
    const star = (await truth())[0] as Truth;
    const [owner, name] = star.fullName.split("/");
    const found: any = await gql(
      `query ($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { nameWithOwner id } }`,
      {
        owner,
        name,
      },
    );
    expect(found.repository).toEqual({ nameWithOwner: star.fullName, id: star.nodeId });

    const { body } = await graphql(emulator, `{ repository(owner: "nobody", name: "nothing") { id } }`);
    expect(body.data.repository).toBeNull();
    expect(body.errors[0]).toMatchObject({
      type: "NOT_FOUND",
      path: ["repository"],
      message: "Could not resolve to a Repository with the name 'nobody/nothing'.",
    });
  });

  it("serves README blobs and trees with case-sensitive paths", async () => {
    const stars = await truth(true);
    const star = stars.find((s) => s.readmePath === "README.md" && !s.private) as Truth;
    const [owner, name] = star.fullName.split("/");
    const result: any = await gql(
      `query ($owner: String!, $name: String!) {
        repository(owner: $owner, name: $name) {
          upper: object(expression: "HEAD:README.md") { ... on Blob { oid text byteSize isBinary isTruncated } }
          lower: object(expression: "HEAD:readme.md") { ... on Blob { oid } }
          root: object(expression: "HEAD:") { ... on Tree { entries { name oid type } } }
        }
      }`,
      { owner, name },
    );
    const raw = await call(emulator, `/repos/${star.fullName}/readme`, { accept: "application/vnd.github.raw+json" });
    const text = await raw.text();
    expect(result.repository.upper).toEqual({
      oid: star.readmeSha,
      text,
      byteSize: Buffer.byteLength(text),
      isBinary: false,
      isTruncated: false,
    });
    expect(result.repository.lower).toBeNull();
    const entry = result.repository.root.entries.find((e: any) => e.name === "README.md");
    expect(entry).toEqual({ name: "README.md", oid: star.readmeSha, type: "blob" });
    expect(result.repository.root.entries.some((e: any) => e.type === "tree")).toBe(true);
  });

  it("finds READMEs in subdirectories by HEAD:<path>", async () => {
    const stars = await truth(true);
    const star = stars.find((s) => s.readmePath?.includes("/") && !s.private) as Truth;
    expect(star).toBeDefined();
    const [owner, name] = star.fullName.split("/");
    const dir = (star.readmePath as string).split("/")[0];
    const result: any = await gql(
      `query ($owner: String!, $name: String!, $path: String!, $dir: String!) {
        repository(owner: $owner, name: $name) {
          blob: object(expression: $path) { ... on Blob { oid } }
          dir: object(expression: $dir) { ... on Tree { entries { name type } } }
        }
      }`,
      { owner, name, path: `HEAD:${star.readmePath}`, dir: `HEAD:${dir}` },
    );
    expect(result.repository.blob.oid).toBe(star.readmeSha);
    expect(result.repository.dir.entries).toContainEqual({ name: "README.md", type: "blob" });
  });

  it("cuts Blob.text at 512,000 bytes without splitting characters", async () => {
    const star = (await truth()).find((s) => s.readmePath === "README.md" && !s.private) as Truth;
    const big = `# Big\n${"é".repeat(300_000)}`; // 600,006 bytes
    await ctl.push({ fullName: star.fullName, readme: big });
    const [owner, name] = star.fullName.split("/");
    const result: any = await gql(
      "query ($owner: String!, $name: String!) { repository(owner: $owner, name: $name) " +
        '{ object(expression: "HEAD:README.md") { ... on Blob { text byteSize isTruncated } } } }',
      { owner, name },
    );
    const blob = result.repository.object;
    expect(blob.byteSize).toBe(Buffer.byteLength(big));
    expect(blob.isTruncated).toBe(true);
    expect(Buffer.byteLength(blob.text)).toBeLessThanOrEqual(512_000);
    expect(Buffer.byteLength(blob.text)).toBeGreaterThan(511_990);
    expect(big.startsWith(blob.text)).toBe(true);
  });
});

describe("validation and authentication", () => {
  it("rejects queries that do not validate, as GitHub does (HTTP 200 + errors)", async () => {
    const { status, body } = await graphql(emulator, `{ viewer { login nope } }`);
    expect(status).toBe(200);
    expect(body.data).toBeUndefined();
    expect(body.errors[0]).toMatchObject({
      message: "Field 'nope' doesn't exist on type 'User'",
      locations: [{ line: 1, column: 18 }],
      extensions: { code: "undefinedField", typeName: "User", fieldName: "nope" },
    });
    await expect(gql(`{ viewer { login nope } }`)).rejects.toBeInstanceOf(GraphqlResponseError);
  });

  it("rejects syntax errors and connections without first/last", async () => {
    const syntax = await graphql(emulator, `{ viewer { login `);
    expect(syntax.status).toBe(200);
    expect(syntax.body.errors[0].locations[0].line).toBe(1);

    const unbounded = await graphql(emulator, `{ viewer { starredRepositories { nodes { id } } } }`);
    expect(unbounded.body.errors[0].type).toBe("MISSING_PAGINATION_BOUNDARIES");
    const counted = await graphql(emulator, `{ viewer { starredRepositories { totalCount } } }`);
    expect(counted.body.data.viewer.starredRepositories.totalCount).toBe(1234);

    const tooBig = await graphql(emulator, `{ viewer { starredRepositories(first: 101) { nodes { id } } } }`);
    expect(tooBig.body.errors[0].type).toBe("EXCESSIVE_PAGINATION");
  });

  it("answers 401 without a token or with a bad one", async () => {
    const anonymous = await graphql(emulator, `{ viewer { login } }`, undefined, null);
    expect(anonymous.status).toBe(401);
    const bad = await graphql(emulator, `{ viewer { login } }`, undefined, "wrong");
    expect(bad.status).toBe(401);
    expect(bad.body.message).toBe("Bad credentials");
  });

  it("resolves valid but unimplemented fields to defaults, connections to empty ones (never null)", async () => {
    const result: any = await gql(`{ viewer { login isHireable repositories(first: 5) { totalCount nodes { id } } } }`);
    expect(result.viewer).toEqual({ login: "octocat", isHireable: false, repositories: { totalCount: 0, nodes: [] } });
  });
});

describe("cost", () => {
  function costOf(query: string, variables: Record<string, unknown> = {}) {
    const document = parse(query);
    const operation = getOperationAST(document) as OperationDefinitionNode;
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const d of document.definitions) if (d.kind === "FragmentDefinition") fragments[d.name.value] = d;
    return computeCost(githubSchema(), operation, fragments, variables);
  }

  it("follows GitHub's documented example (5,101 requests → 51 points)", () => {
    const cost = costOf(`{
      viewer { login repositories(first: 100) { edges { node { id
        issues(first: 50) { edges { node { id labels(first: 60) { edges { node { id name } } } } } }
      } } } }
    }`);
    expect(cost.requests).toBe(5101);
    expect(cost.cost).toBe(51);
    expect(cost.nodeCount).toBe(100 + 100 * 50 + 100 * 50 * 60);
  });

  it("counts fragments and variables", () => {
    const cost = costOf(
      "query ($n: Int!) { viewer { ...Stars } } fragment Stars on User { starredRepositories(first: $n) " +
        "{ nodes { ... on Repository { languages(first: 10) { nodes { name } } } } } }",
      { n: 50 },
    );
    expect(cost.requests).toBe(51);
    expect(cost.nodeCount).toBe(50 + 500);
  });

  it("charges 1 point for a page of 100 stars with topics, and more for bigger nested queries", async () => {
    const cheap = await graphql(
      emulator,
      "{ viewer { starredRepositories(first: 100) " +
        `{ nodes { nameWithOwner object(expression: "HEAD:README.md") { ... on Blob { oid } }
         repositoryTopics(first: 20) { nodes { topic { name } } } } } } ` +
        "rateLimit { cost used remaining limit resetAt nodeCount } }",
    );
    expect(cheap.body.data.rateLimit.cost).toBe(1);
    expect(cheap.body.data.rateLimit.nodeCount).toBe(100 + 100 * 20);
    const usedAfterCheap = Number(cheap.headers.get("x-ratelimit-used"));
    expect(cheap.headers.get("x-ratelimit-resource")).toBe("graphql");
    expect(cheap.body.data.rateLimit.used).toBe(usedAfterCheap);

    const nested = await graphql(
      emulator,
      `{ viewer { starredRepositories(first: 50) { nodes { repositoryTopics(first: 10) { nodes { topic { name
         stargazers(first: 10) { totalCount } } } } } } } rateLimit { cost } }`,
    );
    // 1 + 50 + 50 × 10 = 551 requests → 6 points
    expect(nested.body.data.rateLimit.cost).toBe(6);
    expect(Number(nested.headers.get("x-ratelimit-used"))).toBe(usedAfterCheap + 6);
    expect(Number(nested.headers.get("x-ratelimit-remaining"))).toBe(5000 - usedAfterCheap - 6);
  });

  it("refuses queries that could return more than 500,000 nodes", async () => {
    const { body } = await graphql(
      emulator,
      "{ viewer { starredRepositories(first: 100) { nodes { repositoryTopics(first: 100) " +
        "{ nodes { topic { stargazers(first: 100) { totalCount } } } } } } } }",
    );
    expect(body.data).toBeUndefined();
    expect(body.errors[0].type).toBe("MAX_NODE_LIMIT_EXCEEDED");
  });

  it("does not charge dry runs", async () => {
    const before = await graphql(emulator, `{ rateLimit { used } }`);
    const dry = await graphql(
      emulator,
      `{ viewer { starredRepositories(first: 100) { nodes { repositoryTopics(first: 100) { nodes { topic {
         stargazers(first: 10) { totalCount } } } } } } } rateLimit(dryRun: true) { cost used } }`,
    );
    // 1 + 100 + 100 × 100 = 10,101 requests → 101 points
    expect(dry.body.data.rateLimit.cost).toBe(101);
    expect(dry.body.data.rateLimit.used).toBe(before.body.data.rateLimit.used);
    const after = await graphql(emulator, `{ rateLimit { used } }`);
    expect(after.body.data.rateLimit.used).toBe(before.body.data.rateLimit.used + 1);
  });
});

describe("fields real clients ask for", () => {
  const LANGS = /* GraphQL */ `
    query ($o: String!, $n: String!, $d: OrderDirection!) {
      repository(owner: $o, name: $n) {
        primaryLanguage { name color }
        languages(first: 10, orderBy: { field: SIZE, direction: $d }) {
          totalSize totalCount
          edges { size node { name color } }
          nodes { name }
          pageInfo { hasNextPage }
        }
        one: languages(first: 1) { totalCount edges { size } pageInfo { hasNextPage } }
      }
    }`;

  it("languages: a real connection derived from the repository's language, biggest first", async () => {
    const stars = (await truth()).filter((s) => !s.private).slice(0, 60);
    let multi = 0;
    for (const star of stars) {
      const [o, n] = star.fullName.split("/");
      const desc: any = await gql(LANGS, { o, n, d: "DESC" });
      const { primaryLanguage, languages, one } = desc.repository;
      if (!primaryLanguage) {
        expect(languages).toMatchObject({ totalSize: 0, totalCount: 0, edges: [], nodes: [] });
        continue;
      }
      const sizes = languages.edges.map((e: any) => e.size);
      expect(languages.edges.length).toBeGreaterThanOrEqual(1);
      expect(languages.totalCount).toBe(languages.edges.length);
      expect(languages.totalSize).toBe(sizes.reduce((a: number, b: number) => a + b, 0));
      expect([...sizes].sort((a, b) => b - a)).toEqual(sizes);
      for (const size of sizes) expect(size).toBeGreaterThan(0);
      expect(languages.edges[0].node).toEqual(primaryLanguage);
      expect(languages.nodes.map((l: any) => l.name)).toEqual(languages.edges.map((e: any) => e.node.name));
      expect(one.edges).toHaveLength(1);
      expect(one.pageInfo.hasNextPage).toBe(languages.totalCount > 1);
      if (languages.totalCount > 1) multi++;

      const asc: any = await gql(LANGS, { o, n, d: "ASC" });
      expect(asc.repository.languages.edges).toEqual([...languages.edges].reverse());
      expect(await gql(LANGS, { o, n, d: "DESC" })).toEqual(desc); // deterministic
    }
    expect(multi).toBeGreaterThan(10);
  });

  it("Topic.stargazerCount is a deterministic, non-zero count (and stargazers.totalCount agrees)", async () => {
    const query =
      `{ viewer { starredRepositories(first: 50, orderBy: {field: STARRED_AT, direction: DESC}) { nodes {
      repositoryTopics(first: 20) { nodes { topic { name stargazerCount ` +
      "stargazers(first: 0) { totalCount } } } } } } } }";
    const first: any = await gql(query);
    const topics = first.viewer.starredRepositories.nodes.flatMap((n: any) =>
      n.repositoryTopics.nodes.map((t: any) => t.topic),
    );
    expect(topics.length).toBeGreaterThan(20);
    const counts = new Set<number>();
    for (const topic of topics) {
      expect(topic.stargazerCount).toBeGreaterThan(0);
      expect(topic.stargazers.totalCount).toBe(topic.stargazerCount);
      counts.add(topic.stargazerCount);
    }
    expect(counts.size).toBeGreaterThan(10);
    expect(await gql(query)).toEqual(first);
  });

  it("answers every connection field of Repository with a connection, never null", async () => {
    const schema = githubSchema();
    const repository = schema.getType("Repository") as import("graphql").GraphQLObjectType;
    const selections: string[] = [];
    for (const field of Object.values(repository.getFields())) {
      const named = getNamedType(field.type);
      if (!isObjectType(named) || !named.name.endsWith("Connection")) continue;
      if (field.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
      const fields = named.getFields();
      const parts = [
        "totalCount" in fields ? "totalCount" : "",
        "nodes" in fields ? "nodes { __typename }" : "",
        "edges" in fields ? "edges { __typename }" : "",
        "pageInfo { hasNextPage endCursor }",
      ];
      const first = field.args.some((a) => a.name === "first") ? "(first: 1)" : "";
      selections.push(`${field.name}${first} { ${parts.join(" ")} }`);
    }
    expect(selections.length).toBeGreaterThan(30);
    const star = (await truth()).find((s) => !s.private) as Truth;
    const [o, n] = star.fullName.split("/");
    const { body } = await graphql(
      emulator,
      `query ($o: String!, $n: String!) { repository(owner: $o, name: $n) { ${selections.join("\n")} } }`,
      { o, n },
    );
    expect(body.errors).toBeUndefined();
    for (const [name, connection] of Object.entries(body.data.repository as Record<string, any>)) {
      expect(connection, name).not.toBeNull();
      if ("nodes" in connection) expect(Array.isArray(connection.nodes), name).toBe(true);
      if ("edges" in connection) expect(Array.isArray(connection.edges), name).toBe(true);
      if ("totalCount" in connection) expect(typeof connection.totalCount, name).toBe("number");
      expect(connection.pageInfo, name).toMatchObject({ hasNextPage: expect.any(Boolean) });
    }
  });
});
