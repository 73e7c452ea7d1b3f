import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { findByFullName, keywordConditions, selectLibrary } from "../library/query";
import { createDb } from "./client";
import { repositories } from "./schema";

// Migrations applied to a database that holds data, one step at a time (the other tests get an
// empty database with every migration: worker/test/apply-migrations.ts).

const AI_COLUMNS = [
  "ai_summary",
  "ai_tags",
  "ai_platforms",
  "ai_language",
  "ai_model",
  "analyzed_at",
  "analysis_failed",
  "analysis_attempts",
];
const numberOf = (name: string) => Number(name.slice(0, 4));

describe("0012_drop_repository_ai_columns", () => {
  it("drops the AI columns and keeps every repository, every star and the keyword index", async () => {
    const d1 = env.MIGRATION_DB!;
    const migrations = env.TEST_MIGRATIONS!;
    const drop = migrations.find((m) => m.name.startsWith("0012_"));
    expect(drop?.name).toBe("0012_drop_repository_ai_columns.sql");
    await applyD1Migrations(
      d1,
      migrations.filter((m) => numberOf(m.name) < 12),
    );

    // A library as 0011 left it: two users, repositories with the old AI columns written (the
    // seed's sync did), stars with the users' own fields, an analysis one of them reads.
    await d1.batch([
      d1.prepare(
        "insert into users (id, github_id, login, token_ciphertext, created_at, updated_at) " +
          "values (1, 101, 'alice', 'x', 0, 0), (2, 102, 'bob', 'x', 0, 0)",
      ),
      d1.prepare(
        "insert into analyses (id, input_sha, model, language, summary, tags, platforms, created_at) " +
          "values (7, 'sha', 'm', 'en', 'An analysed summary', '[\"vector\"]', '[]', 0)",
      ),
      ...[1, 2, 3].map((n) =>
        d1
          .prepare(
            "insert into repositories (id, github_id, full_name, name, owner_login, html_url, description, topics, " +
              `readme_content, readme_status,
               ai_summary, ai_tags, ai_platforms, ai_language, ai_model, analyzed_at, analysis_failed, ` +
              `analysis_attempts, created_at, updated_at)
             values (?1, ?2, ?3, ?4, 'o', ?5, ?6, '["db"]', ?7, 'ok',
               'old summary', '["old"]', '[]', 'en', 'old-model', 5, 0, 1, 0, 0)`,
          )
          .bind(
            n,
            1000 + n,
            `o/r${n}`,
            `r${n}`,
            `https://github.com/o/r${n}`,
            n === 2 ? "一个前端框架" : `repository ${n}`,
            `# r${n}\n\nA README about widgets.`,
          ),
      ),
      d1.prepare(
        `insert into stars (user_id, repository_id, starred_at, is_starred, notes, custom_tags, analysis_id, created_at)
         values (1, 1, 10, 1, 'my note', '["mine"]', 7, 0), (1, 2, 20, 1, null, null, null, 0), ` +
          "(2, 2, 30, 1, null, null, null, 0), (2, 3, 40, 0, null, null, null, 0)",
      ),
    ]);
    const snapshot = async () => ({
      repositories: (
        await d1
          .prepare("select id, github_id, full_name, description, readme_content from repositories order by id")
          .all()
      ).results,
      stars: (await d1.prepare("select * from stars order by user_id, repository_id").all()).results,
      repositoriesFts: (await d1.prepare("select rowid, * from repositories_fts order by rowid").all()).results,
      starsFts: (await d1.prepare("select rowid, * from stars_fts order by rowid").all()).results,
    });
    const before = await snapshot();
    expect(before.repositories).toHaveLength(3);
    expect(before.stars).toHaveLength(4);

    await applyD1Migrations(d1, migrations);

    const columns = (
      await d1.prepare("select name from pragma_table_info('repositories')").all<{ name: string }>()
    ).results.map((c) => c.name);
    expect(columns.filter((name) => AI_COLUMNS.includes(name))).toEqual([]);
    expect(columns).toContain("readme_content");
    // Later migrations add columns to stars (0016: gone_reason, gone_at): the rows keep every value they had.
    const after = await snapshot();
    const asBefore = (row: Record<string, unknown>) =>
      Object.fromEntries(Object.keys(before.stars[0] ?? {}).map((key) => [key, row[key]]));
    expect({ ...after, stars: after.stars.map(asBefore) }).toEqual(before);
    // 0019's triggers read the AI tags through the user's aliases: with none, re-indexing writes what was there.
    await d1.prepare("update stars set tags_revision = tags_revision + 1").run();
    expect((await snapshot()).starsFts).toEqual(before.starsFts);

    // The triggers and the library query work on the new table: an update re-indexes, a search finds.
    const db = createDb(d1);
    await db.update(repositories).set({ description: "一个数据库工具" }).where(eq(repositories.id, 3));
    const found = await selectLibrary(db, 2, keywordConditions("数据库", 2), [], 10);
    expect(found.map((row) => row.fullName)).toEqual(["o/r3"]);
    const alice = await findByFullName(db, 1, "o/r1");
    expect(alice).toMatchObject({ fullName: "o/r1", notes: "my note", aiSummary: "An analysed summary" });
  });
});
