// What every resilience scenario is judged by (docs/reliability.md): after the faulted run and
// one clean sync, the user's library in D1 is exactly the emulator's stars (convergence),
// nothing the user or an earlier sync made is gone (lost), and nothing exists twice
// (duplicates) — read straight from the Worker's D1 file, not through the API under test.
import type { DatabaseSync } from "node:sqlite";
import type { GroundTruthStar } from "../../emulators/github/client.ts";

/** What must survive any fault: the user's own fields and what earlier syncs paid for. */
export type Protected = {
  userId: number;
  notes: Map<string, string>;
  saved: string[];
  /** Repositories that had an analysis; they keep one (the same, or a newer one for a changed README). */
  analysed: string[];
  /** Repositories whose vectors were written; they keep them. */
  embedded: string[];
};

type Row = Record<string, unknown>;
const all = (db: DatabaseSync, query: string, ...params: Array<string | number>) =>
  db.prepare(query).all(...params) as Row[];
const count = (db: DatabaseSync, query: string, ...params: Array<string | number>) =>
  Number((db.prepare(query).get(...params) as Row | undefined)?.n ?? 0);

export function protectedState(db: DatabaseSync, userId: number): Protected {
  const rows = all(
    db,
    `select r.full_name, s.notes, s.is_saved, s.is_starred, s.analysis_id, s.embedded_chunks
     from stars s join repositories r on r.id = s.repository_id where s.user_id = ?`,
    userId,
  );
  return {
    userId,
    notes: new Map(rows.filter((r) => r.notes).map((r) => [String(r.full_name), String(r.notes)])),
    saved: rows.filter((r) => r.is_saved === 1 && r.is_starred === 0).map((r) => String(r.full_name)),
    analysed: rows.filter((r) => r.analysis_id !== null).map((r) => String(r.full_name)),
    embedded: rows
      .filter((r) => (r.embedded_chunks as number | null) !== null && Number(r.embedded_chunks) > 0)
      .map((r) => String(r.full_name)),
  };
}

export type Verdict = {
  /** Stars of the emulator that D1 lacks or has wrong after the clean sync, plus stars D1 has that GitHub does not. */
  diverged: string[];
  lost: string[];
  duplicates: string[];
};

/**
 * `unstarredOnGithub`: repositories the user unstarred on GitHub during the scenario (kept in D1
 * as unstarred rows with their notes; their analysis and vectors may go, as designed).
 */
export function judge(
  db: DatabaseSync,
  truth: GroundTruthStar[],
  before: Protected,
  unstarredOnGithub: ReadonlySet<string> = new Set(),
): Verdict {
  const userId = before.userId;
  const rows = all(
    db,
    "select r.full_name, r.readme_sha, r.readme_status, s.starred_at, s.is_starred, s.is_saved, s.notes, " +
      `s.analysis_id, s.embedded_chunks, s.repository_id
     from stars s join repositories r on r.id = s.repository_id where s.user_id = ?`,
    userId,
  );
  const byName = new Map(rows.map((r) => [String(r.full_name), r]));
  const diverged: string[] = [];
  const truthNames = new Set(truth.map((s) => s.fullName));
  for (const star of truth) {
    const row = byName.get(star.fullName);
    if (!row || row.is_starred !== 1) diverged.push(`${star.fullName}: not starred in D1`);
    else if (row.starred_at !== Date.parse(star.starredAt))
      diverged.push(`${star.fullName}: starred_at ${String(row.starred_at)} ≠ ${star.starredAt}`);
    else if (
      star.readmeSha ? row.readme_sha !== star.readmeSha || row.readme_status !== "ok" : row.readme_status !== "missing"
    ) {
      diverged.push(
        `${star.fullName}: README ${String(row.readme_status)} ${String(row.readme_sha)} ≠ ${star.readmeSha ?? "none"}`,
      );
    }
  }
  for (const row of rows)
    if (row.is_starred === 1 && !truthNames.has(String(row.full_name)))
      diverged.push(`${String(row.full_name)}: starred in D1, not on GitHub`);

  const lost: string[] = [];
  for (const [name, note] of before.notes) if (byName.get(name)?.notes !== note) lost.push(`${name}: notes`);
  for (const name of before.saved) if (byName.get(name)?.is_saved !== 1) lost.push(`${name}: saved`);
  for (const name of before.analysed) {
    if (unstarredOnGithub.has(name)) continue;
    if (byName.get(name)?.analysis_id == null) lost.push(`${name}: analysis`);
  }
  for (const name of before.embedded) {
    if (unstarredOnGithub.has(name)) continue;
    const row = byName.get(name);
    const vectors = row
      ? count(
          db,
          "select count(*) n from vectors where namespace = ? and repository_id = ?",
          `u${userId}`,
          Number(row.repository_id),
        )
      : 0;
    if (vectors === 0) lost.push(`${name}: vectors`);
  }

  const duplicates: string[] = [];
  const dup = (label: string, query: string, ...params: Array<string | number>) => {
    for (const row of all(db, query, ...params)) duplicates.push(`${label}: ${JSON.stringify(row)}`);
  };
  dup(
    "star",
    "select user_id, repository_id, count(*) n from stars where user_id = ? group by 1, 2 having n > 1",
    userId,
  );
  dup("repository by GitHub id", "select github_id, count(*) n from repositories group by 1 having n > 1");
  dup("repository by name", "select lower(full_name) name, count(*) n from repositories group by 1 having n > 1");
  dup("analysis", "select input_sha, model, language, count(*) n from analyses group by 1, 2, 3 having n > 1");
  // FTS rows: exactly one per repository and one per star (rowid user_id·2³² + repository_id).
  dup("repositories_fts", "select rowid, count(*) n from repositories_fts group by 1 having n > 1");
  dup(
    "repositories_fts without its repository",
    "select f.rowid from repositories_fts f left join repositories r on r.id = f.rowid where r.id is null",
  );
  dup(
    "repository without its repositories_fts row",
    "select r.id from repositories r left join repositories_fts f on f.rowid = r.id where f.rowid is null",
  );
  dup(
    "stars_fts",
    "select rowid, count(*) n from stars_fts where rowid / 4294967296 = ? group by 1 having n > 1",
    userId,
  );
  dup(
    "stars_fts without its star",
    "select f.rowid from stars_fts f left join stars s on s.user_id * 4294967296 + s.repository_id = f.rowid " +
      "where f.rowid / 4294967296 = ? and s.user_id is null",
    userId,
  );
  // Vectors: exactly what each star says its namespace holds (chunks 0..embedded_chunks-1), none of a repository it
  // does not hold.
  dup(
    "vectors beyond the star's chunks",
    "select v.repository_id, count(*) n, s.embedded_chunks " +
      `from vectors v left join stars s on s.user_id = ? and s.repository_id = v.repository_id
     where v.namespace = ? group by v.repository_id having s.embedded_chunks is null or n > s.embedded_chunks`,
    userId,
    `u${userId}`,
  );
  dup(
    "vector values without their vector",
    "select x.id from vector_values x left join vectors v on v.namespace = x.namespace and v.id = x.id " +
      "where x.namespace = ? and v.id is null",
    `u${userId}`,
  );
  return { diverged, lost, duplicates };
}
