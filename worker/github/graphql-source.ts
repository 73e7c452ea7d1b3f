import { z } from "zod";
import type { GithubApi } from "./api";
import { GithubError } from "./errors";
import { fetchReadmeRest, isRunWide } from "./rest-source";
import { mapPool, type ReadmeOutcome, type ReadmeRequest, type StarPage, type StarSource } from "./source";
import type { ReadmeRef, RepoMetadata, StarredRepo } from "./types";

/** Page sizes tried in turn when GitHub times out on a big page (502/504, RESOURCE_LIMITS_EXCEEDED). */
const PAGE_SIZES = [100, 50, 25, 10];
/** README texts per query: at most this many blobs and about this many bytes (halved on a timeout). */
const README_BATCH_COUNT = 250;
const README_BATCH_BYTES = 2_000_000;
const README_BATCH_CONCURRENCY = 3;
const REST_FALLBACK_CONCURRENCY = 3;

// Where GitHub looks for a README, in its order: .github/, the root, docs/ (docs.github.com,
// "About READMEs"). Listing those three trees finds every README whatever its case or
// extension, or proves there is none, without a single REST `/readme` call. Trees are
// objects, not connections: they cost no points.
/** The repository fields a sync keeps (RepoMetadata), for every query that reads repositories. */
export const REPOSITORY_FIELDS = /* GraphQL */ `
  databaseId id nameWithOwner name
  owner { login avatarUrl }
  description url homepageUrl stargazerCount
  primaryLanguage { name }
  repositoryTopics(first: 20) { nodes { topic { name } } }
  licenseInfo { spdxId }
  isArchived isFork isPrivate createdAt updatedAt pushedAt
`;

const STARRED_PAGE = /* GraphQL */ `
  query StarredPage($first: Int!, $after: String) {
    viewer {
      starredRepositories(first: $first, after: $after, orderBy: { field: STARRED_AT, direction: DESC }) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges {
          starredAt
          node {
            ${REPOSITORY_FIELDS}
            root: object(expression: "HEAD:") { ... on Tree { entries { name type oid size } } }
            dotGithub: object(expression: "HEAD:.github") { ... on Tree { entries { name type oid size } } }
            docs: object(expression: "HEAD:docs") { ... on Tree { entries { name type oid size } } }
          }
        }
      }
    }
    rateLimit { cost remaining resetAt }
  }
`;

const Tree = z
  .object({
    entries: z
      .array(z.object({ name: z.string(), type: z.string(), oid: z.string(), size: z.number().int().nullish() }))
      .nullish(),
  })
  .nullish();
export const RepositoryNode = z.object({
  databaseId: z.number().int(),
  id: z.string(),
  nameWithOwner: z.string(),
  name: z.string(),
  owner: z.object({ login: z.string(), avatarUrl: z.string().nullish() }),
  description: z.string().nullish(),
  url: z.string(),
  homepageUrl: z.string().nullish(),
  stargazerCount: z.number().int(),
  primaryLanguage: z.object({ name: z.string() }).nullish(),
  repositoryTopics: z.object({ nodes: z.array(z.object({ topic: z.object({ name: z.string() }) }).nullish()) }).nullish(),
  licenseInfo: z.object({ spdxId: z.string().nullish() }).nullish(),
  isArchived: z.boolean(),
  isFork: z.boolean(),
  isPrivate: z.boolean(),
  createdAt: z.string().nullish(),
  updatedAt: z.string().nullish(),
  pushedAt: z.string().nullish(),
});
const Node = RepositoryNode.extend({ root: Tree, dotGithub: Tree, docs: Tree });
const StarredPageData = z.object({
  viewer: z.object({
    starredRepositories: z.object({
      totalCount: z.number().int(),
      pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullish() }),
      edges: z.array(z.object({ starredAt: z.string(), node: Node })),
    }),
  }),
});

const time = (value: string | null | undefined) => (value ? Date.parse(value) : null);

