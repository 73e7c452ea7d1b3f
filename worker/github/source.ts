import type { GithubClients, GithubUsage } from "./client";
import type { RepositoryAccess } from "./errors";
import type { Pacer } from "./pacer";
import { ReadmeFetcher } from "./readmes";
import { StarPages } from "./rest-source";
import type { ReadmeText, RepoHealth, StarredRepo } from "./types";

export type StarPage = {
  items: StarredRepo[];
  /** Where the next page starts; null = this was the last. */
  next: string | null;
  totalCount: number | null;
  /**
   * On the last page of an offset listing: how many stars the list held when that page was read
   * (`(page - 1) × size + items`), or null when the page was past the end (the list shrank while
   * it was read). Compared with the stars seen, it tells a listing that drifted.
   */
  countAtEnd?: number | null;
  /**
   * GitHub left out stars it would not show this token (`X-GitHub-SSO: partial-results`: an
   * organisation's SAML single sign-on): a star missing from the list is not proof of an unstar.
   */
  partial?: boolean;
};

export type ReadmeRequest = {
  githubId: number;
  nodeId: string;
  fullName: string;
  /** The blob sha we already hold: an unchanged README is not downloaded again. */
  knownSha: string | null;
  /**
   * Ask the repository's health (RepoHealth) in the same GraphQL lookup: no extra request, no points, some server
   * time. The sync asks it for every new or pushed repository (worker/sync/readme-step.ts).
   */
  health?: boolean;
};

/** `health`: what GitHub said of the repository's health, when it was asked and answered (not by REST). */
export type ReadmeOutcome = { githubId: number; health?: RepoHealth } & (
  | { kind: "ok"; readme: ReadmeText }
  /** The same blob; `path` when GitHub said where it is now (a README renamed without a change). */
  | { kind: "unchanged"; path?: string }
  /** GitHub refuses this repository (blocked, SAML single sign-on): its state, not the run's. */
  | { kind: "denied"; access: RepositoryAccess }
  | { kind: "missing" }
  | { kind: "error"; message: string }
);

/**
 * How a sync reads a user's stars from GitHub (docs/architecture.md §4): REST pages of 100 stars
 * fetched ahead in parallel, README texts through GraphQL batches (worker/github/readmes.ts).
 * GraphQL listing was measured slower (`npm run bench:sync` before this was the one path: ~4.6 s
 * of server time a page against ~0.9 s) and is not kept; the seed's one-`/readme`-per-repository
 * algorithm is the benchmark's baseline (bench/seed-sync.ts).
 */
export function createStarSource(
  github: GithubClients,
  token: string,
  options: { usage?: GithubUsage; pacer?: Pacer } = {},
): StarPages {
  const client = github.forToken(token, options);
  return new StarPages(client, new ReadmeFetcher(client));
}
