import { z } from "zod";
import type { GithubConfig } from "./client";
import { GithubError, githubErrorFromResponse } from "./errors";
import type { RepoMetadata } from "./types";

/**
 * One repository's metadata by name, for `POST /api/repositories/save`. GraphQL, because one
 * query returns the topics too (REST needs a second call or a preview header), at 1 point.
 */
const REPOSITORY_QUERY = /* GraphQL */ `
  query Repository($owner: String!, $name: String!) {
    repository(owner: $owner, name: $name) {
      databaseId
      id
      nameWithOwner
      name
      owner { login avatarUrl }
      description
      url
      homepageUrl
      stargazerCount
      primaryLanguage { name }
      repositoryTopics(first: 20) { nodes { topic { name } } }
      licenseInfo { spdxId }
      isArchived
      isFork
      isPrivate
      createdAt
      updatedAt
      pushedAt
    }
  }
`;

const GraphqlRepository = z.object({
  databaseId: z.number().int(),
  id: z.string().min(1),
  nameWithOwner: z.string().min(3),
  name: z.string().min(1),
  owner: z.object({ login: z.string().min(1), avatarUrl: z.string().nullable().optional() }),
  description: z.string().nullable(),
  url: z.string().min(1),
  homepageUrl: z.string().nullable(),
  stargazerCount: z.number().int().nonnegative(),
  primaryLanguage: z.object({ name: z.string() }).nullable(),
  repositoryTopics: z.object({ nodes: z.array(z.object({ topic: z.object({ name: z.string() }) }).nullable()) }),
  licenseInfo: z.object({ spdxId: z.string().nullable() }).nullable(),
  isArchived: z.boolean(),
  isFork: z.boolean(),
  isPrivate: z.boolean(),
  createdAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
  pushedAt: z.string().nullable(),
});

const GraphqlError = z.object({
  message: z.string().optional(),
  type: z.string().optional(),
  code: z.string().optional(),
});

const RepositoryResponse = z.object({
  data: z.object({ repository: GraphqlRepository.nullable() }).nullable().optional(),
  errors: z.array(GraphqlError).optional(),
});

export async function fetchRepository(
  config: GithubConfig,
  token: string,
  owner: string,
  name: string,
  signal?: AbortSignal,
): Promise<RepoMetadata> {
  let response: Response;
  try {
    response = await fetch(config.graphqlUrl, {
      method: "POST",
      signal: signal ?? AbortSignal.timeout(15_000),
      headers: {
        Authorization: `Bearer ${token}`,
        "Content-Type": "application/json",
        Accept: "application/json",
        "User-Agent": config.userAgent,
      },
      body: JSON.stringify({ query: REPOSITORY_QUERY, variables: { owner, name } }),
    });
  } catch (cause) {
    throw new GithubError("unavailable", `GitHub could not be reached: ${String(cause)}`, { cause });
  }
  if (!response.ok) throw await githubErrorFromResponse(response);

  const parsed = RepositoryResponse.safeParse(await response.json().catch(() => null));
  if (!parsed.success) {
    throw new GithubError("unavailable", "GitHub answered the repository query with an unexpected body", {
      status: response.status,
    });
  }
  const { data, errors = [] } = parsed.data;
  const fullName = `${owner}/${name}`;
  // GraphQL reports most failures with HTTP 200 and an `errors` array (reference/github-api.md).
  if (errors.some((error) => error.type === "NOT_FOUND")) {
    throw new GithubError("not_found", `GitHub has no repository ${fullName} that this token can see`, { status: 404 });
  }
  if (errors.some((error) => isRateLimit(error))) {
    const reset = Number(response.headers.get("x-ratelimit-reset"));
    throw new GithubError("rate_limited", errors[0]?.message ?? "GraphQL rate limit exceeded", {
      status: response.status,
      resetAt: Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : new Date(Date.now() + 60_000),
    });
  }
  if (errors.length > 0 && !data?.repository) {
    throw new GithubError("unavailable", `GraphQL error: ${errors.map((error) => error.message ?? error.type).join("; ")}`, {
      status: response.status,
    });
  }
  const repo = data?.repository;
  if (!repo) throw new GithubError("not_found", `GitHub has no repository ${fullName} that this token can see`, { status: 404 });
  return toRepoMetadata(repo);
}

function isRateLimit(error: z.infer<typeof GraphqlError>): boolean {
  return error.type === "RATE_LIMITED" || error.type === "RATE_LIMIT" || error.code === "graphql_rate_limit";
}

function toRepoMetadata(repo: z.infer<typeof GraphqlRepository>): RepoMetadata {
  return {
    githubId: repo.databaseId,
    nodeId: repo.id,
    fullName: repo.nameWithOwner,
    name: repo.name,
    ownerLogin: repo.owner.login,
    ownerAvatarUrl: repo.owner.avatarUrl ?? null,
    description: repo.description || null,
    htmlUrl: repo.url,
    // GitHub answers "" for a homepage that was set and cleared.
    homepage: repo.homepageUrl || null,
    stargazersCount: repo.stargazerCount,
    language: repo.primaryLanguage?.name ?? null,
    topics: repo.repositoryTopics.nodes.flatMap((node) => (node ? [node.topic.name] : [])),
    license: repo.licenseInfo?.spdxId ?? null,
    archived: repo.isArchived,
    fork: repo.isFork,
    isPrivate: repo.isPrivate,
    githubCreatedAt: epochMs(repo.createdAt),
    githubUpdatedAt: epochMs(repo.updatedAt),
    githubPushedAt: epochMs(repo.pushedAt),
  };
}

function epochMs(iso: string | null): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}
