import { GithubUsage, type GithubUsageJson } from "../github/client";
import { GithubError } from "../github/errors";
import { Pacer, type PacingState } from "../github/pacer";
import { loadGithubUser } from "../lib/github-token";
import { refreshLists, type ListsOutcome } from "../lists/refresh";
import { readStateWrite, runWrites } from "../lists/store";
import type { Services } from "../services";

export type ListsStepResult = {
  outcome: ListsOutcome | null;
  usage: GithubUsageJson;
  pacing: PacingState | null;
};

/**
 * The user's GitHub Lists, read on each sync (docs/architecture.md §4, "Lists"): a point for the index, the items of
 * the Lists GitHub shows changed, the linked Lists merged both ways. Never fails the run: what went wrong is kept in
 * the user's row (`lists_error`, our own words) and said by `GET /api/lists`; the next sync tries again. Safe to
 * repeat: the reads are reads, the writes to D1 are upserts and differences, and a membership already pushed is
 * found agreeing on both sides.
 */
export async function listsStep(
  services: Services,
  input: { userId: number; pacing: PacingState | null },
): Promise<ListsStepResult> {
  const usage = new GithubUsage();
  const github = await loadGithubUser(services, input.userId);
  if (!github?.token) return { outcome: null, usage: usage.toJSON(), pacing: input.pacing };
  const pacer = new Pacer(input.pacing);
  const client = services.github.forToken(github.token, { usage, pacer });
  try {
    const outcome = await refreshLists(services.db, client, pacer, input.userId);
    return { outcome, usage: usage.toJSON(), pacing: pacer.toJSON() };
  } catch (error) {
    if (!(error instanceof GithubError)) throw error;
    console.error(`lists of user ${input.userId} not read`, error);
    const words = error.toApiError().message;
    await runWrites(services.db, [readStateWrite(services.db, input.userId, undefined, new Date(), words)]);
    return { outcome: null, usage: usage.toJSON(), pacing: pacer.toJSON() };
  }
}
