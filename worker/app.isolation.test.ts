import { describe, expect, it } from "vitest";
import { app } from "./app";
import { sha256Hex } from "./lib/crypto";
import { userSync } from "./lib/sync-run";
import { aiUrl, BASE, env, signIn, workerFetch } from "./test/helpers";
import { doneOf, fastWorkflows, syncOnce } from "./test/sync-helpers";

// Isolation and auth over the whole route chain of worker/app.ts (issue 10, "Isolation and
// auth"): every route is tried with no session, an expired one, a malformed one and a session
// smuggled in the URL, and with another user's session against one user's repository ids. The
// list of routes comes from the app itself, so a new route without a case here fails the test.

type Case = { method: string; path: string; body?: unknown; headers?: Record<string, string> };
type Ids = {
  owner: string;
  name: string;
  fullName: string;
  note: string;
  runId: string;
  operationId: number;
  feedId: number;
};

/** One request per route of the chain, aimed at `ids` (a repository only the other user has). */
const CASES: Record<string, ((ids: Ids) => Case) | "public"> = {
  "GET /health": "public",
  "POST /api/auth/token": "public",
  "DELETE /api/auth/session": () => ({ method: "DELETE", path: "/api/auth/session" }),
  "GET /api/me": () => ({ method: "GET", path: "/api/me" }),
  "DELETE /api/me": () => ({ method: "DELETE", path: "/api/me" }),
  "GET /api/settings": () => ({ method: "GET", path: "/api/settings" }),
  "PUT /api/settings": () => ({ method: "PUT", path: "/api/settings", body: { language: "zh" } }),
  "POST /api/settings/test": () => ({ method: "POST", path: "/api/settings/test", body: { kind: "none" } }),
  "GET /api/settings/language-cost": () => ({ method: "GET", path: "/api/settings/language-cost?language=zh" }),
  "POST /api/repositories/sync": () => ({
    method: "POST",
    path: "/api/repositories/sync",
    headers: { Accept: "application/json" },
  }),
  // The socket's credential is its ticket (well-formed, never issued), not a session.
  "GET /api/sync/ws": () => ({
    method: "GET",
    path: `/api/sync/ws?ticket=swt_1.${"A".repeat(43)}`,
    headers: { Upgrade: "websocket" },
  }),
  "POST /api/sync/ticket": () => ({ method: "POST", path: "/api/sync/ticket" }),
  "GET /api/sync/status": () => ({ method: "GET", path: "/api/sync/status" }),
  "GET /api/sync/events": () => ({ method: "GET", path: "/api/sync/events" }),
  "GET /api/repositories": () => ({ method: "GET", path: "/api/repositories?limit=100" }),
  "POST /api/repositories/save": (ids) => ({
    method: "POST",
    path: "/api/repositories/save",
    body: { fullName: ids.fullName },
  }),
  "POST /api/repositories/lookup": (ids) => ({
    method: "POST",
    path: "/api/repositories/lookup",
    body: { fullNames: [ids.fullName] },
  }),
  // The caller's own library's languages and tags: the other user's repository is never counted.
  "GET /api/repositories/facets": () => ({ method: "GET", path: "/api/repositories/facets" }),
  // The caller's own library as a compact index: the other user's repository is never in it.
  "GET /api/repositories/index": () => ({ method: "GET", path: "/api/repositories/index" }),
  "GET /api/repositories/:owner/:name": (ids) => ({
    method: "GET",
    path: `/api/repositories/${ids.owner}/${ids.name}`,
  }),
  "GET /api/repositories/:owner/:name/similar": (ids) => ({
    method: "GET",
    path: `/api/repositories/${ids.owner}/${ids.name}/similar`,
  }),
  "PATCH /api/repositories/:owner/:name": (ids) => ({
    method: "PATCH",
    path: `/api/repositories/${ids.owner}/${ids.name}`,
    body: { notes: "written by someone else" },
  }),
  // The caller's own tags, proposals and operations; an operation naming the other user's repository finds
  // nothing of theirs (it is reported not found), and the other user's operation cannot be undone.
  "GET /api/tags": () => ({ method: "GET", path: "/api/tags" }),
  "GET /api/tags/proposals": () => ({ method: "GET", path: "/api/tags/proposals" }),
  "POST /api/tags/proposals/:id/dismiss": () => ({
    method: "POST",
    path: "/api/tags/proposals/case:0123456789abcdef/dismiss",
  }),
  "GET /api/tags/operations": () => ({ method: "GET", path: "/api/tags/operations" }),
  "POST /api/tags/operations": (ids) => ({
    method: "POST",
    path: "/api/tags/operations",
    headers: { "Idempotency-Key": "iso-key" },
    body: { kind: "tag", selection: { fullNames: [ids.fullName] }, add: ["written-by-someone-else"], remove: [] },
  }),
  "POST /api/tags/operations/:id/undo": (ids) => ({
    method: "POST",
    path: `/api/tags/operations/${ids.operationId}/undo`,
  }),
  "GET /api/search": (ids) => ({ method: "GET", path: `/api/search?q=${encodeURIComponent(ids.note)}` }),
  "GET /api/export": () => ({ method: "GET", path: "/api/export?format=csv" }),
  // The caller's own stars' changes since 2000: the other user's repository and note are never in it.
  "GET /api/digest": () => ({ method: "GET", path: "/api/digest?since=2000-01-01" }),
  // The caller's own watched repositories' releases: the other user's are never in it.
  "GET /api/digest/releases": () => ({ method: "GET", path: "/api/digest/releases?since=2000-01-01" }),
  // The caller's own feeds: the other user's feed is never listed, and its id revokes nothing.
  "GET /api/feeds": () => ({ method: "GET", path: "/api/feeds" }),
  "POST /api/feeds": () => ({ method: "POST", path: "/api/feeds", body: {} }),
  "DELETE /api/feeds/:id": (ids) => ({ method: "DELETE", path: `/api/feeds/${ids.feedId}` }),
  // Its credential is the feed's token in its URL (a reader sends no header): routes/feeds.test.ts.
  "GET /feed/:token": "public",
  // The caller's own Lists only; writes name another user's repository (refused: the caller's token lacks the
  // `user` scope, and a List id that is not the caller's is not found). worker/lists/lists.test.ts tries another
  // user's real List id with a token that may write.
  "GET /api/lists": () => ({ method: "GET", path: "/api/lists" }),
  "POST /api/lists": (ids) => ({ method: "POST", path: "/api/lists", body: { tag: ids.note.slice(0, 100) } }),
  "PATCH /api/lists/:id": () => ({ method: "PATCH", path: "/api/lists/UL_kgDOAQ", body: { name: "theirs" } }),
  "POST /api/lists/:id/items": (ids) => ({
    method: "POST",
    path: "/api/lists/UL_kgDOAQ/items",
    body: { add: [ids.fullName] },
  }),
  "POST /mcp": (ids) => ({
    method: "POST",
    path: "/mcp",
    headers: { Accept: "application/json, text/event-stream" },
    body: {
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "get_repository", arguments: { fullName: ids.fullName } },
    },
  }),
  // The caller's own token and runs: the owner's runs are never listed.
  "GET /api/unstar": () => ({ method: "GET", path: "/api/unstar" }),
  // A selection names the caller's own stars only: the owner's repository is "not in the library".
  "POST /api/unstar/preview": (ids) => ({
    method: "POST",
    path: "/api/unstar/preview",
    body: { selection: { names: [ids.fullName] } },
  }),
  "POST /api/unstar": (ids) => ({
    method: "POST",
    path: "/api/unstar",
    body: { selection: { names: [ids.fullName] } },
  }),
  // The owner's run: not found for anyone else, never undone or resumed by them.
  "POST /api/unstar/:id/undo": (ids) => ({ method: "POST", path: `/api/unstar/${ids.runId}/undo` }),
  "POST /api/unstar/:id/resume": (ids) => ({ method: "POST", path: `/api/unstar/${ids.runId}/resume` }),
  "GET /mcp": () => ({ method: "GET", path: "/mcp" }),
  "DELETE /mcp": () => ({ method: "DELETE", path: "/mcp" }),
};

