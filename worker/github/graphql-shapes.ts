import { z } from "zod";
import type { RepoHealth, RepoMetadata } from "./types";

// GitHub's GraphQL shapes the sync reads: a repository's fields (the save route's lookup) and the
// trees that say where a README is (worker/github/readmes.ts). Validated where they are parsed.

/** The repository fields a sync keeps (RepoMetadata), for every query that reads repositories. */
export const REPOSITORY_FIELDS = /* GraphQL */ `
  databaseId id nameWithOwner name
  owner { login avatarUrl }
  description url homepageUrl stargazerCount
  primaryLanguage { name }
  repositoryTopics(first: 20) { nodes { topic { name } } }
  licenseInfo { spdxId }
  isArchived isDisabled isFork isPrivate createdAt updatedAt pushedAt
`;

/**
 * A repository's health (RepoHealth): single objects, not connections, so they add no points to a query, only
 * server time. `isArchived`/`isDisabled` come with the REST star list; `archivedAt` only from here.
 */
export const HEALTH_FIELDS =
  "archivedAt latestRelease { tagName name publishedAt isPrerelease } " +
  "defaultBranchRef { target { ... on Commit { committedDate } } }";

export const HealthNode = z.object({
  archivedAt: z.string().nullish(),
  latestRelease: z
    .object({
      tagName: z.string(),
      name: z.string().nullish(),
      publishedAt: z.string().nullish(),
      isPrerelease: z.boolean().nullish(),
    })
    .nullish(),
  defaultBranchRef: z.object({ target: z.object({ committedDate: z.string().nullish() }).nullish() }).nullish(),
});

/** The health in an answer that asked HEALTH_FIELDS; null when the answer does not hold them. */
export function toHealth(raw: unknown): RepoHealth | null {
  const parsed = HealthNode.safeParse(raw);
  if (!parsed.success || raw === null || typeof raw !== "object" || !("latestRelease" in raw)) return null;
  const { archivedAt, latestRelease, defaultBranchRef } = parsed.data;
  return {
    archivedAt: time(archivedAt),
    latestRelease: latestRelease
      ? {
          tagName: latestRelease.tagName,
          name: latestRelease.name ?? null,
          publishedAt: time(latestRelease.publishedAt),
          isPrerelease: latestRelease.isPrerelease ?? false,
        }
      : null,
    lastCommitAt: time(defaultBranchRef?.target?.committedDate),
  };
}

export const Tree = z
  .object({
    entries: z
      .array(
        z.object({
          name: z.string(),
          type: z.string(),
          oid: z.string(),
          size: z.number().int().nullish(),
          mode: z.number().int().nullish(),
        }),
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
  repositoryTopics: z
    .object({ nodes: z.array(z.object({ topic: z.object({ name: z.string() }) }).nullish()) })
    .nullish(),
  licenseInfo: z.object({ spdxId: z.string().nullish() }).nullish(),
  isArchived: z.boolean(),
  isDisabled: z.boolean().nullish(),
  isFork: z.boolean(),
  isPrivate: z.boolean(),
  createdAt: z.string().nullish(),
  updatedAt: z.string().nullish(),
  pushedAt: z.string().nullish(),
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
    disabled: node.isDisabled ?? false,
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

/** A README a tree names: its blob sha, path and size; a symlink (mode 120000) holds its target's path. */
export type FoundReadme = { sha: string; path: string; byteSize: number; symlink?: boolean };

/** The README GitHub would show from one folder's tree (null if it has none). */
export function readmeIn(tree: z.infer<typeof Tree>, folder: string): FoundReadme | null {
  const entry = (tree?.entries ?? [])
    .filter((e) => e.type === "blob" && README_NAME.test(e.name))
    .sort((a, b) => preference(a.name) - preference(b.name) || a.name.localeCompare(b.name))[0];
  if (!entry) return null;
  // Mode 120000 is a symlink: its blob is the target's path, which REST `/readme` follows.
  const symlink = entry.mode === SYMLINK_MODE;
  return { sha: entry.oid, path: folder + entry.name, byteSize: entry.size ?? 0, ...(symlink ? { symlink } : {}) };
}
