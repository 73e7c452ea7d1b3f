// Over 300 lines on purpose: the embed step's selection, cache lookups, model calls and writes are one step's stages.
import { and, desc, eq, or, sql } from "drizzle-orm";
import { Buffer } from "node:buffer";
import type { Db } from "../db/client";
import { analyses, embeddingCache, repositories, stars, users } from "../db/schema";
import { inJsonArray } from "../db/sql";
import { toBase64 } from "../lib/bytes";
import { fromHex } from "../lib/bytes";
import { packInt8, unpackInt8 } from "../vectors/codec";
import { userNamespace, vectorId, type StoredVector, type VectorStore } from "../vectors";
import { removeVectorsWhere, UNLISTED } from "../vectors/remove";
import { chunksSha, embeddingChunks, sha256, TEXT_VERSIONS, type EmbedSource } from "./embed-text";
import type { ErrorCode } from "../../shared/errors";
import { EmbeddingRateLimited, requestBatches } from "../providers/embedder";
import { stopReason } from "../providers/stop-reason";
import type { Services } from "../services";

/**
 * The sync's embed step (docs/architecture.md §4 "embed"), called by the Workflow until
 * nothing is pending. Finds the user's library repositories (starred or saved) whose text
 * may have changed since it was embedded — a fingerprint of what the text is made of
 * (`stars.embedded_source`: README blob sha, metadata, analysis, language, text version), so
 * a no-change sync reads no README — builds their chunks, and only where the chunks' sha
 * differs from `stars.embedded_sha` (or the model changed) writes vectors: from the shared
 * cache (`embedding_cache`, one row per model and chunk text, whoever starred it first; int8,
 * docs/scale.md says why), else from the model in batches, each cached as it arrives. Vectors go to the user's
 * namespace, chunks that no longer exist are deleted, and the star records what it holds.
 *
 * Bounded per call so a Workflow step stays inside its limits (30 s of CPU, 128 MB, a
 * result ≪ 1 MiB): at most `limit` repositories and `budgetMs` of wall time (checked before
 * each model request), and only full requests unless this call reaches the end — so over a
 * whole sync, requests = ⌈chunks to embed ÷ batch size⌉. Safe to repeat: every write is an
 * upsert or a delete of ids that no longer belong, and a repository counts as done only
 * once its star is updated, after its vectors are written. A 429 ends the call with
 * `waitUntil` (what is done stays done); the caller sleeps durably and calls again.
 */
export type EmbedInput = {
  userId: number;
  /** Repositories looked at per call (default 1,000: ~3,300 chunks of the corpus, ~14 MB of README). */
  limit?: number;
  /** Wall time per call before it stops asking the model (default 4 minutes, as the list step). */
  budgetMs?: number;
};

export type EmbedResult = {
  /** Repositories whose vectors were written with at least one model call. */
  embedded: number;
  /** Repositories whose vectors all came from the shared cache (no model call). */
  reused: number;
  /** Repositories whose text had not changed (only their fingerprint was updated). */
  unchanged: number;
  /** Vectors deleted: chunks that no longer exist, and repositories no longer in the library. */
  removed: number;
  /** Embedding requests made. */
  requests: number;
  /** Repositories still to look at (another call is needed when > 0). */
  pending: number;
  /** A 429: call again after this time (epoch ms). */
  waitUntil?: number;
  /**
   * The provider refused the key or does not know the model: retrying cannot help, so the phase
   * stops with the provider's words and the code (worker/providers/stop-reason.ts).
   */
  unavailable?: string;
  stopCode?: ErrorCode;
};

export type EmbedProgress = (current: string, completed: number, total: number) => void;

const DEFAULT_LIMIT = 1000;
/** How far past `limit` a call may look for chunks to fill a request (short READMEs): 3 × the limit. */
const MAX_LIMIT_STRETCH = 3;
/** Text waiting for the model per call (memory: a Worker has 128 MB). */
const MAX_MISSING_CHARS = 24_000_000;
const DEFAULT_BUDGET_MS = 4 * 60_000;
/** READMEs read per query (mean 14 KB, p99 108 KB: docs/scale.md). */
const README_PAGE = 50;
/** D1 binds ≤ 100 parameters a statement: 4 a cache row. */
const CACHE_ROWS_PER_INSERT = 25;
/** Stars marked per statement (their values travel as one JSON parameter). */
const STARS_PER_UPDATE = 500;
const STATEMENTS_PER_BATCH = 100;

