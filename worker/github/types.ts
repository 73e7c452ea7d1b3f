/**
 * What the sync and the routes know about a GitHub repository, whichever API it came
 * from (REST or GraphQL). Plain JSON (times as epoch ms) so it can cross Workflow steps.
 */
export type RepoMetadata = {
  githubId: number;
  nodeId: string;
  fullName: string;
  name: string;
  ownerLogin: string;
  ownerAvatarUrl: string | null;
  description: string | null;
  htmlUrl: string;
  homepage: string | null;
  stargazersCount: number;
  language: string | null;
  topics: string[];
  license: string | null;
  archived: boolean;
  fork: boolean;
  isPrivate: boolean;
  githubCreatedAt: number | null;
  githubUpdatedAt: number | null;
  githubPushedAt: number | null;
};

export type StarredRepo = { starredAt: number; repo: RepoMetadata };

export type ReadmeText = { sha: string; path: string; text: string; truncated: boolean };
