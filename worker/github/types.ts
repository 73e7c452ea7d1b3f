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
  /** GitHub disabled it (REST `disabled`, GraphQL `isDisabled`; in the star list, so no extra request). */
  disabled: boolean;
  fork: boolean;
  isPrivate: boolean;
  githubCreatedAt: number | null;
  githubUpdatedAt: number | null;
  githubPushedAt: number | null;
};

/**
 * The metadata a listing refreshes: every field of RepoMetadata but the id, in the one order
 * every copy follows. The repository columns and their values (worker/db/repository-meta.ts) and
 * the sync's `metaHash` (worker/sync/plan.ts) are made from this list. The order is part of the
 * stored `meta_hash`: reordering (or adding to) it changes every hash, and the next sync rewrites
 * every repository row once.
 */
export const META_FIELDS = [
  "nodeId",
  "fullName",
  "name",
  "ownerLogin",
  "ownerAvatarUrl",
  "description",
  "htmlUrl",
  "homepage",
  "stargazersCount",
  "language",
  "topics",
  "license",
  "archived",
  "fork",
  "isPrivate",
  "githubCreatedAt",
  "githubUpdatedAt",
  "githubPushedAt",
  // Last, and hashed only when true (worker/sync/plan.ts, metaHash): the hashes stored before it existed stay valid.
  "disabled",
] as const satisfies ReadonlyArray<Exclude<keyof RepoMetadata, "githubId">>;
export type MetaField = (typeof META_FIELDS)[number];

export type StarredRepo = { starredAt: number; repo: RepoMetadata };

/**
 * What a repository's health adds to its listing (docs/architecture.md §2): asked through GraphQL beside a README
 * lookup (worker/github/readmes.ts) or by the daily catch-up (worker/sync/health-step.ts). Object fields, no points.
 */
export type RepoHealth = {
  archivedAt: number | null;
  /** GitHub's `latestRelease`: the newest published release GitHub marks latest (never a draft or prerelease). */
  latestRelease: { tagName: string; name: string | null; publishedAt: number | null; isPrerelease: boolean } | null;
  /** The default branch's head commit date; null for an empty repository. */
  lastCommitAt: number | null;
};

export type ReadmeText = { sha: string; path: string; text: string; truncated: boolean };
