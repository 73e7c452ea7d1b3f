import { z } from "zod";
import type { GithubClient } from "./client";
import { GithubError } from "./errors";
import { SIZE_BOUNDS, type SizedKind } from "./pacer";
import type { ReadmeFetcher } from "./readmes";
import type { ReadmeOutcome, ReadmeRequest, StarPage, StarSource } from "./source";
import type { ReadmeRef, RepoMetadata, StarredRepo } from "./types";

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

const TREE_FIELDS = "entries { name type oid size mode }";

/** One page of stars; with `trees`, the three trees that locate the README (heavy: ~3 git lookups a repository). */
function starredPageQuery(trees: boolean): string {
  const treeSelections = trees
    ? `
            root: object(expression: "HEAD:") { ... on Tree { ${TREE_FIELDS} } }
            dotGithub: object(expression: "HEAD:.github") { ... on Tree { ${TREE_FIELDS} } }
            docs: object(expression: "HEAD:docs") { ... on Tree { ${TREE_FIELDS} } }`
    : "";
  return /* GraphQL */ `
  query StarredPage($first: Int!, $after: String) {
    viewer {
      starredRepositories(first: $first, after: $after, orderBy: { field: STARRED_AT, direction: DESC }) {
        totalCount
        isOverLimit
        pageInfo { hasNextPage endCursor }
        edges {
          starredAt
          node {
            ${REPOSITORY_FIELDS}${treeSelections}
          }
        }
      }
    }
    rateLimit { cost remaining resetAt }
  }
`;
}

export const Tree = z
  .object({
    entries: z
      .array(
        z.object({ name: z.string(), type: z.string(), oid: z.string(), size: z.number().int().nullish(), mode: z.number().int().nullish() }),
      )
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
      isOverLimit: z.boolean().nullish(),
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

/** Git's mode 120000 (octal), as GraphQL's TreeEntry.mode reports it. */
const SYMLINK_MODE = 0o120000;
const README_NAME = /^readme(\.[a-z0-9]+)?$/i;
/** Among several READMEs in one folder, GitHub prefers markdown. */
const preference = (name: string) => (/\.(md|markdown)$/i.test(name) ? 0 : /\./.test(name) ? 2 : 1);

/** The README GitHub would show from one folder's tree (null if it has none). */
export function readmeIn(tree: z.infer<typeof Tree>, folder: string): Extract<ReadmeRef, { kind: "found" }> | null {
  const entry = (tree?.entries ?? [])
    .filter((e) => e.type === "blob" && README_NAME.test(e.name))
    .sort((a, b) => preference(a.name) - preference(b.name) || a.name.localeCompare(b.name))[0];
  if (!entry) return null;
  // Mode 120000 is a symlink: its blob is the target's path, which REST `/readme` follows.
  const symlink = entry.mode === SYMLINK_MODE;
  return { kind: "found", sha: entry.oid, path: folder + entry.name, byteSize: entry.size ?? 0, ...(symlink ? { symlink } : {}) };
}

/** Where the README is, from the three trees the listing returned (see STARRED_PAGE). */
export function readmeRefOf(node: { root?: z.infer<typeof Tree>; dotGithub?: z.infer<typeof Tree>; docs?: z.infer<typeof Tree> }): ReadmeRef {
  // An absent root (not null) means the listing did not say: let REST `/readme` decide.
  if (node.root === undefined) return { kind: "unknown" };
  return readmeIn(node.dotGithub, ".github/") ?? readmeIn(node.root, "") ?? readmeIn(node.docs, "docs/") ?? { kind: "none" };
}

/**
 * Stars listed through GraphQL. Page sizes follow measured response times (the pacer aims at
 * ~3 s a page, far from GitHub's 10 s cut-off); a page GitHub cuts off is asked again smaller,
 * never at the same size.
 */
export class GraphqlStarSource implements StarSource {
  readonly strategy: "graphql" | "graphql-light";
  readonly #client: GithubClient;
  readonly #readmes: ReadmeFetcher;
  readonly #trees: boolean;
  readonly #kind: SizedKind;
  readonly #query: string;

  constructor(client: GithubClient, readmes: ReadmeFetcher, options: { trees: boolean }) {
    this.#client = client;
    this.#readmes = readmes;
    this.#trees = options.trees;
    this.strategy = options.trees ? "graphql" : "graphql-light";
    this.#kind = options.trees ? "list-trees" : "list-graphql";
    this.#query = starredPageQuery(options.trees);
  }

  async *pages(cursor: string | null, maxPages: number): AsyncGenerator<StarPage> {
    for (let page = 0; page < maxPages; page++) {
      const listed = await this.#page(cursor);
      yield listed;
      cursor = listed.next;
      if (!cursor) return;
    }
  }

  async #page(cursor: string | null): Promise<StarPage> {
    const pacer = this.#client.pacer;
    for (;;) {
      const first = pacer.size(this.#kind);
      const started = Date.now();
      try {
        const { data, ms } = await this.#client.graphql(this.#query, { first, after: cursor }, StarredPageData, {
          estimateMs: pacer.estimate(this.#kind, first),
        });
        const { edges, pageInfo, totalCount, isOverLimit } = data.viewer.starredRepositories;
        pacer.learn(this.#kind, Math.max(1, edges.length), ms);
        const items: StarredRepo[] = edges.map((edge) => ({
          starredAt: Date.parse(edge.starredAt),
          repo: toMetadata(edge.node),
          readme: this.#trees ? readmeRefOf(edge.node) : { kind: "unknown" },
        }));
        return {
          items,
          next: pageInfo.hasNextPage ? (pageInfo.endCursor ?? null) : null,
          totalCount,
          ...(isOverLimit ? { overLimit: true } : {}),
        };
      } catch (error) {
        // GitHub cut the page off: remember that size as too big and ask for less.
        if (error instanceof GithubError && error.kind === "too_large" && first > SIZE_BOUNDS[this.#kind].min) {
          pacer.timedOut(this.#kind, first, Date.now() - started);
          continue;
        }
        throw error;
      }
    }
  }

  fetchReadmes(requests: ReadmeRequest[]): Promise<ReadmeOutcome[]> {
    return this.#readmes.fetch(requests);
  }

  wantsMore(): boolean {
    return this.#readmes.wantsMore();
  }
}
