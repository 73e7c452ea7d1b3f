import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { GithubUsage, type GithubUsageJson } from "../github/client";
import type { RepositoryAccess } from "../github/errors";
import { Pacer, rememberedPacing, type PacingState } from "../github/pacer";
import { createStarSource } from "../github/source";
import type { StarredRepo } from "../github/types";
import { loadGithubUser } from "../lib/github-token";
import type { Services } from "../services";
import { metaHash, planPage } from "./plan";
import { addCounts, interruptionOf, TOKEN_INVALID, zeroCounts, type Counts, type Interruption } from "./step-outcome";
import { loadKnown, pageWrites, runWrites } from "./store";

/**
 * Pages per step, at most: 3,000 stars keep a step's result (their ids) and subrequests small.
 * A step also stops taking new pages after STEP_WALL_MS, so a slow GitHub never brings it near
 * its 10-minute timeout.
 */
export const PAGES_PER_STEP = 30;
const STEP_WALL_MS = 4 * 60_000;
/** Pages being diffed and written at once (the listing itself runs ahead: worker/github/rest-source.ts). */
const PAGES_IN_FLIGHT = 8;

export type ListStepResult =
  | {
      status: "ok";
      next: string | null;
      totalCount: number | null;
      /** github ids of the stars listed by this step (for unstar detection). */
      seen: number[];
      /** When this step listed the last page: the list's length then (`StarPage.countAtEnd`). */
      countAtEnd?: number | null;
      /** GitHub left stars out of some page for this token (an organisation's SAML single sign-on). */
      partial: boolean;
      counts: Counts;
      usage: GithubUsageJson;
      pacing: PacingState;
    }
  | (Interruption & { counts: Counts; usage: GithubUsageJson; pacing: PacingState | null });

/** Called as each page lands (best effort: progress never decides a step's fate). */
export type PageListener = (listed: number, totalCount: number | null) => void;

/**
 * Lists up to PAGES_PER_STEP pages from `cursor` and writes each page's rows into D1 as it lands
 * (metadata, the star and its date: findable by name at once), queueing the README lookups its
 * plan asks for (worker/sync/readme-step.ts does them). Idempotent: a retried or replayed step
 * finds its earlier writes in D1 and writes nothing again. While one page is being diffed and
 * written, the next pages are already being listed.
 */
