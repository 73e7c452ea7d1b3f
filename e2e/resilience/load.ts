// Load (docs/reliability.md, "Load"): many users against one local Worker at once. 50 users
// syncing together, 500 sync triggers at the same moment (ten per user: one run per user, the
// rest attach), 200 search and lookup requests in flight. Each user's library is then compared
// with the emulator's stars, and every lookup answer with that user's own library and notes.
import { LookupResponse } from "../../shared/repositories.ts";
import { SyncStatus } from "../../shared/events.ts";
import { judge } from "./checks.ts";
import { authed, log, signIn, sync, type Stack } from "./stack.ts";

export type LoadRow = {
  name: string;
  requests: number;
  errors: number;
  wallMs: number;
  throughput: number;
  p50Ms: number;
  p95Ms: number;
  check: string;
};
export type LoadReport = { rows: LoadRow[]; failures: string[] };

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!) : 0;
};

type User = { login: string; session: string; userId: number; stars: number };

function row(name: string, latencies: number[], errors: number, wallMs: number, check: string): LoadRow {
  return {
    name,
    requests: latencies.length,
    errors,
    wallMs,
    throughput: latencies.length / (wallMs / 1000),
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    check,
  };
}

/** Every user's library against the emulator's stars; returns the users that differ or hold duplicates. */
async function compareAll(stack: Stack, users: User[]): Promise<string[]> {
  const bad: string[] = [];
  const db = stack.d1();
  try {
    for (const user of users) {
      const truth = await stack.gh.stars(user.login, { sha: true });
      const verdict = judge(db, truth, {
        userId: user.userId,
        notes: new Map(),
        saved: [],
        analysed: [],
        embedded: [],
      });
      if (verdict.diverged.length || verdict.duplicates.length)
        bad.push(`${user.login}: ${[...verdict.diverged, ...verdict.duplicates].slice(0, 3).join("; ")}`);
    }
  } finally {
    db.close();
  }
  return bad;
}

