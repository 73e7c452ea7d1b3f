import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import {
  DIGEST_FORGOTTEN_DAYS,
  DIGEST_QUIET_YEARS_DEFAULT,
  DIGEST_RESURFACED,
  DIGEST_SECTION_MAX,
  WATCHED_RELEASES_MAX,
  type Digest,
  type DigestItem,
  type WatchedReleases,
} from "../../shared/digest";
import type { Db } from "../db/client";
import { repositories, stars } from "../db/schema";
import { iso, strings } from "./query";

// The digest (docs/architecture.md §4, "The digest"; `GET /api/digest`, MCP `star_digest`): what changed in the
// user's stars since a point they chose, from the health facts the sync keeps. Seven statements, run at once, each
// one pass over the user's own `stars` rows (the privacy boundary, docs/architecture.md §2; the primary key's
// `user_id` prefix) joined to their repositories by id, each returning at most DIGEST_SECTION_MAX rows: bounded by
// the library's size like the facets, with no index of its own (an index on a repository column would walk every
// user's repositories instead of this user's stars).

const DAY = 86_400_000;
const YEAR = 365.25 * DAY;

type Row = {
  fullName: unknown;
  htmlUrl: unknown;
  description: unknown;
  language: unknown;
  starredAt: unknown;
  notes: unknown;
  tags: unknown;
  at: unknown;
  releaseTag: unknown;
  releaseName: unknown;
  releasePrerelease: unknown;
  goneReason: unknown;
  isStarred: unknown;
  unstarRunId: unknown;
};

/** The user's stars and their repositories, with what a digest item shows; `at` is the section's event time. */
const items = (userId: number, at: SQLWrapper, where: SQL, order: SQL, limit: number) => sql`
  select ${repositories.fullName} as fullName, ${repositories.htmlUrl} as htmlUrl,
         ${repositories.description} as description, ${repositories.language} as language,
         ${stars.starredAt} as starredAt, ${stars.notes} as notes, ${stars.customTags} as tags, ${at} as at,
         ${repositories.latestReleaseTag} as releaseTag, ${repositories.latestReleaseName} as releaseName,
         ${repositories.latestReleasePrerelease} as releasePrerelease, ${stars.goneReason} as goneReason,
         ${stars.isStarred} as isStarred, ${stars.unstarRunId} as unstarRunId
  from ${stars}
  join ${repositories} on ${repositories.id} = ${stars.repositoryId}
  where ${stars.userId} = ${userId} and ${where}
  order by ${order}
  limit ${limit}`;

export type DigestOptions = { since: Date; quietYears?: number | undefined; now?: Date };

