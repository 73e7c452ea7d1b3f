import { blob, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The D1-backed vector store (`VECTOR_STORE=d1`, worker/vectors/d1-store.ts): one row per
 * vector of a namespace, in two tables. Vectors are stored unit length, so cosine
 * similarity is a dot product. A query scans only `vectors` — the vector quantised to int8
 * (`code`, base64 text) with its scale and error bound — and reads the exact float32 values
 * (`vector_values`) of the few candidates the scan cannot rule out, so the result is exact.
 * Two tables so the scan's rows hold only what it reads; measured side by side on local D1
 * (20,000 rows), that gains little — the scan read took 258 ms against 272 ms with the float32
 * beside each code: moving the codes to the Worker is the cost, not SQLite's pages. Text for
 * the code because D1 hands a BLOB to the Worker as an array of numbers, ~10× slower to read
 * than the same bytes as base64 (see the store).
 */
export const vectors = sqliteTable(
  "vectors",
  {
    namespace: text("namespace").notNull(),
    id: text("id").notNull(),
    repositoryId: integer("repository_id").notNull(),
    /** `code[i] × scale` approximates `values[i]`. */
    scale: real("scale").notNull(),
    /** ‖values − code × scale‖: bounds how far the scan's score can be from the exact one. */
    error: real("error").notNull(),
    /** int8 per dimension, base64. */
    code: text("code").notNull(),
  },
  (t) => [primaryKey({ columns: [t.namespace, t.id] })],
);

/** The exact values of each vector of `vectors`, read only for a query's candidates. */
export const vectorValues = sqliteTable(
  "vector_values",
  {
    namespace: text("namespace").notNull(),
    id: text("id").notNull(),
    /** float32 little-endian, unit length. */
    values: blob("values", { mode: "buffer" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.namespace, t.id] })],
);

/**
 * A counter per namespace, bumped by every write to it, so a Worker that keeps a
 * namespace's scan codes in memory knows with one small read whether they are current.
 */
export const vectorNamespaces = sqliteTable("vector_namespaces", {
  namespace: text("namespace").primaryKey(),
  version: integer("version").notNull().default(0),
});

/**
 * Embeddings shared by everyone (docs/architecture.md §4 "embed"): one row per (model,
 * chunk text). A chunk embedded once is never sent to the model again, whoever stars the
 * repository — a second user's sync copies these into their own namespace. Keyed by the
 * chunk's own sha256, so a README edit re-embeds only the chunks it changed. Rows are
 * never rewritten (the same text and model give the same vector).
 */
export const embeddingCache = sqliteTable(
  "embedding_cache",
  {
    /** `provider:model:dimensions`, e.g. `workers-ai:@cf/baai/bge-m3:1024` (worker/providers/embedder.ts). */
    model: text("model").notNull(),
    /** sha256 of the chunk's text, base64url. */
    chunkSha: text("chunk_sha").notNull(),
    /**
     * int8 with its scale (worker/vectors/codec.ts `packInt8`: 4 + dimensions bytes, a quarter
     * of float32; docs/scale.md weighs it), unpacked to a unit vector for every user.
     */
    values: blob("values", { mode: "buffer" }).notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .$defaultFn(() => new Date()),
  },
  (t) => [primaryKey({ columns: [t.model, t.chunkSha] })],
);
