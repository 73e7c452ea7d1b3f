import type { Config } from "../config";
import type { Bindings } from "../env";
import { GithubClient, githubConfig, type GithubUsage } from "./client";
import { GraphqlStarSource } from "./graphql-source";
import { Pacer } from "./pacer";
import { ReadmeFetcher } from "./readmes";
import { RestPagesStarSource, RestStarSource } from "./rest-source";
import type { RepositoryAccess } from "./errors";
import type { ReadmeRef, ReadmeText, StarredRepo } from "./types";

export type StarPage = {
  items: StarredRepo[];
  /** Where the next page starts; null = this was the last. */
  next: string | null;
  totalCount: number | null;
  /** GraphQL's `isOverLimit`: GitHub truncated this user's list, so it is not the whole truth. */
  overLimit?: boolean;
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
  ref: ReadmeRef;
  /** The blob sha we already hold: an unchanged README is not downloaded again. */
  knownSha: string | null;
};

export type ReadmeOutcome = { githubId: number } & (
  | { kind: "ok"; readme: ReadmeText }
  /** The same blob; `path` when GitHub said where it is now (a README renamed without a change). */
  | { kind: "unchanged"; path?: string }
  /** GitHub refuses this repository (blocked, SAML single sign-on): its state, not the run's. */
  | { kind: "denied"; access: RepositoryAccess }
  | { kind: "missing" }
  | { kind: "error"; message: string }
);

/**
 * How a sync reads a user's stars from GitHub. Four strategies behind one interface, measured
 * against each other by `npm run bench:sync` under the emulator's `github` realism:
 * - `rest-pages` (default): REST pages of 100 stars fetched ahead in parallel (pages are
 *   independent); README texts of new repositories through GraphQL batches (worker/github/readmes.ts);
 *   pushed repositories asked with a conditional REST `/readme` (a free 304 when unchanged).
 * - `graphql-light`: the same README lookups, stars listed through GraphQL without trees.
 * - `graphql`: stars listed through GraphQL with the `.github/`, root and `docs/` trees of every
 *   repository (the README's blob sha in the listing), texts only for new shas.
 * - `rest`: the seed's algorithm made correct: REST pages one after another, one `/readme` per
 *   new or pushed repository. The fallback and the benchmark's baseline.
 */
export interface StarSource {
  readonly strategy: StrategyName;
  /**
   * Pages of stars from `cursor` (null = the newest), newest first, until `maxPages` pages or
   * the end. Pages may be fetched ahead in parallel; they are yielded in order.
   */
  pages(cursor: string | null, maxPages: number): AsyncGenerator<StarPage>;
  /**
   * READMEs for the given repositories. A repository's own failure is an `error` outcome;
   * only run-wide failures (token, rate limit, GitHub down) throw.
   */
  fetchReadmes(requests: ReadmeRequest[]): Promise<ReadmeOutcome[]>;
  /** Whether the README work would use more repositories now (the listing may run further ahead). */
  wantsMore(): boolean;
}

/** The names are checked where the var is parsed (worker/config.ts). */
export type StrategyName = Config["syncStrategy"];

export function createStarSource(
  env: Pick<Bindings, "GITHUB_API_URL" | "GITHUB_GRAPHQL_URL">,
  strategy: StrategyName,
  token: string,
  options: { usage?: GithubUsage; pacer?: Pacer } = {},
): StarSource {
  const client = new GithubClient(githubConfig(env), token, options);
  const readmes = new ReadmeFetcher(client);
  switch (strategy) {
    case "rest":
      return new RestStarSource(client);
    case "rest-pages":
      return new RestPagesStarSource(client, readmes);
    case "graphql-light":
      return new GraphqlStarSource(client, readmes, { trees: false });
    case "graphql":
      return new GraphqlStarSource(client, readmes, { trees: true });
  }
}
