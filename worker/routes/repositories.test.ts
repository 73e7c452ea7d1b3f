import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { ErrorBody } from "../../shared/errors";
import {
  LibraryIndex,
  LookupResponse,
  RepositoryItem,
  RepositoryList,
  type RepositorySort,
} from "../../shared/repositories";
import { BASE, api, emulator, env, githubUrl, signIn, workerFetch } from "../test/helpers";
import { encodeCursor } from "../library/query";

// ---------------------------------------------------------------------------------------------
// Seeding straight into D1 (the sync fills these tables in production).

let nextGithubId = 80_000_000;

type SeedRepo = {
  fullName: string;
  description?: string | null;
  language?: string | null;
  topics?: string[];
  stargazers?: number;
  openrank?: number | null;
  /** Seeded as the analysis the starring user reads (`seed()`), not on the repository. */
  aiTags?: string[] | null;
  aiSummary?: string | null;
  isPrivate?: boolean;
  readme?: string | null;
  githubId?: number;
};

async function seedRepo(repo: SeedRepo): Promise<number> {
  const [owner, name] = repo.fullName.split("/");
  const now = Date.now();
  const row = await env.DB.prepare(
    `insert into repositories (github_id, full_name, name, owner_login, html_url, description, language, topics,
       stargazers_count, openrank, is_private, readme_content, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id`,
  )
    .bind(
      repo.githubId ?? nextGithubId++,
      repo.fullName,
      name,
      owner,
      `https://github.com/${repo.fullName}`,
      repo.description ?? null,
      repo.language ?? null,
      JSON.stringify(repo.topics ?? []),
      repo.stargazers ?? 0,
      repo.openrank ?? null,
      repo.isPrivate ? 1 : 0,
      repo.readme ?? null,
      now,
      now,
    )
    .first<{ id: number }>();
  if (!row) throw new Error("seedRepo: no id");
  return row.id;
}

type SeedStar = {
  /** The AI analysis this user reads (analyses are per user's language and model: `stars.analysis_id`). */
  analysis?: { summary?: string | null; tags?: string[] | null };
  starredAt?: number | null;
  isStarred?: boolean;
  isSaved?: boolean;
  createdAt?: number;
  customTags?: string[];
  customCategory?: string;
  customDescription?: string;
  notes?: string;
};