export async function starDigest(db: Db, userId: number, options: DigestOptions): Promise<Digest> {
  const now = options.now ?? new Date();
  const since = options.since.getTime();
  const quietYears = options.quietYears ?? DIGEST_QUIET_YEARS_DEFAULT;
  const quietBefore = now.getTime() - Math.round(quietYears * YEAR);
  const forgottenBefore = now.getTime() - DIGEST_FORGOTTEN_DAYS * DAY;
  // The same few all day, others the next: the repositories' ids scrambled, then rotated by the day.
  const day = Math.floor(now.getTime() / DAY);
  const rotation = (day * 2_246_822_519) % 4_294_967_296;

  const starred = sql`${stars.isStarred} = 1`;
  const present = sql`${starred} and ${stars.goneReason} is null`;
  const conditions = {
    releases: sql`${present} and ${repositories.latestReleaseTag} is not null
      and ${repositories.latestReleaseAt} >= ${since}`,
    archived: sql`${present} and ${repositories.archived} = 1 and ${repositories.archivedAt} >= ${since}`,
    gone: sql`${starred} and ${stars.goneReason} is not null and ${stars.goneAt} >= ${since}`,
    unstarred: sql`${stars.isStarred} = 0 and ${stars.unstarredAt} >= ${since}`,
    quiet: sql`${present} and ${repositories.archived} = 0 and ${repositories.lastCommitAt} < ${quietBefore}`,
  };
  const newlyQuiet = sql`${repositories.lastCommitAt} >= ${since - (now.getTime() - quietBefore)}`;
  const count = (where: SQL) => sql`coalesce(sum(case when ${where} then 1 else 0 end), 0)`;
  const max = DIGEST_SECTION_MAX;

  const [totals, releases, archived, gone, unstarred, quiet, resurfaced] = await Promise.all([
    db.all<Record<"releases" | "archived" | "gone" | "unstarred" | "quiet" | "quietNew", unknown>>(sql`
      select ${count(conditions.releases)} as releases, ${count(conditions.archived)} as archived,
             ${count(conditions.gone)} as gone, ${count(conditions.unstarred)} as unstarred,
             ${count(conditions.quiet)} as quiet, ${count(sql`${conditions.quiet} and ${newlyQuiet}`)} as quietNew
      from ${stars}
      join ${repositories} on ${repositories.id} = ${stars.repositoryId}
      where ${stars.userId} = ${userId}`),
    db.all<Row>(
      items(
        userId,
        repositories.latestReleaseAt,
        conditions.releases,
        sql`${repositories.latestReleaseAt} desc, ${repositories.id} desc`,
        max,
      ),
    ),
    db.all<Row>(
      items(
        userId,
        repositories.archivedAt,
        conditions.archived,
        sql`${repositories.archivedAt} desc, ${repositories.id} desc`,
        max,
      ),
    ),
    db.all<Row>(items(userId, stars.goneAt, conditions.gone, sql`${stars.goneAt} desc, ${repositories.id} desc`, max)),
    db.all<Row>(
      items(
        userId,
        stars.unstarredAt,
        conditions.unstarred,
        sql`${stars.unstarredAt} desc, ${repositories.id} desc`,
        max,
      ),
    ),
    db.all<Row>(
      items(
        userId,
        repositories.lastCommitAt,
        conditions.quiet,
        sql`${repositories.lastCommitAt} desc, ${repositories.id} desc`,
        max,
      ),
    ),
    db.all<Row>(
      items(
        userId,
        stars.starredAt,
        sql`${present} and ${stars.starredAt} < ${forgottenBefore}`,
        sql`((${stars.repositoryId} * 2654435761) % 4294967296 + ${rotation}) % 4294967296, ${stars.repositoryId}`,
        DIGEST_RESURFACED,
      ),
    ),
  ]);
  const total = totals[0];
  const n = (value: unknown) => Number(value ?? 0);
  const section = (key: "releases" | "archived" | "gone" | "unstarred", rows: Row[]) => ({
    total: n(total?.[key]),
    items: rows.map((row) => toDigestItem(row, key === "releases")),
  });
  const digest: Digest = {
    since: options.since.toISOString(),
    until: now.toISOString(),
    quietYears,
    changes: 0,
    releases: section("releases", releases),
    archived: section("archived", archived),
    gone: section("gone", gone),
    unstarred: section("unstarred", unstarred),
    quiet: { total: n(total?.quiet), newSince: n(total?.quietNew), items: quiet.map((row) => toDigestItem(row)) },
    resurfaced: resurfaced.map((row) => toDigestItem(row)),
  };
  digest.changes = digest.releases.total + digest.archived.total + digest.gone.total + digest.quiet.newSince;
  return digest;
}

/**
 * Releases of the repositories the user watches, published since `since` (`GET /api/digest/releases`; the
 * extension's one notification after a sync: docs/architecture.md §4, "Watched releases"). The digest's release
 * condition and one more column of the user's own `stars` rows.
 */
export async function watchedReleases(db: Db, userId: number, since: Date, now = new Date()): Promise<WatchedReleases> {
  const watched = sql`${stars.isStarred} = 1 and ${stars.goneReason} is null and ${stars.watchReleases} = 1
    and ${repositories.latestReleaseTag} is not null and ${repositories.latestReleaseAt} >= ${since.getTime()}`;
  const [[total], rows] = await Promise.all([
    db.all<{ total: unknown }>(sql`
      select count(*) as total from ${stars} join ${repositories} on ${repositories.id} = ${stars.repositoryId}
      where ${stars.userId} = ${userId} and ${watched}`),
    db.all<Row>(
      items(
        userId,
        repositories.latestReleaseAt,
        watched,
        sql`${repositories.latestReleaseAt} desc, ${repositories.id} desc`,
        WATCHED_RELEASES_MAX,
      ),
    ),
  ]);
  return {
    since: since.toISOString(),
    until: now.toISOString(),
    total: Number(total?.total ?? 0),
    items: rows.map((row) => toDigestItem(row, true)),
  };
}

const GONE_REASONS = ["deleted", "blocked", "private-or-deleted"] as const;
const text = (value: unknown) => (typeof value === "string" ? value : null);
const time = (value: unknown) => (typeof value === "number" ? iso(new Date(value)) : null);

function toDigestItem(row: Row, withRelease = false): DigestItem {
  const tag = withRelease ? text(row.releaseTag) : null;
  const goneReason = text(row.goneReason);
  return {
    fullName: String(row.fullName),
    htmlUrl: String(row.htmlUrl),
    description: text(row.description),
    language: text(row.language),
    starredAt: time(row.starredAt),
    notes: text(row.notes),
    tags: strings(typeof row.tags === "string" ? safeJson(row.tags) : null),
    at: time(row.at),
    release:
      tag === null
        ? null
        : { tag, name: text(row.releaseName), publishedAt: time(row.at), prerelease: row.releasePrerelease === 1 },
    goneReason: GONE_REASONS.find((reason) => reason === goneReason) ?? null,
    unstarredBy: row.isStarred === 1 ? null : row.unstarRunId !== null ? "starwise" : "github",
  };
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return null;
  }
}
