// Real star managers' GraphQL queries (fixtures/client-queries.ts) against the emulator: each one
// executes without errors, and no connection or list anywhere in the answer is null — GitHub
// answers an empty connection or [] where there is nothing.
import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isInterfaceType,
  isListType,
  isObjectType,
  parse,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type SelectionSetNode,
} from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulatorClient } from "./client.ts";
import { CLIENT_QUERIES } from "./fixtures/client-queries.ts";
import { githubSchema } from "./graphql.ts";
import { startGithubEmulator, type GithubEmulator } from "./server.ts";
import { graphql } from "./test-helpers.ts";

let emulator: GithubEmulator;
let publicStar: { owner: string; name: string };

beforeAll(async () => {
  emulator = await startGithubEmulator({ port: 0, stars: 150, seed: 3, quiet: true });
  const stars = await createEmulatorClient(emulator.url).stars("octocat");
  const [owner = "", name = ""] = (stars.find((s) => !s.private)?.fullName ?? "").split("/");
  publicStar = { owner, name };
});
afterAll(() => emulator.close());

/**
 * Walks `data` along the query's selections and lists every place where a connection (a type
 * named …Connection) or a list is null. Fragments are followed; on abstract types an inline
 * fragment's fields are checked when the answer has them.
 */
function nullShapes(schema: GraphQLSchema, query: string, data: unknown): string[] {
  const document = parse(query);
  const fragments = new Map<string, { typeName: string; selectionSet: SelectionSetNode }>();
  for (const d of document.definitions) {
    if (d.kind === "FragmentDefinition")
      fragments.set(d.name.value, { typeName: d.typeCondition.name.value, selectionSet: d.selectionSet });
  }
  const operation = document.definitions.find((d) => d.kind === "OperationDefinition");
  if (!operation || operation.kind !== "OperationDefinition") throw new Error("no operation");
  const problems: string[] = [];

  const visit = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, value: unknown, path: string) => {
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) visit(selectionSet, parent, item, `${path}[${i}]`);
      return;
    }
    const object = value as Record<string, unknown>;
    for (const selection of selectionSet.selections) {
      if (selection.kind === "InlineFragment" || selection.kind === "FragmentSpread") {
        const fragment = selection.kind === "FragmentSpread" ? fragments.get(selection.name.value) : undefined;
        const typeName = selection.kind === "InlineFragment" ? selection.typeCondition?.name.value : fragment?.typeName;
        const type = typeName ? schema.getType(typeName) : parent;
        const set = selection.kind === "InlineFragment" ? selection.selectionSet : fragment?.selectionSet;
        if (set && type && (isObjectType(type) || isAbstractType(type))) visit(set, type, object, path);
        continue;
      }
      const name = selection.name.value;
      if (name === "__typename") continue;
      const key = selection.alias?.value ?? name;
      if (!(key in object)) continue; // a fragment on another concrete type
      const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
      if (!field) continue;
      const child = object[key];
      const named = getNamedType(field.type);
      if (child === null) {
        if (isListType(getNullableType(field.type))) problems.push(`${path}.${key}: a list is null`);
        else if (named.name.endsWith("Connection")) problems.push(`${path}.${key}: a ${named.name} is null`);
        continue;
      }
      if (selection.selectionSet && (isObjectType(named) || isAbstractType(named))) {
        visit(selection.selectionSet, named as GraphQLCompositeType, child, `${path}.${key}`);
      }
    }
  };
  const root = operation.operation === "mutation" ? schema.getMutationType() : schema.getQueryType();
  if (root) visit(operation.selectionSet, root, data, "data");
  return problems;
}

function fill(variables: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = { $LOGIN: "octocat", $OWNER: publicStar.owner, $NAME: publicStar.name };
  return Object.fromEntries(
    Object.entries(variables).map(([k, v]) => [k, typeof v === "string" && v in values ? values[v] : v]),
  );
}

describe("queries of real star managers", () => {
  it("the walker itself finds null connections and lists (so the checks below can fail)", () => {
    const query =
      "{ viewer { starredRepositories(first: 1) { nodes { languages(first: 1) { nodes { name } } " +
      "repositoryTopics(first: 1) { nodes { topic { name } } } } } } }";
    const data = {
      viewer: { starredRepositories: { nodes: [{ languages: null, repositoryTopics: { nodes: null } }] } },
    };
    expect(nullShapes(githubSchema(), query, data)).toEqual([
      "data.viewer.starredRepositories.nodes[0].languages: a LanguageConnection is null",
      "data.viewer.starredRepositories.nodes[0].repositoryTopics.nodes: a list is null",
    ]);
  });

  for (const { client, source, query, variables } of CLIENT_QUERIES) {
    it(`${client}: ${source.slice(source.lastIndexOf("/") + 1)}`, async () => {
      const { status, body } = await graphql(emulator, query, fill(variables));
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data).toBeTruthy();
      expect(nullShapes(githubSchema(), query, body.data)).toEqual([]);
    });
  }

  it("answers maguowei/starred with languages and topic stargazer counts it can use", async () => {
    const entry = CLIENT_QUERIES.find((q) => q.client === "maguowei/starred");
    const { body } = await graphql(emulator, entry?.query ?? "", fill(entry?.variables ?? {}));
    const nodes = body.data.user.starredRepositories.nodes as any[];
    expect(nodes).toHaveLength(100);
    // The client reads languages.edges[0].node.name as the language.
    expect(nodes.filter((n) => n.languages.edges.length === 1).length).toBeGreaterThan(50);
    const topics = nodes.flatMap((n) => n.repositoryTopics.nodes);
    expect(topics.length).toBeGreaterThan(50);
    // It keeps only topics with more stargazers than its threshold: 0 everywhere dropped them all.
    for (const t of topics) expect(t.topic.stargazerCount).toBeGreaterThan(0);
  });
});