export function toMetadata(node: z.infer<typeof RepositoryNode>): RepoMetadata {
  return {
    githubId: node.databaseId,
    nodeId: node.id,
    fullName: node.nameWithOwner,
    name: node.name,
    ownerLogin: node.owner.login,
    ownerAvatarUrl: node.owner.avatarUrl ?? null,
    description: node.description || null,
    htmlUrl: node.url,
    homepage: node.homepageUrl || null,
    stargazersCount: node.stargazerCount,
    language: node.primaryLanguage?.name ?? null,
    topics: (node.repositoryTopics?.nodes ?? []).flatMap((n) => (n ? [n.topic.name] : [])),
    license: node.licenseInfo?.spdxId && node.licenseInfo.spdxId !== "NOASSERTION" ? node.licenseInfo.spdxId : null,
    archived: node.isArchived,
    fork: node.isFork,
    isPrivate: node.isPrivate,
    githubCreatedAt: time(node.createdAt),
    githubUpdatedAt: time(node.updatedAt),
    githubPushedAt: time(node.pushedAt),
  };
}

const README_NAME = /^readme(\.[a-z0-9]+)?$/i;
/** Among several READMEs in one folder, GitHub prefers markdown. */
const preference = (name: string) => (/\.(md|markdown)$/i.test(name) ? 0 : /\./.test(name) ? 2 : 1);

function readmeIn(tree: z.infer<typeof Tree>, folder: string): Extract<ReadmeRef, { kind: "found" }> | null {
  const entry = (tree?.entries ?? [])
    .filter((e) => e.type === "blob" && README_NAME.test(e.name))
    .sort((a, b) => preference(a.name) - preference(b.name) || a.name.localeCompare(b.name))[0];
  return entry ? { kind: "found", sha: entry.oid, path: folder + entry.name, byteSize: entry.size ?? 0 } : null;
}

/** Where the README is, from the three trees the listing returned (see STARRED_PAGE). */
export function readmeRefOf(node: z.infer<typeof Node>): ReadmeRef {
  // An absent root (not null) means the listing did not say: let REST `/readme` decide.
  if (node.root === undefined) return { kind: "unknown" };
  return readmeIn(node.dotGithub, ".github/") ?? readmeIn(node.root, "") ?? readmeIn(node.docs, "docs/") ?? { kind: "none" };
}

export class GraphqlStarSource implements StarSource {
  readonly strategy = "graphql" as const;
  readonly #api: GithubApi;
  #pageSize = PAGE_SIZES[0]!;

  constructor(api: GithubApi) {
    this.#api = api;
  }

