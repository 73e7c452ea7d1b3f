import type { RepoMetadata } from "../github/types";
import type { KnownRepo, KnownStar, PlannedItem, ReadmeChange } from "./plan";

// The sync's D1 access in plain SQL: bulk upserts with sub-selects and `json_each` keep
// every statement far below D1's 100 bound parameters and each page to one batch.

/** README text is stored whole up to GraphQL's own cap (the seed cut at 8,000 characters). */
export const README_MAX_CHARS = 512_000;
/** Statements per D1 batch: big enough to be cheap, small enough to stay under request limits. */
const BATCH = 50;

export async function loadKnown(
  db: D1Database,
  userId: number,
  githubIds: number[],
): Promise<{ repos: Map<number, KnownRepo>; stars: Map<number, KnownStar> }> {
  const ids = JSON.stringify(githubIds);
  const [repos, stars] = await db.batch<Record<string, unknown>>([
    db
      .prepare(
        `select github_id, meta_hash, readme_sha, readme_status, github_pushed_at
         from repositories where github_id in (select value from json_each(?1))`,
      )
      .bind(ids),
    db
      .prepare(
        `select r.github_id, s.is_starred, s.starred_at
         from stars s join repositories r on r.id = s.repository_id
         where s.user_id = ?1 and r.github_id in (select value from json_each(?2))`,
      )
      .bind(userId, ids),
  ]);
  return {
    repos: new Map(
      (repos?.results ?? []).map((row) => [
        Number(row.github_id),
        {
          githubId: Number(row.github_id),
          metaHash: (row.meta_hash as string | null) ?? null,
          readmeSha: (row.readme_sha as string | null) ?? null,
          readmeStatus: (row.readme_status as KnownRepo["readmeStatus"]) ?? null,
          githubPushedAt: row.github_pushed_at == null ? null : Number(row.github_pushed_at),
        },
      ]),
    ),
    stars: new Map(
      (stars?.results ?? []).map((row) => [
        Number(row.github_id),
        {
          githubId: Number(row.github_id),
          isStarred: Number(row.is_starred) === 1,
          starredAt: row.starred_at == null ? null : Number(row.starred_at),
        },
      ]),
    ),
  };
}

const META_COLUMNS = [
  "node_id", "full_name", "name", "owner_login", "owner_avatar_url", "description", "html_url", "homepage",
  "stargazers_count", "language", "topics", "license", "archived", "fork", "is_private", "github_created_at",
  "github_updated_at", "github_pushed_at", "meta_hash",
] as const;

function metaValues(repo: RepoMetadata, hash: string): unknown[] {
  return [
    repo.nodeId, repo.fullName, repo.name, repo.ownerLogin, repo.ownerAvatarUrl, repo.description, repo.htmlUrl,
    repo.homepage, repo.stargazersCount, repo.language, JSON.stringify(repo.topics), repo.license,
    repo.archived ? 1 : 0, repo.fork ? 1 : 0, repo.isPrivate ? 1 : 0, repo.githubCreatedAt, repo.githubUpdatedAt,
    repo.githubPushedAt, hash,
  ];
}

/** Column assignments for a README change; a new README clears the AI analysis (DESIGN §5 step 4). */
function readmeAssignments(change: ReadmeChange, now: number): Array<[string, unknown]> {
  const clearAi: Array<[string, unknown]> = [
    ["ai_summary", null], ["ai_tags", null], ["ai_platforms", null], ["ai_language", null], ["ai_model", null],
    ["analyzed_at", null], ["analysis_failed", 0], ["analysis_attempts", 0],
  ];
  switch (change.kind) {
    case "content":
      return [
        ["readme_sha", change.sha],
        ["readme_path", change.path],
        ["readme_content", change.content.slice(0, README_MAX_CHARS)],
        ["readme_status", "ok"],
        ["readme_fetched_at", now],
        ...(change.contentChanged ? clearAi : []),
      ];
    case "missing":
      return [
        ["readme_sha", null], ["readme_path", null], ["readme_content", null], ["readme_status", "missing"],
        ["readme_fetched_at", now], ...(change.contentChanged ? clearAi : []),
      ];
    case "error":
      return [["readme_status", "error"]];
  }
}

/**
 * The writes for one planned page: repository rows that are new or changed, README
 * changes, and this user's star rows. Unchanged rows get no statement at all.
 */
export function pageWrites(
  db: D1Database,
  userId: number,
  planned: PlannedItem[],
  readmes: Map<number, ReadmeChange>,
  now: number,
): D1PreparedStatement[] {
  const statements: D1PreparedStatement[] = [];
  for (const { item, metaHash, repo, star } of planned) {
    const { githubId } = item.repo;
    const readme = readmes.get(githubId);
    const assignments: Array<[string, unknown]> = [];
    if (repo !== "keep") META_COLUMNS.forEach((column, i) => assignments.push([column, metaValues(item.repo, metaHash)[i]]));
    if (readme) assignments.push(...readmeAssignments(readme, now));
    if (repo === "insert") {
      // Another user's sync may insert the same repository at the same moment: then ours updates it.
      const columns = ["github_id", ...assignments.map(([c]) => c), "created_at", "updated_at"];
      statements.push(
        db
          .prepare(
            `insert into repositories (${columns.join(", ")}) values (${columns.map((_, i) => `?${i + 1}`).join(", ")})
             on conflict (github_id) do update set ${assignments.map(([c]) => `${c} = excluded.${c}`).join(", ")}, updated_at = excluded.updated_at`,
          )
          .bind(githubId, ...assignments.map(([, v]) => v), now, now),
      );
    } else if (assignments.length > 0) {
      statements.push(
        db
          .prepare(
            `update repositories set ${assignments.map(([c], i) => `${c} = ?${i + 1}`).join(", ")}, updated_at = ?${assignments.length + 1}
             where github_id = ?${assignments.length + 2}`,
          )
          .bind(...assignments.map(([, v]) => v), now, githubId),
      );
    }
    if (star !== "keep") {
      // Re-starring restores the row with its notes and tags; a saved repository becomes starred too.
      statements.push(
        db
          .prepare(
            `insert into stars (user_id, repository_id, starred_at, is_starred, created_at)
             values (?1, (select id from repositories where github_id = ?2), ?3, 1, ?4)
             on conflict (user_id, repository_id) do update set
               is_starred = 1, starred_at = excluded.starred_at, unstarred_at = null`,
          )
          .bind(userId, githubId, item.starredAt, now),
      );
    }
  }
  return statements;
}

/** An UPDATE of one repository's README columns (for repositories outside a listed page). */
export function readmeUpdate(db: D1Database, githubId: number, change: ReadmeChange, now: number): D1PreparedStatement {
  const assignments = readmeAssignments(change, now);
  return db
    .prepare(
      `update repositories set ${assignments.map(([c], i) => `${c} = ?${i + 1}`).join(", ")}, updated_at = ?${assignments.length + 1}
       where github_id = ?${assignments.length + 2}`,
    )
    .bind(...assignments.map(([, v]) => v), now, githubId);
}

/**
 * Runs single-row statements in D1 batches (each batch is atomic); returns how many rows
 * they changed. D1's `meta.changes` also counts index and FTS rows the write touched,
 * so a statement counts as one row written when it changed anything.
 */
export async function runWrites(db: D1Database, statements: D1PreparedStatement[]): Promise<number> {
  let changed = 0;
  for (let i = 0; i < statements.length; i += BATCH) {
    const results = await db.batch(statements.slice(i, i + BATCH));
    for (const result of results) if ((result.meta.changes ?? 0) > 0) changed++;
  }
  return changed;
}
