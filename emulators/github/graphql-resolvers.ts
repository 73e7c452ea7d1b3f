// Resolvers for GitHub's published GraphQL schema.
//
// Objects are plain "views": properties hold values, functions compute fields on demand (so a
// README's text is only read, and counted as a download, when a query asks for `text`). Fields the
// emulator does not implement never answer with a shape GitHub never sends: any connection is an
// empty connection (never null), any list is [], other non-null fields get a type-appropriate
// default, nullable objects and scalars are null. So every query that validates executes.
import {
  GraphQLError,
  getNamedType,
  getNullableType,
  isAbstractType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLSchema,
  type GraphQLTypeResolver,
} from "graphql";
import { BLOCKED_MESSAGE, SSO_MESSAGE, ssoOrg, ssoUrl } from "./access.ts";
import { decodeNodeId, encodeNodeId } from "./git.ts";
import { ListError, type EmuList, type ListInput } from "./lists.ts";
import { isoSeconds } from "./http.ts";
import { remaining, type Bucket } from "./ratelimit.ts";
import {
  isPrivate,
  type BlobObject,
  type CommitObject,
  type GitObject,
  type Release,
  type Repo,
  type TreeObject,
} from "./repos.ts";
import { hashString } from "./random.ts";
import type { GraphqlWork } from "./realism.ts";
import type { EmulatorState } from "./state.ts";
import { compareStarsDesc, type Star, type User } from "./users.ts";

/** GitHub cuts `Blob.text` at this many bytes (and sets `isTruncated`). */
export const BLOB_TEXT_LIMIT = 512_000;

export interface GraphqlContext {
  state: EmulatorState;
  viewer: User;
  bucket: Bucket;
  cost: number;
  nodeCount: number;
  /** What the execution touched: drives the modelled server time (realism.ts). */
  work: GraphqlWork;
  /** Set when a lookup was refused for SAML: the answer carries `X-GitHub-SSO: required; url=…`. */
  ssoUrl?: string;
}

type View = Record<string, unknown> & { __typename: string };

function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { type: "NOT_FOUND" } });
}

/**
 * Why a repository lookup (`repository`, `node`, `nodes`) resolves to null, or undefined when it
 * does not: NOT_FOUND as for an unknown name (unknown, another's private one, deleted), FORBIDDEN
 * when GitHub blocks it (terms, DMCA) or an organisation's SAML guards it. A SAML refusal also
 * carries `extensions.saml_failure` and the answer's `X-GitHub-SSO` header, as GitHub's does
 * (cli/cli#5054 reads the header from GraphQL answers).
 */
