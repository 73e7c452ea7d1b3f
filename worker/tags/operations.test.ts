import { describe, expect, it } from "vitest";
import { ErrorBody } from "../../shared/errors";
import {
  TagList,
  TagOperation,
  TagProposalList,
  type TagOperationRequest,
  type TagOperationSpec,
} from "../../shared/tags";
import { createDb } from "../db/client";
import { USER_ROWID_SPAN } from "../library/query";
import { seedLibraryItem } from "../test/library-seed";
import { BASE, env, signIn, workerFetch } from "../test/helpers";
import { applyOperation, undoOperation } from "./operations";
import { ROWS_PER_STATEMENT, STATEMENTS_PER_BATCH } from "./writes";

// Tag operations over the whole stack (docs/architecture.md §2 "Tags"): what the library, the search index, the
// export, the badge's lookup and MCP answer before an operation, after it, and after its undo.

const request = (session: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  workerFetch(`${BASE}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${session}`,
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

async function json(session: string, method: string, path: string, body?: unknown, headers?: Record<string, string>) {
  const response = await request(session, method, path, body, headers);
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as unknown;
}

async function operate(session: string, body: TagOperationRequest, key = crypto.randomUUID()) {
  const answer = (await json(session, "POST", "/api/tags/operations", body, { "Idempotency-Key": key })) as {
    operation: unknown;
  };
  return TagOperation.parse(answer.operation);
}

async function undo(session: string, id: number) {
  const answer = (await json(session, "POST", `/api/tags/operations/${id}/undo`)) as { operation: unknown };
  return TagOperation.parse(answer.operation);
}

async function mcpTool(session: string, name: string, args: Record<string, unknown> = {}) {
  const answer = (await json(session, "POST", "/mcp", {
    jsonrpc: "2.0",
    id: 1,
    method: "tools/call",
    params: { name, arguments: args },
  })) as { result: { content: Array<{ text: string }>; isError?: boolean } };
  const text = answer.result.content[0]!.text;
  if (answer.result.isError) throw new Error(`${name}: ${text}`);
  return JSON.parse(text) as unknown;
}

/** The user's stars_fts rows (their own range of rowids), as the search index holds them. */
async function ftsRows(userId: number) {
  const first = userId * USER_ROWID_SPAN;
  const { results } = await env.DB.prepare(
    "select rowid, custom_tags, ai_tags, ai_summary from stars_fts where rowid between ? and ? order by rowid",
  )
    .bind(first, first + USER_ROWID_SPAN - 1)
    .all();
  return results;
}

/** Everything that reads tags, as one user sees it. */
async function everything(session: string, userId: number) {
  const names = ["tags/one", "tags/two", "tags/three", "tags/four"];
  return {
    library: await json(session, "GET", "/api/repositories?limit=100"),
    filtered: await json(session, "GET", "/api/repositories?tag=react"),
    keyword: await json(session, "GET", "/api/repositories?q=frontend"),
    search: await json(session, "GET", "/api/search?q=reactjs"),
    facets: await json(session, "GET", "/api/repositories/facets"),
    lookup: await json(session, "POST", "/api/repositories/lookup", { fullNames: names }),
    export: { ...((await json(session, "GET", "/api/export?format=json")) as object), exportedAt: null },
    tags: await json(session, "GET", "/api/tags"),
    mcpTags: await mcpTool(session, "list_tags"),
    mcpRepo: await mcpTool(session, "get_repository", { fullName: "tags/two" }),
    index: await ftsRows(userId),
  };
}

async function seedTagLibrary(login: string) {
  const session = await signIn(login, 0);
  const add = seedLibraryItem.bind(null, session.user.id);
  await add(
    { fullName: "tags/one", description: "A view library" },
    { customTags: ["React", "frontend"], analysis: { summary: "Components for UIs", tags: ["reactjs", "ui"] } },
  );
  await add(
    { fullName: "tags/two", description: "Hooks" },
    { analysis: { summary: "State hooks", tags: ["react", "前端"] } },
  );
  await add(
    { fullName: "tags/three", description: "A grep" },
    { customTags: ["rust", "cli"], analysis: { summary: "Search files", tags: ["cli", "rust"] } },
  );
  await add({ fullName: "tags/four", description: "A shell" }, { customTags: ["cli"] });
  return session;
}

describe("tag operations", () => {
  it("rename, merge, hide, bulk tag and delete change every reader, and undo restores each exactly", async () => {
    const { sessionToken: alice, user } = await seedTagLibrary("tags-alice");
    // Bob reads one of the same shared analyses: nothing alice does may reach him.
    const bob = await signIn("tags-bob", 0);
    const two = await env.DB.prepare(
      "select s.repository_id as id, s.analysis_id as analysis from stars s " +
        "join repositories r on r.id = s.repository_id " +
        "where s.user_id = ? and r.full_name = 'tags/two'",
    )
      .bind(user.id)
      .first<{ id: number; analysis: number }>();
    await env.DB.prepare(
      "insert into stars (user_id, repository_id, starred_at, is_starred, analysis_id, created_at) " +
        "values (?, ?, 0, 1, ?, 0)",
    )
      .bind(bob.user.id, two!.id, two!.analysis)
      .run();
    const before = await everything(alice, user.id);
    const bobBefore = await everything(bob.sessionToken, bob.user.id);

    // 前端 becomes frontend: the keyword filter finds tags/two by its AI tag's new reading.
    const translated = await operate(alice, { kind: "merge", from: ["前端"], into: "frontend" });
    expect(translated).toMatchObject({ status: "applied", repositories: 0, aliases: 1, indexed: 1 });
    const keyword = (await json(alice, "GET", "/api/repositories?q=frontend")) as {
      items: Array<{ fullName: string }>;
    };
    expect(keyword.items.map((item) => item.fullName).sort()).toEqual(["tags/one", "tags/two"]);

    // react, reactjs and React are one tag: the custom spelling is rewritten, the AI ones aliased.
    const merged = await operate(alice, { kind: "merge", from: ["reactjs", "React"], into: "react" });
    expect(merged).toMatchObject({ repositories: 1, skipped: 0 });
    const one = (await json(alice, "GET", "/api/repositories/tags/one")) as { customTags: string[]; aiTags: string[] };
    expect(one.customTags).toEqual(["react", "frontend"]);
    expect(one.aiTags).toEqual(["react", "ui"]);
    const search = (await json(alice, "GET", "/api/search?q=reactjs")) as { items: unknown[] };
    expect(search.items).toEqual([]);
    const filtered = (await json(alice, "GET", "/api/repositories?tag=react")) as {
      items: Array<{ fullName: string }>;
    };
    expect(filtered.items.map((item) => item.fullName).sort()).toEqual(["tags/one", "tags/two"]);
    const badge = (await json(alice, "POST", "/api/repositories/lookup", { fullNames: ["tags/one"] })) as {
      items: Record<string, { aiTags: string[] }>;
    };
    expect(badge.items["tags/one"]?.aiTags).toEqual(["react", "ui"]);

    const hidden = await operate(alice, { kind: "hide", tag: "ui" });
    const list = TagList.parse(await json(alice, "GET", "/api/tags"));
    expect(list.tags.map((tag) => tag.tag)).not.toContain("ui");
    expect(list.hidden).toEqual([{ tag: "ui", count: 1 }]);
    expect(list.tags.find((tag) => tag.tag === "react")).toMatchObject({
      count: 2,
      customCount: 1,
      aiCount: 2,
      source: "both",
    });
    const exported = await (await request(alice, "GET", "/api/export?format=json")).text();
    expect(exported).not.toContain('"ui"');
    expect(exported).not.toContain("reactjs");

    const bulk = await operate(alice, {
      kind: "tag",
      selection: { filter: { tag: "rust" } },
      add: ["systems"],
      remove: ["cli"],
    });
    expect(bulk).toMatchObject({ repositories: 1 });
    const deleted = await operate(alice, { kind: "delete", tag: "cli" });
    expect(deleted).toMatchObject({ repositories: 1 });
    const three = (await json(alice, "GET", "/api/repositories/tags/three")) as {
      customTags: string[];
      aiTags: string[];
    };
    expect(three).toMatchObject({ customTags: ["rust", "systems"], aiTags: ["cli", "rust"] });

    // Bob, who reads one of the same analyses, sees all of it as it was.
    expect(await everything(bob.sessionToken, bob.user.id)).toEqual(bobBefore);

    for (const operation of [deleted, bulk, hidden, merged, translated]) {
      expect(await undo(alice, operation.id)).toMatchObject({ status: "undone", skipped: 0 });
    }
    expect(await everything(alice, user.id)).toEqual(before);
    // Undoing again changes nothing and says so.
    expect(await undo(alice, merged.id)).toMatchObject({ status: "undone" });
    expect(await everything(alice, user.id)).toEqual(before);
  });

  it("answers a retried request with the first result and refuses the key for another request", async () => {
    const { sessionToken, user } = await seedTagLibrary("tags-retry");
    const key = crypto.randomUUID();
    const body = { kind: "rename", from: "cli", to: "command-line" } as const;
    const first = await request(sessionToken, "POST", "/api/tags/operations", body, { "Idempotency-Key": key });
    expect(first.status).toBe(201);
    const again = await request(sessionToken, "POST", "/api/tags/operations", body, { "Idempotency-Key": key });
    expect(again.status).toBe(200);
    const [a, b] = [await first.json(), await again.json()] as Array<{ operation: { id: number } }>;
    expect(b).toEqual(a);
    const logged = await env.DB.prepare("select count(*) as n from tag_operations where user_id = ?")
      .bind(user.id)
      .first<{ n: number }>();
    expect(logged?.n).toBe(1);

    const other = await request(
      sessionToken,
      "POST",
      "/api/tags/operations",
      { kind: "hide", tag: "rust" },
      {
        "Idempotency-Key": key,
      },
    );
    expect(other.status).toBe(409);
    expect(ErrorBody.parse(await other.json()).error.code).toBe("conflict");
  });

  it("finishes an operation a failure interrupted when the same request is sent again", async () => {
    const { user } = await seedTagLibrary("tags-resume");
    const db = createDb(env.DB);
    const spec: TagOperationSpec = { kind: "merge", from: ["cli", "rust"], into: "tools" };
    const first = await applyOperation(db, user.id, spec, "resume-key");
    const after = await ftsRows(user.id);
    // As if the Worker died after logging and writing one star of two: the log says applying, one star is as before.
    await env.DB.batch([
      env.DB.prepare("update tag_operations set status = 'applying', result = null where id = ?").bind(
        first.operation.id,
      ),
      env.DB.prepare(
        "update stars set custom_tags = '[\"cli\"]' where user_id = ? and repository_id = " +
          "(select id from repositories r join stars s on s.repository_id = r.id " +
          "where s.user_id = ? and r.full_name = 'tags/four')",
      ).bind(user.id, user.id),
    ]);
    expect(await ftsRows(user.id)).not.toEqual(after);
    const again = await applyOperation(db, user.id, spec, "resume-key");
    expect(again).toMatchObject({ replayed: true, operation: { id: first.operation.id, status: "applied" } });
    expect(again.operation.repositories).toBe(1);
    expect(await ftsRows(user.id)).toEqual(after);
  });

  it("refuses what it cannot do with a clear error and changes nothing", async () => {
    const { sessionToken, user } = await seedTagLibrary("tags-refuse");
    const before = await ftsRows(user.id);
    const cases: Array<[unknown, number, RegExp]> = [
      [{ kind: "rename", from: "nothing-here", to: "x" }, 404, /No tag of your library/],
      [{ kind: "delete", tag: "ui" }, 404, /not one of your own tags/],
      [{ kind: "hide", tag: "frontend" }, 404, /No AI tag/],
      [{ kind: "rename", from: "cli", to: "list:Mine" }, 400, /GitHub Lists/],
      [{ kind: "merge", from: [], into: "x" }, 400, /merge at least one tag/],
      [{ kind: "tag", selection: { fullNames: ["tags/one"] }, add: [], remove: [] }, 400, /add or to remove/],
    ];
    for (const [body, status, message] of cases) {
      const response = await request(sessionToken, "POST", "/api/tags/operations", body);
      const error = ErrorBody.parse(await response.json()).error;
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(error.message).toMatch(message);
    }
    expect(await ftsRows(user.id)).toEqual(before);
    const log = await env.DB.prepare("select count(*) as n from tag_operations where user_id = ?")
      .bind(user.id)
      .first<{ n: number }>();
    expect(log?.n).toBe(0);
  });

  it("tags explicit names, says which are not in the library, and never touches another user's stars", async () => {
    const { sessionToken, user } = await seedTagLibrary("tags-names");
    const other = await seedTagLibrary("tags-names-other");
    const otherBefore = await ftsRows(other.user.id);
    const operation = await operate(sessionToken, {
      kind: "tag",
      selection: { fullNames: ["tags/one", "TAGS/TWO", "nobody/there"] },
      add: ["favourite"],
      remove: [],
    });
    expect(operation).toMatchObject({ repositories: 2, notFound: { names: ["nobody/there"], count: 1 } });
    const { results } = await env.DB.prepare(
      "select count(*) as n from stars where user_id = ? and custom_tags like '%favourite%'",
    )
      .bind(user.id)
      .all<{ n: number }>();
    expect(results[0]?.n).toBe(2);
    expect(await ftsRows(other.user.id)).toEqual(otherBefore);
    // Another user cannot undo it.
    const foreign = await request(other.sessionToken, "POST", `/api/tags/operations/${operation.id}/undo`);
    expect(foreign.status).toBe(404);
  });

  it("merges two popular tags over 5,000 stars in bounded steps, and undoes it the same way", async () => {
    const { user } = await signIn("tags-5000", 0);
    const db = createDb(env.DB);
    await seedLargeLibrary(user.id, 5000);
    const count = async (column: string, word: string) => {
      const first = user.id * USER_ROWID_SPAN;
      const row = await env.DB.prepare(
        `select count(*) as n from stars_fts where stars_fts match ? and rowid between ? and ?`,
      )
        .bind(`${column}:"${word}"`, first, first + USER_ROWID_SPAN - 1)
        .first<{ n: number }>();
      return row?.n ?? 0;
    };
    expect(await count("ai_tags", "reactjs")).toBe(2500);
    expect(await count("custom_tags", "reactjs")).toBe(2000);

    const started = Date.now();
    const outcome = await applyOperation(db, user.id, { kind: "merge", from: ["reactjs"], into: "react" }, null);
    const elapsed = Date.now() - started;
    expect(outcome.operation).toMatchObject({ repositories: 2000, indexed: 2500 + 1000, skipped: 0 });
    // Custom rewrites ≤ 500 stars a statement, then the AI readers not rewritten yet, plus the alias statement;
    // the log: its row, a batch of its chunks (≤ 500 stars each) between a delete and an update, the outcome.
    const writes = Math.ceil(2000 / ROWS_PER_STATEMENT) + Math.ceil(1500 / ROWS_PER_STATEMENT) + 1;
    const log = 1 + (1 + Math.ceil(2000 / ROWS_PER_STATEMENT) + 1) + 1;
    expect(outcome.tally.statements).toBe(writes + log);
    expect(outcome.tally.batches).toBeLessThanOrEqual(Math.ceil(writes / STATEMENTS_PER_BATCH) + 2 + 3);
    expect(await count("ai_tags", "reactjs")).toBe(0);
    expect(await count("custom_tags", "reactjs")).toBe(0);
    expect(await count("ai_tags", "react")).toBe(5000);
    console.log(`merge over 5,000 stars: ${JSON.stringify(outcome.tally)}, ${elapsed} ms`);

    const undone = await undoOperation(db, user.id, outcome.operation.id);
    expect(undone.operation).toMatchObject({ repositories: 2000, skipped: 0 });
    expect(await count("ai_tags", "reactjs")).toBe(2500);
    expect(await count("custom_tags", "reactjs")).toBe(2000);
  }, 120_000);
});

describe("the gardener", () => {
  it("proposes near-duplicates and clean-ups with how each was found, and applies nothing itself", async () => {
    const { sessionToken, user } = await signIn("gardener", 0);
    const add = seedLibraryItem.bind(null, user.id);
    let n = 0;
    const repo = () => ({ fullName: `garden/r${n++}` });
    await add(repo(), { customTags: ["Docker", "plugins", "vue_router"], analysis: { summary: "s", tags: ["前端"] } });
    await add(repo(), { customTags: ["docker", "plugin", "vue-router"], analysis: { summary: "s", tags: ["next"] } });
    await add(repo(), { customTags: ["nextjs", "typo"], analysis: { summary: "s", tags: ["frontend", "rarely"] } });
    await add(repo(), { customTags: ["typos", "kotlin", "kotlinx"], analysis: { summary: "s", tags: ["frontend"] } });
    for (let i = 0; i < 3; i++) await add(repo(), { customTags: ["kotlin", "kotlinx"] });
    await add(repo(), { customTags: ["once"] });
    // "never-viewed": an AI tag on one repository, never filtered by; filtering by it counts as looking at it.
    await add(repo(), { analysis: { summary: "s", tags: ["looked-at"] } });
    await json(sessionToken, "GET", "/api/repositories?tag=looked-at");
    const before = await ftsRows(user.id);

    const { proposals } = TagProposalList.parse(await json(sessionToken, "GET", "/api/tags/proposals"));
    const found = (reason: string) =>
      proposals.filter((p) => p.reason === reason).map((p) => p.tags.map((tag) => tag.tag).sort());
    expect(found("case")).toContainEqual(["Docker", "docker"].sort());
    expect(found("separator")).toContainEqual(["vue-router", "vue_router"].sort());
    expect(found("plural")).toContainEqual(["plugin", "plugins"]);
    expect(found("js-suffix")).toContainEqual(["next", "nextjs"]);
    expect(found("translation")).toContainEqual(["frontend", "前端"]);
    expect(found("edit-distance")).toContainEqual(["kotlin", "kotlinx"]);
    expect(found("co-occurrence")).toContainEqual(["kotlin", "kotlinx"]);
    expect(found("used-once")).toContainEqual(["once"]);
    expect(found("never-viewed")).toContainEqual(["rarely"]);
    expect(found("never-viewed")).not.toContainEqual(["looked-at"]);
    const translation = proposals.find((p) => p.reason === "translation")!;
    expect(translation.operation).toEqual({ kind: "merge", from: ["前端"], into: "frontend" });
    expect(await ftsRows(user.id)).toEqual(before);

    // Dismissed, it stays dismissed; accepted, it is an operation like any other.
    await json(sessionToken, "POST", `/api/tags/proposals/${translation.id}/dismiss`);
    const after = TagProposalList.parse(await json(sessionToken, "GET", "/api/tags/proposals"));
    expect(after.proposals.map((p) => p.id)).not.toContain(translation.id);
    const plural = proposals.find((p) => p.reason === "plural")!;
    await operate(sessionToken, plural.operation as TagOperationRequest);
    const list = TagList.parse(await json(sessionToken, "GET", "/api/tags"));
    expect(list.tags.find((tag) => tag.tag === "plugin")).toMatchObject({ count: 2, source: "custom" });
    expect(list.tags.map((tag) => tag.tag)).not.toContain("plugins");
  });
});

/** `count` stars: analysis A (react, web) on the first half, B (reactjs, ui) on the rest; custom reactjs on 2,000. */
async function seedLargeLibrary(userId: number, count: number) {
  const base = 90_000_000 + userId * 10_000;
  const analyses = await env.DB.batch([
    env.DB.prepare(
      "insert into analyses (input_sha, model, language, summary, tags, created_at) " +
        "values (?, 'test', 'en', 'A', ?, 0) returning id",
    ).bind(`large-a-${userId}`, JSON.stringify(["react", "web"])),
    env.DB.prepare(
      "insert into analyses (input_sha, model, language, summary, tags, created_at) " +
        "values (?, 'test', 'en', 'B', ?, 0) returning id",
    ).bind(`large-b-${userId}`, JSON.stringify(["reactjs", "ui"])),
  ]);
  const [a, b] = analyses.map((result) => (result.results[0] as { id: number }).id);
  await env.DB.prepare(
    `insert into repositories (github_id, full_name, name, owner_login, html_url, topics, stargazers_count, is_private,
       created_at, updated_at)
     with recursive n(i) as (select 0 union all select i + 1 from n where i + 1 < ?)
     select ? + i, 'large' || ? || '/r' || i, 'r' || i, 'large', 'https://github.com/large/r' || i, '[]',
       0, 0, 0, 0 from n`,
  )
    .bind(count, base, userId)
    .run();
  await env.DB.prepare(
    `insert into stars (user_id, repository_id, starred_at, is_starred, custom_tags, analysis_id, created_at)
     select ?, r.id, 0, 1,
       case when (r.github_id - ?) % 5 < 2 then '["reactjs","mine"]' else null end,
       case when r.github_id - ? < ? then ? else ? end, 0
     from repositories r where r.github_id between ? and ?`,
  )
    .bind(userId, base, base, count / 2, a, b, base, base + count - 1)
    .run();
}
