import type { RepositoryAccess } from "../github/errors";
import type { ReadmeOutcome, ReadmeRequest } from "../github/source";
import { META_FIELDS, type RepoMetadata, type StarredRepo } from "../github/types";

/** What D1 holds for a listed repository (global row) … */
export type KnownRepo = {
  githubId: number;
  metaHash: string | null;
  readmeSha: string | null;
  readmeStatus: "ok" | "missing" | "error" | null;
  readmePath: string | null;
  githubPushedAt: number | null;
  /** The stored metadata columns (null when not read): an update writes only those that differ. */
  meta: StoredMeta | null;
};
/** Rows saved by `POST /api/repositories/save` before GraphQL ids were stored may lack a node id. */
export type StoredMeta = Omit<RepoMetadata, "githubId" | "nodeId"> & { nodeId: string | null };
/** … and for this user's star of it. */
export type KnownStar = {
  githubId: number;
  isStarred: boolean;
  starredAt: number | null;
  /** GitHub refused the repository to this user's token (worker/github/errors.ts), and when it last said so. */
  access: RepositoryAccess | null;
  accessCheckedAt: number | null;
  /** Recorded as gone from GitHub (worker/sync/unstar.ts): listed again, it is written so that it is not. */
  gone?: boolean;
  /** When a Starwise undo re-starred it (worker/unstar/): GitHub's `starred_at` from then on is the re-star's. */
  restarredAt?: number;
};

/**
 * GitHub's clock and the Worker's differ by seconds: a listed `starred_at` this close before the recorded re-star is
 * still the re-star's.
 */
export const RESTAR_SLACK_MS = 5 * 60_000;

/** Whether the listed date differs from the recorded one in a way the star row must follow. */
function starredAtMoved(star: KnownStar, listed: number): boolean {
  if (star.starredAt === listed) return false;
  // Re-starred by an undo: Starwise keeps its first date, and GitHub's new one is no change.
  return !(star.restarredAt !== undefined && star.starredAt !== null && listed >= star.restarredAt - RESTAR_SLACK_MS);
}

/** A repository GitHub refused is asked again at most this often (not at every hourly sync). */
export const ACCESS_RECHECK_MS = 24 * 60 * 60_000;

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
 * The diff of one listed page against D1 (docs/architecture.md §4 steps 2–3): pure, so every rule is
 * tested directly. A README is asked for when the repository is new, its README was never
 * fetched or failed last time, or it was pushed since we last looked (the star list says
 * nothing of READMEs; a pushed repository's trees say whether its README changed).
 */
export function planPage(
  items: StarredRepo[],
  metaHashes: Map<number, string>,
  knownRepos: Map<number, KnownRepo>,
  knownStars: Map<number, KnownStar>,
  now: number,
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
      star: !star || !star.isStarred ? "new" : starredAtMoved(star, item.starredAt) || star.gone ? "refresh" : "keep",
      readme: needsReadme(item, known) && !refusedLately(star, now) ? readmeRequest(item, known) : null,
    };
  });
}

/** GitHub refused this repository to this token less than a day ago: not asked again yet. */
function refusedLately(star: KnownStar | undefined, now: number): boolean {
  return !!star?.access && star.accessCheckedAt !== null && now - star.accessCheckedAt < ACCESS_RECHECK_MS;
}

function needsReadme(item: StarredRepo, known: KnownRepo | null): boolean {
  if (!known || known.readmeStatus === null || known.readmeStatus === "error") return true;
  return item.repo.githubPushedAt !== known.githubPushedAt;
}

function readmeRequest(item: StarredRepo, known: KnownRepo | null): ReadmeRequest {
  return {
    githubId: item.repo.githubId,
    nodeId: item.repo.nodeId,
    fullName: item.repo.fullName,
    knownSha: known?.readmeStatus === "ok" ? known.readmeSha : null,
  };
}

/** Hash of the metadata a sync refreshes: equal hash = nothing to write. */
export async function metaHash(repo: RepoMetadata): Promise<string> {
  // The stored hashes were made of these values in this order (META_FIELDS): keep it. `disabled` came later: it
  // is hashed only when true, so a repository that is not disabled keeps the hash stored before it existed.
  const fields: unknown[] = META_FIELDS.filter((field) => field !== "disabled").map((field) => repo[field]);
  if (repo.disabled) fields.push({ disabled: true });
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(JSON.stringify(fields)));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export type ReadmeChange =
  | { kind: "content"; sha: string; path: string; content: string; contentChanged: boolean }
  /** GitHub has no README (any more): forget what we had. */
  | { kind: "missing" }
  /** The same README under another name (GitHub's `path`): only the path is written. */
  | { kind: "moved"; path: string }
  /** Could not fetch it this time: keep what we have, look again next sync. */
  | { kind: "error" };

/** How a README outcome changes the stored row; `null` = nothing to write. */
export function readmeChange(outcome: ReadmeOutcome | undefined, known: KnownRepo | null): ReadmeChange | null {
  if (!outcome) return null;
  switch (outcome.kind) {
    case "ok":
      if (known?.readmeStatus === "ok" && known.readmeSha === outcome.readme.sha) {
        return known.readmePath === outcome.readme.path ? null : { kind: "moved", path: outcome.readme.path };
      }
      return {
        kind: "content",
        sha: outcome.readme.sha,
        path: outcome.readme.path,
        content: outcome.readme.text,
        contentChanged: outcome.readme.sha !== known?.readmeSha,
      };
    case "unchanged":
      return outcome.path !== undefined &&
        known !== null &&
        known.readmeStatus === "ok" &&
        known.readmePath !== outcome.path
        ? { kind: "moved", path: outcome.path }
        : null;
    case "missing":
      return known?.readmeStatus === "missing" ? null : { kind: "missing" };
    case "error":
    case "denied":
      return known?.readmeStatus === "error" ? null : { kind: "error" };
  }
}

/**
 * How a README outcome changes this user's record of GitHub refusing the repository: set (or
 * its check time renewed) when refused, cleared when GitHub served it again; `undefined` = no write.
 */
export function accessChange(
  outcome: ReadmeOutcome | undefined,
  star: KnownStar | undefined,
): RepositoryAccess | null | undefined {
  if (!outcome || outcome.kind === "error") return undefined;
  if (outcome.kind === "denied") return outcome.access;
  return star?.access ? null : undefined;
}