export async function embedRepositories(
  services: Services,
  input: EmbedInput,
  onProgress: EmbedProgress = () => {},
): Promise<EmbedResult> {
  const started = Date.now();
  const { db, vectors: store } = services;
  // A deployment without an embedding model (keyword search only) has nothing to embed.
  const embedder = services.embedder();
  if (!embedder) return { embedded: 0, reused: 0, unchanged: 0, removed: 0, requests: 0, pending: 0 };
  const limit = input.limit ?? DEFAULT_LIMIT;
  const budgetMs = input.budgetMs ?? DEFAULT_BUDGET_MS;
  const namespace = userNamespace(input.userId);
  const result: EmbedResult = { embedded: 0, reused: 0, unchanged: 0, removed: 0, requests: 0, pending: 0 };

  // Repositories that left the library (unstarred, not saved) keep no vectors, even if an
  // earlier unstar step stopped between its two writes.
  result.removed += await removeVectorsWhere(db, store, input.userId, UNLISTED);

  const [user] = await db.select({ language: users.language }).from(users).where(eq(users.id, input.userId));
  if (!user) return result;

  const library = await db
    .select({
      repositoryId: stars.repositoryId,
      embeddedSource: stars.embeddedSource,
      embeddedSha: stars.embeddedSha,
      embeddingModel: stars.embeddingModel,
      embeddedChunks: stars.embeddedChunks,
      analysisId: stars.analysisId,
      fullName: repositories.fullName,
      ownerLogin: repositories.ownerLogin,
      description: repositories.description,
      htmlUrl: repositories.htmlUrl,
      topics: repositories.topics,
      language: repositories.language,
      readmeSha: repositories.readmeSha,
    })
    .from(stars)
    .innerJoin(repositories, eq(repositories.id, stars.repositoryId))
    .where(and(eq(stars.userId, input.userId), or(eq(stars.isStarred, true), eq(stars.isSaved, true))))
    // The most recently starred first: what a person remembers and searches for first.
    .orderBy(desc(sql`coalesce(${stars.starredAt}, ${stars.createdAt})`), stars.repositoryId);

  const candidates: Array<(typeof library)[number] & { source: string }> = [];
  for (const row of library) {
    const source = await fingerprint([
      TEXT_VERSIONS,
      user.language,
      row.fullName,
      row.ownerLogin,
      row.description,
      row.htmlUrl,
      row.topics,
      row.language,
      // Text and blob sha are written and cleared together (worker/sync/store.ts); a failed
      // fetch keeps both, so the README last read stays in the text.
      row.readmeSha,
      row.analysisId,
    ]);
    if (source !== row.embeddedSource || row.embeddingModel !== embedder.key) candidates.push({ ...row, source });
  }
  const total = candidates.length;
  let completed = 0;
  const done = (fullName: string) => onProgress(fullName, ++completed, total);

  // Texts of the repositories this call looks at, and which of their chunks the cache lacks.
  const work: Work[] = [];
  const vectors = new Map<string, Float32Array>(); // chunk sha → vector, this call
  const missing = new Map<string, string>(); // chunk sha → text
  let looked = 0;
  let missingChars = 0;
  while (looked < candidates.length) {
    // Past the limit only while chunks wait that cannot fill a request yet (short READMEs):
    // full requests keep ⌈chunks ÷ batch⌉, and a call that sent nothing would make no progress.
    const enough = missing.size === 0 || missing.size >= embedder.batchSize || looked >= limit * MAX_LIMIT_STRETCH;
    if ((looked >= limit && enough) || missingChars > MAX_MISSING_CHARS) break;
    const page = candidates.slice(looked, looked + Math.min(README_PAGE, looked < limit ? limit - looked : limit));
    looked += page.length;
    const details = await db
      .select({
        repositoryId: repositories.id,
        readme: repositories.readmeContent,
        summary: analyses.summary,
        tags: analyses.tags,
      })
      .from(repositories)
      .innerJoin(stars, and(eq(stars.repositoryId, repositories.id), eq(stars.userId, input.userId)))
      .leftJoin(analyses, eq(analyses.id, stars.analysisId))
      .where(
        inJsonArray(
          repositories.id,
          page.map((row) => row.repositoryId),
        ),
      );
    const byId = new Map(details.map((d) => [d.repositoryId, d]));
    const pageWork: Work[] = [];
    for (const row of page) {
      const detail = byId.get(row.repositoryId);
      const source: EmbedSource = {
        fullName: row.fullName,
        ownerLogin: row.ownerLogin,
        description: row.description,
        htmlUrl: row.htmlUrl,
        topics: row.topics,
        language: row.language,
        readme: detail?.readme ?? null,
        summary: detail?.summary ?? null,
        aiTags: detail?.tags ?? null,
        userLanguage: user.language,
      };
      const chunks = embeddingChunks(source);
      const sha = await chunksSha(chunks);
      pageWork.push({ row, chunks, sha, chunkShas: await Promise.all(chunks.map(sha256)) });
    }
    // The text did not change (metadata that is not in it did, or only the fingerprint's
    // recipe): nothing to embed, remember the fingerprint.
    const unchanged = pageWork.filter((w) => w.sha === w.row.embeddedSha && w.row.embeddingModel === embedder.key);
    await markFingerprints(db, input.userId, unchanged);
    for (const w of unchanged) {
      result.unchanged++;
      done(w.row.fullName);
    }
    const changed = pageWork.filter((w) => !unchanged.includes(w));
    await readCache(
      db,
      embedder.key,
      changed.flatMap((w) => w.chunkShas).filter((s) => !vectors.has(s)),
      vectors,
    );
    for (const w of changed) {
      w.chunkShas.forEach((s, c) => {
        if (vectors.has(s) || missing.has(s)) return;
        missing.set(s, w.chunks[c]!);
        missingChars += w.chunks[c]!.length;
      });
      work.push(w);
    }
  }
  const exhausted = looked === candidates.length;

  // Repositories served by the cache alone go first: no model call.
  const ready = (w: Work) => w.chunkShas.every((s) => vectors.has(s));
  const fromCache = work.filter(ready);
  result.removed += await writeVectors(db, store, embedder.key, input.userId, namespace, fromCache, vectors);
  for (const w of fromCache) {
    result.reused++;
    done(w.row.fullName);
  }
  let waiting = work.filter((w) => !ready(w));

  // The rest from the model. A last partial request waits for the next call (which brings
  // more chunks to fill it) unless this call reaches the end of the list or it is the only one.
  let batches = requestBatches([...missing], ([, text]) => text, embedder);
  if (!exhausted && batches.length > 1 && batches.at(-1)!.length < embedder.batchSize) batches = batches.slice(0, -1);
  for (const batch of batches) {
    if (Date.now() - started > budgetMs) break;
    let answer: Float32Array[];
    try {
      answer = await embedder.embedBatch(batch.map(([, text]) => text));
    } catch (error) {
      if (!(error instanceof EmbeddingRateLimited)) {
        const why = stopReason(error);
        // 5xx, timeouts, D1: the Workflow retries the step. A refused key or model: no retry helps.
        if (why.code !== "ai_key_rejected" && why.code !== "ai_model_not_found") throw error;
        result.unavailable = why.message;
        result.stopCode = why.code;
        break;
      }
      result.waitUntil = error.until;
      break;
    } finally {
      result.requests++;
    }
    // Everyone gets the cached form, this user too: the same chunk is the same vector in every namespace.
    const fresh = batch.map(([chunkSha], i) => ({ chunkSha, packed: packInt8(answer[i]!) }));
    await writeCache(db, embedder.key, fresh);
    for (const { chunkSha, packed } of fresh) vectors.set(chunkSha, unpackInt8(packed));
    const finished = waiting.filter(ready);
    result.removed += await writeVectors(db, store, embedder.key, input.userId, namespace, finished, vectors);
    for (const w of finished) {
      result.embedded++;
      done(w.row.fullName);
    }
    waiting = waiting.filter((w) => !ready(w));
  }
  result.pending = total - completed;
  return result;
}

