import { sql } from "drizzle-orm";
import { integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * AI analyses, shared by everyone (docs/architecture.md §4 "analyse"): one row per
 * (prepared input, model, language). `inputSha` is the sha256 of exactly what the model
 * was given (the prepared README, name, description, topics), so a second user — or a
 * fork with the same README — who needs the same analysis from the same model in the same
 * language reuses this row and never pays for it again. A user's own choice lives in
 * `stars.analysisId`: users may read in different languages and use different models.
 * Rows are never rewritten; a new README makes a new row, and the old one is kept for
 * the users still pointing at it.
 */
export const analyses = sqliteTable(
  "analyses",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    inputSha: text("input_sha").notNull(),
    /** `provider:model`, e.g. `openai-compatible:gpt-4o-mini`, `workers-ai:@cf/…`, or `heuristic`. */
    model: text("model").notNull(),
    language: text("language", { enum: ["en", "zh"] }).notNull(),
    summary: text("summary").notNull(),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    platforms: text("platforms", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    /** Tokens the model reported for this analysis (input + output), for the enrichment benchmark. */
    inputTokens: integer("input_tokens"),
    outputTokens: integer("output_tokens"),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .$defaultFn(() => new Date()),
  },
  (t) => [uniqueIndex("analyses_input_model_language_idx").on(t.inputSha, t.model, t.language)],
);
