import { introspectWorkflow } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AuthTokenResponse } from "../../shared/api";
import { Digest } from "../../shared/digest";
import { ErrorBody } from "../../shared/errors";
import { UnstarPreview, UnstarStarted, UnstarState, type UnstarRun } from "../../shared/unstar";
import { sha256Hex } from "../lib/crypto";
import { api, BASE, emulator, env, workerFetch } from "../test/helpers";
import { doneOf, fastWorkflows, githubStars, library, syncOnce } from "../test/sync-helpers";
import { hourlyWaitUntil, HOUR_MS, STAR_WRITES_PER_HOUR } from "./pace";

// Unstar in bulk, reversibly (docs/architecture.md §4, "Unstar in bulk"), in workerd against the GitHub emulator:
// a token that may not write is refused before any request, a run stopped halfway resumes and asks nothing twice,
// undo stars again with Starwise's own dates kept, and a sync never runs beside it.

type UserInput = { stars: number; scopes?: string; tokenKind?: "classic" | "fine-grained"; starring?: string };

async function signInAs(login: string, input: UserInput) {
  await emulator("users", {
    login,
    stars: input.stars,
    ...(input.scopes !== undefined ? { scopes: input.scopes } : {}),
    ...(input.tokenKind ? { tokenKind: input.tokenKind } : {}),
    ...(input.starring ? { permissions: { starring: input.starring } } : {}),
  });
  const githubToken = `emulator-token-${login}`;
  await env.DB.prepare("delete from sign_in_attempts where key = ?")
    .bind(`token:${await sha256Hex(githubToken)}`)
    .run();
  const response = await api().api.auth.token.$post({ json: { githubToken } });
  expect(response.status).toBe(200);
  return AuthTokenResponse.parse(await response.json());
}

async function call(sessionToken: string, method: string, path: string, body?: unknown) {
  const response = await workerFetch(`${BASE}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${sessionToken}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

/** Waits until the run is no longer running; its view then. */
async function settled(sessionToken: string, runId: string): Promise<UnstarRun> {
  for (let i = 0; i < 400; i++) {
    const state = UnstarState.parse((await call(sessionToken, "GET", "/api/unstar")).body);
    const run = state.runs.find((r) => r.id === runId);
    if (run && run.status !== "running") return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${runId} did not end`);
}

/** Requests of `login` GitHub's emulator has answered, by route template. */
async function requestsOf(login: string) {
  const stats = (await emulator("stats")) as { rateLimit: Record<string, { core: { total: number } }> };
  return stats.rateLimit[login]?.core.total ?? 0;
}

async function fastUnstarWorkflows() {
  const introspector = await introspectWorkflow(env.UNSTAR_WORKFLOW);
  await introspector.modifyAll(async (m) => {
    await m.disableSleeps();
    await m.disableRetryDelays();
  });
  return introspector;
}

/** Counts each name's `DELETE`/`PUT` that reached GitHub's handler (a trigger that never fires counts them). */
async function countRequests(method: "DELETE" | "PUT", login: string, names: string[]) {
  const ids: Record<string, number> = {};
  for (const name of names) {
    const { trigger } = (await emulator("triggers", {
      route: `${method} /user/starred/${name}`,
      login,
      after: 1_000_000,
      action: { unstar: "nobody/nothing" },
    })) as { trigger: { id: number } };
    ids[name] = trigger.id;
  }
  return async () => {
    const { triggers } = (await emulator("triggers")) as { triggers: Array<{ id: number; matched: number }> };
    return Object.fromEntries(names.map((name) => [name, triggers.find((t) => t.id === ids[name])?.matched]));
  };
}