/** Routes that end or change the caller's own account: tried in tests of their own. */
const DESTRUCTIVE = new Set(["DELETE /api/auth/session", "DELETE /api/me"]);
/** Sign-out is idempotent: an expired or unknown session is already signed out (204, and nothing else happens). */
const SIGN_OUT = "DELETE /api/auth/session";
/** Saving puts the repository in the caller's own library: tried after every read of it. */
const LAST = "POST /api/repositories/save";

function routesOfApp(): string[] {
  const keys = app.routes
    .filter((route) => route.method !== "ALL")
    .map((route) => `${route.method} ${route.path.replace(/\/$/, "") || "/"}`);
  return [...new Set(keys)].sort();
}

function send(c: Case, authorization?: string): Promise<Response> {
  const headers: Record<string, string> = { ...c.headers };
  if (authorization !== undefined) headers.Authorization = authorization;
  if (c.body !== undefined) headers["Content-Type"] = "application/json";
  return workerFetch(`${BASE}${c.path}`, {
    method: c.method,
    headers,
    ...(c.body === undefined ? {} : { body: JSON.stringify(c.body) }),
  });
}

async function drain(response: Response): Promise<string> {
  // SSE answers stream until the run ends: read what is there, then let go.
  if (response.headers.get("content-type")?.includes("text/event-stream")) {
    await response.body?.cancel();
    return "";
  }
  return response.text();
}