async function seedStar(userId: number, repositoryId: number, star: SeedStar = {}): Promise<void> {
  const isStarred = star.isStarred ?? true;
  await env.DB.prepare(
    `insert into stars (user_id, repository_id, starred_at, is_starred, is_saved, unstarred_at, custom_tags,
       custom_category, custom_description, notes, created_at, analysis_id)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      userId,
      repositoryId,
      star.starredAt === undefined ? (isStarred ? Date.UTC(2026, 0, 1) : null) : star.starredAt,
      isStarred ? 1 : 0,
      star.isSaved ? 1 : 0,
      isStarred || star.isSaved ? null : Date.UTC(2026, 5, 1),
      star.customTags ? JSON.stringify(star.customTags) : null,
      star.customCategory ?? null,
      star.customDescription ?? null,
      star.notes ?? null,
      star.createdAt ?? Date.UTC(2026, 0, 1),
      star.analysis ? await seedAnalysis(star.analysis) : null,
    )
    .run();
}

let nextAnalysis = 1;
async function seedAnalysis(analysis: NonNullable<SeedStar["analysis"]>): Promise<number> {
  const row = await env.DB.prepare(
    "insert into analyses (input_sha, model, language, summary, tags, created_at) " +
      "values (?, 'test', 'en', ?, ?, ?) returning id",
  )
    .bind(`seed-${nextAnalysis++}`, analysis.summary ?? "", JSON.stringify(analysis.tags ?? []), Date.now())
    .first<{ id: number }>();
  if (!row) throw new Error("seedAnalysis: no id");
  return row.id;
}

async function seed(userId: number, repo: SeedRepo, star: SeedStar = {}): Promise<number> {
  const id = await seedRepo(repo);
  const analysis =
    repo.aiSummary !== undefined || repo.aiTags !== undefined
      ? { summary: repo.aiSummary ?? null, tags: repo.aiTags ?? null }
      : undefined;
  await seedStar(userId, id, { ...(analysis ? { analysis } : {}), ...star });
  return id;
}

async function list(session: string, query: Record<string, string>) {
  const response = await workerFetch(`${BASE}/api/repositories?${new URLSearchParams(query)}`, {
    headers: { Authorization: `Bearer ${session}` },
  });
  return response;
}

async function listNames(session: string, query: Record<string, string> = {}): Promise<string[]> {
  const response = await list(session, query);
  expect(response.status, await response.clone().text()).toBe(200);
  return RepositoryList.parse(await response.json()).items.map((item) => item.fullName);
}

const base64url = (text: string) => btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

async function expectError(response: { status: number; text(): Promise<string> }, status: number, code: string) {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(ErrorBody.parse(JSON.parse(text)).error.code).toBe(code);
}

// ---------------------------------------------------------------------------------------------

describe("GET /api/repositories", () => {
  it("needs a session", async () => {
    await expectError(await workerFetch(`${BASE}/api/repositories`), 401, "unauthorized");
  });

  it("lists starred and saved by default; unstarred rows only with starred=false", async () => {
    const { sessionToken, user } = await signIn("lib-filters");
    const day = (d: number) => Date.UTC(2026, 0, d);
    await seed(
      user.id,
      { fullName: "f/typed", language: "TypeScript", topics: ["cli", "tooling"] },
      { starredAt: day(5) },
    );
    await seed(
      user.id,
      { fullName: "f/saved-only", language: "Go" },
      { isStarred: false, isSaved: true, createdAt: day(9) },
    );
    await seed(user.id, { fullName: "f/gone", language: "Go" }, { isStarred: false, notes: "kept for the note" });
    await seed(user.id, { fullName: "f/db", aiTags: ["Database", "SQL"] }, { starredAt: day(3) });
    await seed(
      user.id,
      { fullName: "f/mine", language: "Rust" },
      { starredAt: day(4), customTags: ["Work"], customCategory: "Tools" },
    );
    await seed(user.id, { fullName: "f/both", language: "typescript" }, { starredAt: day(1), isSaved: true });

    // Default order: newest first by star time, a saved repository by the time it was saved.
    expect(await listNames(sessionToken)).toEqual(["f/saved-only", "f/typed", "f/mine", "f/db", "f/both"]);
    expect(await listNames(sessionToken, { starred: "true" })).toEqual(["f/typed", "f/mine", "f/db", "f/both"]);
    expect(await listNames(sessionToken, { starred: "false" })).toEqual(["f/saved-only", "f/gone"]);
    expect(await listNames(sessionToken, { saved: "true" })).toEqual(["f/saved-only", "f/both"]);
    expect(await listNames(sessionToken, { saved: "false" })).toEqual(["f/typed", "f/mine", "f/db"]);
    expect(await listNames(sessionToken, { starred: "false", saved: "false" })).toEqual(["f/gone"]);
    expect(await listNames(sessionToken, { starred: "true", saved: "true" })).toEqual(["f/both"]);

    expect(await listNames(sessionToken, { language: "TYPESCRIPT" })).toEqual(["f/typed", "f/both"]);
    expect(await listNames(sessionToken, { language: "go" })).toEqual(["f/saved-only"]);
    expect(await listNames(sessionToken, { language: "go", starred: "false" })).toEqual(["f/saved-only", "f/gone"]);
    // tag matches topics, AI tags and the user's own tags, case-insensitively, whole tags only.
    expect(await listNames(sessionToken, { tag: "CLI" })).toEqual(["f/typed"]);
    expect(await listNames(sessionToken, { tag: "database" })).toEqual(["f/db"]);
    expect(await listNames(sessionToken, { tag: "work" })).toEqual(["f/mine"]);
    expect(await listNames(sessionToken, { tag: "data" })).toEqual([]);
    expect(await listNames(sessionToken, { category: "tools" })).toEqual(["f/mine"]);
    expect(await listNames(sessionToken, { category: "tools", language: "go" })).toEqual([]);
  });

  it("returns complete items with the user's own fields", async () => {
    const { sessionToken, user } = await signIn("lib-items");
    await seed(
      user.id,
      {
        fullName: "Items/Full",
        description: "d",
        language: "C",
        topics: ["x"],
        stargazers: 42,
        openrank: 3.25,
        aiTags: ["a"],
        aiSummary: "sum",
      },
      {
        starredAt: Date.UTC(2025, 2, 3, 4, 5, 6),
        customTags: ["t"],
        customCategory: "cat",
        customDescription: "mine",
        notes: "n",
      },
    );
    const response = await api(sessionToken).api.repositories.$get({ query: {} });
    expect(response.status).toBe(200);
    const { items, nextCursor } = RepositoryList.parse(await response.json());
    expect(nextCursor).toBeNull();
    expect(items).toEqual([
      expect.objectContaining({
        fullName: "Items/Full",
        owner: "Items",
        name: "Full",
        htmlUrl: "https://github.com/Items/Full",
        stargazersCount: 42,
        topics: ["x"],
        openrank: 3.25,
        aiTags: ["a"],
        aiPlatforms: [],
        aiSummary: "sum",
        starredAt: "2025-03-03T04:05:06.000Z",
        isStarred: true,
        isSaved: false,
        unstarredAt: null,
        customTags: ["t"],
        customCategory: "cat",
        customDescription: "mine",
        notes: "n",
        lastEdited: null,
        watchReleases: false,
        lists: [],
        isPrivate: false,
      }),
    ]);
  });

  it.each([
    [{ starred: "yes" }],
    [{ saved: "1" }],
    [{ sort: "popularity" }],
    [{ limit: "0" }],
    [{ limit: "101" }],
    [{ limit: "ten" }],
    [{ limit: "2.5" }],
    [{ language: "   " }],
    [{ unknown: "x" }],
    [{ cursor: "%%%not-base64%%%" }],
    [{ cursor: "bm90IGpzb24" }],
    [{ cursor: encodeCursor({ s: "stars", k: 10, i: 1 }) }],
    [{ sort: "name", cursor: encodeCursor({ s: "starred_at", k: 1, i: 1 }) }],
    [{ cursor: base64url(JSON.stringify({ s: "starred_at", k: "x", i: 1 })) }],
    [{ cursor: base64url(JSON.stringify({ s: "starred_at", k: 1 })) }],
  ])("rejects %j with 400 bad_request", async (query) => {
    const { sessionToken } = await signIn("lib-bad-query");
    const response = await list(sessionToken, query);
    await expectError(response, 400, "bad_request");
  });

  it("rejects repeated parameters", async () => {
    const { sessionToken } = await signIn("lib-bad-query");
    const response = await workerFetch(`${BASE}/api/repositories?sort=name&sort=stars`, {
      headers: { Authorization: `Bearer ${sessionToken}` },
    });
    await expectError(response, 400, "bad_request");
  });

  describe("sorting and cursor pagination", () => {
    // Ties on every sort key, nulls, a saved row whose save time ties with star times,
    // and names equal except for case.
    const rows: Array<{
      name: string;
      stars: number;
      openrank: number | null;
      starredAt: number | null;
      createdAt: number;
    }> = [
      { name: "alpha", stars: 5, openrank: null, starredAt: 300, createdAt: 1 },
      { name: "Alpha", stars: 5, openrank: 1.5, starredAt: 300, createdAt: 1 },
      { name: "beta", stars: 5, openrank: 1.5, starredAt: 300, createdAt: 1 },
      { name: "BETA", stars: 10, openrank: 3.2, starredAt: 200, createdAt: 1 },
      { name: "gamma", stars: 10, openrank: null, starredAt: 200, createdAt: 1 },
      { name: "delta", stars: 0, openrank: 0.1, starredAt: null, createdAt: 300 },
      { name: "epsilon", stars: 7, openrank: null, starredAt: 100, createdAt: 1 },
      { name: "beta", stars: 7, openrank: 1.5, starredAt: null, createdAt: 200 },
      { name: "zeta", stars: 0, openrank: 0, starredAt: 50, createdAt: 1 },
    ];

    async function seedSortable(login: string) {
      const session = await signIn(login);
      const seeded = [];
      for (const [index, row] of rows.entries()) {
        const id = await seed(
          session.user.id,
          { fullName: `o${index}/${row.name}`, stargazers: row.stars, openrank: row.openrank },
          {
            starredAt: row.starredAt === null ? null : Date.UTC(2026, 0, 1) + row.starredAt * 1000,
            isStarred: row.starredAt !== null,
            isSaved: row.starredAt === null,
            createdAt: Date.UTC(2026, 0, 1) + row.createdAt * 1000,
          },
        );
        seeded.push({ ...row, id, fullName: `o${index}/${row.name}` });
      }
      return { session, seeded };
    }

    type Seeded = Awaited<ReturnType<typeof seedSortable>>["seeded"][number];
    const byId = (a: Seeded, b: Seeded, direction: 1 | -1) => direction * (a.id - b.id);
    const expectedOrder: Record<RepositorySort, (a: Seeded, b: Seeded) => number> = {
      starred_at: (a, b) => (b.starredAt ?? b.createdAt) - (a.starredAt ?? a.createdAt) || byId(a, b, -1),
      stars: (a, b) => b.stars - a.stars || byId(a, b, -1),
      openrank: (a, b) =>
        Number(a.openrank === null) - Number(b.openrank === null) ||
        (b.openrank ?? 0) - (a.openrank ?? 0) ||
        byId(a, b, -1),
      name: (a, b) =>
        a.name.toLowerCase() < b.name.toLowerCase()
          ? -1
          : a.name.toLowerCase() > b.name.toLowerCase()
            ? 1
            : byId(a, b, 1),
    };

    it.each(["starred_at", "stars", "openrank", "name"] as const)(
      "sort=%s pages through ties without gaps or repeats",
      async (sort) => {
        const { session, seeded } = await seedSortable(`lib-sort-${sort.replace("_", "-")}`);
        const expected = [...seeded].sort(expectedOrder[sort]).map((row) => row.fullName);

        const whole = await listNames(session.sessionToken, { sort, limit: "100" });
        expect(whole).toEqual(expected);

        for (const limit of [1, 2, 4]) {
          const pages: string[][] = [];
          let cursor: string | null = null;
          do {
            const query: Record<string, string> = { sort, limit: String(limit) };
            if (cursor) query.cursor = cursor;
            const response = await list(session.sessionToken, query);
            expect(response.status).toBe(200);
            const page = RepositoryList.parse(await response.json());
            pages.push(page.items.map((item) => item.fullName));
            cursor = page.nextCursor;
            expect(pages.length).toBeLessThanOrEqual(rows.length + 1);
          } while (cursor);
          expect(pages.flat()).toEqual(expected);
          expect(pages.slice(0, -1).every((page) => page.length === limit)).toBe(true);
        }
      },
    );

    it("defaults to sort=starred_at and 50 per page", async () => {
      const session = await signIn("lib-page-default");
      for (let i = 0; i < 53; i++)
        await seed(session.user.id, { fullName: `pd/r${i}` }, { starredAt: Date.UTC(2026, 0, 1) + i });
      const first = RepositoryList.parse(await (await list(session.sessionToken, {})).json());
      expect(first.items).toHaveLength(50);
      expect(first.items[0]?.fullName).toBe("pd/r52");
      expect(first.nextCursor).not.toBeNull();
      const second = RepositoryList.parse(
        await (await list(session.sessionToken, { cursor: first.nextCursor ?? "" })).json(),
      );
      expect(second.items.map((item) => item.fullName)).toEqual(["pd/r2", "pd/r1", "pd/r0"]);
      expect(second.nextCursor).toBeNull();
    });
  });

  describe("q (keyword filter)", () => {
    async function seedSearchable(login: string) {
      const session = await signIn(login);
      const add = (fullName: string, description: string | null, extra: Partial<SeedRepo> = {}) =>
        seed(session.user.id, { fullName, description, ...extra });
      await add("kw/hono", "Web framework built on Web Standards");
      await add("kw/drizzle-orm", "Headless TypeScript ORM with a head");
      await add("kw/fmt", "A modern formatting library for C++");
      await add("kw/cjk", "一个高性能的数据库工具");
      await add("kw/percent", "Reaches 100% coverage");
      await add("kw/percentless", "Reaches 1000 coverage");
      await add("kw/node.js-tools", "Utilities", { topics: ["nodejs"] });
      await add("kw/readme-only", "Nothing here", { readme: "This project implements the raft consensus algorithm" });
      await add("kw/hostile", 'Quotes " and NEAR( and AND OR NOT * ^ col:umn');
      return session.sessionToken;
    }

    it("matches words and word prefixes from name, description, topics and README", async () => {
      const session = await seedSearchable("lib-q-words");
      expect(await listNames(session, { q: "framework" })).toEqual(["kw/hono"]);
      expect(await listNames(session, { q: "frame" })).toEqual(["kw/hono"]);
      expect(await listNames(session, { q: "WEB standards" })).toEqual(["kw/hono"]);
      expect(await listNames(session, { q: "web orm" })).toEqual([]);
      expect(await listNames(session, { q: "drizzle" })).toEqual(["kw/drizzle-orm"]);
      expect(await listNames(session, { q: "node.js" })).toEqual(["kw/node.js-tools"]);
      expect(await listNames(session, { q: "raft consensus" })).toEqual(["kw/readme-only"]);
      expect(await listNames(session, { q: "   " }).then((names) => names.length)).toBe(9);
    });

    it("falls back to LIKE for symbols and CJK, with wildcards taken literally", async () => {
      const session = await seedSearchable("lib-q-like");
      expect(await listNames(session, { q: "c++" })).toEqual(["kw/fmt"]);
      expect(await listNames(session, { q: "数据库" })).toEqual(["kw/cjk"]);
      expect(await listNames(session, { q: "100%" })).toEqual(["kw/percent"]);
      expect(await listNames(session, { q: "_" })).toEqual([]);
      expect(await listNames(session, { q: "c++ library" })).toEqual(["kw/fmt"]);
    });

    it.each(['"', "NEAR(", "AND", "OR NOT", "*", "^", "col:umn", '" OR 1=1 --', "a)b(", "-", "'", "NOT hono"])(
      "never passes FTS syntax through (%j)",
      async (q) => {
        const session = await signIn("lib-q-hostile");
        const response = await list(session.sessionToken, { q });
        expect(response.status, await response.clone().text()).toBe(200);
        RepositoryList.parse(await response.json());
      },
    );

    it("treats FTS operators in the text as plain words", async () => {
      const session = await seedSearchable("lib-q-operators");
      expect(await listNames(session, { q: "NEAR AND" })).toEqual(["kw/hostile"]);
      expect(await listNames(session, { q: "hono OR fmt" })).toEqual([]);
    });
  });
});

describe("GET /api/repositories/index", () => {
  const index = async (session: string) => {
    const response = await workerFetch(`${BASE}/api/repositories/index`, {
      headers: { Authorization: `Bearer ${session}` },
    });
    expect(response.status, await response.clone().text()).toBe(200);
    return LibraryIndex.parse(await response.json());
  };

  it("holds the library, newest first: a name, one line of summary and the user's tags first", async () => {
    const { sessionToken, user } = await signIn("index-items");
    const day = (d: number) => Date.UTC(2026, 0, d);
    await seed(user.id, { fullName: "ix/plain", description: "GitHub's\n  words" }, { starredAt: day(2) });
    await seed(
      user.id,
      { fullName: "ix/analysed", description: "GitHub's", aiSummary: "The AI's summary", aiTags: ["Web", "cli"] },
      { starredAt: day(3), customTags: ["CLI", "mine"] },
    );
    await seed(user.id, { fullName: "ix/described" }, { starredAt: day(4), customDescription: "My words" });
    await seed(user.id, { fullName: "ix/saved" }, { isStarred: false, isSaved: true, createdAt: day(5) });
    await seed(user.id, { fullName: "ix/gone" }, { isStarred: false, notes: "kept for the note" });
    const long = "word ".repeat(60);
    await seed(
      user.id,
      { fullName: "ix/long", description: long, aiTags: ["a", "b", "c", "d", "e", "f", "g"] },
      {
        starredAt: day(1),
      },
    );

    const { items } = await index(sessionToken);
    expect(items.map((item) => item.fullName)).toEqual([
      "ix/saved",
      "ix/described",
      "ix/analysed",
      "ix/plain",
      "ix/long",
    ]);
    expect(items[0]).toEqual({ fullName: "ix/saved", summary: null, tags: [], starred: false });
    expect(items[1]).toMatchObject({ summary: "My words", starred: true });
    // The user's tags first; an AI tag spelt like one of them only once.
    expect(items[2]).toMatchObject({ summary: "The AI's summary", tags: ["CLI", "mine", "Web"] });
    expect(items[3]!.summary).toBe("GitHub's words");
    expect(items[4]!.summary!.length).toBeLessThanOrEqual(120);
    expect(items[4]!.summary).toMatch(/^word( word)+…$/);
    expect(items[4]!.tags).toHaveLength(6);
  });

  it("reads a library bigger than one chunk, every repository once", async () => {
    const { sessionToken, user } = await signIn("index-chunks");
    const statements = [];
    for (let i = 0; i < 1100; i++) {
      statements.push(
        env.DB.prepare(
          "insert into repositories (github_id, full_name, name, owner_login, html_url, topics, created_at, " +
            "updated_at) values (?, ?, ?, 'chunk', '', '[]', 0, 0)",
        ).bind(90_000_000 + i, `chunk/r${i}`, `r${i}`),
      );
    }
    await env.DB.batch(statements);
    await env.DB.prepare(
      "insert into stars (user_id, repository_id, starred_at, is_starred, is_saved, created_at) " +
        "select ?, id, 1000 + github_id % 7, 1, 0, 0 from repositories where owner_login = 'chunk'",
    )
      .bind(user.id)
      .run();
    const names = (await index(sessionToken)).items.map((item) => item.fullName);
    expect(names).toHaveLength(1100);
    expect(new Set(names).size).toBe(1100);
  });
});

describe("GET /api/repositories/:owner/:name", () => {
  it("finds a repository in the library by case-insensitive name", async () => {
    const { sessionToken, user } = await signIn("lib-get");
    await seed(user.id, { fullName: "Get-Owner/Some.Repo", description: "found" }, { notes: "my note" });
    const client = api(sessionToken).api.repositories;
    const response = await client[":owner"][":name"].$get({ param: { owner: "get-owner", name: "some.REPO" } });
    expect(response.status).toBe(200);
    const item = RepositoryItem.parse(await response.json());
    expect(item).toMatchObject({ fullName: "Get-Owner/Some.Repo", description: "found", notes: "my note" });
  });

  it("also shows an unstarred row kept for its notes", async () => {
    const { sessionToken, user } = await signIn("lib-get-unstarred");
    await seed(user.id, { fullName: "gu/old" }, { isStarred: false, notes: "why I liked it" });
    const response = await api(sessionToken).api.repositories[":owner"][":name"].$get({
      param: { owner: "gu", name: "old" },
    });
    expect(response.status).toBe(200);
    expect(RepositoryItem.parse(await response.json())).toMatchObject({ isStarred: false, notes: "why I liked it" });
  });

  it("is 404 not_found for a repository outside the library, 400 for an impossible name", async () => {
    const { sessionToken } = await signIn("lib-get-missing");
    await seedRepo({ fullName: "nobody/starred-this" });
    const client = api(sessionToken).api.repositories[":owner"][":name"];
    await expectError(await client.$get({ param: { owner: "nobody", name: "starred-this" } }), 404, "not_found");
    await expectError(await client.$get({ param: { owner: "nobody", name: "never-existed" } }), 404, "not_found");
    await expectError(await client.$get({ param: { owner: "-bad-", name: "x" } }), 400, "bad_request");
    await expectError(await client.$get({ param: { owner: "ok", name: "white space" } }), 400, "bad_request");
  });
});

describe("PATCH /api/repositories/:owner/:name", () => {
  const patch = (session: string, fullName: string, body: unknown) =>
    workerFetch(`${BASE}/api/repositories/${fullName}`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${session}`, "Content-Type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  it("updates the user's fields, keeps the others, and persists", async () => {
    const { sessionToken, user } = await signIn("lib-patch");
    const repoId = await seed(
      user.id,
      { fullName: "p/repo" },
      {
        customCategory: "Old",
        notes: "old notes",
        customDescription: "old description",
        starredAt: Date.UTC(2024, 1, 2),
      },
    );
    const before = Date.now();
    const response = await api(sessionToken).api.repositories[":owner"][":name"].$patch({
      param: { owner: "P", name: "REPO" },
      json: { customTags: ["  Rust ", "cli", "rust", "CLI", "web"], notes: "<script>alert(1)</script>" },
    });
    expect(response.status).toBe(200);
    const item = RepositoryItem.parse(await response.json());
    expect(item).toMatchObject({
      customTags: ["Rust", "cli", "web"],
      notes: "<script>alert(1)</script>",
      customCategory: "Old",
      customDescription: "old description",
      starredAt: new Date(Date.UTC(2024, 1, 2)).toISOString(),
      isStarred: true,
    });
    expect(Date.parse(item.lastEdited ?? "")).toBeGreaterThanOrEqual(before - 1000);

    const row = await env.DB.prepare("select * from stars where user_id = ? and repository_id = ?")
      .bind(user.id, repoId)
      .first<Record<string, unknown>>();
    expect(row).toMatchObject({
      custom_tags: '["Rust","cli","web"]',
      notes: "<script>alert(1)</script>",
      custom_category: "Old",
    });

    // null clears; "" clears; trimmed category.
    const cleared = await patch(sessionToken, "p/repo", {
      customTags: null,
      customDescription: "",
      customCategory: "  New  ",
    });
    expect(cleared.status).toBe(200);
    expect(RepositoryItem.parse(await cleared.json())).toMatchObject({
      customTags: [],
      customDescription: null,
      customCategory: "New",
      notes: "<script>alert(1)</script>",
    });
    const got = await api(sessionToken).api.repositories[":owner"][":name"].$get({
      param: { owner: "p", name: "repo" },
    });
    expect(RepositoryItem.parse(await got.json())).toMatchObject({ customTags: [], customCategory: "New" });
  });

  it.each([
    ["an empty object", {}],
    ["an unknown field", { notes: "x", starred: true }],
    ["a sync-owned field", { description: "x" }],
    ["31 tags", { customTags: Array.from({ length: 31 }, (_, i) => `t${i}`) }],
    ["an empty tag", { customTags: ["ok", "  "] }],
    ["a 51-character tag", { customTags: ["x".repeat(51)] }],
    ["tags as a string", { customTags: "a,b" }],
    ["a long description", { customDescription: "x".repeat(2001) }],
    ["a long category", { customCategory: "x".repeat(101) }],
    ["long notes", { notes: "x".repeat(20_001) }],
    ["notes as a number", { notes: 5 }],
    ["not JSON", "{notes:"],
    ["an array", [{ notes: "x" }]],
  ])("rejects %s with 400 and changes nothing", async (_, body) => {
    const { sessionToken, user } = await signIn("lib-patch-bad");
    const fullName = `pb/r${nextGithubId}`;
    const repoId = await seed(user.id, { fullName }, { notes: "unchanged" });
    await expectError(await patch(sessionToken, fullName, body), 400, "bad_request");
    const row = await env.DB.prepare("select notes, last_edited from stars where repository_id = ?")
      .bind(repoId)
      .first();
    expect(row).toEqual({ notes: "unchanged", last_edited: null });
  });

  // Defect: "\ud800" was stored as invalid UTF-8 and the category filter never matched it again.
  it.each([
    ["notes", '{"notes":"before \\ud800 after"}', "notes"],
    ["customCategory", '{"customCategory":"\\udfff"}', "customCategory"],
    ["customTags", '{"customTags":["fine","\\ud83d"]}', "customTags.1"],
    ["customDescription", '{"customDescription":"x\\udc00"}', "customDescription"],
  ])("refuses a lone surrogate in %s with 400 naming the field, and changes nothing", async (_, body, field) => {
    const { sessionToken, user } = await signIn("lib-patch-surrogate");
    const fullName = `ps/r${nextGithubId}`;
    const repoId = await seed(user.id, { fullName }, { notes: "unchanged" });
    const response = await patch(sessionToken, fullName, body);
    const text = await response.text();
    expect(response.status, text).toBe(400);
    const { error } = ErrorBody.parse(JSON.parse(text));
    expect(error.code).toBe("bad_request");
    expect(error.message).toMatch(
      new RegExp(`^Invalid json: ${field.replace(".", "\\.")}: must be valid Unicode text`),
    );
    const row = await env.DB.prepare(
      "select notes, custom_category, custom_tags, last_edited from stars where repository_id = ?",
    )
      .bind(repoId)
      .first();
    expect(row).toEqual({ notes: "unchanged", custom_category: null, custom_tags: null, last_edited: null });
  });

  it("stores surrogate pairs (emoji, CJK beyond the BMP) and finds them again by category", async () => {
    const { sessionToken, user } = await signIn("lib-patch-emoji");
    await seed(user.id, { fullName: "pe/r" });
    const response = await patch(sessionToken, "pe/r", '{"customCategory":"\\ud83d\\ude80 𠀀","customTags":["🦀"]}');
    expect(response.status).toBe(200);
    expect(RepositoryItem.parse(await response.json())).toMatchObject({ customCategory: "🚀 𠀀", customTags: ["🦀"] });
    expect(await listNames(sessionToken, { category: "🚀 𠀀" })).toEqual(["pe/r"]);
  });

  it("accepts the limits exactly", async () => {
    const { sessionToken, user } = await signIn("lib-patch-limits");
    await seed(user.id, { fullName: "pl/r" });
    const body = {
      customTags: Array.from({ length: 30 }, (_, i) => `${"t".repeat(48)}${String(i).padStart(2, "0")}`),
      customDescription: "d".repeat(2000),
      customCategory: "c".repeat(100),
      notes: "n".repeat(20_000),
    };
    const response = await patch(sessionToken, "pl/r", body);
    expect(response.status).toBe(200);
    const item = RepositoryItem.parse(await response.json());
    expect(item.customTags).toHaveLength(30);
    expect(item.notes).toHaveLength(20_000);
  });

  it("is 404 for a repository outside the library", async () => {
    const { sessionToken } = await signIn("lib-patch-missing");
    await seedRepo({ fullName: "pm/exists" });
    await expectError(await patch(sessionToken, "pm/exists", { notes: "x" }), 404, "not_found");
  });
});

