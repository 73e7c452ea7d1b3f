import { z } from "zod";

/**
 * The library contract (docs/architecture.md §3): a user's starred and saved repositories with their
 * own fields. Shared by the Worker (responses), its tests and the extension.
 */

const isoTime = z.iso.datetime({ offset: true });

/** `owner/name` as GitHub spells it: owner ≤ 39 letters, digits or hyphens; name ≤ 100 of `[A-Za-z0-9._-]`. */
export const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
export const GITHUB_REPO_NAME = /^(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/;

export const FullName = z
  .string()
  .trim()
  .max(140, "fullName is too long")
  .refine((value) => {
    const [owner, name, ...rest] = value.split("/");
    return rest.length === 0 && GITHUB_OWNER.test(owner ?? "") && GITHUB_REPO_NAME.test(name ?? "");
  }, "fullName must look like owner/name");

/**
 * What happened to a repository on GitHub (docs/architecture.md §2, §4): archived or disabled (from every listing),
 * the latest release and the default branch's last commit (asked when it was pushed, and by a daily catch-up; null
 * until asked), and whether it is gone from GitHub. `gone` is not an unstar: the user did not unstar it (the star
 * and the user's notes and tags stay, `isStarred` stays true); GitHub no longer shows it: `deleted` (404 to its own
 * owner), `blocked` (451, taken down) or `private-or-deleted` (404: GitHub does not say which). A star the user
 * unstarred has `isStarred: false` and `unstarredAt` instead.
 */
export const RepositoryHealth = z.object({
  archived: z.boolean(),
  /** When it was archived, where GitHub says. */
  archivedAt: isoTime.nullable(),
  disabled: z.boolean(),
  /** GitHub's latest release: never a draft; GitHub does not mark a prerelease latest. */
  latestRelease: z
    .object({ tag: z.string(), name: z.string().nullable(), publishedAt: isoTime.nullable(), prerelease: z.boolean() })
    .nullable(),
  /** The default branch's last commit. */
  lastCommitAt: isoTime.nullable(),
  /** When the release and commit date were last asked; null = not yet. */
  checkedAt: isoTime.nullable(),
  gone: z.object({ reason: z.enum(["deleted", "blocked", "private-or-deleted"]), at: isoTime.nullable() }).nullable(),
});
export type RepositoryHealth = z.infer<typeof RepositoryHealth>;

/** One repository in the user's library: GitHub's facts, the enrichment, and the user's own fields. */
export const RepositoryItem = z.object({
  fullName: z.string(),
  name: z.string(),
  owner: z.string(),
  ownerAvatarUrl: z.string().nullable(),
  description: z.string().nullable(),
  htmlUrl: z.string(),
  homepage: z.string().nullable(),
  stargazersCount: z.number().int(),
  language: z.string().nullable(),
  topics: z.array(z.string()),
  license: z.string().nullable(),
  archived: z.boolean(),
  fork: z.boolean(),
  isPrivate: z.boolean(),
  pushedAt: isoTime.nullable(),
  /** When the user starred it; null for a repository that was only saved. */
  starredAt: isoTime.nullable(),
  isStarred: z.boolean(),
  /** Added from a page without starring. */
  isSaved: z.boolean(),
  /** Set when a sync found the star gone; the row stays for the user's notes. */
  unstarredAt: isoTime.nullable(),
  /**
   * GitHub refuses this repository to the user's token, and why: `blocked` (GitHub's terms, a DMCA
   * notice), `sso` (an organisation's SAML single sign-on; `url` is where the token is
   * authorised), `forbidden`. null = readable. The star stays; a later sync that reads it clears this.
   */
  access: z
    .object({
      state: z.enum(["blocked", "sso", "forbidden"]),
      message: z.string(),
      url: z.string().nullable(),
      checkedAt: isoTime.nullable(),
    })
    .nullable(),
  health: RepositoryHealth,
  /** null until the AI analysis ran. */
  aiSummary: z.string().nullable(),
  aiTags: z.array(z.string()),
  aiPlatforms: z.array(z.string()),
  openrank: z.number().nullable(),
  openrankPeriod: z.string().nullable(),
  customDescription: z.string().nullable(),
  customTags: z.array(z.string()),
  customCategory: z.string().nullable(),
  notes: z.string().nullable(),
  lastEdited: isoTime.nullable(),
  /**
   * The user watches its releases: the extension's one notification after a sync lists the new releases of watched
   * repositories (docs/architecture.md §4, "Watched releases"). The user's own, kept server-side.
   */
  watchReleases: z.boolean(),
  /** The user's GitHub Lists it is in, by name, as the last sync read them (docs/architecture.md §4, "Lists"). */
  lists: z.array(z.string()),
});
export type RepositoryItem = z.infer<typeof RepositoryItem>;

export const repositorySorts = ["starred_at", "stars", "openrank", "name"] as const;
export const RepositorySort = z.enum(repositorySorts);
export type RepositorySort = z.infer<typeof RepositorySort>;

const booleanParam = z
  .enum(["true", "false"], { error: "must be true or false" })
  .transform((value) => value === "true");
const filterText = (max: number) => z.string().trim().min(1, "must not be empty").max(max);

/**
 * `GET /api/repositories` query. Optional outputs (defaults applied by the route) keep the
 * typed client's query optional: Hono infers a validator's input from its output.
 */
export const RepositoryListQuery = z
  .object({
    /** true: starred now; false: not starred (saved, or unstarred and kept for notes). Absent: starred or saved. */
    starred: booleanParam.optional(),
    saved: booleanParam.optional(),
    language: filterText(100).optional(),
    /** Matches custom tags, AI tags or GitHub topics, case-insensitively. */
    tag: filterText(100).optional(),
    /** The user's custom category, case-insensitively. */
    category: filterText(100).optional(),
    /** In the user's GitHub List of this name (any case); also `list:Name` in `q`. */
    list: filterText(100).optional(),
    /** true: in none of the user's GitHub Lists (also `no:list` in `q`). */
    unlisted: booleanParam.optional(),
    /** Keywords, all of which must match (prefix match on words). Blank = no filter. */
    q: z.string().trim().max(200).optional(),
    /**
     * starred_at (newest first; saved repositories by the time they were saved), stars, openrank (nulls last), name.
     */
    sort: RepositorySort.optional(),
    limit: z.coerce.number().int().min(1).max(100).optional(),
    /** `nextCursor` of the previous page, with the same sort. */
    cursor: z.string().min(1).max(1000).optional(),
  })
  .strict();
export type RepositoryListQuery = z.input<typeof RepositoryListQuery>;

/** How many values each facet lists at most (the most used first). */
export const FACET_LIMIT = 200;

/** One value a filter can take and how many repositories of the library have it. */
export const FacetCount = z.object({ value: z.string(), count: z.number().int().nonnegative() });
export type FacetCount = z.infer<typeof FacetCount>;

/**
 * `GET /api/repositories/facets`: what the list's `language` and `tag` filters can take, counted over the
 * whole library (starred or saved), not over one page of it. Most used first, then by name; at most
 * FACET_LIMIT each. A tag is a custom tag, an AI tag or a GitHub topic (what `tag` matches), counted once
 * per repository, spellings that differ only in case as one.
 */
export const LibraryFacets = z.object({
  /**
   * Repositories in the library: starred or saved, not counting stars whose repository is gone from GitHub, which
   * are `gone` (docs/architecture.md §4, "Gone is not unstarred"). The list shows those too, marked gone. (`gone`
   * defaults to 0 from an older Worker.)
   */
  total: z.number().int().nonnegative(),
  gone: z.number().int().nonnegative().default(0),
  languages: z.array(FacetCount),
  tags: z.array(FacetCount),
});
export type LibraryFacets = z.infer<typeof LibraryFacets>;

export const REPOSITORY_PAGE_DEFAULT = 50;

export const RepositoryList = z.object({
  items: z.array(RepositoryItem),
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type RepositoryList = z.infer<typeof RepositoryList>;

/** Trimmed, non-empty, deduplicated case-insensitively (the first spelling wins). */
const CustomTags = z
  .array(z.string().trim().min(1, "tags must not be empty").max(50, "a tag is at most 50 characters"))
  .max(30, "at most 30 tags")
  .transform((tags) => {
    const seen = new Set<string>();
    return tags.filter((tag) => {
      const key = tag.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  });

/** `PATCH /api/repositories/:owner/:name`: the user's own fields; null clears one. */
export const RepositoryPatch = z
  .object({
    customDescription: z.string().max(2000).nullable().optional(),
    customTags: CustomTags.nullable().optional(),
    customCategory: z.string().trim().max(100).nullable().optional(),
    notes: z.string().max(20_000).nullable().optional(),
    /** Watch this repository's releases (RepositoryItem.watchReleases). */
    watchReleases: z.boolean({ error: "watchReleases must be true or false" }).optional(),
  })
  .strict()
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    message: "give at least one of customDescription, customTags, customCategory, notes, watchReleases",
  });
export type RepositoryPatch = z.input<typeof RepositoryPatch>;

export const SaveRepositoryRequest = z.object({ fullName: FullName }).strict();
export type SaveRepositoryRequest = z.infer<typeof SaveRepositoryRequest>;

export const LOOKUP_MAX = 100;

export const LookupRequest = z
  .object({
    // Not trimmed: the answer is keyed by each name exactly as sent (LookupResponse).
    fullNames: z.array(z.string().min(1).max(200)).max(LOOKUP_MAX, `at most ${LOOKUP_MAX} fullNames per request`),
  })
  .strict();
export type LookupRequest = z.infer<typeof LookupRequest>;

/** What a github.com badge shows. */
export const LookupItem = z.object({
  fullName: z.string(),
  starred: z.boolean(),
  saved: z.boolean(),
  starredAt: isoTime.nullable(),
  aiSummary: z.string().nullable(),
  aiTags: z.array(z.string()),
  aiPlatforms: z.array(z.string()),
  openrank: z.number().nullable(),
  customTags: z.array(z.string()),
  customCategory: z.string().nullable(),
  customDescription: z.string().nullable(),
  notes: z.string().nullable(),
  /**
   * What the badge says of its health (`RepositoryHealth`): archived, or its latest release. Optional: a badge
   * cached by an older extension, or answered by an older Worker, has none and shows none.
   */
  health: z
    .object({
      archived: z.boolean(),
      latestRelease: z.object({ tag: z.string(), publishedAt: isoTime.nullable() }).nullable(),
    })
    .optional(),
});
export type LookupItem = z.infer<typeof LookupItem>;

/** Keyed by the full name exactly as the client sent it; names not in the library are absent. */
export const LookupResponse = z.object({ items: z.record(z.string(), LookupItem) });
export type LookupResponse = z.infer<typeof LookupResponse>;

/** `json` (default), `csv`, or `markdown`: an awesome-list of the library grouped by category (or first tag). */
export const ExportQuery = z.object({ format: z.enum(["json", "csv", "markdown"]).optional() }).strict();

/** `GET /api/export` (JSON): every repository the user has a row for, README text excluded. */
export const LibraryExport = z.object({
  exportedAt: isoTime,
  user: z.object({ login: z.string() }),
  repositories: z.array(RepositoryItem),
});
export type LibraryExport = z.infer<typeof LibraryExport>;

/** How long an index entry's one-line summary is at most (characters, "…" included). */
export const INDEX_SUMMARY_MAX = 120;
/** How many tags an index entry carries at most (the user's own first). */
export const INDEX_TAGS_MAX = 6;

/** One repository as the address bar's suggestions know it: what they match and show, nothing more. */
export const LibraryIndexItem = z.object({
  fullName: z.string(),
  /** One line: the user's description, else the AI summary, else GitHub's description (untrusted text). */
  summary: z.string().max(INDEX_SUMMARY_MAX).nullable(),
  /** The user's tags, then the AI's in the user's vocabulary; at most INDEX_TAGS_MAX. */
  tags: z.array(z.string()).max(INDEX_TAGS_MAX),
  /** Starred now (else saved). */
  starred: z.boolean(),
});
export type LibraryIndexItem = z.infer<typeof LibraryIndexItem>;

/**
 * `GET /api/repositories/index`: the whole library (starred or saved) as a compact index, newest first,
 * for suggestions matched in the extension (docs/architecture.md §3).
 */
export const LibraryIndex = z.object({ generatedAt: isoTime, items: z.array(LibraryIndexItem) });
export type LibraryIndex = z.infer<typeof LibraryIndex>;
