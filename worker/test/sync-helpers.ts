import { introspectWorkflow } from "cloudflare:test";
import { expect } from "vitest";
import { isFinal, readSse, type SyncEvent } from "../../shared/events";
import { BASE, emulator, env, workerFetch } from "./helpers";

/** Every Workflow instance created from now on runs without sleeps and retry delays. */
export async function fastWorkflows(options: { sleeps?: boolean } = {}) {
  const introspector = await introspectWorkflow(env.SYNC_WORKFLOW);
  await introspector.modifyAll(async (m) => {
    if (!options.sleeps) await m.disableSleeps();
    await m.disableRetryDelays();
  });
  return introspector;
}

/** Reads SSE events until `done` or `error`. */
export async function collect(response: Response): Promise<SyncEvent[]> {
  expect(response.headers.get("content-type")).toContain("text/event-stream");
  expect(response.headers.get("cache-control")).toBe("no-cache");
  expect(response.headers.get("x-accel-buffering")).toBe("no");
  const events: SyncEvent[] = [];
  for await (const event of readSse(response.body!)) {
    events.push(event);
    if (isFinal(event)) break;
  }
  return events;
}

/** `POST /api/repositories/sync` as the extension does it: the SSE stream to the end. */
export async function syncOnce(sessionToken: string): Promise<SyncEvent[]> {
  const response = await workerFetch(`${BASE}/api/repositories/sync`, {
    method: "POST",
    headers: { Authorization: `Bearer ${sessionToken}` },
  });
  expect(response.status).toBe(200);
  return collect(response);
}

export function finalEvent(events: SyncEvent[]) {
  const last = events.at(-1);
  if (!last || last.event === "progress")
    throw new Error(`the stream ended without done/error: ${JSON.stringify(events)}`);
  return last;
}

export function doneOf(events: SyncEvent[]) {
  const last = finalEvent(events);
  if (last.event !== "done") throw new Error(`the sync failed: ${JSON.stringify(last.data)}`);
  return last.data;
}

export type EmulatorStar = { fullName: string; starredAt: string; readmeSha?: string | null; id?: number };

/** The emulator's ground truth: a user's stars, newest first. */
export async function githubStars(login: string): Promise<EmulatorStar[]> {
  const body = (await emulator(`stars?login=${login}&sha=1`)) as { stars: EmulatorStar[] };
  return body.stars;
}

export async function controlPost(path: string, body: unknown) {
  return emulator(path, body);
}

export async function stats() {
  return (await emulator("stats")) as {
    requests: { total: number; byRoute: Record<string, number>; byStatus: Record<string, number> };
    rateLimit: Record<string, { core: { used: number }; graphql: { used: number } }>;
    readmeDownloads: Record<string, number>;
  };
}

/** This user's library in D1, by full name. */
export async function library(userId: number) {
  const { results } = await env.DB.prepare(
    `select r.full_name, r.github_id, r.readme_sha, r.readme_status, r.readme_content, r.stargazers_count,
            r.github_pushed_at, s.analysis_id, s.starred_at, s.is_starred, s.is_saved, s.unstarred_at, s.notes
     from stars s join repositories r on r.id = s.repository_id where s.user_id = ? order by r.full_name`,
  )
    .bind(userId)
    .all<{
      full_name: string;
      github_id: number;
      readme_sha: string | null;
      readme_status: string | null;
      readme_content: string | null;
      stargazers_count: number;
      github_pushed_at: number | null;
      analysis_id: number | null;
      starred_at: number | null;
      is_starred: number;
      is_saved: number;
      unstarred_at: number | null;
      notes: string | null;
    }>();
  return new Map(results.map((row) => [row.full_name, row]));
}

/** Stars whose repository no test in this file has brought into D1 yet (D1 is per file; repositories are global). */
export async function notInD1(stars: EmulatorStar[]): Promise<EmulatorStar[]> {
  const { results } = await env.DB.prepare(
    "select full_name from repositories where full_name in (select value from json_each(?))",
  )
    .bind(JSON.stringify(stars.map((s) => s.fullName)))
    .all<{ full_name: string }>();
  const known = new Set(results.map((r) => r.full_name));
  return stars.filter((s) => !known.has(s.fullName));
}
