import type { Bindings } from "../env";
import { GithubApi, type GithubUsage } from "./api";
import { githubConfig } from "./client";
import { GraphqlStarSource } from "./graphql-source";
import { RestStarSource } from "./rest-source";
import type { ReadmeRef, ReadmeText, StarredRepo } from "./types";

export type StarPage = { items: StarredRepo[]; next: string | null; totalCount: number | null };

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
  | { kind: "unchanged" }
  | { kind: "missing" }
  | { kind: "error"; message: string }
);

/**
 * How a sync reads a user's stars from GitHub. Two strategies behind one interface,
 * measured against each other by `npm run bench:sync`:
 * - `graphql` (default): 100 stars a page with metadata and README blob sha (~1 point),
 *   README text only for new blob shas, in batches.
 * - `rest`: the seed's algorithm made correct (sort=created, star+json, one `/readme`
 *   per repository that needs one, conditional on the known sha).
 */
export interface StarSource {
  readonly strategy: "graphql" | "rest";
  /** One page of stars, newest first. `cursor` null = the first page. */
  listPage(cursor: string | null): Promise<StarPage>;
  /**
   * READMEs for the given repositories. A repository's own failure is an `error`
   * outcome; only run-wide failures (token, rate limit, GitHub down) throw.
   */
  fetchReadmes(requests: ReadmeRequest[]): Promise<ReadmeOutcome[]>;
}

export type StrategyName = StarSource["strategy"];

export function strategyName(env: Pick<Bindings, "SYNC_STRATEGY">): StrategyName {
  return env.SYNC_STRATEGY === "rest" ? "rest" : "graphql";
}

export function createStarSource(
  env: Pick<Bindings, "GITHUB_API_URL" | "GITHUB_GRAPHQL_URL">,
  strategy: StrategyName,
  token: string,
  usage?: GithubUsage,
): StarSource {
  const api = new GithubApi(githubConfig(env), token, usage);
  return strategy === "rest" ? new RestStarSource(api) : new GraphqlStarSource(api);
}

/** Runs `task` over `items` with at most `limit` in flight (a Worker keeps ≤ 6 connections open). */
export async function mapPool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
}
