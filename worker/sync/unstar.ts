import { and, desc, eq, inArray, isNull, notInArray } from "drizzle-orm";
import { z } from "zod";
import { repositories, stars } from "../db/schema";
import { inJsonArray } from "../db/sql";
import { removeUnlistedVectors } from "../vectors/remove";
import { GithubClient, GithubUsage, jsonOf, type GithubUsageJson } from "../github/client";
import { GithubError, type RepositoryAccess } from "../github/errors";
import { Pacer, type PacingState } from "../github/pacer";
import { isRunWide } from "../github/readmes";
import { mapPool } from "../lib/concurrency";
import { loadGithubUser } from "../lib/github-token";
import type { Services } from "../services";
import { ACCESS_RECHECK_MS } from "./plan";
import { accessWrite, runWrites, type Write } from "./store";

/** Stars missing from the listing that are asked about one by one in a run, at most (~25 s of REST). */
export const CONFIRM_MAX = 100;
/** Confirmations in flight (the pacer still admits each). */
const CONFIRM_LANES = 4;

export type UnstarResult = {
  unstarred: number;
  rowsWritten: number;
  /** Missing from the listing, but GitHub says still starred (the listing drifted): kept. */
  stillStarred: number;
  /**
   * Missing from the listing because GitHub refuses the repository to this token (SAML, blocked): kept, with the
   * reason.
   */
  refused: number;
  /** Missing from the listing and not asked about this run (over CONFIRM_MAX, or asked less than a day ago): kept. */
  deferred: number;
  /** Missing from the listing because the repository is gone from GitHub (deleted, blocked, made private): kept. */
  gone: number;
  usage: GithubUsageJson;
};

/**
 * Stars in D1 that the listing did not show become `is_starred = false` with `unstarred_at`;
 * the row and the user's notes and tags stay. A star missing from a listing is not proof: the
 * list is read by offset, so a star removed from an earlier page while later ones are read
 * shifts one still-starred repository past every page; GitHub leaves out repositories of an
 * organisation whose SAML single sign-on the token lacks. So each candidate is confirmed with
 * `GET /user/starred/{owner}/{repo}` (204 starred, 404 not): one REST request per candidate,
 * and a no-change sync has none. More than CONFIRM_MAX at once (a mass unstar) are taken from
 * the listing only when it was `consistent` (no drift seen, nothing left out); otherwise they
 * wait for the next run. A repository GitHub refused lately is not asked again for a day.
 *
 * Gone is not unstarred: a 404 is asked once more, by id (`GET /repositories/{id}`), which tells a repository
 * that still exists (the user unstarred it; under a new name or owner, its new name is asked whether it is
 * starred) from one that is gone (404: deleted or made private; 451: blocked). A gone star keeps `is_starred`,
 * its row and the user's fields, with `gone_reason` and `gone_at`; it is not asked about again (a listing that
 * shows it again clears it: worker/sync/plan.ts). Idempotent: a second call finds nothing to change.
 */
export async function markUnstarred(
  services: Services,
  input: { userId: number; seen: number[]; consistent: boolean; pacing: PacingState | null },
): Promise<UnstarResult> {
  const db = services.db;
  const usage = new GithubUsage();
  const listed = db
    .select({ id: repositories.id })
    .from(repositories)
    .where(inJsonArray(repositories.githubId, input.seen));
  const candidates = await db
    .select({
      repositoryId: stars.repositoryId,
      githubId: repositories.githubId,
      fullName: repositories.fullName,
      accessState: stars.accessState,
      accessCheckedAt: stars.accessCheckedAt,
    })
    .from(stars)
    .innerJoin(repositories, eq(repositories.id, stars.repositoryId))
    .where(
      and(
        eq(stars.userId, input.userId),
        eq(stars.isStarred, true),
        isNull(stars.goneReason),
        notInArray(stars.repositoryId, listed),
      ),
    )
    .orderBy(desc(stars.starredAt));

  const now = Date.now();
  const refusedLately = (c: (typeof candidates)[number]) =>
    c.accessState !== null && c.accessCheckedAt !== null && now - c.accessCheckedAt.getTime() < ACCESS_RECHECK_MS;
  const open = candidates.filter((c) => !refusedLately(c));
  const toConfirm = open.slice(0, CONFIRM_MAX);
  const gone: number[] = [];
  const vanished: Array<{ repositoryId: number; reason: GoneReason }> = [];
  const access: Array<{ githubId: number; access: RepositoryAccess | null }> = [];
  let stillStarred = 0;
  let asked = 0;

  const user = toConfirm.length > 0 ? await loadGithubUser(services, input.userId) : null;
  if (user?.token) {
    const client = services.github.forToken(user.token, { usage, pacer: new Pacer(input.pacing) });
    let stop = false;
    await mapPool(toConfirm, CONFIRM_LANES, async (candidate) => {
      if (stop) return;
      const verdict = await confirm(client, candidate, user.login);
      if (verdict === "stop") {
        // The token or the rate limit: nothing more can be learned this run; the rest stay as they are.
        stop = true;
        return;
      }
      asked++;
      if (verdict === "gone") gone.push(candidate.repositoryId);
      else if (typeof verdict === "object" && "gone" in verdict)
        vanished.push({ repositoryId: candidate.repositoryId, reason: verdict.gone });
      else if (verdict === "starred") {
        stillStarred++;
        if (candidate.accessState !== null) access.push({ githubId: candidate.githubId, access: null });
      } else if (verdict !== "unknown") access.push({ githubId: candidate.githubId, access: verdict });
    });
  }
  // A mass unstar: beyond what is confirmed one by one, a listing that saw no drift is believed.
  if (input.consistent && asked === toConfirm.length) gone.push(...open.slice(CONFIRM_MAX).map((c) => c.repositoryId));

  const writes: Write[] = access.map((a) => accessWrite(services.db, input.userId, a.githubId, a.access, now));
  for (const { repositoryId, reason } of vanished) {
    writes.push(
      db
        .update(stars)
        .set({ goneReason: reason, goneAt: new Date(now) })
        .where(and(eq(stars.userId, input.userId), eq(stars.repositoryId, repositoryId), isNull(stars.goneReason))),
    );
  }
  const accessRows = await runWrites(services.db, writes);
  const unstarred = await unstarRows(services, input.userId, gone, now);
  const refused = access.filter((a) => a.access !== null).length;
  return {
    unstarred,
    rowsWritten: unstarred + accessRows,
    stillStarred,
    refused,
    deferred: candidates.length - gone.length - stillStarred - refused - vanished.length,
    gone: vanished.length,
    usage: usage.toJSON(),
  };
}

