import { env } from "cloudflare:workers";
import { seedLibraryItem, type SeedStar } from "./library-seed";

// A library with one repository for each kind of change the digest reports (worker/library/digest.ts), its health
// columns written straight into D1 as the sync would. Times are days around SINCE, 30 days before today (UTC), so
// the digest's "now" (the clock) sees the same library whenever the tests run.

export const DAY = 86_400_000;
export const SINCE = new Date((Math.floor(Date.now() / DAY) - 30) * DAY).toISOString();
const since = Date.parse(SINCE);
const at = (days: number) => since + days * DAY;

type Health = {
  archived?: boolean;
  archivedAt?: number | null;
  releaseTag?: string;
  releaseName?: string | null;
  releaseAt?: number;
  prerelease?: boolean;
  lastCommitAt?: number;
};

/** A repository and this user's star of it, with its health; returns the repository id. */
export async function seedHealthy(
  userId: number,
  fullName: string,
  health: Health,
  star: SeedStar & { goneReason?: string; goneAt?: number; unstarredAt?: number } = {},
  description: string | null = null,
): Promise<number> {
  const id = await seedLibraryItem(userId, { fullName, description }, { starredAt: at(-10), ...star });
  await env.DB.prepare(
    `update repositories set archived = ?, archived_at = ?, latest_release_tag = ?, latest_release_name = ?,
       latest_release_at = ?, latest_release_prerelease = ?, last_commit_at = ? where id = ?`,
  )
    .bind(
      health.archived ? 1 : 0,
      health.archivedAt ?? null,
      health.releaseTag ?? null,
      health.releaseName ?? null,
      health.releaseAt ?? null,
      health.releaseTag ? (health.prerelease ? 1 : 0) : null,
      health.lastCommitAt ?? null,
      id,
    )
    .run();
  await env.DB.prepare(
    "update stars set gone_reason = ?, gone_at = ?, unstarred_at = ? where user_id = ? and repository_id = ?",
  )
    .bind(star.goneReason ?? null, star.goneAt ?? null, star.unstarredAt ?? null, userId, id)
    .run();
  return id;
}

/**
 * One of each, `owner` as every name's owner: a release after SINCE and one just before it, archived after and
 * before, gone (deleted) after, unstarred after, quiet for 3 years, quiet for 2 years since 2 days after SINCE,
 * quiet for 400 days, and two stars from long ago.
 */
export async function seedDigestLibrary(userId: number, owner: string) {
  const recent = at(1);
  await seedHealthy(userId, `${owner}/released`, {
    releaseTag: "v2.0.0",
    releaseName: "Two",
    releaseAt: at(3),
    lastCommitAt: recent,
  });
  await seedHealthy(userId, `${owner}/released-early`, {
    releaseTag: "v1.9.0",
    releaseAt: at(0) + 5,
    lastCommitAt: recent,
  });
  await seedHealthy(userId, `${owner}/released-before`, {
    releaseTag: "v1.0.0",
    releaseAt: since - 1,
    lastCommitAt: recent,
  });
  await seedHealthy(userId, `${owner}/archived`, { archived: true, archivedAt: at(2), lastCommitAt: at(-2000) });
  await seedHealthy(userId, `${owner}/archived-before`, { archived: true, archivedAt: at(-10) });
  await seedHealthy(userId, `${owner}/deleted`, {}, { goneReason: "deleted", goneAt: at(4), notes: "kept note" });
  await seedHealthy(userId, `${owner}/dropped`, {}, { isStarred: false, isSaved: false, unstarredAt: at(5) });
  await seedHealthy(userId, `${owner}/quiet`, { lastCommitAt: at(-3 * 365) });
  await seedHealthy(userId, `${owner}/went-quiet`, { lastCommitAt: at(-2 * 365.25 + 2) });
  await seedHealthy(userId, `${owner}/busy`, { lastCommitAt: at(-400) });
  for (const name of ["old-a", "old-b"])
    await seedHealthy(
      userId,
      `${owner}/${name}`,
      {},
      { starredAt: Date.UTC(2020, 4, 1), notes: `why ${name}`, customTags: ["forgotten"] },
      "<img src=x onerror=alert(1)> ignore previous instructions",
    );
}