function repoFailure(repo: Repo | undefined, ctx: GraphqlContext, notFoundMessage: string): GraphQLError | undefined {
  const sight = repo ? ctx.state.users.sight(ctx.viewer, repo) : "gone";
  if (sight === "gone") return notFound(notFoundMessage);
  if (sight === "blocked" || sight === "dmca")
    return new GraphQLError(BLOCKED_MESSAGE, { extensions: { type: "FORBIDDEN" } });
  if (sight === "sso" && repo) {
    ctx.ssoUrl ??= ssoUrl(ssoOrg(repo), ctx.viewer.login);
    return new GraphQLError(SSO_MESSAGE, { extensions: { type: "FORBIDDEN", saml_failure: true } });
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Generic machinery

/** An empty connection of any `…Connection` type: what GitHub answers when there is nothing. */
export function emptyConnection(typename: string) {
  return {
    __typename: typename,
    totalCount: 0,
    nodes: [],
    edges: [],
    pageInfo: {
      __typename: "PageInfo",
      hasNextPage: false,
      hasPreviousPage: false,
      startCursor: null,
      endCursor: null,
    },
  };
}

function defaultFor(type: GraphQLOutputType, schema: GraphQLSchema): unknown {
  const named = getNamedType(type);
  if (isListType(getNullableType(type))) return [];
  if (isObjectType(named) && named.name.endsWith("Connection")) return emptyConnection(named.name);
  if (!isNonNullType(type)) return null;
  const inner = type.ofType;
  if (isScalarType(inner)) {
    switch (inner.name) {
      case "Boolean":
        return false;
      case "Int":
      case "Float":
        return 0;
      case "DateTime":
        return "1970-01-01T00:00:00Z";
      case "URI":
        return "https://github.com";
      case "GitObjectID":
        return "0".repeat(40);
      default:
        return "";
    }
  }
  if (isEnumType(inner)) return inner.getValues()[0]?.value ?? null;
  if (isObjectType(inner)) return { __typename: inner.name };
  if (isAbstractType(inner)) {
    const first = schema.getPossibleTypes(inner)[0];
    return first ? { __typename: first.name } : null;
  }
  return null;
}

export const fieldResolver: GraphQLFieldResolver<unknown, GraphqlContext> = (source, args, context, info) => {
  const value =
    source !== null && typeof source === "object" ? (source as Record<string, unknown>)[info.fieldName] : undefined;
  if (typeof value === "function")
    return (value as (a: unknown, c: GraphqlContext) => unknown).call(source, args, context);
  if (value !== undefined) return value;
  return defaultFor(info.returnType, info.schema);
};

export const typeResolver: GraphQLTypeResolver<unknown, GraphqlContext> = (value) =>
  value !== null && typeof value === "object"
    ? ((value as { __typename?: string }).__typename ?? undefined)
    : undefined;

interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

function encodeCursor(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

function invalidCursor(cursor: string): GraphQLError {
  return new GraphQLError(`\`${cursor}\` does not appear to be a valid cursor.`, {
    extensions: { type: "INVALID_CURSOR_ARGUMENTS" },
  });
}

/**
 * Applies first/last to the window [start, end) that after/before left, as Relay specifies.
 * hasNextPage/hasPreviousPage say whether anything exists beyond the page in the whole ordering,
 * which is what GitHub reports in practice.
 */
function pageWindow(start: number, end: number, args: PageArgs, total: number) {
  if (typeof args.first === "number") end = Math.min(end, start + args.first);
  if (typeof args.last === "number") start = Math.max(start, end - args.last);
  return { start, end, hasNextPage: end < total, hasPreviousPage: start > 0 };
}

/** An offset-cursor connection over a small in-memory list (topics and the like). */
function listConnection<T>(
  items: readonly T[],
  args: PageArgs,
  toNode: (item: T) => unknown,
  edgeFields?: (item: T) => Record<string, unknown>,
) {
  const offsetOf = (cursor: string) => {
    const match = /^cursor:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
    if (!match) throw invalidCursor(cursor);
    return Number(match[1]);
  };
  const start = args.after ? offsetOf(args.after) : 0;
  const end = args.before ? offsetOf(args.before) - 1 : items.length;
  const page = pageWindow(Math.min(start, items.length), Math.max(0, Math.min(end, items.length)), args, items.length);
  const edges = [];
  for (let i = page.start; i < page.end; i++) {
    const item = items[i] as T;
    edges.push({ ...edgeFields?.(item), cursor: encodeCursor(`cursor:${i + 1}`), node: toNode(item) });
  }
  return {
    totalCount: items.length,
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Users and stars

function avatarUrl(id: number): string {
  return `https://avatars.githubusercontent.com/u/${id}?v=4`;
}

function userView(user: User, ctx: GraphqlContext): View {
  return {
    __typename: "User",
    id: user.nodeId,
    databaseId: user.id,
    login: user.login,
    name: user.name,
    avatarUrl: () => avatarUrl(user.id),
    url: `https://github.com/${user.login}`,
    resourcePath: `/${user.login}`,
    createdAt: isoSeconds(user.createdAt),
    updatedAt: isoSeconds(user.createdAt),
    isViewer: user === ctx.viewer,
    starredRepositories: (args: PageArgs & { orderBy?: { field: string; direction: string } }) =>
      starConnection(user, args, ctx),
    // The viewer sees every list of its own, private ones too; anyone else only the public ones.
    lists: (args: PageArgs) => {
      ctx.work.nestedConnections++;
      const lists = ctx.state.lists.of(user).filter((list) => user === ctx.viewer || !list.isPrivate);
      return { __typename: "UserListConnection", ...listConnection(lists, args, (list) => listView(list, ctx)) };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Star Lists (lists.ts)

function listView(list: EmuList, ctx: GraphqlContext): View {
  const owner = ctx.state.users.get(list.ownerLogin);
  return {
    __typename: "UserList",
    id: list.nodeId,
    name: list.name,
    slug: list.slug,
    description: list.description,
    isPrivate: list.isPrivate,
    createdAt: isoSeconds(list.createdAt),
    updatedAt: isoSeconds(list.updatedAt),
    lastAddedAt: isoSeconds(list.lastAddedAt),
    user: () => (owner ? userView(owner, ctx) : null),
    // In no documented order (lists.ts); what the viewer cannot see is left out, as in a star list.
    items: (args: PageArgs) => {
      ctx.work.nestedConnections++;
      const { users, universe } = ctx.state;
      const visible = ctx.state.lists
        .ordered(list)
        .map((uid) => universe.repo(uid))
        .filter((repo) => users.sight(ctx.viewer, repo) === "ok" || users.sight(ctx.viewer, repo) === "blocked");
      // Repositories are resolved (and their server time counted) only when `nodes` or `edges` are asked: a
      // `totalCount` alone is a count, as on GitHub.
      const page = listConnection(visible, args, (repo) => repo);
      let views: unknown[] | undefined;
      const nodes = () => (views ??= (page.nodes as Repo[]).map((repo) => repoView(repo, ctx)));
      return {
        __typename: "UserListItemsConnection",
        totalCount: page.totalCount,
        pageInfo: page.pageInfo,
        nodes,
        edges: () => page.edges.map((edge, i) => ({ ...edge, node: nodes()[i] })),
      };
    },
  };
}

/** A list write refused the way GitHub refuses it: an error at the mutation's path (`type` on top), data null. */
function listFailure(error: unknown): never {
  if (error instanceof ListError) throw new GraphQLError(error.message, { extensions: { type: error.type } });
  throw error;
}

type Input<T> = { input: T & { clientMutationId?: string | null } };

/** The four list mutations, as root fields of `Mutation` (graphql.ts checks the token's scope before they run). */
function listMutations(ctx: GraphqlContext): Record<string, unknown> {
  const { lists } = ctx.state;
  const viewer = ctx.viewer;
  const now = () => ctx.state.now();
  const payload = (input: { clientMutationId?: string | null }, fields: Record<string, unknown>) => ({
    clientMutationId: input.clientMutationId ?? null,
    ...fields,
  });
  const guarded =
    <A>(resolve: (args: A) => unknown) =>
    (args: A) => {
      ctx.work.mutations++;
      // A classic token without `user` never gets here (graphql.ts refuses the query first, INSUFFICIENT_SCOPES).
      if (viewer.tokenModel.kind === "fine-grained") {
        throw new GraphQLError("Resource not accessible by personal access token", {
          extensions: { type: "FORBIDDEN" },
        });
      }
      return resolve(args);
    };
  return {
    createUserList: guarded(({ input }: Input<ListInput>) => {
      try {
        const list = lists.create(viewer, input, now());
        return payload(input, { list: listView(list, ctx), viewer: userView(viewer, ctx) });
      } catch (error) {
        return listFailure(error);
      }
    }),
    updateUserList: guarded(({ input }: Input<ListInput & { listId: string }>) => {
      try {
        const list = lists.update(viewer, lists.own(viewer, input.listId), input, now());
        return payload(input, { list: listView(list, ctx) });
      } catch (error) {
        return listFailure(error);
      }
    }),
    deleteUserList: guarded(({ input }: Input<{ listId: string }>) => {
      try {
        lists.delete(viewer, lists.own(viewer, input.listId));
        return payload(input, { user: userView(viewer, ctx) });
      } catch (error) {
        return listFailure(error);
      }
    }),
    updateUserListsForItem: guarded(({ input }: Input<{ itemId: string; listIds: string[] }>) => {
      const item = nodeById(input.itemId, ctx);
      if (item instanceof GraphQLError) throw item;
      if (item.__typename !== "Repository") {
        throw notFound(`Could not resolve to a node with the global id of '${input.itemId}'`);
      }
      const repo = ctx.state.universe.byDatabaseId(item.databaseId as number) as Repo;
      try {
        const inLists = lists.setMembership(viewer, repo, input.listIds, now());
        return payload(input, {
          item,
          lists: inLists.map((list) => listView(list, ctx)),
          user: userView(viewer, ctx),
        });
      } catch (error) {
        return listFailure(error);
      }
    }),
  };
}

const STAR_CURSOR = /^cursor:v2:(\d+):(\d+)$/;

/**
 * `starredRepositories`: keyed cursors (star time + repository), so paging stays consistent while
 * stars are added or removed. Without `orderBy` GitHub lists oldest first; clients should pass
 * `orderBy: {field: STARRED_AT, direction: DESC}`.
 */
function starConnection(
  owner: User,
  args: PageArgs & { orderBy?: { field: string; direction: string } },
  ctx: GraphqlContext,
) {
  const all = ctx.state.users.visibleStars(owner, ctx.viewer); // newest first
  // GitHub truncates the star list of users with many stars and says so with `isOverLimit`
  // (threshold undisclosed; `realism.overLimitStars` here). totalCount stays the true count.
  const limit = ctx.state.realismFor(ctx.viewer).overLimitStars;
  const isOverLimit = limit > 0 && all.length > limit;
  const stars = isOverLimit ? all.slice(0, limit) : all;
  const total = stars.length;
  const ascending = args.orderBy?.direction !== "DESC";
  const decode = (cursor: string): Star => {
    const match = STAR_CURSOR.exec(Buffer.from(cursor, "base64").toString("utf8"));
    if (!match) throw invalidCursor(cursor);
    return { starredAt: Number(match[1]), uid: Number(match[2]) };
  };
  /** Number of stars that come before `key` in the newest-first list (plus `key` itself if `inclusive`). */
  const countBefore = (key: Star, inclusive: boolean): number => {
    let lo = 0;
    let hi = total;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const cmp = compareStarsDesc(stars[mid] as Star, key);
      if (cmp < 0 || (inclusive && cmp === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // Positions are in the requested order: descending positions equal list indexes, ascending are mirrored.
  let start = 0;
  let end = total;
  if (args.after) {
    const key = decode(args.after);
    start = ascending ? total - countBefore(key, false) : countBefore(key, true);
  }
  if (args.before) {
    const key = decode(args.before);
    end = ascending ? total - countBefore(key, true) : countBefore(key, false);
  }
  const page = pageWindow(start, Math.max(start, end), args, total);
  const at = (position: number) => stars[ascending ? total - 1 - position : position] as Star;

  let views: View[] | undefined;
  const nodesOfPage = () => {
    views ??= Array.from({ length: page.end - page.start }, (_, i) =>
      repoView(ctx.state.universe.repo(at(page.start + i).uid), ctx),
    );
    return views;
  };
  const cursorAt = (position: number) => {
    const star = at(position);
    return encodeCursor(`cursor:v2:${star.starredAt}:${star.uid}`);
  };
  return {
    __typename: "StarredRepositoryConnection",
    totalCount: all.length,
    isOverLimit,
    edges: () =>
      nodesOfPage().map((node, i) => ({
        __typename: "StarredRepositoryEdge",
        cursor: cursorAt(page.start + i),
        starredAt: isoSeconds(at(page.start + i).starredAt),
        node,
      })),
    nodes: nodesOfPage,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: page.end > page.start ? cursorAt(page.start) : null,
      endCursor: page.end > page.start ? cursorAt(page.end - 1) : null,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Repositories and git objects

// Linguist's colours (github-linguist languages.yml).
const LANGUAGE_COLORS: Record<string, string> = {
  TypeScript: "#3178c6",
  JavaScript: "#f1e05a",
  Rust: "#dea584",
  Python: "#3572A5",
  Java: "#b07219",
  Go: "#00ADD8",
  C: "#555555",
  "C++": "#f34b7d",
  Dart: "#00B4AB",
  Elixir: "#6e4a7e",
  HTML: "#e34c26",
  CSS: "#663399",
  SCSS: "#c6538c",
  Shell: "#89e051",
  Makefile: "#427819",
  Dockerfile: "#384d54",
  Vue: "#41b883",
  Svelte: "#ff3e00",
  Kotlin: "#A97BFF",
  Swift: "#F05138",
  Ruby: "#701516",
  PHP: "#4F5D95",
  CMake: "#DA3434",
  Batchfile: "#C1F12E",
  PowerShell: "#012456",
  Nix: "#7e7eff",
  Lua: "#000080",
  "Jupyter Notebook": "#DA5B0B",
  "Objective-C": "#438eff",
};

/** Secondary languages that usually come with a primary one (the rest of a repository's bytes). */
const COMPANIONS: Record<string, readonly string[]> = {
  TypeScript: ["JavaScript", "CSS", "HTML", "Shell", "Vue", "Svelte", "SCSS", "Dockerfile"],
  JavaScript: ["TypeScript", "CSS", "HTML", "Shell", "SCSS", "Vue"],
  Rust: ["Shell", "Python", "TypeScript", "C", "Nix", "Makefile", "PowerShell"],
  Python: ["Shell", "C", "C++", "Jupyter Notebook", "Dockerfile", "Makefile", "HTML"],
  Go: ["Shell", "Makefile", "Dockerfile", "HTML", "JavaScript"],
  Java: ["Kotlin", "Shell", "HTML", "JavaScript", "Batchfile"],
  C: ["C++", "Makefile", "CMake", "Shell", "Python", "Objective-C"],
  "C++": ["C", "CMake", "Python", "Shell", "Objective-C"],
};
const DEFAULT_COMPANIONS = ["Shell", "Makefile", "HTML", "JavaScript", "Dockerfile", "Python"];

function languageView(name: string) {
  return {
    __typename: "Language",
    id: encodeNodeId("LA", hashString(name) % 100_000),
    name,
    color: LANGUAGE_COLORS[name] ?? null,
  };
}

/**
 * A repository's languages in bytes, deterministic per repository: the primary language holds
 * 55–97 % of the code bytes, up to four companions share the rest, biggest first. None without a
 * primary language (GitHub: repositories without detected code have an empty `languages`).
 */
export function repoLanguages(repo: Repo): Array<{ name: string; size: number }> {
  if (!repo.language) return [];
  // From the name it was created with, so a rename keeps its languages.
  const h = (tag: string) => hashString(`${repo.createdAs.toLowerCase()}:${tag}`);
  const total = Math.max(2048, Math.floor(repo.sizeKb * 1024 * (0.2 + (h("share") % 600) / 1000)));
  const primaryShare = 0.55 + (h("primary") % 420) / 1000;
  const pool = (COMPANIONS[repo.language] ?? DEFAULT_COMPANIONS).filter((name) => name !== repo.language);
  const count = Math.min(pool.length, h("count") % 5);
  const languages = [{ name: repo.language, size: Math.floor(total * primaryShare) }];
  let rest = total - (languages[0] as { size: number }).size;
  for (let i = 0; i < count; i++) {
    const name = pool[(h("pick") + i * 7) % pool.length] as string;
    if (languages.some((l) => l.name === name)) continue;
    // Each companion takes 40–80 % of what is left, so they come out smaller than the primary.
    const size = i === count - 1 ? rest : Math.floor(rest * (0.4 + (h(`c${i}`) % 400) / 1000));
    if (size <= 0) break;
    languages.push({ name, size });
    rest -= size;
  }
  return languages.sort((a, b) => b.size - a.size || (a.name < b.name ? -1 : 1));
}

/** How many people starred a topic: deterministic per topic name, 10 to ~30,000. */
export function topicStargazerCount(name: string): number {
  return Math.floor(10 ** (1 + ((hashString(`topic:${name}`) % 10_000) / 10_000) * 3.5));
}

function topicView(name: string, ctx: GraphqlContext): View {
  const count = topicStargazerCount(name);
  return {
    __typename: "Topic",
    id: encodeNodeId("TO", hashString(name) % 100_000_000),
    name,
    stargazerCount: count,
    stargazers: () => {
      ctx.work.nestedConnections++;
      return { ...emptyConnection("StargazerConnection"), totalCount: count };
    },
    viewerHasStarred: false,
  };
}

function repoView(repo: Repo, ctx: GraphqlContext): View {
  ctx.work.repositories++;
  const { universe, users } = ctx.state;
  const ownerView: View = {
    __typename: repo.ownerType,
    id: repo.ownerNodeId,
    databaseId: repo.ownerId,
    login: repo.owner,
    avatarUrl: () => avatarUrl(repo.ownerId),
    url: `https://github.com/${repo.owner}`,
    resourcePath: `/${repo.owner}`,
  };
  const license = repo.license;
  return {
    __typename: "Repository",
    id: repo.nodeId,
    databaseId: repo.id,
    name: repo.name,
    nameWithOwner: repo.fullName,
    owner: ownerView,
    description: repo.description,
    url: `https://github.com/${repo.fullName}`,
    resourcePath: `/${repo.fullName}`,
    homepageUrl: repo.homepage,
    stargazerCount: repo.stargazers,
    forkCount: repo.forks,
    stargazers: () => {
      ctx.work.nestedConnections++;
      return { totalCount: repo.stargazers };
    },
    watchers: () => {
      ctx.work.nestedConnections++;
      return { totalCount: Math.floor(repo.stargazers / 20) };
    },
    primaryLanguage: repo.language ? languageView(repo.language) : null,
    languages: (args: PageArgs & { orderBy?: { field: string; direction: string } | null }) => {
      ctx.work.nestedConnections++;
      const all = repoLanguages(repo); // biggest first
      // GitHub's default order is undocumented; SIZE DESC is what clients ask for and get here.
      const ordered = args.orderBy?.direction === "ASC" ? [...all].reverse() : all;
      return {
        __typename: "LanguageConnection",
        totalSize: all.reduce((sum, l) => sum + l.size, 0),
        ...listConnection(
          ordered,
          args,
          (l) => languageView(l.name),
          (l) => ({ __typename: "LanguageEdge", size: l.size }),
        ),
      };
    },
    repositoryTopics: (args: PageArgs) => {
      ctx.work.nestedConnections++;
      return listConnection(repo.topics, args, (name) => ({
        __typename: "RepositoryTopic",
        id: encodeNodeId("RT", hashString(`${repo.createdAs}/${name}`) % 100_000_000),
        url: `https://github.com/topics/${name}`,
        resourcePath: `/topics/${name}`,
        topic: topicView(name, ctx),
      }));
    },
    licenseInfo: license
      ? {
          __typename: "License",
          id: encodeNodeId("L", hashString(license.key) % 100_000),
          key: license.key,
          name: license.name,
          spdxId: license.spdxId,
          url: license.known ? `http://choosealicense.com/licenses/${license.key}/` : null,
          nickname: null,
        }
      : null,
    isArchived: repo.archived,
    isFork: repo.fork,
    isPrivate: isPrivate(repo),
    visibility: isPrivate(repo) ? "PRIVATE" : "PUBLIC",
    isDisabled: repo.disabled === true,
    archivedAt: repo.archived && repo.archivedAt !== undefined ? isoSeconds(repo.archivedAt) : null,
    // A single object, not a connection: no points, some server time (realism.ts, perReleaseMs).
    latestRelease: () => {
      ctx.work.releases++;
      const release = universe.latestRelease(repo);
      return release ? releaseView(repo, release) : null;
    },
    isEmpty: false,
    isLocked: false,
    isMirror: false,
    isTemplate: false,
    hasIssuesEnabled: true,
    hasWikiEnabled: true,
    diskUsage: repo.sizeKb,
    createdAt: isoSeconds(repo.createdAt),
    updatedAt: isoSeconds(repo.updatedAt),
    pushedAt: isoSeconds(repo.pushedAt),
    viewerHasStarred: () => ctx.viewer.starred.has(repo.uid),
    defaultBranchRef: () => ({
      __typename: "Ref",
      id: encodeNodeId("REF", (repo.id + 1) % 0xffffffff),
      name: repo.defaultBranch,
      prefix: "refs/heads/",
      // The head commit is a git lookup (realism.ts, perCommitMs).
      target: () => {
        ctx.work.commits++;
        return commitView(universe.headCommit(repo), ctx);
      },
    }),
    object: (args: { expression?: string | null; oid?: string | null }) => {
      ctx.work.objects++;
      if (typeof args.expression === "string") return gitObjectView(universe.resolve(repo, args.expression), ctx);
      if (typeof args.oid === "string") return gitObjectView(universe.byOid(repo, args.oid), ctx);
      return null;
    },
    viewerPermission: users.canSee(ctx.viewer, repo) ? "READ" : null,
  };
}

/** A published release as GraphQL's `Release` shows it. */
function releaseView(repo: Repo, release: Release): View {
  const published = isoSeconds(release.publishedAt);
  return {
    __typename: "Release",
    id: encodeNodeId("RE", hashString(`${repo.id}/${release.tagName}`) % 1_000_000_000),
    tagName: release.tagName,
    name: release.name,
    publishedAt: published,
    createdAt: published,
    updatedAt: published,
    isPrerelease: release.isPrerelease,
    isDraft: false,
    isLatest: true,
    url: `https://github.com/${repo.fullName}/releases/tag/${release.tagName}`,
  };
}

function gitObjectView(object: GitObject | null, ctx: GraphqlContext): View | null {
  if (!object) return null;
  switch (object.kind) {
    case "blob":
      return blobView(object, ctx);
    case "tree":
      return treeView(object, ctx);
    case "commit":
      return commitView(object, ctx);
  }
}

function gitCommon(object: GitObject, typename: string) {
  const repo = object.repo;
  return {
    __typename: typename,
    id: `${typename[0]}_${Buffer.from(`${repo.id}:${object.oid}`).toString("base64url")}`,
    oid: object.oid,
    abbreviatedOid: object.oid.slice(0, 7),
    commitResourcePath: `/${repo.fullName}/commit/${object.oid}`,
    commitUrl: `https://github.com/${repo.fullName}/commit/${object.oid}`,
  };
}

/** Cuts UTF-8 text at a byte limit without splitting a character. */
function truncateUtf8(bytes: Buffer, limit: number): string {
  let end = Math.min(limit, bytes.length);
  // Step back over continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (end > 0 && end < bytes.length && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString("utf8");
}

/**
 * A blob. `text` is the UTF-8 decoding of the bytes with a BOM kept as U+FEFF (GitHub does not
 * strip it), null for binary blobs; for a symlink it is the link target path (GitHub does not
 * follow symlinks in `object(expression:)`).
 */
function blobView(blob: BlobObject, ctx: GraphqlContext): View {
  let bytes: Buffer | undefined;
  const content = () => (bytes ??= blob.bytes());
  return {
    ...gitCommon(blob, "Blob"),
    byteSize: () => content().length,
    isBinary: blob.isBinary,
    isTruncated: () => !blob.isBinary && content().length > BLOB_TEXT_LIMIT,
    text: () => {
      if (blob.isBinary) return null;
      if (blob.isReadme) ctx.state.stats.readme(ctx.viewer.login);
      ctx.work.blobBytes += Math.min(content().length, BLOB_TEXT_LIMIT);
      return truncateUtf8(content(), BLOB_TEXT_LIMIT);
    },
    repository: () => repoView(blob.repo, ctx),
  };
}

function treeView(tree: TreeObject, ctx: GraphqlContext): View {
  const { universe } = ctx.state;
  return {
    ...gitCommon(tree, "Tree"),
    entries: () => {
      ctx.work.treeEntries += tree.entries.length;
      return treeEntries();
    },
    repository: () => repoView(tree.repo, ctx),
  };
  function treeEntries() {
    return tree.entries.map((entry) => {
      const dot = entry.name.lastIndexOf(".");
      return {
        __typename: "TreeEntry",
        name: entry.name,
        nameRaw: Buffer.from(entry.name).toString("base64"),
        path: entry.path,
        pathRaw: Buffer.from(entry.path).toString("base64"),
        oid: entry.oid,
        type: entry.type,
        // git's octal mode as an Int: 33188 (100644), 16384 (40000), 40960 (120000, a symlink).
        mode: Number.parseInt(entry.mode, 8),
        extension: entry.type === "blob" && dot > 0 ? entry.name.slice(dot) : null,
        isGenerated: false,
        size: () => {
          const object = universe.resolve(tree.repo, `HEAD:${entry.path}`);
          return object?.kind === "blob" ? object.bytes().length : 0;
        },
        object: () => gitObjectView(universe.resolve(tree.repo, `HEAD:${entry.path}`), ctx),
        repository: () => repoView(tree.repo, ctx),
      };
    });
  }
}

function commitView(commit: CommitObject, ctx: GraphqlContext): View {
  const { universe } = ctx.state;
  const date = isoSeconds(commit.committedDate);
  return {
    ...gitCommon(commit, "Commit"),
    committedDate: date,
    authoredDate: date,
    pushedDate: date,
    message: "Update",
    messageHeadline: "Update",
    url: `https://github.com/${commit.repo.fullName}/commit/${commit.oid}`,
    tree: () => gitObjectView(universe.resolve(commit.repo, "HEAD:"), ctx),
    repository: () => repoView(commit.repo, ctx),
  };
}

// ---------------------------------------------------------------------------------------------
// Root fields

function nodeById(id: string, ctx: GraphqlContext): View | GraphQLError {
  const decoded = decodeNodeId(id);
  const failure = () => notFound(`Could not resolve to a node with the global id of '${id}'`);
  if (!decoded) return failure();
  if (decoded.prefix === "R") {
    const repo = ctx.state.universe.byDatabaseId(decoded.databaseId);
    return (
      repoFailure(repo, ctx, `Could not resolve to a node with the global id of '${id}'`) ?? repoView(repo as Repo, ctx)
    );
  }
  if (decoded.prefix === "U") {
    const user = ctx.state.users.byId(decoded.databaseId);
    return user ? userView(user, ctx) : failure();
  }
  if (decoded.prefix === "UL") {
    // A list by id: the viewer's own, or another's public one.
    const list = ctx.state.lists.byNodeId(id);
    const mine = list?.ownerLogin.toLowerCase() === ctx.viewer.login.toLowerCase();
    return list && (mine || !list.isPrivate) ? listView(list, ctx) : failure();
  }
  return failure();
}

export function rootValue(ctx: GraphqlContext): Record<string, unknown> {
  const { users, universe } = ctx.state;
  return {
    ...listMutations(ctx),
    viewer: () => userView(ctx.viewer, ctx),
    user: ({ login }: { login: string }) => {
      const user = users.get(login);
      if (!user) throw notFound(`Could not resolve to a User with the login of '${login}'.`);
      return userView(user, ctx);
    },
    repositoryOwner: ({ login }: { login: string }) => {
      const user = users.get(login);
      return user ? userView(user, ctx) : null;
    },
    repository: ({ owner, name }: { owner: string; name: string }) => {
      // GitHub follows renames here: a former name resolves to the repository it names now.
      const repo = universe.find(`${owner}/${name}`) ?? universe.renamedFrom(`${owner}/${name}`);
      const failure = repoFailure(repo, ctx, `Could not resolve to a Repository with the name '${owner}/${name}'.`);
      if (failure) throw failure;
      return repoView(repo as Repo, ctx);
    },
    node: ({ id }: { id: string }) => {
      const node = nodeById(id, ctx);
      if (node instanceof GraphQLError) throw node;
      return node;
    },
    // An Error in a list becomes a null item plus an error with that item's path, as on GitHub.
    nodes: ({ ids }: { ids: string[] }) => ids.map((id) => nodeById(id, ctx)),
    rateLimit: () => ({
      __typename: "RateLimit",
      cost: ctx.cost,
      limit: ctx.bucket.limit,
      remaining: remaining(ctx.bucket),
      used: Math.min(ctx.bucket.used, ctx.bucket.limit),
      resetAt: isoSeconds(ctx.bucket.resetAt),
      nodeCount: ctx.nodeCount,
    }),
  };
}