type Work = {
  row: {
    repositoryId: number;
    fullName: string;
    embeddedSha: string | null;
    embeddingModel: string | null;
    embeddedChunks: number | null;
    source: string;
  };
  chunks: string[];
  /** sha of the chunk list: `stars.embedded_sha`. */
  sha: string;
  chunkShas: string[];
};

/**
 * Vectors of finished repositories into the namespace, stale chunks out, then the stars marked. Returns vectors
 * deleted.
 */
async function writeVectors(
  db: Db,
  store: VectorStore,
  model: string,
  userId: number,
  namespace: string,
  finished: Work[],
  vectors: Map<string, Float32Array>,
): Promise<number> {
  if (finished.length === 0) return 0;
  const upserts: StoredVector[] = finished.flatMap((w) =>
    w.chunkShas.map((s, chunk) => ({
      id: vectorId(userId, w.row.repositoryId, chunk),
      repositoryId: w.row.repositoryId,
      values: vectors.get(s)!,
    })),
  );
  await store.upsert(namespace, upserts);
  const stale = finished.flatMap((w) =>
    Array.from({ length: Math.max(0, (w.row.embeddedChunks ?? 0) - w.chunks.length) }, (_, i) =>
      vectorId(userId, w.row.repositoryId, w.chunks.length + i),
    ),
  );
  await store.delete(namespace, stale);
  await markStars(
    db,
    userId,
    finished.map((w) => ({
      repositoryId: w.row.repositoryId,
      sha: w.sha,
      model,
      source: w.row.source,
      chunks: w.chunks.length,
    })),
  );
  return stale.length;
}

