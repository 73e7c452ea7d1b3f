import { env } from "cloudflare:workers";

// Seeding a library straight into D1 (the sync and the enrichment fill these tables in
// production), for the search and MCP tests.

let nextGithubId = 70_000_000;
let nextAnalysis = 1;

export type SeedRepository = {
  fullName: string;
  description?: string | null;
  language?: string | null;
  topics?: string[];
  readme?: string | null;
  stargazers?: number;
  isPrivate?: boolean;
};

export type SeedStar = {
  isStarred?: boolean;
  isSaved?: boolean;
  notes?: string | null;
  customTags?: string[] | null;
  customDescription?: string | null;
  customCategory?: string | null;
  /** The AI analysis this user reads. */
  analysis?: { summary: string; tags?: string[] } | null;
  starredAt?: number;
};

export async function seedRepository(repo: SeedRepository): Promise<number> {
  const [owner, name] = repo.fullName.split("/");
  const row = await env.DB.prepare(
    "insert into repositories (github_id, full_name, name, owner_login, html_url, description, language, topics, " +
      `readme_content,
       stargazers_count, is_private, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0) returning id`,
  )
    .bind(
      nextGithubId++,
      repo.fullName,
      name,
      owner,
      `https://github.com/${repo.fullName}`,
      repo.description ?? null,
      repo.language ?? null,
      JSON.stringify(repo.topics ?? []),
      repo.readme ?? null,
      repo.stargazers ?? 0,
      repo.isPrivate ? 1 : 0,
    )
    .first<{ id: number }>();
  if (!row) throw new Error("seedRepository: no id");
  return row.id;
}

export async function seedAnalysis(analysis: { summary: string; tags?: string[] }): Promise<number> {
  const row = await env.DB.prepare(
    "insert into analyses (input_sha, model, language, summary, tags, created_at) " +
      "values (?, 'test', 'en', ?, ?, 0) returning id",
  )
    .bind(`library-seed-${nextAnalysis++}`, analysis.summary, JSON.stringify(analysis.tags ?? []))
    .first<{ id: number }>();
  if (!row) throw new Error("seedAnalysis: no id");
  return row.id;
}

export async function seedStar(userId: number, repositoryId: number, star: SeedStar = {}): Promise<void> {
  const isStarred = star.isStarred ?? true;
  await env.DB.prepare(
    "insert into stars (user_id, repository_id, starred_at, is_starred, is_saved, notes, custom_tags, " +
      `custom_description,
       custom_category, analysis_id, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
  )
    .bind(
      userId,
      repositoryId,
      isStarred ? (star.starredAt ?? Date.UTC(2026, 0, 1)) : null,
      isStarred ? 1 : 0,
      star.isSaved ? 1 : 0,
      star.notes ?? null,
      star.customTags ? JSON.stringify(star.customTags) : null,
      star.customDescription ?? null,
      star.customCategory ?? null,
      star.analysis ? await seedAnalysis(star.analysis) : null,
    )
    .run();
}

/** A repository and this user's star of it; returns the repository id. */
export async function seedLibraryItem(userId: number, repo: SeedRepository, star: SeedStar = {}): Promise<number> {
  const id = await seedRepository(repo);
  await seedStar(userId, id, star);
  return id;
}
