import type { ReadmeOutcome, ReadmeRequest } from "../github/source";
import type { RepoMetadata, StarredRepo } from "../github/types";

/** What D1 holds for a listed repository (global row) … */
export type KnownRepo = {
  githubId: number;
  metaHash: string | null;
  readmeSha: string | null;
  readmeStatus: "ok" | "missing" | "error" | null;
  githubPushedAt: number | null;
  /** The stored metadata columns (null when not read): an update writes only those that differ. */
  meta: StoredMeta | null;
};
/** Rows saved by `POST /api/repositories/save` before GraphQL ids were stored may lack a node id. */
export type StoredMeta = Omit<RepoMetadata, "githubId" | "nodeId"> & { nodeId: string | null };
/** … and for this user's star of it. */
export type KnownStar = { githubId: number; isStarred: boolean; starredAt: number | null };

export type PlannedItem = {
  item: StarredRepo;
  metaHash: string;
  known: KnownRepo | null;
  /** `insert` a new repository row, `update` its metadata, or leave it. */
  repo: "insert" | "update" | "keep";
  /** Whether this user's star row must be written, and whether that makes it a new star. */
  star: "new" | "refresh" | "keep";
  readme: ReadmeRequest | null;
};

/**
 * The diff of one listed page against D1 (docs/architecture.md §5 steps 2–3): pure, so every rule is
 * tested directly. A README is asked for when the repository is new, its README was
 * never fetched or failed last time, its blob sha changed (GraphQL lists the sha), or —
 * when the listing cannot tell (REST) — it was pushed since we last looked.
 */
export function planPage(
  items: StarredRepo[],
  metaHashes: Map<number, string>,
  knownRepos: Map<number, KnownRepo>,
  knownStars: Map<number, KnownStar>,
): PlannedItem[] {
  return items.map((item) => {
    const { githubId } = item.repo;
    const metaHash = metaHashes.get(githubId)!;
    const known = knownRepos.get(githubId) ?? null;
    const star = knownStars.get(githubId);
    return {
      item,
      metaHash,
      known,
      repo: !known ? "insert" : known.metaHash !== metaHash ? "update" : "keep",
      star: !star || !star.isStarred ? "new" : star.starredAt !== item.starredAt ? "refresh" : "keep",
      readme: needsReadme(item, known) ? readmeRequest(item, known) : null,
    };
  });
}

function needsReadme(item: StarredRepo, known: KnownRepo | null): boolean {
  if (!known || known.readmeStatus === null || known.readmeStatus === "error") return true;
  const ref = item.readme;
  if (ref.kind === "found") return ref.sha !== known.readmeSha || known.readmeStatus !== "ok";
  if (ref.kind === "none") return known.readmeStatus !== "missing";
  return item.repo.githubPushedAt !== known.githubPushedAt;
}

function readmeRequest(item: StarredRepo, known: KnownRepo | null): ReadmeRequest {
  return {
    githubId: item.repo.githubId,
    nodeId: item.repo.nodeId,
    fullName: item.repo.fullName,
    ref: item.readme,
    knownSha: known?.readmeStatus === "ok" ? known.readmeSha : null,
  };
}

/** Hash of the metadata a sync refreshes: equal hash = nothing to write. */
export async function metaHash(repo: RepoMetadata): Promise<string> {
  const fields = [
    repo.nodeId, repo.fullName, repo.name, repo.ownerLogin, repo.ownerAvatarUrl, repo.description, repo.htmlUrl,
    repo.homepage, repo.stargazersCount, repo.language, repo.topics, repo.license, repo.archived, repo.fork,
    repo.isPrivate, repo.githubCreatedAt, repo.githubUpdatedAt, repo.githubPushedAt,
  ];
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(JSON.stringify(fields)));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export type ReadmeChange =
  | { kind: "content"; sha: string; path: string; content: string; contentChanged: boolean }
  /** GitHub has no README (any more): forget what we had. */
  | { kind: "missing"; contentChanged: boolean }
  /** Could not fetch it this time: keep what we have, look again next sync. */
  | { kind: "error" };

/** How a README outcome changes the stored row; `null` = nothing to write. */
export function readmeChange(outcome: ReadmeOutcome | undefined, known: KnownRepo | null): ReadmeChange | null {
  if (!outcome) return null;
  switch (outcome.kind) {
    case "ok":
      if (known?.readmeStatus === "ok" && known.readmeSha === outcome.readme.sha) return null;
      return {
        kind: "content",
        sha: outcome.readme.sha,
        path: outcome.readme.path,
        content: outcome.readme.text,
        contentChanged: outcome.readme.sha !== known?.readmeSha,
      };
    case "unchanged":
      return null;
    case "missing":
      return known?.readmeStatus === "missing" ? null : { kind: "missing", contentChanged: known?.readmeSha != null };
    case "error":
      return known?.readmeStatus === "error" ? null : { kind: "error" };
  }
}