async function markFingerprints(db: Db, userId: number, unchanged: Work[]): Promise<void> {
  for (let i = 0; i < unchanged.length; i += STARS_PER_UPDATE) {
    const rows = unchanged.slice(i, i + STARS_PER_UPDATE).map((w) => [w.row.repositoryId, w.row.source]);
    const json = JSON.stringify(rows);
    const sameRepository = sql`json_extract(j.value, '$[0]') = ${stars.repositoryId}`;
    await db
      .update(stars)
      .set({
        embeddedSource: sql`(select json_extract(j.value, '$[1]') from json_each(${json}) j where ${sameRepository})`,
      })
      .where(
        and(
          eq(stars.userId, userId),
          sql`${stars.repositoryId} in (select json_extract(j.value, '$[0]') from json_each(${json}) j)`,
        ),
      );
  }
}

/**
 * What the user's namespace now holds for these repositories, one statement per 500 stars
 * (each star's values read from one JSON parameter): a step's D1 queries stay few (D1 allows
 * 1,000 a Worker invocation on Workers Paid).
 */
async function markStars(
  db: Db,
  userId: number,
  rows: Array<{ repositoryId: number; sha: string; model: string; source: string; chunks: number }>,
): Promise<void> {
  for (let i = 0; i < rows.length; i += STARS_PER_UPDATE) {
    const json = JSON.stringify(
      rows.slice(i, i + STARS_PER_UPDATE).map((r) => [r.repositoryId, r.sha, r.model, r.source, r.chunks]),
    );
    const sameRepository = sql`json_extract(j.value, '$[0]') = ${stars.repositoryId}`;
    const field = (index: number) =>
      sql`(select json_extract(j.value, ${`$[${index}]`}) from json_each(${json}) j where ${sameRepository})`;
    await db
      .update(stars)
      .set({ embeddedSha: field(1), embeddingModel: field(2), embeddedSource: field(3), embeddedChunks: field(4) })
      .where(
        and(
          eq(stars.userId, userId),
          sql`${stars.repositoryId} in (select json_extract(j.value, '$[0]') from json_each(${json}) j)`,
        ),
      );
  }
}

/** Cached vectors of these chunks (read as hex: a BLOB reaches the Worker as an array of numbers, ~10× slower). */
async function readCache(db: Db, model: string, chunkShas: string[], into: Map<string, Float32Array>): Promise<void> {
  const wanted = [...new Set(chunkShas)];
  for (let i = 0; i < wanted.length; i += 500) {
    const rows = await db
      .select({ chunkSha: embeddingCache.chunkSha, hex: sql<string>`hex(${embeddingCache.values})` })
      .from(embeddingCache)
      .where(and(eq(embeddingCache.model, model), inJsonArray(embeddingCache.chunkSha, wanted.slice(i, i + 500))));
    for (const row of rows) into.set(row.chunkSha, unpackInt8(fromHex(row.hex)));
  }
}

async function writeCache(
  db: Db,
  model: string,
  fresh: Array<{ chunkSha: string; packed: Uint8Array }>,
): Promise<void> {
  const inserts = [];
  for (let i = 0; i < fresh.length; i += CACHE_ROWS_PER_INSERT) {
    const rows = fresh
      .slice(i, i + CACHE_ROWS_PER_INSERT)
      .map(({ chunkSha, packed }) => ({ model, chunkSha, values: Buffer.from(packed), createdAt: new Date() }));
    // Another user's sync may have cached the same chunk a moment ago: same text, same vector.
    inserts.push(db.insert(embeddingCache).values(rows).onConflictDoNothing());
  }
  for (let i = 0; i < inserts.length; i += STATEMENTS_PER_BATCH) {
    const [first, ...rest] = inserts.slice(i, i + STATEMENTS_PER_BATCH);
    if (first) await db.batch([first, ...rest]);
  }
}

/**
 * A short, stable digest of a row's text inputs: 96 bits of sha-1 (16 characters) are plenty
 * to notice a change, and it is kept on every star (docs/scale.md counts its bytes).
 */
async function fingerprint(parts: unknown[]): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(JSON.stringify(parts))));
  return toBase64(digest.subarray(0, 12), true);
}
