import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { analyses } from "./analyses";
import { repositories } from "./repositories";
import { users } from "./users";

/** What one user did with one repository: starred, saved, annotated. A sync never touches the custom fields. */
export const stars = sqliteTable(
  "stars",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    repositoryId: integer("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    starredAt: integer("starred_at", { mode: "timestamp_ms" }),
    isStarred: integer("is_starred", { mode: "boolean" }).notNull().default(false),
    /** Added from a page without starring (the seed's "extracted" repositories). */
    isSaved: integer("is_saved", { mode: "boolean" }).notNull().default(false),
    unstarredAt: integer("unstarred_at", { mode: "timestamp_ms" }),
    customDescription: text("custom_description"),
    customTags: text("custom_tags", { mode: "json" }).$type<string[]>(),
    customCategory: text("custom_category"),
    notes: text("notes"),
    lastEdited: integer("last_edited", { mode: "timestamp_ms" }),

    // Enrichment, per user because language and chat model are the user's settings
    // (docs/architecture.md §4). The analysis itself is shared (`analyses`).
    /** The analysis this user reads for this repository; null = not analysed yet. */
    analysisId: integer("analysis_id").references(() => analyses.id, { onDelete: "set null" }),
    /** Failed attempts for the current README since the last success; bounded across syncs. */
    analysisAttempts: integer("analysis_attempts").notNull().default(0),
    /**
     * sha256 of (input, model, language) of the last analysis attempt, success or failure
     * (worker/enrich/analyse.ts): `analysisAttempts` counts failures of exactly this input, so a
     * new README, model or language starts again from 0 attempts.
     */
    analysisInputKey: text("analysis_input_key"),
    /**
     * After a failed attempt, no new one before this time (backoff from `analysisAttempts`,
     * worker/enrich/analyse.ts): a model that fails an input fails it again an hour later.
     */
    analysisRetryAt: integer("analysis_retry_at", { mode: "timestamp_ms" }),
    /** sha256 of the text last embedded into this user's vector namespace; differs from the current text → re-embed. */
    embeddedSha: text("embedded_sha"),
    embeddingModel: text("embedding_model"),
    /**
     * 96 bits of sha-1 of what the embedded text was made from (README blob sha, the metadata it shows,
     * the analysis, the language, the text's version): worker/enrich/embed.ts compares it to
     * find what may need embedding without reading every README on every sync.
     */
    embeddedSource: text("embedded_source"),
    /**
     * Vectors this star has in the user's namespace (ids `vectorId(user, repository, 0 … n-1)`), so none is left
     * behind.
     */
    embeddedChunks: integer("embedded_chunks"),
    /**
     * Bumped to rewrite this star's `stars_fts` row when the user's reading of its AI tags changed
     * (`tag_aliases`; worker/tags/writes.ts): the FTS trigger is the index's only writer.
     */
    tagsRevision: integer("tags_revision").notNull().default(0),
    /**
     * GitHub refuses this repository to this user's token (worker/github/errors.ts, RepositoryAccess):
     * `blocked` (its terms, a DMCA notice), `sso` (an organisation's SAML single sign-on), `forbidden`.
     * Null = readable. The star and the user's fields stay whatever it is; a later sync that reads
     * the repository again clears it.
     */
    accessState: text("access_state", { enum: ["blocked", "sso", "forbidden"] }),
    /** GitHub's own words for it, and for `sso` the page where the token is authorised. */
    accessMessage: text("access_message"),
    accessUrl: text("access_url"),
    /** When GitHub last said so: the repository is asked again at most once a day (worker/sync/unstar.ts). */
    accessCheckedAt: integer("access_checked_at", { mode: "timestamp_ms" }),
    /**
     * The star left GitHub's list because the repository is gone, not because the user unstarred it
     * (worker/sync/unstar.ts): `deleted` (404 to its own owner), `blocked` (451, a takedown) or
     * `private-or-deleted` (404: GitHub does not say which). The star, `is_starred` and the user's fields stay;
     * a listing that shows it again clears this.
     */
    goneReason: text("gone_reason", { enum: ["deleted", "blocked", "private-or-deleted"] }),
    goneAt: integer("gone_at", { mode: "timestamp_ms" }),
    /**
     * The Starwise unstar run (`unstar_runs`) that unstarred it: "unstarred by you in Starwise", apart from a star
     * the user removed on GitHub (null with `is_starred = 0`, found by a sync). A listing that shows it again clears
     * it.
     */
    unstarRunId: text("unstar_run_id"),
    /**
     * When an undo re-starred it (`PUT`). GitHub gives a re-star a new `starred_at`; Starwise keeps the date the star
     * was first recorded (`starred_at`) for its order, and a sync ignores GitHub's date from this time on.
     */
    restarredAt: integer("restarred_at", { mode: "timestamp_ms" }),
    /**
     * The user watches this repository's releases: after a sync, the extension's one notification lists the new
     * releases of watched repositories (docs/architecture.md §4, "Watched releases"). Server-side, so it follows the
     * user to every browser; a sync never touches it.
     */
    watchReleases: integer("watch_releases", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .$defaultFn(() => new Date()),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.repositoryId] }),
    // The library list: newest stars first, filtered by starred/saved.
    index("stars_user_starred_idx").on(t.userId, t.isStarred, t.starredAt),
    index("stars_user_category_idx").on(t.userId, t.customCategory),
    // Joins from a repository to its stargazers (account deletion, private-repo cleanup).
    index("stars_repository_idx").on(t.repositoryId),
  ],
);