describe("privacy", () => {
  it("never shows one user's private repository or notes to another", async () => {
    const alice = await signIn("priv-alice");
    const bob = await signIn("priv-bob");
    const secretId = await seed(
      alice.user.id,
      { fullName: "alice-co/secret", description: "alice-only", isPrivate: true, aiSummary: "private summary" },
      { notes: "alice note" },
    );
    const sharedId = await seedRepo({ fullName: "pub/shared", description: "public" });
    await seedStar(alice.user.id, sharedId, { notes: "alice shared note", customTags: ["alice-tag"] });
    await seedStar(bob.user.id, sharedId, { notes: "bob note" });

    const asBob = api(bob.sessionToken).api;
    const bobList = RepositoryList.parse(await (await asBob.repositories.$get({ query: { starred: "false" } })).json());
    const bobAll = RepositoryList.parse(await (await asBob.repositories.$get({ query: {} })).json());
    expect([...bobList.items, ...bobAll.items].map((item) => item.fullName)).toEqual(["pub/shared"]);
    expect(bobAll.items[0]?.notes).toBe("bob note");
    expect(JSON.stringify(bobAll)).not.toMatch(/alice/);
    expect(await listNames(bob.sessionToken, { q: "secret" })).toEqual([]);
    expect(await listNames(bob.sessionToken, { tag: "alice-tag" })).toEqual([]);

    const one = asBob.repositories[":owner"][":name"];
    await expectError(await one.$get({ param: { owner: "alice-co", name: "secret" } }), 404, "not_found");
    await expectError(
      await one.$patch({ param: { owner: "alice-co", name: "secret" }, json: { notes: "bob was here" } }),
      404,
      "not_found",
    );
    const lookup = LookupResponse.parse(
      await (await asBob.repositories.lookup.$post({ json: { fullNames: ["alice-co/secret", "pub/shared"] } })).json(),
    );
    expect(Object.keys(lookup.items)).toEqual(["pub/shared"]);
    expect(lookup.items["pub/shared"]?.notes).toBe("bob note");

    const exported = await (await asBob.export.$get({ query: {} })).text();
    expect(exported).toContain("pub/shared");
    expect(exported).not.toMatch(/alice/);

    const aliceRow = await env.DB.prepare("select notes from stars where user_id = ? and repository_id = ?")
      .bind(alice.user.id, secretId)
      .first();
    expect(aliceRow).toEqual({ notes: "alice note" });
    // Nothing of Bob's attempt created a row for him.
    const bobRows = await env.DB.prepare("select count(*) as n from stars where user_id = ? and repository_id = ?")
      .bind(bob.user.id, secretId)
      .first();
    expect(bobRows).toEqual({ n: 0 });
  });
});

