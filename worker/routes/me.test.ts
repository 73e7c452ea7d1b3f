import { describe, expect, it } from "vitest";
import { Me } from "../../shared/api";
import { api, env, signIn } from "../test/helpers";

/** Inserts a repository and stars it for `userId` straight into D1. */
async function seedStar(userId: number, githubId: number, options: { isPrivate?: boolean; notes?: string } = {}) {
  const now = Date.now();
  const repo = await env.DB.prepare(
    `insert into repositories (github_id, full_name, name, owner_login, html_url, is_private, created_at, updated_at)
     values (?1, ?2, ?3, 'owner', 'https://github.com/' || ?2, ?4, ?5, ?5)
     on conflict (github_id) do update set updated_at = excluded.updated_at returning id`,
  )
    .bind(githubId, `owner/repo-${githubId}`, `repo-${githubId}`, options.isPrivate ? 1 : 0, now)
    .first<{ id: number }>();
  await env.DB.prepare(
    "insert into stars (user_id, repository_id, starred_at, is_starred, notes, created_at) values (?, ?, ?, 1, ?, ?)",
  )
    .bind(userId, repo?.id, now, options.notes ?? null, now)
    .run();
  return repo!.id;
}

describe("/api/me", () => {
  it("shows each user only their own library", async () => {
    const alice = await signIn("me-alice");
    const bob = await signIn("me-bob");
    await seedStar(alice.user.id, 9_000_001, { notes: "alice's secret note" });
    await seedStar(alice.user.id, 9_000_002, { isPrivate: true });
    await seedStar(bob.user.id, 9_000_001);

    const aliceMe = Me.parse(await (await api(alice.sessionToken).api.me.$get()).json());
    const bobMe = Me.parse(await (await api(bob.sessionToken).api.me.$get()).json());
    expect(aliceMe.user.login).toBe("me-alice");
    expect(aliceMe.library.starred).toBe(2);
    expect(bobMe.user.login).toBe("me-bob");
    expect(bobMe.library.starred).toBe(1);
    expect(JSON.stringify(bobMe)).not.toContain("alice");
  });

  it("DELETE removes the account and what only it could see, and nothing of anyone else", async () => {
    const gone = await signIn("me-gone");
    const stays = await signIn("me-stays");
    const publicShared = await seedStar(gone.user.id, 9_100_001);
    await seedStar(stays.user.id, 9_100_001);
    const privateMine = await seedStar(gone.user.id, 9_100_002, { isPrivate: true });
    const privateShared = await seedStar(gone.user.id, 9_100_003, { isPrivate: true });
    await seedStar(stays.user.id, 9_100_003, { notes: "keep me" });

    const response = await api(gone.sessionToken).api.me.$delete();
    expect(response.status).toBe(204);

    const count = async (sql: string, ...args: unknown[]) =>
      (
        await env.DB.prepare(sql)
          .bind(...args)
          .first<{ n: number }>()
      )?.n;
    expect(await count("select count(*) as n from users where id = ?", gone.user.id)).toBe(0);
    expect(await count("select count(*) as n from sessions where user_id = ?", gone.user.id)).toBe(0);
    expect(await count("select count(*) as n from stars where user_id = ?", gone.user.id)).toBe(0);
    expect(await count("select count(*) as n from repositories where id = ?", privateMine)).toBe(0);
    expect(await count("select count(*) as n from repositories where id = ?", privateShared)).toBe(1);
    expect(await count("select count(*) as n from repositories where id = ?", publicShared)).toBe(1);
    expect(await count("select count(*) as n from stars where user_id = ? and notes = 'keep me'", stays.user.id)).toBe(
      1,
    );

    expect((await api(gone.sessionToken).api.me.$get()).status).toBe(401);
    expect((await api(stays.sessionToken).api.me.$get()).status).toBe(200);
  });
});
