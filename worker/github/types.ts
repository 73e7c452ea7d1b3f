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

/** Where a repository's README is, as far as the listing could tell. */
export type ReadmeRef =
  /** Found: its git blob sha, path in the default branch and size. */
  | { kind: "found"; sha: string; path: string; byteSize: number; symlink?: boolean }
  /** The listing looked and the repository has no README it could see. */
  | { kind: "none" }
  /** The listing cannot tell (REST lists no README data): ask `/readme`. */
  | { kind: "unknown" };

export type StarredRepo = { starredAt: number; repo: RepoMetadata; readme: ReadmeRef };

export type ReadmeText = { sha: string; path: string; text: string; truncated: boolean };
