import { z } from "zod";

/**
 * The digest's Atom feeds (docs/architecture.md §3, "The feed"): `GET/POST /api/feeds`, `DELETE /api/feeds/:id`
 * (bearer session) manage them; `GET /feed/:token` serves one to a feed reader, which cannot send a header, so the
 * URL is the credential. The Worker keeps only the token's sha256: the URL is shown once, when made.
 *
 * What a feed says, and what it leaves out on purpose:
 * - Releases, archived and gone repositories among the user's stars (the digest's sections with a time of their
 *   own), over the last FEED_WINDOW_DAYS days, at most FEED_ENTRIES_MAX entries.
 * - Only GitHub's facts: never the user's notes or tags, which are theirs and would leave with the URL.
 * - A private repository only when the user chose `includePrivate` for that feed: a feed URL is pasted into a
 *   reader, often a hosted one that fetches it from its own servers, so by default it must not name what GitHub
 *   shows nobody else.
 */

/** Feeds a user may keep at once (one a reader, plus a spare): the next needs one revoked first. */
export const FEEDS_PER_USER = 5;
/** Days of changes a feed carries. */
export const FEED_WINDOW_DAYS = 30;
/** Entries a feed carries at most, newest first. */
export const FEED_ENTRIES_MAX = 100;

/** `swf_` and 32 random bytes in base64url: what the feed's URL ends with. */
export const FEED_TOKEN = /^swf_[\w-]{43}$/;

const isoTime = z.iso.datetime({ offset: true });

/** `POST /api/feeds`. */
export const FeedCreateRequest = z
  .object({
    /** Name private repositories in this feed (default false). */
    includePrivate: z.boolean({ error: "includePrivate must be true or false" }).optional(),
  })
  .strict();
export type FeedCreateRequest = z.input<typeof FeedCreateRequest>;

/** One feed as its owner sees it later: never its URL, which exists only in the answer that made it. */
export const FeedInfo = z.object({
  id: z.number().int().positive(),
  includePrivate: z.boolean(),
  createdAt: isoTime,
  /** When a reader last fetched it (to the hour); null = never. */
  lastReadAt: isoTime.nullable(),
});
export type FeedInfo = z.infer<typeof FeedInfo>;

/** `GET /api/feeds`: the user's feeds, newest first. */
export const FeedList = z.object({ feeds: z.array(FeedInfo) });
export type FeedList = z.infer<typeof FeedList>;

/** `POST /api/feeds` → 201: the feed and its URL, shown this once. */
export const FeedCreated = FeedInfo.extend({ url: z.url() });
export type FeedCreated = z.infer<typeof FeedCreated>;

/** `DELETE /api/feeds/:id`. */
export const FeedIdParam = z.object({
  id: z.coerce.number({ error: "id must be a feed's number" }).int().positive("id must be a feed's number"),
});

/** `GET /feed/:token`. */
export const FeedTokenParam = z.object({
  token: z.string().regex(FEED_TOKEN, "this is not a Starwise feed address"),
});
