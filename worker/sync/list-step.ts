import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { GithubUsage, type GithubUsageJson } from "../github/client";
import type { RepositoryAccess } from "../github/errors";
import { Pacer, rememberedPacing, type PacingState } from "../github/pacer";
import type { StarPages } from "../github/rest-source";
import { createStarSource, type ReadmeOutcome } from "../github/source";
import type { StarredRepo } from "../github/types";
import { loadGithubUser } from "../lib/github-token";
import type { Services } from "../services";
import { metaHash, planPage } from "./plan";
import { nextQueuedReadmes, type QueuedReadme } from "./readme-queue";
import { askReadmes, GROUPS_IN_FLIGHT, README_GROUP, writeReadmes } from "./readme-step";
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
/**
 * README lookups a step makes beside its listing, at most: their answers (README texts) wait in memory until the
 * step's pages are in D1, so this bounds what is held; the rest stay queued for the README steps.
 */
const READMES_BESIDE_MAX = 1000;

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
  const beside = new ReadmesBeside(services, source, input);
  pacer.listing = true;
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
          ({ counts: done, readmes }) => {
            counts = addCounts(counts, done);
            written += listed.items.length;
            // Said once the page's rows are in D1: "listed" means findable by name.
            onPage(input.listedBefore + written, totalCount);
            beside.ask(readmes, Math.max(0, (totalCount ?? 0) - input.listedBefore - written));
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
    pacer.listing = false;
    counts = addCounts(counts, await beside.write());
  } catch (error) {
    // Let in-flight pages finish what they can; their writes are idempotent either way. What was looked up beside
    // them is dropped: it stays queued.
    pacer.listing = false;
    await Promise.allSettled([...processing, beside.drop()]);
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

/**
 * README lookups beside the listing (docs/architecture.md §4, "Rows first"): a written page's queued lookups go to
 * the GraphQL batches while they want more, so GitHub's GraphQL budget is spent from the first page on; their
 * answers are written only once the step's pages are all in, so the pages' writes, which make every star findable
 * by name, never wait behind README texts and their full-text index. Best effort: a lookup that fails here stays
 * queued, and the README steps that follow (worker/sync/readme-step.ts) do it and say why if it fails again.
 */
class ReadmesBeside {
  readonly #held: Array<Promise<{ group: QueuedReadme[]; outcomes: ReadmeOutcome[] } | null>> = [];
  #inFlight = 0;
  #asked = 0;
  #stopped = false;
  readonly #services: Services;
  readonly #source: StarPages;
  readonly #input: { userId: number; runId: string };

  constructor(services: Services, source: StarPages, input: { userId: number; runId: string }) {
    this.#services = services;
    this.#source = source;
    this.#input = input;
    source.expectMore(true);
  }

  /** Hands a written page's queued lookups to the batches, if they want more; `later`: stars still to be listed. */
  ask(githubIds: readonly number[], later: number): void {
    if (githubIds.length === 0 || !this.#wantsMore()) return;
    this.#asked += githubIds.length;
    this.#source.readmesComingLater(later);
    this.#inFlight++;
    const entries = nextQueuedReadmes(this.#services.db, this.#input.userId, githubIds.length, githubIds);
    const taken = entries.then((found) => {
      this.#inFlight--;
      for (let i = 0; i < found.length; i += README_GROUP) this.#hand(found.slice(i, i + README_GROUP));
    });
    this.#held.push(
      taken.then(
        () => null,
        () => this.#stop(),
      ),
    );
  }

  /** Writes what was looked up, a group at a time, once the listing's pages are in. */
  async write(): Promise<Counts> {
    this.#stopped = true;
    this.#source.expectMore(false);
    let counts = zeroCounts();
    // A page's queue entries, once read, add their groups to what is held: wait until nothing more comes.
    for (let from = 0; from < this.#held.length; ) {
      const waiting = this.#held.slice(from);
      from = this.#held.length;
      for (const looked of await Promise.all(waiting)) {
        if (!looked) continue;
        const written = await writeReadmes(this.#services, this.#input, looked.group, looked.outcomes);
        counts = addCounts(counts, written);
      }
    }
    return counts;
  }

  /** The step failed: nothing more is asked, and nothing is written. */
  async drop(): Promise<void> {
    this.#stopped = true;
    this.#source.expectMore(false);
    await Promise.allSettled(this.#held);
  }

  #wantsMore(): boolean {
    if (this.#stopped || this.#asked >= READMES_BESIDE_MAX || this.#inFlight >= GROUPS_IN_FLIGHT) return false;
    return this.#inFlight === 0 || this.#source.wantsMore();
  }

  #hand(group: QueuedReadme[]): void {
    this.#inFlight++;
    this.#held.push(
      askReadmes(this.#source, group).then(
        (outcomes) => {
          this.#inFlight--;
          return { group, outcomes };
        },
        () => {
          this.#inFlight--;
          return this.#stop();
        },
      ),
    );
  }

  #stop(): null {
    this.#stopped = true;
    return null;
  }
}

/**
 * One listed page into D1: the diff against what is stored, then one batch group of what changed; with the GitHub
 * ids whose README lookups it queued.
 */
async function writePage(
  db: Db,
  userId: number,
  items: StarredRepo[],
  tally: { runId: string; page: string },
): Promise<{ counts: Counts; readmes: number[] }> {
  if (items.length === 0) return { counts: zeroCounts(), readmes: [] };
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
  const counts = {
    listed: items.length,
    new: added,
    updated,
    readmesChecked: 0,
    failures: 0,
    rowsWritten,
    triggerRows: counted.triggerRows,
  };
  return { counts, readmes: planned.flatMap((p) => (p.readme ? [p.item.repo.githubId] : [])) };
}