/**
 * Marks these stars (repository ids) unstarred and removes the vectors of what left the library
 * (unstarred and not saved). The sweep covers every such star, so a retried step still removes them.
 */
export async function unstarRows(
  services: Pick<Services, "db" | "vectors">,
  userId: number,
  repositoryIds: number[],
  now = Date.now(),
): Promise<number> {
  const { db } = services;
  let unstarred = 0;
  for (let i = 0; i < repositoryIds.length; i += 500) {
    const result = await db
      .update(stars)
      .set({ isStarred: false, unstarredAt: new Date(now) })
      .where(
        and(
          eq(stars.userId, userId),
          eq(stars.isStarred, true),
          inArray(stars.repositoryId, repositoryIds.slice(i, i + 500)),
        ),
      );
    unstarred += result.meta.changes ?? 0;
  }
  await removeUnlistedVectors(services, userId);
  return unstarred;
}

export type GoneReason = "deleted" | "blocked" | "private-or-deleted";

const RepositoryById = z.object({ full_name: z.string() });

/**
 * What GitHub says of one star missing from the listing: still starred, unstarred by the user ("gone", the
 * star's), the repository gone from GitHub (`{gone: why}`), refused (with why), unknown (it failed), or stop asking.
 */
async function confirm(
  client: GithubClient,
  candidate: { githubId: number; fullName: string },
  login: string,
): Promise<"starred" | "gone" | "unknown" | "stop" | { gone: GoneReason } | RepositoryAccess> {
  try {
    if (await isStarred(client, candidate.fullName)) return "starred";
    // 404: unstarred, or the repository is gone. By id (a renamed repository's old name says nothing), once.
    const answer = await client.rest(
      "GET /repositories/{id}",
      { id: candidate.githubId },
      { allow404: true, estimateMs: 150 },
    );
    if (answer.status === 404) {
      // A repository's owner sees it even when private: a 404 to its owner is a deletion.
      const own = candidate.fullName.split("/")[0]?.toLowerCase() === login.toLowerCase();
      return { gone: own ? "deleted" : "private-or-deleted" };
    }
    const now = RepositoryById.safeParse(jsonOf(answer));
    if (!now.success) return "unknown";
    // Still there under its name: the user unstarred it. Renamed or transferred: asked under its new name.
    if (now.data.full_name.toLowerCase() === candidate.fullName.toLowerCase()) return "gone";
    return (await isStarred(client, now.data.full_name)) ? "starred" : "gone";
  } catch (error) {
    if (isRunWide(error)) return "stop";
    // 451: taken down ("Repository access blocked"); it left the list, as a deleted one does.
    if (error instanceof GithubError && error.status === 451) return { gone: "blocked" };
    if (error instanceof GithubError && error.access) return error.access;
    // GitHub failed to answer: never take that for an unstar.
    return "unknown";
  }
}

/** `GET /user/starred/{owner}/{repo}`: 204 starred, 404 not (or not there); anything else throws. */
async function isStarred(client: GithubClient, fullName: string): Promise<boolean> {
  const [owner = "", repo = ""] = fullName.split("/");
  const answer = await client.rest(
    "GET /user/starred/{owner}/{repo}",
    { owner, repo },
    { allow404: true, estimateMs: 100 },
  );
  return answer.status !== 404;
}