async function waitIdle(stack: Stack, user: User, timeoutMs = 600_000): Promise<SyncStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await authed(stack.worker.url, user.session, "/api/sync/status");
    const status = SyncStatus.parse(await response.json());
    if (!status.running || Date.now() > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

export async function runLoad(stack: Stack, count: number): Promise<LoadReport> {
  const failures: string[] = [];
  const rows: LoadRow[] = [];
  const users: User[] = [];
  for (let i = 0; i < count; i++) {
    const login = `load-${String(i).padStart(2, "0")}`;
    const stars = 40 + i;
    await stack.gh.createUser({ login, stars });
    const { sessionToken, userId } = await signIn(stack, login);
    users.push({ login, session: sessionToken, userId, stars });
  }

  // 1. Every user syncs at the same moment.
  log(`load: ${count} users syncing at once`);
  let started = Date.now();
  const syncs = await Promise.all(users.map((user) => sync(stack.worker.url, user.session)));
  let wall = Date.now() - started;
  const syncErrors = syncs.filter((s) => s.final?.event !== "done");
  for (const s of syncErrors) failures.push(`concurrent sync ended ${JSON.stringify(s.final)}`);
  let differing = await compareAll(stack, users);
  failures.push(...differing.map((d) => `after the concurrent syncs: ${d}`));
  const starsSynced = users.reduce((sum, u) => sum + u.stars, 0);
  rows.push({
    ...row(
      `${count} users syncing at once (${starsSynced} stars, enrichment included)`,
      syncs.map((s) => s.wallMs),
      syncErrors.length,
      wall,
      `${count - differing.length} of ${count} libraries equal to the emulator's`,
    ),
  });

  // 2. 500 triggers at once: ten per user, after GitHub moved on a little for each of them.
  const triggersPerUser = Math.max(1, Math.round(500 / count));
  for (const [i, user] of users.entries())
    await stack.gh.unstar({ login: user.login, fullName: (await stack.gh.stars(user.login))[i % 10]!.fullName });
  log(`load: ${triggersPerUser * count} sync triggers at once`);
  const triggerLatencies: number[] = [];
  let triggerErrors = 0;
  const runIds = new Map<string, Set<string>>();
  started = Date.now();
  await Promise.all(
    users.flatMap((user) =>
      Array.from({ length: triggersPerUser }, async () => {
        const t = Date.now();
        const response = await authed(stack.worker.url, user.session, "/api/repositories/sync", {
          method: "POST",
          headers: { Accept: "application/json" },
        });
        triggerLatencies.push(Date.now() - t);
        if (response.status !== 202) {
          triggerErrors++;
          failures.push(`trigger: HTTP ${response.status} ${await response.text()}`);
          return;
        }
        const { runId } = (await response.json()) as { runId: string };
        runIds.set(user.login, (runIds.get(user.login) ?? new Set()).add(runId));
      }),
    ),
  );
  wall = Date.now() - started;
  const statuses = await Promise.all(users.map((user) => waitIdle(stack, user)));
  // One run per user at a time: a trigger that arrives after a (fast) run finished may start the
  // next one, so what must never happen is two runs of one user that overlap, as D1 records them.
  const runs = stack.d1();
  let overlapping = 0;
  let sequential = 0;
  try {
    for (const user of users) {
      const rows = runs
        .prepare(
          "select id, started_at, finished_at from sync_runs where user_id = ? and started_at >= ? order by started_at",
        )
        .all(user.userId, started) as Array<{ id: string; started_at: number; finished_at: number | null }>;
      const ids = runIds.get(user.login) ?? new Set<string>();
      if (rows.length !== ids.size || rows.some((row) => !ids.has(row.id)))
        failures.push(
          `${user.login}: the triggers answered runs ${[...ids].join(", ")}, ` +
            `D1 has ${rows.map((r) => r.id).join(", ")}`,
        );
      for (let i = 1; i < rows.length; i++) {
        if (rows[i]!.started_at < (rows[i - 1]!.finished_at ?? Number.POSITIVE_INFINITY)) {
          overlapping++;
          failures.push(`${user.login}: runs ${rows[i - 1]!.id} and ${rows[i]!.id} overlap`);
        } else sequential++;
      }
    }
  } finally {
    runs.close();
  }
  const notDone = statuses.filter((s) => !s.lastResult?.ok);
  for (const s of notDone) failures.push(`triggered run ended ${JSON.stringify(s.lastResult)}`);
  differing = await compareAll(stack, users);
  failures.push(...differing.map((d) => `after the triggered runs: ${d}`));
  rows.push(
    row(
      `${triggersPerUser * count} concurrent sync triggers (${triggersPerUser} per user)`,
      triggerLatencies,
      triggerErrors,
      wall,
      `${overlapping} overlapping runs of one user ` +
        `(${sequential} second runs, started by a trigger after the first had finished); ` +
        `${count - notDone.length} of ${count} last runs done; ` +
        `${count - differing.length} libraries equal to the emulator's`,
    ),
  );

  // 3. 200 reads in flight: searches and lookups, each user's own; notes tell whose answer it is.
  const noted = new Map<string, string>();
  for (const user of users) {
    const first = (await stack.gh.stars(user.login))[0]!.fullName;
    const response = await authed(stack.worker.url, user.session, `/api/repositories/${first}`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ notes: `private note of ${user.login}` }),
    });
    if (response.status !== 200) failures.push(`PATCH notes of ${user.login}: ${response.status}`);
    noted.set(user.login, first);
  }
  // Every user's repositories (user i stars the universe's first 40 + i, less one unstarred above).
  const everyName = [
    ...new Set((await Promise.all(users.map((user) => stack.gh.stars(user.login)))).flat().map((s) => s.fullName)),
  ];
  const words = ["framework", "react", "database", "fast", "server", "cli", "python", "rust", "编辑器", "框架"];
  log("load: 200 search and lookup requests at once");
  const readLatencies: number[] = [];
  let readErrors = 0;
  let crossUser = 0;
  started = Date.now();
  await Promise.all(
    Array.from({ length: 200 }, async (_, i) => {
      const user = users[i % users.length]!;
      const t = Date.now();
      if (i % 2 === 0) {
        const response = await authed(
          stack.worker.url,
          user.session,
          `/api/search?q=${encodeURIComponent(words[i % words.length]!)}&limit=30`,
        );
        readLatencies.push(Date.now() - t);
        if (response.status !== 200) readErrors++;
        else await response.arrayBuffer();
        return;
      }
      // The user's noted repository first (it must come back with their note), then names from everyone's libraries.
      const own = noted.get(user.login)!;
      const names = [own, ...everyName.filter((name) => name !== own)].slice(0, 100);
      const response = await authed(stack.worker.url, user.session, "/api/repositories/lookup", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ fullNames: names }),
      });
      readLatencies.push(Date.now() - t);
      if (response.status !== 200) {
        readErrors++;
        return;
      }
      const { items } = LookupResponse.parse(await response.json());
      const mine = new Set((await stack.gh.stars(user.login)).map((s) => s.fullName));
      for (const [name, item] of Object.entries(items)) {
        // Only this user's library, and only this user's notes.
        if (!mine.has(name) && !item.starred && !item.saved) continue;
        if (
          (item.starred && !mine.has(name)) ||
          (item.notes !== null && item.notes !== `private note of ${user.login}`)
        ) {
          crossUser++;
          log(`lookup of ${user.login}: ${name} came back as ${JSON.stringify(item)}`);
        }
      }
      if (items[own]?.notes !== `private note of ${user.login}`) {
        crossUser++;
        log(`lookup of ${user.login}: ${own} came back as ${JSON.stringify(items[own] ?? null)}`);
      }
    }),
  );
  wall = Date.now() - started;
  if (readErrors) failures.push(`${readErrors} search/lookup errors under load`);
  if (crossUser) failures.push(`${crossUser} lookup answers showed another user's data`);
  rows.push(
    row(
      "200 concurrent search and lookup requests (100 each, lookups of 100 names)",
      readLatencies,
      readErrors,
      wall,
      `${crossUser} answers with another user's data`,
    ),
  );
  return { rows, failures };
}