describe("unstar in bulk: who may", () => {
  it("a classic token without public_repo is refused before any request, with a clear code", async () => {
    await using _ = await fastWorkflows();
    const { sessionToken } = await signInAs("unstar-noscope", { stars: 3, scopes: "read:user" });
    doneOf(await syncOnce(sessionToken));
    const names = (await githubStars("unstar-noscope")).map((s) => s.fullName);
    const before = await requestsOf("unstar-noscope");

    const state = UnstarState.parse((await call(sessionToken, "GET", "/api/unstar")).body);
    expect(state.starWrite).toMatchObject({ state: "missing", token: "classic", scopes: "read:user" });
    const preview = UnstarPreview.parse(
      (await call(sessionToken, "POST", "/api/unstar/preview", { selection: { names } })).body,
    );
    expect(preview).toMatchObject({ total: 3, starWrite: { state: "missing" } });
    const refused = await call(sessionToken, "POST", "/api/unstar", { selection: { names } });
    expect(refused.status).toBe(403);
    expect(ErrorBody.parse(refused.body).error.code).toBe("github_star_scope_missing");

    expect(await requestsOf("unstar-noscope")).toBe(before);
    expect(await githubStars("unstar-noscope")).toHaveLength(3);
    expect((await env.DB.prepare("select count(*) n from unstar_runs").first<{ n: number }>())!.n).toBe(0);
  });

  it('a fine-grained token without "Starring: write" stops at its first change, and that is recorded', async () => {
    await using _ = await fastWorkflows();
    await using __ = await fastUnstarWorkflows();
    const login = "unstar-finegrained";
    const { sessionToken } = await signInAs(login, { stars: 3, tokenKind: "fine-grained", starring: "read" });
    doneOf(await syncOnce(sessionToken));
    const names = (await githubStars(login)).map((s) => s.fullName);
    expect(UnstarState.parse((await call(sessionToken, "GET", "/api/unstar")).body).starWrite).toMatchObject({
      state: "unknown",
      token: "fine-grained",
    });
    const count = await countRequests("DELETE", login, names);

    const started = await call(sessionToken, "POST", "/api/unstar", { selection: { names } });
    expect(started.status).toBe(202);
    const run = await settled(sessionToken, UnstarStarted.parse(started.body).run.id);

    expect(run).toMatchObject({ status: "stopped", counts: { pending: 3, done: 0 } });
    expect(run.error?.code).toBe("github_star_scope_missing");
    expect(Object.values(await count()).reduce((a, b) => (a ?? 0) + (b ?? 0), 0)).toBe(1);
    expect(UnstarState.parse((await call(sessionToken, "GET", "/api/unstar")).body).starWrite.state).toBe("refused");
    expect(await githubStars(login)).toHaveLength(3);
  });
});

