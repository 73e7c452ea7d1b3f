import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Global facts about a GitHub repository: fetched, analysed and embedded once per
 * content version, whoever stars it. What a user did with it lives in `stars`.
 * Private repositories are only ever read through a `stars` row of the reader.
 */
export const repositories = sqliteTable(
  "repositories",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    githubId: integer("github_id").notNull().unique(),
    nodeId: text("node_id"),
    fullName: text("full_name").notNull(),
    name: text("name").notNull(),
    ownerLogin: text("owner_login").notNull(),
    ownerAvatarUrl: text("owner_avatar_url"),
    description: text("description"),
    htmlUrl: text("html_url").notNull(),
    homepage: text("homepage"),
    stargazersCount: integer("stargazers_count").notNull().default(0),
    language: text("language"),
    topics: text("topics", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    license: text("license"),
    archived: integer("archived", { mode: "boolean" }).notNull().default(false),
    /** GitHub disabled it (the REST star list's `disabled`). */
    disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
    fork: integer("fork", { mode: "boolean" }).notNull().default(false),
    isPrivate: integer("is_private", { mode: "boolean" }).notNull().default(false),
    githubCreatedAt: integer("github_created_at", { mode: "timestamp_ms" }),
    githubUpdatedAt: integer("github_updated_at", { mode: "timestamp_ms" }),
    githubPushedAt: integer("github_pushed_at", { mode: "timestamp_ms" }),
    /**
     * Health (docs/architecture.md §2): asked through GraphQL with the README lookup of a new or pushed repository,
     * and by the daily catch-up for the least recently checked (worker/sync/health-step.ts). When it was archived;
     * GitHub's latest release (tag, name, date, prerelease); the default branch's last commit date.
     */
    archivedAt: integer("archived_at", { mode: "timestamp_ms" }),
    latestReleaseTag: text("latest_release_tag"),
    latestReleaseName: text("latest_release_name"),
    latestReleaseAt: integer("latest_release_at", { mode: "timestamp_ms" }),
    latestReleasePrerelease: integer("latest_release_prerelease", { mode: "boolean" }),
    lastCommitAt: integer("last_commit_at", { mode: "timestamp_ms" }),
    /** When the health above was last asked; null = never. */
    healthCheckedAt: integer("health_checked_at", { mode: "timestamp_ms" }),
    /** Hash of the metadata above, so a sync can tell "unchanged" without comparing every column. */
    metaHash: text("meta_hash"),

    /** Git blob sha of the README: the sync refetches the text only when it changes. */
    readmeSha: text("readme_sha"),
    /** Path of the README in the default branch (lets GraphQL ask for exactly that blob). */
    readmePath: text("readme_path"),
    readmeContent: text("readme_content"),
    /** null = never looked; `ok`; `missing` (GitHub has none); `error` (retry next sync). */
    readmeStatus: text("readme_status", { enum: ["ok", "missing", "error"] }),
    readmeFetchedAt: integer("readme_fetched_at", { mode: "timestamp_ms" }),

    openrank: real("openrank"),
    /** The complete month or quarter the value is for, e.g. `2026Q3`. */
    openrankPeriod: text("openrank_period"),
    openrankFetchedAt: integer("openrank_fetched_at", { mode: "timestamp_ms" }),

    /** Hash of the text that was embedded; differs from the current text → re-embed. */
    embeddedSha: text("embedded_sha"),
    embeddingModel: text("embedding_model"),

    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .$defaultFn(() => new Date()),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" })
      .notNull()
      .$defaultFn(() => new Date()),
  },
  (t) => [
    // Badges and `GET /api/repositories/:owner/:name` look repositories up by name; GitHub
    // names are case-insensitive. Not unique: a renamed repository and a new one may
    // briefly share a name until the next sync refreshes the old row.
    index("repositories_full_name_idx").on(sql`${t.fullName} COLLATE NOCASE`),
    index("repositories_node_id_idx").on(t.nodeId),
  ],
);