async function starsRowsOf(userId: number) {
  const { results } = await env.DB.prepare(
    "select repository_id, notes, custom_tags, is_starred, is_saved, tags_revision from stars where user_id = ? " +
      "order by repository_id",
  )
    .bind(userId)
    .all();
  return results;
}

describe("every route of worker/app.ts", () => {
  it("has a case here (a new route must say how it is isolated)", () => {
    expect(routesOfApp()).toEqual(Object.keys(CASES).sort());
  });

  it(
    "refuses no session, an expired one, a malformed one and a session in the URL, " + "with 401 unauthorized",
    async () => {
      const { sessionToken } = await signIn("iso-refused", 2);
      const expired = (await signIn("iso-expired", 2)).sessionToken;
      await env.DB.prepare("update sessions set expires_at = ? where token_hash = ?")
        .bind(Date.now() - 1000, await sha256Hex(expired))
        .run();
      const ids: Ids = {
        owner: "octocat",
        name: "hello",
        fullName: "octocat/hello",
        note: "x",
        runId: "00000000-0000-4000-8000-000000000000",
        operationId: 1,
        feedId: 1,
      };
      for (const [key, make] of Object.entries(CASES)) {
        if (make === "public") continue;
        const c = make(ids);
        // With `Upgrade: websocket` where the method allows one (the runtime turns an upgrade into a GET).
        const smuggled = {
          ...c,
          path: `${c.path}${c.path.includes("?") ? "&" : "?"}access_token=${sessionToken}`,
          headers: { ...c.headers, ...(c.method === "GET" ? { Upgrade: "websocket" } : {}) },
        };
        for (const [label, response] of [
          ["no session", await send(c)],
          ["expired", await send(c, `Bearer ${expired}`)],
          ["malformed", await send(c, "Bearer")],
          ["not bearer", await send(c, `Basic ${btoa(`x:${sessionToken}`)}`)],
          ["unknown", await send(c, "Bearer 0123456789abcdef")],
          ["in the URL", await send(smuggled)],
        ] as const) {
          if (key === "GET /api/sync/ws" && label === "in the URL") {
            // Its query takes the ticket and nothing else.
            expect(response.status, `${key} with ${label}`).toBe(400);
            continue;
          }
          if (key === SIGN_OUT && (label === "expired" || label === "unknown")) {
            expect(response.status, `${key} with ${label}`).toBe(204);
            continue;
          }
          expect(response.status, `${key} with ${label}`).toBe(401);
          const body = (await response.json()) as { error: { code: string } };
          expect(body.error.code, `${key} with ${label}`).toBe("unauthorized");
        }
      }
      // Nothing was changed by any of them: the session smuggled in URLs still works, its settings are untouched.
      const settings = await workerFetch(`${BASE}/api/settings`, {
        headers: { Authorization: `Bearer ${sessionToken}` },
      });
      expect(settings.status).toBe(200);
      expect(((await settings.json()) as { language: string }).language).toBe("en");
    },
  );

  it(
    "another user's session reads and writes nothing of this user's, through any route; " + "no answer carries a key",
    async () => {
      await using _ = await fastWorkflows();
      const owner = await signIn("iso-owner", 8);
      doneOf(await syncOnce(owner.sessionToken));
      const { results } = await env.DB.prepare(
        "select r.full_name from stars s join repositories r on r.id = s.repository_id " +
          "where s.user_id = ? order by r.full_name",
      )
        .bind(owner.user.id)
        .all<{ full_name: string }>();
      const target = results[0]!.full_name;
      const [ownerLogin, repoName] = target.split("/") as [string, string];
      const note = "zanzibarquokka private note";
      const patched = await send(
        { method: "PATCH", path: `/api/repositories/${target}`, body: { notes: note, watchReleases: true } },
        `Bearer ${owner.sessionToken}`,
      );
      expect(patched.status).toBe(200);
      // A finished unstar run of the owner's (one repository unstarred), which nobody else may see, undo or resume.
      const runId = crypto.randomUUID();
      await env.DB.batch([
        env.DB.prepare(
          `insert into unstar_runs (id, user_id, action, status, total, created_at)
           values (?, ?, 'unstar', 'stopped', 2, ?)`,
        ).bind(runId, owner.user.id, Date.now()),
        env.DB.prepare(
          `insert into unstar_run_items (run_id, repository_id, full_name, state, position, done_at)
           select ?, id, full_name, 'done', 0, ? from repositories where full_name = ?`,
        ).bind(runId, Date.now(), target),
        env.DB.prepare(
          `insert into unstar_run_items (run_id, repository_id, full_name, state, position)
           select ?, id, full_name, 'pending', 1 from repositories where full_name = ?`,
        ).bind(runId, results[1]!.full_name),
      ]);
      // An operation of the owner's, tagging the repository with the note's words.
      const tagged = await send(
        {
          method: "POST",
          path: "/api/tags/operations",
          body: { kind: "tag", selection: { fullNames: [target] }, add: ["zanzibarquokka"], remove: [] },
        },
        `Bearer ${owner.sessionToken}`,
      );
      expect(tagged.status).toBe(201);
      const operationId = ((await tagged.json()) as { operation: { id: number } }).operation.id;
      const ownerFeed = await send({ method: "POST", path: "/api/feeds", body: {} }, `Bearer ${owner.sessionToken}`);
      expect(ownerFeed.status).toBe(201);
      const { id: feedId, url: feedUrl } = (await ownerFeed.json()) as { id: number; url: string };
      const ownerBefore = await starsRowsOf(owner.user.id);
      const ownerVectors = await env.DB.prepare("select count(*) n from vectors where namespace = ?")
        .bind(`u${owner.user.id}`)
        .first<{ n: number }>();
      expect(ownerVectors!.n).toBeGreaterThan(0);

      // The other user: a library of their own that does not hold `target`, a sealed AI key.
      const other = await signIn("iso-other", 2);
      const aiKey = "sk-iso-other-secret-key";
      const settings = await send(
        {
          method: "PUT",
          path: "/api/settings",
          body: {
            chatProvider: { kind: "openai-compatible", baseUrl: `${aiUrl()}/v1`, model: "iso-model", apiKey: aiKey },
          },
        },
        `Bearer ${other.sessionToken}`,
      );
      expect(settings.status).toBe(200);
      const githubToken = "emulator-token-iso-other";
      const ids: Ids = { owner: ownerLogin, name: repoName, fullName: target, note, runId, operationId, feedId };

      const answers: Record<string, { status: number; body: string }> = {};
      const ordered = Object.entries(CASES).sort(([a], [b]) => Number(a === LAST) - Number(b === LAST));
      for (const [key, make] of ordered) {
        if (make === "public" || DESTRUCTIVE.has(key)) continue;
        const response = await send(make(ids), `Bearer ${other.sessionToken}`);
        answers[key] = { status: response.status, body: await drain(response) };
        expect(answers[key].status, key).toBeLessThan(500);
        // Keys are write-only: neither the GitHub token nor the AI key comes back, anywhere.
        expect(answers[key].body, key).not.toContain(githubToken);
        expect(answers[key].body, key).not.toContain(aiKey);
        // The owner's note never reaches the other user.
        expect(answers[key].body, key).not.toContain(note);
      }
      expect(answers["GET /api/repositories/:owner/:name"]!.status).toBe(404);
      expect(answers["GET /api/repositories/:owner/:name/similar"]!.status).toBe(404);
      expect(answers["PATCH /api/repositories/:owner/:name"]!.status).toBe(404);
      expect(JSON.parse(answers["POST /api/repositories/lookup"]!.body)).toMatchObject({ items: {} });
      expect(JSON.parse(answers["GET /api/search"]!.body).items).toEqual([]);
      const index = JSON.parse(answers["GET /api/repositories/index"]!.body) as { items: { fullName: string }[] };
      expect(index.items.map((item) => item.fullName)).not.toContain(target);
      expect(answers["POST /mcp"]!.body).toMatch(/is not in the user.s library/);
      expect(answers["POST /api/tags/operations/:id/undo"]!.status).toBe(404);
      expect(JSON.parse(answers["POST /api/tags/operations"]!.body)).toMatchObject({
        operation: { repositories: 0, notFound: { names: [target], count: 1 } },
      });
      for (const key of ["GET /api/tags", "GET /api/tags/proposals", "GET /api/tags/operations"])
        expect(answers[key]!.body, key).not.toContain("zanzibarquokka");
      expect(answers["GET /api/digest"]!.status).toBe(200);
      expect(answers["GET /api/digest"]!.body).not.toContain(target);
      expect(JSON.parse(answers["GET /api/unstar"]!.body).runs).toEqual([]);
      expect(JSON.parse(answers["POST /api/unstar/preview"]!.body)).toMatchObject({ total: 0, notInLibrary: [target] });
      // This token may not unstar at all (no public_repo); the owner's stars were never candidates either way.
      expect(answers["POST /api/unstar"]!.status).toBe(403);
      expect(answers["POST /api/unstar/:id/undo"]!.status).toBe(404);
      expect(answers["POST /api/unstar/:id/resume"]!.status).toBe(404);
      expect(JSON.parse(answers["GET /api/digest/releases"]!.body)).toMatchObject({ total: 0, items: [] });
      expect(answers["DELETE /api/feeds/:id"]!.status).toBe(404);
      expect(answers["GET /api/feeds"]!.body).not.toContain(`"id":${feedId},`);
      expect(answers["POST /api/feeds"]!.body).not.toContain(feedUrl);
      expect((await workerFetch(feedUrl)).status).toBe(200);
      // Saving it put it in the other user's own library (a public repository), not in the owner's row.
      expect(answers["POST /api/repositories/save"]!.status).toBe(201);

      // The owner's rows, notes and vectors are as they were; no run of the owner's was started.
      expect(await starsRowsOf(owner.user.id)).toEqual(ownerBefore);
      const after = await env.DB.prepare("select count(*) n from vectors where namespace = ?")
        .bind(`u${owner.user.id}`)
        .first<{ n: number }>();
      expect(after!.n).toBe(ownerVectors!.n);
      // At rest: the GitHub token and the AI key are ciphertext; the session only a hash.
      const rows = JSON.stringify(await env.DB.prepare("select * from users where id = ?").bind(other.user.id).all());
      expect(rows).not.toContain(githubToken);
      expect(rows).not.toContain(aiKey);
      const sessionRows = JSON.stringify(
        await env.DB.prepare("select * from sessions where user_id = ?").bind(other.user.id).all(),
      );
      expect(sessionRows).not.toContain(other.sessionToken);
      expect(sessionRows).toContain(await sha256Hex(other.sessionToken));
    },
  );

  it(
    "deleting the account revokes everything: sessions, rows, FTS rows, vectors, " + "the object's state, tickets",
    async () => {
      await using _ = await fastWorkflows();
      const gone = await signIn("iso-deleted", 6);
      doneOf(await syncOnce(gone.sessionToken));
      const ticketResponse = await send({ method: "POST", path: "/api/sync/ticket" }, `Bearer ${gone.sessionToken}`);
      const { ticket } = (await ticketResponse.json()) as { ticket: string };
      const count = async (sql: string, ...args: unknown[]) =>
        (await env.DB.prepare(sql)
          .bind(...args)
          .first<{ n: number }>())!.n;
      const lo = gone.user.id * 2 ** 32;
      expect(await count("select count(*) n from vectors where namespace = ?", `u${gone.user.id}`)).toBeGreaterThan(0);
      expect(
        await count("select count(*) n from stars_fts where rowid >= ? and rowid < ?", lo, lo + 2 ** 32),
      ).toBeGreaterThan(0);

      expect((await send({ method: "DELETE", path: "/api/me" }, `Bearer ${gone.sessionToken}`)).status).toBe(204);

      expect(await count("select count(*) n from sessions where user_id = ?", gone.user.id)).toBe(0);
      expect(await count("select count(*) n from stars where user_id = ?", gone.user.id)).toBe(0);
      expect(await count("select count(*) n from stars_fts where rowid >= ? and rowid < ?", lo, lo + 2 ** 32)).toBe(0);
      expect(await count("select count(*) n from vectors where namespace = ?", `u${gone.user.id}`)).toBe(0);
      expect(await count("select count(*) n from vector_values where namespace = ?", `u${gone.user.id}`)).toBe(0);
      expect(await count("select count(*) n from sync_runs where user_id = ?", gone.user.id)).toBe(0);
      expect(await userSync(env, gone.user.id).status()).toMatchObject({
        running: false,
        runId: null,
        lastResult: null,
      });
      const socket = await workerFetch(`${BASE}/api/sync/ws?ticket=${ticket}`, { headers: { Upgrade: "websocket" } });
      expect(socket.status).toBe(401);
      expect((await send({ method: "GET", path: "/api/me" }, `Bearer ${gone.sessionToken}`)).status).toBe(401);
    },
  );
});
