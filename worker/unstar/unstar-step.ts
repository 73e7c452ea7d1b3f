import { and, asc, count, eq, gt, sql } from "drizzle-orm";
import type { ErrorCode } from "../../shared/errors";
import { stars, unstarRunItems, unstarRuns, users } from "../db/schema";
import { GithubUsage, type GithubUsageJson } from "../github/client";
import { GithubError } from "../github/errors";
import { loadGithubUser } from "../lib/github-token";
import type { Services } from "../services";
import { HOUR_MS, hourlyWaitUntil, STAR_WRITES_PER_HOUR } from "./pace";
import { isWriteRefusal, starWriteOf } from "./star-write";

// One step of an unstar run (worker/unstar/unstar-workflow.ts): the run's pending repositories in order, one
// request at a time, paced (./pace.ts), each answer written to D1 with its star before the next request. So a step
// that is replayed, or a run resumed after it stopped, asks only what is still pending: a repository is asked twice
// only when a step died between GitHub's answer and its D1 write (harmless: both routes are idempotent on GitHub).

/** A step's share of the run: then it returns and the Workflow records it (a step must stay well under its timeout). */
const STEP_BUDGET_MS = 4 * 60_000;
/** Pending items read at once. */
const BATCH = 100;

export type UnstarStepInput = { userId: number; unstarRunId: string };

export type UnstarStepResult = { usage: GithubUsageJson } & (
  | { status: "ok"; left: number; done: number }
  | { status: "wait"; until: number; reason: string; done: number }
  | { status: "fatal"; code: ErrorCode; message: string }
);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function unstarStep(
  services: Services,
  input: UnstarStepInput,
  onProgress: (done: number, total: number) => void = () => undefined,
): Promise<UnstarStepResult> {
  const { db } = services;
  const usage = new GithubUsage();
  const fatal = (code: ErrorCode, message: string): UnstarStepResult => ({
    status: "fatal",
    code,
    message,
    usage: usage.toJSON(),
  });
  const [run] = await db
    .select({ action: unstarRuns.action, total: unstarRuns.total })
    .from(unstarRuns)
    .where(and(eq(unstarRuns.id, input.unstarRunId), eq(unstarRuns.userId, input.userId)))
    .limit(1);
  if (!run) return fatal("not_found", "The unstar run no longer exists");
  const user = await loadGithubUser(services, input.userId);
  if (!user) return fatal("not_found", "The account no longer exists");
  if (user.tokenStatus === "invalid" || user.token === null)
    return fatal("github_token_invalid", "GitHub rejected the token: reconnect GitHub in Starwise");
  const [writeRow] = await db
    .select({
      tokenScopes: users.tokenScopes,
      tokenScopesAt: users.tokenScopesAt,
      starWriteRefusedAt: users.starWriteRefusedAt,
    })
    .from(users)
    .where(eq(users.id, input.userId));
  const write = starWriteOf(writeRow!);
  // Refused before any request: a classic token without public_repo/repo cannot star or unstar anything.
  if (write.state === "missing")
    return fatal(
      "github_star_scope_missing",
      "This GitHub token may not star or unstar: a classic token needs the public_repo or repo scope",
    );
  const client = services.github.forToken(user.token, { usage });
  const starred = run.action === "restar";
  const started = Date.now();
  const recent = await recentWrites(services, input.userId, started);
  let lastSentAt = recent.at(-1) ?? 0;
  const answered = async () =>
    (
      await db
        .select({ n: count() })
        .from(unstarRunItems)
        .where(and(eq(unstarRunItems.runId, input.unstarRunId), sql`${unstarRunItems.state} != 'pending'`))
    )[0]?.n ?? 0;
  let done = await answered();

  for (;;) {
    const pending = await db
      .select({ repositoryId: unstarRunItems.repositoryId, fullName: unstarRunItems.fullName })
      .from(unstarRunItems)
      .where(and(eq(unstarRunItems.runId, input.unstarRunId), eq(unstarRunItems.state, "pending")))
      .orderBy(asc(unstarRunItems.position))
      .limit(BATCH);
    if (pending.length === 0) return { status: "ok", left: 0, done, usage: usage.toJSON() };
    const privateIds = write.privateRepositories ? new Set<number>() : await privateOf(services, pending);
    for (const item of pending) {
      if (Date.now() - started > STEP_BUDGET_MS)
        return { status: "ok", left: run.total - done, done, usage: usage.toJSON() };
      if (privateIds.has(item.repositoryId)) {
        // public_repo does not reach a private repository: GitHub would answer 404. Not asked.
        await record(services, input, item.repositoryId, starred, "failed", "github_star_scope_missing");
        onProgress(++done, run.total);
        continue;
      }
      const until = hourlyWaitUntil(recent, Date.now());
      if (until !== null) {
        const reason = `GitHub allows about ${STAR_WRITES_PER_HOUR} star changes an hour`;
        return { status: "wait", until, reason, done, usage: usage.toJSON() };
      }
      const gap = lastSentAt + services.config.starWriteSpacingMs - Date.now();
      if (gap > 0) await sleep(gap);
      lastSentAt = Date.now();
      let answer: 204 | 404;
      try {
        answer = await client.setStar(item.fullName, starred);
      } catch (error) {
        if (!(error instanceof GithubError)) throw error;
        recent.push(Date.now());
        const outcome = await classify(services, input.userId, error);
        if (outcome.kind === "item") {
          await record(services, input, item.repositoryId, starred, "failed", outcome.code);
          onProgress(++done, run.total);
          continue;
        }
        if (outcome.kind === "wait") return { ...outcome.result, done, usage: usage.toJSON() };
        if (outcome.kind === "fatal") return fatal(outcome.code, outcome.message);
        throw error; // GitHub down, a timeout: the step is retried and asks only what is still pending
      }
      recent.push(Date.now());
      await record(services, input, item.repositoryId, starred, answer === 204 ? "done" : "missing", null);
      onProgress(++done, run.total);
    }
  }
}

