import { and, asc, desc, eq, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import { repositories, stars, users } from "../db/schema";
import { GithubUsage, type GithubUsageJson } from "../github/client";
import { GithubError } from "../github/errors";
import { HEALTH_FIELDS, toHealth } from "../github/graphql-shapes";
import { Pacer, type PacingState } from "../github/pacer";
import { loadGithubUser } from "../lib/github-token";
import type { Services } from "../services";
import { healthAssignments, runWrites, type Write } from "./store";

/** A repository's health is asked again when it is older than this (unless a push asked it sooner). */
export const HEALTH_RECHECK_MS = 7 * 24 * 60 * 60_000;
/** The catch-up runs at most this often per user: the hourly syncs between ask nothing more. */
export const CATCH_UP_EVERY_MS = 24 * 60 * 60_000;
/** Repositories asked by one catch-up, at most: ~10 batches, a point each. */
export const CATCH_UP_MAX = 1000;

export type HealthCatchUp = { asked: number; recorded: number; usage: GithubUsageJson; pacing: PacingState | null };

const BatchAnswer = z.record(z.string(), z.unknown());

/**
 * The health catch-up (docs/architecture.md §4, "Health"). A repository's health is asked beside its README
 * lookup when the listing shows it new or pushed, but not every change moves `pushed_at`: a release published on
 * a commit already there (a tag made on github.com or by the API, a draft published later) pushes nothing, and
 * archiving is not a push either. So once a day a user's stars whose health is the oldest (never asked, or more
 * than HEALTH_RECHECK_MS ago) are asked again, at most CATCH_UP_MAX, in aliased `node(id:)` batches of single
 * objects (a point a batch, whatever its size). A release that moved nothing is seen within about
 * HEALTH_RECHECK_MS for a library of up to ~7,000 stars (CATCH_UP_MAX a day). Never fails the run: what GitHub
 * does not answer waits for the next sync.
 */
export async function catchUpHealth(
  services: Services,
  input: { userId: number; pacing: PacingState | null },
  now = Date.now(),
): Promise<HealthCatchUp> {
  const { db } = services;
  const usage = new GithubUsage();
  const result = (asked: number, recorded: number, pacing: PacingState | null): HealthCatchUp => ({
    asked,
    recorded,
    usage: usage.toJSON(),
    pacing,
  });
  const [user] = await db
    .select({ caughtUpAt: users.healthCaughtUpAt })
    .from(users)
    .where(eq(users.id, input.userId))
    .limit(1);
  if (!user || (user.caughtUpAt && now - user.caughtUpAt.getTime() < CATCH_UP_EVERY_MS))
    return result(0, 0, input.pacing);
  const due = await db
    .select({ githubId: repositories.githubId, nodeId: repositories.nodeId })
    .from(stars)
    .innerJoin(repositories, eq(repositories.id, stars.repositoryId))
    .where(
      and(
        eq(stars.userId, input.userId),
        eq(stars.isStarred, true),
        isNull(stars.goneReason),
        // Refused to this token: its own daily recheck (worker/sync/plan.ts) clears that first.
        isNull(stars.accessState),
        isNotNull(repositories.nodeId),
        or(isNull(repositories.healthCheckedAt), lt(repositories.healthCheckedAt, new Date(now - HEALTH_RECHECK_MS))),
      ),
    )
    .orderBy(asc(sql`coalesce(${repositories.healthCheckedAt}, 0)`), desc(stars.starredAt))
    .limit(CATCH_UP_MAX);
  const caughtUp = () =>
    db
      .update(users)
      .set({ healthCaughtUpAt: new Date(now) })
      .where(eq(users.id, input.userId));
  if (due.length === 0) {
    await caughtUp();
    return result(0, 0, input.pacing);
  }
  const github = await loadGithubUser(services, input.userId);
  if (!github?.token) return result(0, 0, input.pacing);
  const pacer = new Pacer(input.pacing);
  const client = services.github.forToken(github.token, { usage, pacer });
  let asked = 0;
  let recorded = 0;
  let offset = 0;
  while (offset < due.length) {
    const batch = due.slice(offset, offset + pacer.size("health-batch"));
    const variables: Record<string, string> = {};
    const selections = batch.map((repo, i) => {
      variables[`id${i}`] = repo.nodeId as string;
      return `r${i}: node(id: $id${i}) { ... on Repository { ${HEALTH_FIELDS} } }`;
    });
    const declarations = batch.map((_, i) => `$id${i}: ID!`).join(", ");
    const query = `query Health(${declarations}) {\n${selections.join("\n")}\nrateLimit { cost }\n}`;
    const started = Date.now();
    let answer: Awaited<ReturnType<typeof client.graphql<Record<string, unknown>>>>;
    try {
      answer = await client.graphql(query, variables, BatchAnswer, {
        estimateMs: pacer.estimate("health-batch", batch.length),
        acceptPartial: true,
      });
    } catch (error) {
      // Cut off: asked again smaller. Anything else (the token, a limit, a 5xx) ends the catch-up until next sync.
      if (error instanceof GithubError && error.kind === "too_large" && batch.length > 1) {
        pacer.timedOut("health-batch", batch.length, Date.now() - started);
        continue;
      }
      return result(asked, recorded, pacer.toJSON());
    }
    const writes: Write[] = batch.flatMap((repo, i) => {
      const health = toHealth(answer.data[`r${i}`]);
      if (health) recorded++;
      // Cut short by GitHub's resource limits: asked again at the next catch-up.
      else if (answer.partial) return [];
      // Not answered (gone, refused): checked all the same, so it waits HEALTH_RECHECK_MS.
      const set = health ? healthAssignments(health, now) : { healthCheckedAt: new Date(now) };
      return [db.update(repositories).set(set).where(eq(repositories.githubId, repo.githubId))];
    });
    await runWrites(db, writes);
    if (!answer.partial) pacer.learn("health-batch", batch.length, answer.ms);
    else pacer.timedOut("health-batch", batch.length, Date.now() - started);
    asked += batch.length;
    offset += batch.length;
  }
  await caughtUp();
  return result(asked, recorded, pacer.toJSON());
}
