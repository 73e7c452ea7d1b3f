import { and, eq, isNull, or } from "drizzle-orm";
import { repositories, stars } from "../db/schema";
import { GithubUsage } from "../github/client";
import { createStarSource } from "../github/source";
import { loadGithubUser } from "../lib/github-token";
import type { Services } from "../services";
import { interruptionOf, zeroCounts, type Counts } from "./step-outcome";
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
  services: Services,
  input: { userId: number },
): Promise<{ counts: Counts; usage: ReturnType<GithubUsage["toJSON"]> }> {
  const usage = new GithubUsage();
  const counts = zeroCounts();
  const results = await services.db
    .select({
      githubId: repositories.githubId,
      nodeId: repositories.nodeId,
      fullName: repositories.fullName,
      readmeSha: repositories.readmeSha,
      readmeStatus: repositories.readmeStatus,
      readmePath: repositories.readmePath,
      githubPushedAt: repositories.githubPushedAt,
    })
    .from(stars)
    .innerJoin(repositories, eq(repositories.id, stars.repositoryId))
    .where(
      and(
        eq(stars.userId, input.userId),
        eq(stars.isSaved, true),
        eq(stars.isStarred, false),
        or(isNull(repositories.readmeStatus), eq(repositories.readmeStatus, "error")),
      ),
    )
    .limit(LIMIT);
  if (results.length === 0) return { counts, usage: usage.toJSON() };
  const user = await loadGithubUser(services, input.userId);
  if (!user?.token) return { counts, usage: usage.toJSON() };
  const source = createStarSource(services.github, user.token, { usage });
  try {
    const outcomes = await source.fetchReadmes(
      results.map((row) => ({
        githubId: row.githubId,
        nodeId: row.nodeId ?? "",
        fullName: row.fullName,
        knownSha: null,
      })),
    );
    const now = Date.now();
    const statements: Write[] = [];
    for (const outcome of outcomes) {
      const row = results.find((r) => r.githubId === outcome.githubId)!;
      const known: KnownRepo = {
        githubId: row.githubId,
        metaHash: null,
        readmeSha: row.readmeSha,
        readmeStatus: row.readmeStatus,
        readmePath: row.readmePath,
        githubPushedAt: row.githubPushedAt?.getTime() ?? null,
        meta: null,
      };
      if (outcome.kind === "error") counts.failures++;
      const change = readmeChange(outcome, known);
      if (change) statements.push(readmeUpdate(services.db, outcome.githubId, change, now));
    }
    counts.readmesChecked = results.length;
    counts.rowsWritten = await runWrites(services.db, statements);
  } catch (error) {
    if (!interruptionOf(error)) throw error;
    // Rate limited or token trouble: the listing would have stopped on the latter already.
  }
  return { counts, usage: usage.toJSON() };
}