type Classified =
  | { kind: "item"; code: ErrorCode }
  | { kind: "wait"; result: { status: "wait"; until: number; reason: string } }
  | { kind: "fatal"; code: ErrorCode; message: string }
  | { kind: "retry" };

async function classify(services: Services, userId: number, error: GithubError): Promise<Classified> {
  if (isWriteRefusal(error.status, error.message)) {
    await services.db.update(users).set({ starWriteRefusedAt: new Date() }).where(eq(users.id, userId));
    return {
      kind: "fatal",
      code: "github_star_scope_missing",
      message: 'GitHub refused to change a star with this token: a fine-grained token needs "Starring: write"',
    };
  }
  switch (error.kind) {
    case "token_invalid":
      await services.db
        .update(users)
        .set({ tokenStatus: "invalid", updatedAt: new Date() })
        .where(eq(users.id, userId));
      return { kind: "fatal", code: "github_token_invalid", message: "GitHub rejected the token: reconnect GitHub" };
    case "rate_limited":
    case "secondary_limited": {
      const until = error.resetAt
        ? error.resetAt.getTime() + 1000
        : Date.now() + (error.retryAfterSeconds ?? 60) * 1000;
      return { kind: "wait", result: { status: "wait", until, reason: "GitHub asked Starwise to slow down" } };
    }
    case "repository_denied":
      return {
        kind: "item",
        code: error.access?.state === "sso" ? "github_sso_required" : "github_repository_blocked",
      };
    default:
      return { kind: "retry" };
  }
}

/** This user's star changes in the last hour (any run), ascending. */
async function recentWrites(services: Services, userId: number, now: number): Promise<number[]> {
  const rows = await services.db
    .select({ at: unstarRunItems.doneAt })
    .from(unstarRunItems)
    .innerJoin(unstarRuns, eq(unstarRuns.id, unstarRunItems.runId))
    .where(and(eq(unstarRuns.userId, userId), gt(unstarRunItems.doneAt, new Date(now - HOUR_MS))))
    .orderBy(asc(unstarRunItems.doneAt));
  return rows.map((row) => row.at!.getTime());
}

async function privateOf(services: Services, items: Array<{ repositoryId: number }>): Promise<Set<number>> {
  const ids = JSON.stringify(items.map((i) => i.repositoryId));
  const rows = await services.db.all<{ id: number }>(
    sql`select id from repositories where is_private = 1 and id in (select value from json_each(${ids}))`,
  );
  return new Set(rows.map((row) => row.id));
}

/**
 * GitHub's answer for one repository and what it means for the star, in one batch: unstarred (`done`, or `missing`:
 * GitHub has no star of it by that name any more) → not starred, "unstarred by you" (`unstar_run_id`); re-starred →
 * starred again with the date Starwise recorded first (`restarred_at`: the sync ignores GitHub's new date).
 */
async function record(
  services: Services,
  input: UnstarStepInput,
  repositoryId: number,
  starred: boolean,
  state: "done" | "missing" | "failed",
  code: ErrorCode | null,
): Promise<void> {
  const { db } = services;
  const now = new Date();
  // `done_at`: when GitHub was asked (the hour's count, ./pace.ts); none for one refused without a request.
  const asked = !(state === "failed" && code === "github_star_scope_missing");
  const item = db
    .update(unstarRunItems)
    .set({ state, errorCode: code, doneAt: asked ? now : null })
    .where(and(eq(unstarRunItems.runId, input.unstarRunId), eq(unstarRunItems.repositoryId, repositoryId)));
  const star = and(eq(stars.userId, input.userId), eq(stars.repositoryId, repositoryId));
  if (state === "failed" || (starred && state === "missing")) {
    await item;
    return;
  }
  const starWrite = starred
    ? db.update(stars).set({ isStarred: true, unstarredAt: null, unstarRunId: null, restarredAt: now }).where(star)
    : db.update(stars).set({ isStarred: false, unstarredAt: now, unstarRunId: input.unstarRunId }).where(star);
  await db.batch([item, starWrite]);
}
