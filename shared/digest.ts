import { z } from "zod";

/**
 * The digest contract (docs/architecture.md §3 `GET /api/digest`, §4 "The digest"): what changed in the user's
 * stars since a point they choose, read from the health facts the sync keeps (`RepositoryHealth`). Shared by the
 * Worker (the route and the MCP tool `star_digest`), its tests and the extension.
 *
 * What it cannot say, and does not pretend to:
 * - Releases: the sync keeps each repository's latest release only, so a repository appears once, with the newest
 *   release published since `since`; releases between are not known. GitHub's `latestRelease` is never a
 *   prerelease, so prereleases are not in the digest at all (`prerelease` is kept for an older row that says so).
 * - Renames: the sync keeps a renamed repository's row and notes under its new name and records no previous name,
 *   so the digest has no renamed section.
 * - Times are GitHub's (when a release was published, a repository archived, a star found gone), not when the
 *   sync learned them: a release published before `since` and first synced after it is not in the digest.
 */

/** How long without a commit on the default branch makes a repository quiet, by default. */
export const DIGEST_QUIET_YEARS_DEFAULT = 2;
/** Items each section lists at most (its `total` counts them all). */
export const DIGEST_SECTION_MAX = 20;
/** Forgotten stars resurfaced a day. */
export const DIGEST_RESURFACED = 3;
/** A star is "forgotten" when it was starred at least this many days ago. */
export const DIGEST_FORGOTTEN_DAYS = 365;

const isoTime = z.iso.datetime({ offset: true });

const SINCE_MESSAGE = "since must be an ISO date or date-time, e.g. 2026-11-29 or 2026-11-29T08:00:00Z";

/**
 * `GET /api/digest` query. `since` is required: the client knows the user's last visit. `quietYears`: no commit on
 * the default branch for this many years (0.25 to 50, default DIGEST_QUIET_YEARS_DEFAULT).
 */
export const DigestQuery = z
  .object({
    since: z.union([z.iso.datetime({ offset: true }), z.iso.date()], { error: SINCE_MESSAGE }),
    quietYears: z.coerce
      .number({ error: "quietYears must be a number of years" })
      .min(0.25, "quietYears must be at least 0.25")
      .max(50, "quietYears must be at most 50")
      .optional(),
  })
  .strict();
export type DigestQuery = z.input<typeof DigestQuery>;

/** One repository of a section: what the panel shows and links to. Descriptions, notes and tags are untrusted text. */
export const DigestItem = z.object({
  fullName: z.string(),
  htmlUrl: z.string(),
  /** GitHub's description (written by others). */
  description: z.string().nullable(),
  language: z.string().nullable(),
  /** When the user starred it. */
  starredAt: isoTime.nullable(),
  /** The user's own note and tags: why they starred it. */
  notes: z.string().nullable(),
  tags: z.array(z.string()),
  /** When this section's event happened: published, archived, found gone, unstarred, last commit; null if unknown. */
  at: isoTime.nullable(),
  /** releases: the newest release since `since`. */
  release: z
    .object({ tag: z.string(), name: z.string().nullable(), publishedAt: isoTime.nullable(), prerelease: z.boolean() })
    .nullable(),
  /** gone: why GitHub no longer shows it (docs/architecture.md §4, "Gone is not unstarred"). */
  goneReason: z.enum(["deleted", "blocked", "private-or-deleted"]).nullable(),
  /**
   * Not starred any more: unstarred through Starwise (a bulk unstar, `starwise`: it can be undone there) or on GitHub
   * outside Starwise (`github`: a sync found it missing and GitHub confirmed it unstarred). null while starred.
   */
  unstarredBy: z.enum(["starwise", "github"]).nullable(),
});
export type DigestItem = z.infer<typeof DigestItem>;

export const DigestSection = z.object({
  /** How many there are; `items` lists the first DIGEST_SECTION_MAX. */
  total: z.number().int().nonnegative(),
  items: z.array(DigestItem),
});
export type DigestSection = z.infer<typeof DigestSection>;

/** `GET /api/digest`. */
export const Digest = z.object({
  since: isoTime,
  /** When the digest was made. */
  until: isoTime,
  quietYears: z.number(),
  /** releases + archived + gone + newly quiet: the popup's count. */
  changes: z.number().int().nonnegative(),
  /** Starred repositories with a release published since `since`, one each (its newest), newest first. */
  releases: DigestSection,
  /** Starred repositories archived since `since` (GitHub's time), newest first. */
  archived: DigestSection,
  /** Stars whose repository left GitHub since `since` (deleted, blocked, private); the star and notes stay. */
  gone: DigestSection,
  /** Stars the user unstarred since `since` (kept for their notes): apart from gone. */
  unstarred: DigestSection,
  /**
   * Over the whole library, not only since: starred repositories neither archived nor gone whose default branch's
   * last commit is older than `quietYears`, the most recently quiet first. `newSince`: how many of them went quiet
   * after `since`. A repository whose last commit is not known yet is not counted.
   */
  quiet: DigestSection.extend({ newSince: z.number().int().nonnegative() }),
  /**
   * A few stars starred at least DIGEST_FORGOTTEN_DAYS ago, a different few each day (the same all day), with the
   * user's note and tags. The extension does not record what was opened, so "forgotten" means starred long ago.
   */
  resurfaced: z.array(DigestItem),
});
export type Digest = z.infer<typeof Digest>;

/** Watched releases a notification lists at most (its `total` counts them all). */
export const WATCHED_RELEASES_MAX = 50;

/**
 * `GET /api/digest/releases` query: releases published since `since` of the repositories the user watches
 * (`RepositoryItem.watchReleases`; docs/architecture.md §4, "Watched releases").
 */
export const WatchedReleasesQuery = z
  .object({ since: z.union([z.iso.datetime({ offset: true }), z.iso.date()], { error: SINCE_MESSAGE }) })
  .strict();
export type WatchedReleasesQuery = z.input<typeof WatchedReleasesQuery>;

/**
 * `GET /api/digest/releases`: starred (not gone) watched repositories with a release published since `since`, one
 * each (its newest: the sync keeps the latest release only), newest first, at most WATCHED_RELEASES_MAX.
 */
export const WatchedReleases = z.object({
  since: isoTime,
  until: isoTime,
  total: z.number().int().nonnegative(),
  items: z.array(DigestItem),
});
export type WatchedReleases = z.infer<typeof WatchedReleases>;