export async function listStep(
  services: Services,
  input: {
    userId: number;
    /** The run and its listing pass: each page's counts are kept once under `<pass>:<page>`. */
    runId: string;
    pass: number;
    cursor: string | null;
    pacing: PacingState | null;
    listedBefore: number;
  },
  onPage: PageListener = () => undefined,
): Promise<ListStepResult> {
  const usage = new GithubUsage();
  let counts = zeroCounts();
  const user = await loadGithubUser(services, input.userId);
  if (!user) {
    return {
      status: "fatal",
      code: "not_found",
      message: "The account no longer exists",
      counts,
      usage: usage.toJSON(),
      pacing: input.pacing,
    };
  }
  if (user.token === null) return { ...TOKEN_INVALID, counts, usage: usage.toJSON(), pacing: input.pacing };
  // The first step of a run starts from what the user's last run learned.
  const pacer = new Pacer(input.pacing ?? (await loadPacing(services.db, input.userId)));
  const source = createStarSource(services.github, user.token, { usage, pacer });
  const seen: number[] = [];
  let cursor = input.cursor;
  let totalCount: number | null = null;
  let partial = false;
  let countAtEnd: number | null | undefined;
  const processing = new Set<Promise<void>>();
  // A page that fails is reported by the next wait, whichever page that waits for.
  let failed: { error: unknown } | null = null;
  const rethrow = () => {
    if (failed) throw failed.error;
  };
  let written = 0;
  const deadline = Date.now() + STEP_WALL_MS;
  try {
    for await (const listed of source.pages(cursor, PAGES_PER_STEP)) {
      totalCount = listed.totalCount ?? totalCount;
      partial ||= listed.partial === true;
      if (listed.countAtEnd !== undefined) countAtEnd = listed.countAtEnd;
      for (const item of listed.items) seen.push(item.repo.githubId);
      // The page's own number, the same in every attempt of this step (a cursor's "N/last" may change its last).
      const page = `${input.pass}:${cursor?.split("/")[0] ?? "1"}`;
      const work: Promise<void> = writePage(services.db, user.id, listed.items, { runId: input.runId, page })
        .then(
          (done) => {
            counts = addCounts(counts, done);
            written += listed.items.length;
            // Said once the page's rows are in D1: "listed" means findable by name.
            onPage(input.listedBefore + written, totalCount);
          },
          (error: unknown) => {
            failed ??= { error };
          },
        )
        .finally(() => processing.delete(work));
      processing.add(work);
      while (processing.size >= PAGES_IN_FLIGHT) await Promise.race([...processing]);
      rethrow();
      cursor = listed.next;
      if (!cursor || Date.now() > deadline) break;
    }
    await Promise.all([...processing]);
    rethrow();
  } catch (error) {
    // Let in-flight pages finish what they can; their writes are idempotent either way.
    await Promise.allSettled([...processing]);
    const interruption = interruptionOf(error);
    if (interruption) return { ...interruption, counts, usage: usage.toJSON(), pacing: pacer.toJSON() };
    throw error;
  }
  return {
    status: "ok",
    next: cursor,
    totalCount,
    seen,
    partial,
    ...(countAtEnd !== undefined ? { countAtEnd } : {}),
    counts,
    usage: usage.toJSON(),
    pacing: pacer.toJSON(),
  };
}

/** What the user's last run learned about GitHub's speed (null for a first sync). */
export async function loadPacing(db: Db, userId: number): Promise<unknown> {
  const [row] = await db.select({ tuning: users.syncTuning }).from(users).where(eq(users.id, userId)).limit(1);
  return row?.tuning ?? null;
}

/** Keeps what this run learned for the next one (rates and budgets; not the window of recent requests). */
export async function savePacing(db: Db, userId: number, pacing: PacingState): Promise<void> {
  await db
    .update(users)
    .set({ syncTuning: rememberedPacing(pacing) })
    .where(eq(users.id, userId));
}

/** One listed page into D1: the diff against what is stored, then one batch group of what changed. */
async function writePage(
  db: Db,
  userId: number,
  items: StarredRepo[],
  tally: { runId: string; page: string },
): Promise<Counts> {
  if (items.length === 0) return zeroCounts();
  const ids = items.map((item) => item.repo.githubId);
  const [known, hashes] = await Promise.all([
    loadKnown(db, userId, ids),
    Promise.all(items.map(async (item) => [item.repo.githubId, await metaHash(item.repo)] as const)),
  ]);
  const now = Date.now();
  const planned = planPage(items, new Map(hashes), known.repos, known.stars, now);
  // GitHub leaves a repository behind SAML single sign-on out of the list: listed again, the token is authorised.
  const access = new Map<number, RepositoryAccess | null>();
  for (const p of planned) {
    const star = known.stars.get(p.item.repo.githubId);
    if (star?.access?.state === "sso") access.set(p.item.repo.githubId, null);
  }
  const added = planned.filter((p) => p.star === "new").length;
  const updated = planned.filter((p) => p.star !== "new" && p.repo === "update").length;
  const counted = { triggerRows: 0 };
  const writes = pageWrites(db, userId, tally.runId, planned, now, {
    access,
    tally: { page: tally.page, new: added, updated },
  });
  const rowsWritten = await runWrites(db, writes, counted);
  return {
    listed: items.length,
    new: added,
    updated,
    readmesChecked: 0,
    failures: 0,
    rowsWritten,
    triggerRows: counted.triggerRows,
  };
}
