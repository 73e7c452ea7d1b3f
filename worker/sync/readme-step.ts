import { count, eq } from "drizzle-orm";
import { readmeQueue } from "../db/schema";
import { GithubUsage, type GithubUsageJson } from "../github/client";
import { Pacer, type PacingState } from "../github/pacer";
import { createStarSource, type ReadmeOutcome } from "../github/source";
import { loadGithubUser } from "../lib/github-token";
import type { Services } from "../services";
import { addCounts, interruptionOf, TOKEN_INVALID, zeroCounts, type Counts, type Interruption } from "./step-outcome";
import { accessChange, readmeChange } from "./plan";
import { dropUnstarredFromQueue, nextQueuedReadmes, readmeWrites, type QueuedReadme } from "./readme-queue";
import { runWrites } from "./store";

/**
 * Queued README lookups a step reads, at most (their rows, not their READMEs, stay in memory). A
 * step stops handing out new lookups after STEP_WALL_MS, so a slow GitHub never brings it near
 * its 10-minute timeout: that, not this, is what usually ends a step. Every step boundary
 * leaves part batches behind (a point each), so few boundaries are cheaper: 1,000 a step cost
 * 166 units for 5,000 stars where this costs 152 (`npm run bench:sync`, README.md).
 */
export const READMES_PER_STEP = 5000;
const STEP_WALL_MS = 4 * 60_000;
/** READMEs written together (one D1 batch group): a group lands as soon as its lookups are done. */
const GROUP = 50;
/** Groups handed to the README batches at once, at most, and more only while the batches want more. */
const GROUPS_IN_FLIGHT = 8;

export type ReadmeStepResult =
  | {
      status: "ok";
      /** Lookups still queued after this step (0: the user's READMEs are all in). */
      left: number;
      counts: Counts;
      usage: GithubUsageJson;
      pacing: PacingState;
    }
  | (Interruption & { counts: Counts; usage: GithubUsageJson; pacing: PacingState | null });

/**
 * One step of README lookups (docs/architecture.md §4, "rows first"): the user's queue, most
 * recently starred first, through the GraphQL batches of worker/github/readmes.ts; each group of
 * READMEs is written as it lands, with its queue entries deleted in the same batch, so a retried
 * or replayed step asks only for what is still queued.
 */
export async function readmeStep(
  services: Services,
  input: { userId: number; runId: string; pacing: PacingState | null },
  /** READMEs this step has looked up, and how many are still queued. */
  onProgress: (done: number, left: number) => void = () => undefined,
): Promise<ReadmeStepResult> {
  const { db } = services;
  const usage = new GithubUsage();
  let counts = zeroCounts();
  const stopped = (interruption: Interruption, pacing: PacingState | null): ReadmeStepResult => ({
    ...interruption,
    counts,
    usage: usage.toJSON(),
    pacing,
  });
  const user = await loadGithubUser(services, input.userId);
  if (!user) return stopped({ status: "fatal", code: "not_found", message: "The account no longer exists" }, null);
  if (user.token === null) return stopped(TOKEN_INVALID, input.pacing);
  // Stars unstarred since they were queued have nothing to look up.
  await runWrites(db, [dropUnstarredFromQueue(db, input.userId)]);
  const [entries, queued] = await Promise.all([
    nextQueuedReadmes(db, input.userId, READMES_PER_STEP),
    queueLength(db, input.userId),
  ]);
  onProgress(0, queued);
  const pacer = new Pacer(input.pacing);
  const source = createStarSource(services.github, user.token, { usage, pacer });
  source.expectMore(false);

  const inFlight = new Set<Promise<void>>();
  let failed: { error: unknown } | null = null;
  let done = 0;
  const deadline = Date.now() + STEP_WALL_MS;
  for (let i = 0; i < entries.length && !failed && Date.now() < deadline; i += GROUP) {
    const group = entries.slice(i, i + GROUP);
    source.readmesComingLater(queued - i - group.length);
    const work: Promise<void> = lookUp(services, source, input, group)
      .then(
        (written) => {
          counts = addCounts(counts, written);
          done += group.length;
          onProgress(done, Math.max(0, queued - done));
        },
        (error: unknown) => {
          failed ??= { error };
        },
      )
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
    // More groups only while the batches have too little to stay full: READMEs of several groups share batches.
    while (inFlight.size >= GROUPS_IN_FLIGHT || (inFlight.size > 1 && !source.wantsMore()))
      await Promise.race([...inFlight, source.readmesChanged()]);
  }
  await Promise.allSettled([...inFlight]);
  if (failed) {
    const interruption = interruptionOf((failed as { error: unknown }).error);
    if (interruption) return stopped(interruption, pacer.toJSON());
    throw (failed as { error: unknown }).error;
  }
  return {
    status: "ok",
    left: await queueLength(db, input.userId),
    counts,
    usage: usage.toJSON(),
    pacing: pacer.toJSON(),
  };
}

async function queueLength(db: Services["db"], userId: number): Promise<number> {
  const [row] = await db.select({ n: count() }).from(readmeQueue).where(eq(readmeQueue.userId, userId));
  return row?.n ?? 0;
}

/**
 * One group's lookups and writes. Trouble for the whole run (a revoked token, a rate limit) leaves
 * the group queued.
 */
async function lookUp(
  services: Services,
  source: ReturnType<typeof createStarSource>,
  input: { userId: number; runId: string },
  group: QueuedReadme[],
): Promise<Counts> {
  const outcomes: ReadmeOutcome[] = await source.fetchReadmes(
    group.map((entry) => ({
      githubId: entry.githubId,
      nodeId: entry.nodeId ?? "",
      fullName: entry.fullName,
      knownSha: entry.known.readmeStatus === "ok" ? entry.known.readmeSha : null,
      // New or pushed: its health (release, last commit) comes in the same lookup (docs/architecture.md §4).
      health: true,
    })),
  );
  const byId = new Map(outcomes.map((o) => [o.githubId, o]));
  const now = Date.now();
  const counts = zeroCounts();
  const writes = group.flatMap((entry) => {
    const outcome = byId.get(entry.githubId);
    if (outcome?.kind === "error") counts.failures++;
    const change = readmeChange(outcome, entry.known);
    if (change?.kind === "content" && !entry.counted) counts.updated++;
    const access = accessChange(outcome, entry.star);
    return readmeWrites(services.db, input.userId, input.runId, entry, change, access, now, outcome?.health);
  });
  const tally = { triggerRows: 0 };
  counts.rowsWritten = await runWrites(services.db, writes, tally);
  counts.triggerRows = tally.triggerRows;
  counts.readmesChecked = group.length;
  return counts;
}
