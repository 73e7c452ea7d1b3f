import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

export type UserSettings = {
  /** Chat AI provider for analysis; the API key is stored encrypted (`apiKeyCiphertext`). */
  ai?: {
    kind: "workers-ai" | "openai-compatible" | "none";
    baseUrl?: string;
    model?: string;
    apiKeyCiphertext?: string;
  };
};

export const users = sqliteTable(
  "users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    githubId: integer("github_id").notNull().unique(),
    login: text("login").notNull(),
    avatarUrl: text("avatar_url"),
    /** AES-GCM ciphertext of the GitHub token (worker/lib/crypto.ts); never returned by the API. */
    tokenCiphertext: text("token_ciphertext").notNull(),
    /** `invalid` once GitHub rejected the token: syncs stop until the user reconnects. */
    tokenStatus: text("token_status", { enum: ["valid", "invalid"] })
      .notNull()
      .default("valid"),
    language: text("language", { enum: ["en", "zh"] })
      .notNull()
      .default("en"),
    autoSync: integer("auto_sync", { mode: "boolean" }).notNull().default(true),
    lastSyncedAt: integer("last_synced_at", { mode: "timestamp_ms" }),
    nextSyncAt: integer("next_sync_at", { mode: "timestamp_ms" }),
    settings: text("settings", { mode: "json" }).$type<UserSettings>().notNull().default(sql`'{}'`),
    /**
     * What the sync learned about GitHub's speed for this user (page and batch sizes, budgets;
     * validated by worker/github/pacer.ts when read), so the next run starts where the last one ended.
     */
    syncTuning: text("sync_tuning", { mode: "json" }).$type<unknown>(),
    /** The last daily health catch-up of this user's stars (worker/sync/health-step.ts); null = never. */
    /**
     * The token's `X-OAuth-Scopes` ("repo, user"), recorded at sign-in and again by each read of the GitHub Lists;
     * null when GitHub sent none (a fine-grained token) or before it was recorded (`token_scopes_at` null). Whether
     * the token may star and unstar (worker/unstar/star-write.ts) and write Lists (`user`: worker/lists/push.ts)
     * follows from it.
     */
    tokenScopes: text("token_scopes"),
    tokenScopesAt: integer("token_scopes_at", { mode: "timestamp_ms" }),
    /** GitHub refused to star or unstar with this token (a fine-grained token without "Starring: write"). */
    starWriteRefusedAt: integer("star_write_refused_at", { mode: "timestamp_ms" }),
    healthCaughtUpAt: integer("health_caught_up_at", { mode: "timestamp_ms" }),
    /** The last read of the user's GitHub Lists, and why it failed if it did (GitHub's words kept out). */
    listsReadAt: integer("lists_read_at", { mode: "timestamp_ms" }),
    listsError: text("lists_error"),
    /**
     * The semantic ranking's relevance floors for this library (worker/search/floor.ts): above
     * `semantic_floor` a match, above `semantic_noise` related; and what they were worked out for,
     * `<embedding model>@<last_synced_at>`. Another key: work them out again.
     */
    semanticFloor: real("semantic_floor"),
    semanticNoise: real("semantic_noise"),
    semanticFloorKey: text("semantic_floor_key"),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .$defaultFn(() => new Date()),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" })
      .notNull()
      .$defaultFn(() => new Date()),
  },
  (t) => [
    // The cron's query: users with auto_sync whose next_sync_at has passed (docs/architecture.md §6).
    index("users_due_idx").on(t.autoSync, t.nextSyncAt),
  ],
);

export const sessions = sqliteTable(
  "sessions",
  {
    /** sha256 (hex) of the session token; the raw token is shown to the client once. */
    tokenHash: text("token_hash").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .$defaultFn(() => new Date()),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    index("sessions_user_idx").on(t.userId),
    // The purge of expired sessions (the cron and each sign-in, worker/lib/auth.ts).
    index("sessions_expires_idx").on(t.expiresAt),
  ],
);

/**
 * Sign-in attempts in the current fixed window, per key: `token:<sha256 of the GitHub
 * token>` or `client:<address>` (worker/lib/sign-in-throttle.ts). In D1, not in isolate
 * memory: every isolate, everywhere, counts against the same row.
 */
export const signInAttempts = sqliteTable("sign_in_attempts", {
  key: text("key").primaryKey(),
  windowStart: integer("window_start", { mode: "timestamp_ms" }).notNull(),
  count: integer("count").notNull(),
});