  async listPage(cursor: string | null): Promise<StarPage> {
    for (;;) {
      try {
        const data = await this.#api.graphql(STARRED_PAGE, { first: this.#pageSize, after: cursor }, StarredPageData);
        const { edges, pageInfo, totalCount } = data.viewer.starredRepositories;
        const items: StarredRepo[] = edges.map((edge) => ({
          starredAt: Date.parse(edge.starredAt),
          repo: toMetadata(edge.node),
          readme: readmeRefOf(edge.node),
        }));
        return { items, next: pageInfo.hasNextPage ? (pageInfo.endCursor ?? null) : null, totalCount };
      } catch (error) {
        // Big accounts make GitHub time out on big pages: ask for fewer and go on.
        const smaller = PAGE_SIZES[PAGE_SIZES.indexOf(this.#pageSize) + 1];
        if (error instanceof GithubError && error.kind === "too_large" && smaller) {
          this.#pageSize = smaller;
          continue;
        }
        throw error;
      }
    }
  }

  async fetchReadmes(requests: ReadmeRequest[]): Promise<ReadmeOutcome[]> {
    const outcomes: ReadmeOutcome[] = [];
    const viaGraphql: Array<ReadmeRequest & { ref: Extract<ReadmeRef, { kind: "found" }> }> = [];
    const viaRest: ReadmeRequest[] = [];
    for (const request of requests) {
      if (request.ref.kind === "none") outcomes.push({ githubId: request.githubId, kind: "missing" });
      else if (request.ref.kind === "unknown") viaRest.push(request);
      else if (request.ref.sha === request.knownSha) outcomes.push({ githubId: request.githubId, kind: "unchanged" });
      else viaGraphql.push({ ...request, ref: request.ref });
    }
    const [graphqlOutcomes, restOutcomes] = await Promise.all([
      mapPool(batches(viaGraphql), README_BATCH_CONCURRENCY, (batch) => this.#readmeBatch(batch)),
      mapPool(viaRest, REST_FALLBACK_CONCURRENCY, (request) => fetchReadmeRest(this.#api, request)),
    ]);
    return [...outcomes, ...graphqlOutcomes.flat(), ...restOutcomes];
  }

  /** One query for many README texts: an aliased `node(id:)` per repository (~1 point). */
  async #readmeBatch(batch: Array<ReadmeRequest & { ref: Extract<ReadmeRef, { kind: "found" }> }>): Promise<ReadmeOutcome[]> {
    const variables: Record<string, string> = {};
    const declarations: string[] = [];
    const selections: string[] = [];
    batch.forEach((request, i) => {
      variables[`id${i}`] = request.nodeId;
      variables[`e${i}`] = `HEAD:${request.ref.path}`;
      declarations.push(`$id${i}: ID!, $e${i}: String!`);
      selections.push(
        `r${i}: node(id: $id${i}) { ... on Repository { object(expression: $e${i}) { ... on Blob { oid text isTruncated isBinary } } } }`,
      );
    });
    const query = `query Readmes(${declarations.join(", ")}) {\n${selections.join("\n")}\nrateLimit { cost }\n}`;
    const Blob = z.object({
      oid: z.string(),
      text: z.string().nullish(),
      isTruncated: z.boolean().nullish(),
      isBinary: z.boolean().nullish(),
    });
    const Data = z.record(z.string(), z.unknown());
    let data: Record<string, unknown>;
    try {
      data = await this.#api.graphql(query, variables, Data);
    } catch (error) {
      if (isRunWide(error)) throw error;
      // Too much for GitHub's 10 s budget: ask for half at a time.
      if (error instanceof GithubError && error.kind === "too_large" && batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        return [...(await this.#readmeBatch(batch.slice(0, half))), ...(await this.#readmeBatch(batch.slice(half)))];
      }
      // The batch failed as a whole (GitHub 5xx): each repository is retried next sync.
      const message = error instanceof Error ? error.message : String(error);
      return batch.map((request) => ({ githubId: request.githubId, kind: "error" as const, message }));
    }
    return batch.map((request, i): ReadmeOutcome => {
      const node = z.object({ object: Blob.nullish() }).nullish().safeParse(data[`r${i}`]);
      const blob = node.success ? node.data?.object : undefined;
      if (!node.success || blob === undefined) {
        return { githubId: request.githubId, kind: "error", message: "GitHub did not return the repository" };
      }
      // Moved or deleted since the listing: look again next sync.
      if (blob === null) return { githubId: request.githubId, kind: "error", message: "README vanished since the listing" };
      if (blob.isBinary || blob.text == null) return { githubId: request.githubId, kind: "missing" };
      this.#api.usage.readmesFetched++;
      return {
        githubId: request.githubId,
        kind: "ok",
        readme: { sha: blob.oid, path: request.ref.path, text: blob.text, truncated: blob.isTruncated ?? false },
      };
    });
  }
}

/** Groups README requests so each query stays well under GitHub's 10 s / response-size limits. */
function batches<T extends { ref: { byteSize: number } }>(requests: T[]): T[][] {
  const result: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const request of requests) {
    const size = request.ref.byteSize || 20_000;
    if (current.length > 0 && (current.length >= README_BATCH_COUNT || bytes + size > README_BATCH_BYTES)) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    current.push(request);
    bytes += size;
  }
  if (current.length > 0) result.push(current);
  return result;
}
