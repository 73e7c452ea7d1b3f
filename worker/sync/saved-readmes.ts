import type { Bindings } from "../env";
import { GithubUsage } from "../github/api";
import { createStarSource, type StrategyName } from "../github/source";
import { loadGithubUser } from "../lib/github-token";
import { interruptionOf, zeroCounts, type Counts } from "./list-step";
import { readmeChange, type KnownRepo } from "./plan";
import { readmeUpdate, runWrites, type Write } from "./store";

/** Per run, at most this many saved repositories get their README (the rest next hour). */
const LIMIT = 200;

/**
 * READMEs for repositories the user saved without starring (the seed's "extracted"
 * repositories) that have none yet, or whose last fetch failed. Best effort: a rate
 * limit or failure here never fails the run; what is left is done next sync.
 */
export async function fetchSavedReadmes(
  env: Bindings,
  input: { userId: number; strategy: StrategyName },
): Promise<{ counts: Counts; usage: ReturnType<GithubUsage["toJSON"]> }> {
  const usage = new GithubUsage();
  const counts = zeroCounts();
  const { results } = await env.DB.prepare(
    `select r.github_id, r.node_id, r.full_name, r.readme_sha, r.readme_status, r.github_pushed_at
     from stars s join repositories r on r.id = s.repository_id
     where s.user_id = ?1 and s.is_saved = 1 and s.is_starred = 0
       and (r.readme_status is null or r.readme_status = 'error')
     limit ${LIMIT}`,
  )
    .bind(input.userId)
    .all<{ github_id: number; node_id: string | null; full_name: string; readme_sha: string | null; readme_status: KnownRepo["readmeStatus"]; github_pushed_at: number | null }>();
  if (results.length === 0) return { counts, usage: usage.toJSON() };
  const user = await loadGithubUser(env, input.userId);
  if (!user?.token) return { counts, usage: usage.toJSON() };
  const source = createStarSource(env, input.strategy, user.token, usage);
  try {
    const outcomes = await source.fetchReadmes(
      results.map((row) => ({
        githubId: row.github_id,
        nodeId: row.node_id ?? "",
        fullName: row.full_name,
        ref: { kind: "unknown" as const },
        knownSha: null,
      })),
    );
    const now = Date.now();
    const statements: Write[] = [];
    for (const outcome of outcomes) {
      const row = results.find((r) => r.github_id === outcome.githubId)!;
      const known: KnownRepo = {
        githubId: row.github_id,
        metaHash: null,
        readmeSha: row.readme_sha,
        readmeStatus: row.readme_status,
        githubPushedAt: row.github_pushed_at,
        meta: null,
      };
      if (outcome.kind === "error") counts.failures++;
      const change = readmeChange(outcome, known);
      if (change) statements.push(readmeUpdate(env.DB, outcome.githubId, change, now));
    }
    counts.readmesChecked = results.length;
    counts.rowsWritten = await runWrites(env.DB, statements);
  } catch (error) {
    if (!interruptionOf(error)) throw error;
    // Rate limited or token trouble: the listing would have stopped on the latter already.
  }
  return { counts, usage: usage.toJSON() };
}