describe("POST /api/repositories/lookup", () => {
  it("answers keyed by the names as sent, case-insensitively, library only", async () => {
    const { sessionToken, user } = await signIn("lib-lookup");
    await seed(
      user.id,
      { fullName: "Look/Up", aiSummary: "s", aiTags: ["x"], openrank: 2 },
      { starredAt: Date.UTC(2026, 1, 1), customTags: ["mine"], notes: "n" },
    );
    await seed(user.id, { fullName: "look/saved" }, { isStarred: false, isSaved: true });
    await seed(user.id, { fullName: "look/unstarred" }, { isStarred: false, notes: "old" });
    await seedRepo({ fullName: "look/not-mine" });

    const response = await api(sessionToken).api.repositories.lookup.$post({
      json: {
        fullNames: ["look/up", "LOOK/UP", "look/saved", "look/unstarred", "look/not-mine", "nope/nothing", "garbage"],
      },
    });
    expect(response.status).toBe(200);
    const { items } = LookupResponse.parse(await response.json());
    expect(Object.keys(items).sort()).toEqual(["LOOK/UP", "look/saved", "look/up"]);
    expect(items["look/up"]).toEqual({
      fullName: "Look/Up",
      starred: true,
      saved: false,
      starredAt: "2026-02-01T00:00:00.000Z",
      aiSummary: "s",
      aiTags: ["x"],
      aiPlatforms: [],
      openrank: 2,
      customTags: ["mine"],
      customCategory: null,
      customDescription: null,
      notes: "n",
      health: { archived: false, latestRelease: null },
    });
    expect(items["LOOK/UP"]).toEqual(items["look/up"]);
    expect(items["look/saved"]).toMatchObject({ starred: false, saved: true, starredAt: null });
  });

  // The content script maps the answer back by the strings it sent (shared/repositories.ts,
  // LookupResponse): a key changed by the Worker is a badge that never appears.
  it("keys the answer by each name exactly as sent, spaces included; matching ignores them and case", async () => {
    const { sessionToken, user } = await signIn("lib-lookup-exact");
    await seed(user.id, { fullName: "Exact/Name" });
    const sent = [" exact/name", "Exact/Name ", "\texact/NAME\n", "exact/name"];
    const response = await api(sessionToken).api.repositories.lookup.$post({ json: { fullNames: sent } });
    expect(response.status).toBe(200);
    const { items } = LookupResponse.parse(await response.json());
    expect(Object.keys(items).sort()).toEqual([...sent].sort());
    for (const name of sent) expect(items[name]?.fullName).toBe("Exact/Name");
  });

  it("takes 100 names in one request (more than D1's bound-parameter limit) and refuses 101", async () => {
    const { sessionToken, user } = await signIn("lib-lookup-many");
    const names = Array.from({ length: 100 }, (_, i) => `many/r${i}`);
    for (const name of names.filter((_, i) => i % 10 === 0)) await seed(user.id, { fullName: name });
    const ok = await api(sessionToken).api.repositories.lookup.$post({ json: { fullNames: names } });
    expect(ok.status).toBe(200);
    expect(Object.keys(LookupResponse.parse(await ok.json()).items)).toHaveLength(10);

    const tooMany = await api(sessionToken).api.repositories.lookup.$post({
      json: { fullNames: [...names, "many/x"] },
    });
    await expectError(tooMany, 400, "bad_request");
    const empty = await api(sessionToken).api.repositories.lookup.$post({ json: { fullNames: [] } });
    expect(LookupResponse.parse(await empty.json())).toEqual({ items: {} });
    const wrong = await workerFetch(`${BASE}/api/repositories/lookup`, {
      method: "POST",
      headers: { Authorization: `Bearer ${sessionToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ fullNames: "many/r0" }),
    });
    await expectError(wrong, 400, "bad_request");
  });
});

// ---------------------------------------------------------------------------------------------
// Save: talks to the GitHub emulator with the user's stored token.

const StarredPage = z.array(z.object({ id: z.number(), full_name: z.string(), private: z.boolean() }));

/** Repositories `login` starred in the emulator, as GitHub lists them. */
async function emulatorStars(login: string, perPage = 100) {
  const response = await fetch(`${githubUrl()}/user/starred?per_page=${perPage}`, {
    headers: { Authorization: `Bearer emulator-token-${login}`, Accept: "application/vnd.github+json" },
  });
  expect(response.status).toBe(200);
  return StarredPage.parse(await response.json());
}

describe("POST /api/repositories/save", () => {
  const save = (session: string, body: unknown) =>
    workerFetch(`${BASE}/api/repositories/save`, {
      method: "POST",
      headers: { Authorization: `Bearer ${session}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });

  it("adds a repository without starring it, once", async () => {
    await emulator("users", { login: "save-source", stars: 40 });
    const candidates = (await emulatorStars("save-source")).filter((repo) => !repo.private);
    const target = candidates[candidates.length - 1];
    if (!target) throw new Error("the emulator gave no public repository");
    const { sessionToken, user } = await signIn("lib-saver", 0);

    const first = await api(sessionToken).api.repositories.save.$post({
      json: { fullName: target.full_name.toUpperCase() },
    });
    expect(first.status, await first.clone().text()).toBe(201);
    const item = RepositoryItem.parse(await first.json());
    expect(item).toMatchObject({
      fullName: target.full_name,
      isSaved: true,
      isStarred: false,
      starredAt: null,
      isPrivate: false,
    });
    expect(item.htmlUrl).toMatch(/\//);

    const again = await save(sessionToken, { fullName: target.full_name });
    expect(again.status).toBe(200);
    expect(RepositoryItem.parse(await again.json())).toEqual(item);

    const rows = await env.DB.prepare(
      "select r.github_id, s.is_saved, s.is_starred from stars s join repositories r on r.id = s.repository_id " +
        "where s.user_id = ?",
    )
      .bind(user.id)
      .all();
    expect(rows.results).toEqual([{ github_id: target.id, is_saved: 1, is_starred: 0 }]);

    expect(await listNames(sessionToken)).toEqual([target.full_name]);
    expect(await listNames(sessionToken, { saved: "true" })).toEqual([target.full_name]);
    expect(await listNames(sessionToken, { starred: "true" })).toEqual([]);
  });

  // 201 means "this request added it": twenty clicks racing (two tabs, a retried request)
  // add it once, and only one of them may say so. GitHub's answers are held until all
  // twenty have theirs and then released together, so the D1 work of the twenty requests
  // overlaps (the Worker and this test share an isolate, hence its fetch).
  it("twenty concurrent saves of one repository answer 201 exactly once", async () => {
    await emulator("users", { login: "save-race-src", stars: 0 });
    await emulator("star", { login: "save-race-src", fullName: "race-owner/race-repo" });
    const { sessionToken, user } = await signIn("lib-saver-race", 0);
    const realFetch = globalThis.fetch;
    let releaseAt: number | null = null;
    const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const response = await realFetch(input, init);
      if (!new Request(input, init).url.endsWith("/graphql")) return response;
      // Every answer is held until one moment, on each request's own timer (a promise
      // resolved from another request's handler would carry that request's I/O context).
      releaseAt ??= Date.now() + 1_000;
      await new Promise((resume) => setTimeout(resume, releaseAt! - Date.now()));
      return response;
    });
    try {
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => save(sessionToken, { fullName: "race-owner/race-repo" })),
      );
      const statuses = answers.map((response) => response.status);
      expect(
        statuses.filter((status) => status === 201),
        statuses.join(","),
      ).toHaveLength(1);
      expect(statuses.filter((status) => status === 200)).toHaveLength(19);
    } finally {
      spy.mockRestore();
    }
    const rows = await env.DB.prepare("select is_saved, is_starred from stars where user_id = ?").bind(user.id).all();
    expect(rows.results).toEqual([{ is_saved: 1, is_starred: 0 }]);
  });

  it("saving an unstarred repository kept for its notes adds it back (201) and keeps the notes", async () => {
    await emulator("users", { login: "save-back-src", stars: 0 });
    await emulator("star", { login: "save-back-src", fullName: "back-owner/back-repo" });
    const [target] = await emulatorStars("save-back-src");
    if (!target) throw new Error("the emulator did not star back-owner/back-repo");
    const { sessionToken, user } = await signIn("lib-saver-back", 0);
    const repoId = await seedRepo({ fullName: target.full_name, githubId: target.id });
    await seedStar(user.id, repoId, { isStarred: false, notes: "kept" });
    const first = await save(sessionToken, { fullName: target.full_name });
    expect(first.status).toBe(201);
    expect(RepositoryItem.parse(await first.json())).toMatchObject({ isSaved: true, isStarred: false, notes: "kept" });
    expect((await save(sessionToken, { fullName: target.full_name })).status).toBe(200);
  });

  it("keeps the sync's fields of a known repository and the user's star and notes", async () => {
    await emulator("users", { login: "save-known-src", stars: 12 });
    const target = (await emulatorStars("save-known-src")).find((repo) => !repo.private);
    if (!target) throw new Error("the emulator gave no public repository");
    const { sessionToken, user } = await signIn("lib-saver-known", 0);
    const repoId = await seedRepo({
      fullName: target.full_name,
      githubId: target.id,
      description: "stale description",
      openrank: 9.5,
      readme: "# cached readme",
    });
    await seedStar(user.id, repoId, {
      starredAt: Date.UTC(2020, 0, 1),
      notes: "my notes",
      customTags: ["keep"],
      analysis: { summary: "expensive summary", tags: ["ai"] },
    });

    const response = await save(sessionToken, { fullName: target.full_name });
    expect(response.status).toBe(200);
    const item = RepositoryItem.parse(await response.json());
    expect(item).toMatchObject({
      isStarred: true,
      isSaved: true,
      starredAt: "2020-01-01T00:00:00.000Z",
      notes: "my notes",
      customTags: ["keep"],
      aiSummary: "expensive summary",
      aiTags: ["ai"],
      openrank: 9.5,
    });
    expect(item.description).not.toBe("stale description");
    const row = await env.DB.prepare("select readme_content, count(*) as n from repositories where github_id = ?")
      .bind(target.id)
      .first();
    expect(row).toEqual({ readme_content: "# cached readme", n: 1 });
  });

  it("is 404 for a repository GitHub does not have, or that the user cannot see", async () => {
    await emulator("users", { login: "save-private-src", stars: 400 });
    const hidden = (await emulatorStars("save-private-src", 100)).find((repo) => repo.private);
    const { sessionToken, user } = await signIn("lib-saver-404", 0);
    await expectError(await save(sessionToken, { fullName: "nobody-here/does-not-exist" }), 404, "not_found");
    if (!hidden) throw new Error("the emulator's first 100 stars of save-private-src hold no private repository");
    await expectError(await save(sessionToken, { fullName: hidden.full_name }), 404, "not_found");
    const count = await env.DB.prepare("select count(*) as n from stars where user_id = ?").bind(user.id).first();
    expect(count).toEqual({ n: 0 });
  });

  it.each([["no-slash"], ["a/b/c"], ["-x/y"], ["x/.."], [""], [`o/${"n".repeat(101)}`]])(
    "rejects fullName %j with 400",
    async (fullName) => {
      const { sessionToken } = await signIn("lib-saver-bad", 0);
      await expectError(await save(sessionToken, { fullName }), 400, "bad_request");
    },
  );

  it("rejects extra fields with 400", async () => {
    const { sessionToken } = await signIn("lib-saver-bad", 0);
    await expectError(await save(sessionToken, { fullName: "a/b", starred: true }), 400, "bad_request");
  });

  it("reports a revoked GitHub token as 401 github_token_invalid and marks it", async () => {
    const { sessionToken, user } = await signIn("lib-saver-revoked", 0);
    await emulator("revoke", { login: "lib-saver-revoked" });
    await expectError(await save(sessionToken, { fullName: "octocat/hello-world" }), 401, "github_token_invalid");
    const row = await env.DB.prepare("select token_status from users where id = ?").bind(user.id).first();
    expect(row).toEqual({ token_status: "invalid" });
  });

  it("reports an unreadable stored token as 401 github_token_invalid", async () => {
    const { sessionToken, user } = await signIn("lib-saver-garbled", 0);
    await env.DB.prepare("update users set token_ciphertext = 'v1.AAAA.BBBB' where id = ?").bind(user.id).run();
    await expectError(await save(sessionToken, { fullName: "octocat/hello-world" }), 401, "github_token_invalid");
  });
});