describe("unstar in bulk: a run", () => {
  it("stopped halfway resumes without asking anything twice; undo stars them again with Starwise's dates", async () => {
    await using _ = await fastWorkflows();
    await using __ = await fastUnstarWorkflows();
    const login = "unstar-resume";
    const { sessionToken, user } = await signInAs(login, { stars: 8, scopes: "public_repo, read:user" });
    doneOf(await syncOnce(sessionToken));
    const all = (await githubStars(login)).map((s) => s.fullName);
    const chosen = all.slice(0, 6);
    await env.DB.prepare(
      `update stars set notes = 'why I starred it', custom_tags = '["keep"]'
       where user_id = ? and repository_id in (select id from repositories where full_name in (?, ?))`,
    )
      .bind(user.id, chosen[0], chosen[3])
      .run();
    const datesBefore = new Map([...(await library(user.id))].map(([name, row]) => [name, row.starred_at]));
    const deletes = await countRequests("DELETE", login, chosen);
    // The run's order is newest star first: the fourth fails at each of its step's six attempts (the Workflow's
    // five retries), so the run stops there. The rule is spent then: faults are shared with other test files.
    const fourth = chosen[3]!;
    await emulator("faults", { route: `DELETE /user/starred/${fourth}`, login, status: 500, count: 6 });

    const started = await call(sessionToken, "POST", "/api/unstar", { selection: { names: chosen } });
    expect(started.status).toBe(202);
    const runId = UnstarStarted.parse(started.body).run.id;
    const stopped = await settled(sessionToken, runId);
    expect(stopped).toMatchObject({ status: "stopped", counts: { done: 3, pending: 3 }, undoable: true });
    expect(stopped.error?.code).toBe("github_unavailable");
    expect(stopped.items.map((i) => i.state)).toEqual(["done", "done", "done", "pending", "pending", "pending"]);

    const resumed = await call(sessionToken, "POST", `/api/unstar/${runId}/resume`);
    expect(resumed.status).toBe(202);
    const done = await settled(sessionToken, runId);
    expect(done).toMatchObject({ status: "done", counts: { done: 6, pending: 0, failed: 0 }, error: null });

    // Each repository reached GitHub once (the fourth's refused attempts were the fault's, not GitHub's).
    expect(await deletes()).toEqual(Object.fromEntries(chosen.map((name) => [name, 1])));
    expect((await githubStars(login)).map((s) => s.fullName).sort()).toEqual(all.slice(6).sort());
    const rows = await library(user.id);
    for (const name of chosen) expect(rows.get(name)).toMatchObject({ is_starred: 0 });
    expect(rows.get(chosen[0]!)!.notes).toBe("why I starred it");
    const byRun = await env.DB.prepare("select count(*) n from stars where user_id = ? and unstar_run_id = ?")
      .bind(user.id, runId)
      .first<{ n: number }>();
    expect(byRun!.n).toBe(6);
    // The digest tells a Starwise unstar apart.
    const digest = Digest.parse((await call(sessionToken, "GET", "/api/digest?since=2000-01-01")).body);
    expect(digest.unstarred.total).toBe(6);
    expect(new Set(digest.unstarred.items.map((i) => i.unstarredBy))).toEqual(new Set(["starwise"]));

    // Undo: every one starred again on GitHub; in Starwise starred with the dates it had, notes and tags kept.
    const puts = await countRequests("PUT", login, chosen);
    const undo = await call(sessionToken, "POST", `/api/unstar/${runId}/undo`);
    expect(undo.status).toBe(202);
    const undoId = UnstarStarted.parse(undo.body).run.id;
    expect(await settled(sessionToken, undoId)).toMatchObject({
      action: "restar",
      undoes: runId,
      status: "done",
      counts: { done: 6 },
    });
    expect(await puts()).toEqual(Object.fromEntries(chosen.map((name) => [name, 1])));
    expect((await githubStars(login)).map((s) => s.fullName).sort()).toEqual([...all].sort());
    const state = UnstarState.parse((await call(sessionToken, "GET", "/api/unstar")).body);
    expect(state.runs.find((r) => r.id === runId)).toMatchObject({ undoneBy: undoId, undoable: false });
    expect((await call(sessionToken, "POST", `/api/unstar/${runId}/undo`)).status).toBe(409);

    // GitHub dates the re-stars today; a sync keeps Starwise's first dates, and writes nothing for them.
    const synced = doneOf(await syncOnce(sessionToken));
    expect(synced).toMatchObject({ total: 8, new_count: 0, updated_count: 0 });
    const after = await library(user.id);
    for (const name of chosen)
      expect(after.get(name)).toMatchObject({ is_starred: 1, starred_at: datesBefore.get(name) });
    expect(after.get(chosen[3]!)!.notes).toBe("why I starred it");
  }, 90_000);

  it("holds the sync's lock: a sync attaches to it, another run is refused with run_in_progress", async () => {
    await using _ = await fastWorkflows();
    await using __ = await fastUnstarWorkflows();
    const login = "unstar-lock";
    const { sessionToken } = await signInAs(login, { stars: 4, scopes: "repo" });
    doneOf(await syncOnce(sessionToken));
    const names = (await githubStars(login)).map((s) => s.fullName);
    // Each of the four changes slowed down (the rule is spent by them: faults are shared with other test files).
    await emulator("faults", { route: "DELETE /user/starred/**", login, latencyMs: 400, count: 4 });
    const started = await call(sessionToken, "POST", "/api/unstar", { selection: { names } });
    expect(started.status).toBe(202);
    const run = UnstarStarted.parse(started.body).run;

    const again = await call(sessionToken, "POST", "/api/unstar", { selection: { names: names.slice(0, 1) } });
    expect(again.status).toBe(409);
    expect(ErrorBody.parse(again.body).error.code).toBe("run_in_progress");
    const sync = await workerFetch(`${BASE}/api/repositories/sync`, {
      method: "POST",
      headers: { Authorization: `Bearer ${sessionToken}`, Accept: "application/json" },
    });
    expect(await sync.json()).toMatchObject({ attached: true });
    expect(await settled(sessionToken, run.id)).toMatchObject({ status: "done", counts: { done: 4 } });
    // The refused run left nothing behind.
    expect(UnstarState.parse((await call(sessionToken, "GET", "/api/unstar")).body).runs).toHaveLength(1);
  });

  it("touches no other user's stars of the same repositories", async () => {
    await using _ = await fastWorkflows();
    await using __ = await fastUnstarWorkflows();
    // Generated users star the same first repositories of the emulator's universe.
    const one = await signInAs("unstar-one", { stars: 4, scopes: "public_repo" });
    const two = await signInAs("unstar-two", { stars: 4, scopes: "public_repo" });
    doneOf(await syncOnce(one.sessionToken));
    doneOf(await syncOnce(two.sessionToken));
    const names = (await githubStars("unstar-one")).map((s) => s.fullName);
    expect((await githubStars("unstar-two")).map((s) => s.fullName).sort()).toEqual([...names].sort());
    const twoBefore = await library(two.user.id);

    const started = await call(one.sessionToken, "POST", "/api/unstar", { selection: { names } });
    expect(await settled(one.sessionToken, UnstarStarted.parse(started.body).run.id)).toMatchObject({
      status: "done",
      counts: { done: 4 },
    });
    expect(await githubStars("unstar-one")).toEqual([]);
    expect(await githubStars("unstar-two")).toHaveLength(4);
    expect(await library(two.user.id)).toEqual(twoBefore);
  });
});

describe("unstar in bulk: pacing", () => {
  it("waits when the last hour holds GitHub's 500 star changes, until the oldest leaves it", () => {
    const now = 10 * HOUR_MS;
    const spread = (n: number) => Array.from({ length: n }, (_, i) => now - HOUR_MS + 1000 + i * 1000);
    expect(hourlyWaitUntil(spread(STAR_WRITES_PER_HOUR - 1), now)).toBeNull();
    const full = spread(STAR_WRITES_PER_HOUR);
    expect(hourlyWaitUntil(full, now)).toBe(full[0]! + HOUR_MS + 1000);
    // Older changes do not count.
    expect(hourlyWaitUntil([now - 2 * HOUR_MS, ...spread(STAR_WRITES_PER_HOUR - 1)], now)).toBeNull();
  });
});
