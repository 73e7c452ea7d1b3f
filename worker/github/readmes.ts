// Over 300 lines on purpose: the README fetcher's lanes, stages and batches share one queue state and one signal.
import { z } from "zod";
import { Signal, sleep } from "../lib/concurrency";
import { jsonOf, type GithubClient, type GraphqlAnswer } from "./client";
import { GithubError, deniedByGraphql, type RepositoryAccess } from "./errors";
import type { ReadmeOutcome, ReadmeRequest } from "./source";
import { HEALTH_FIELDS, readmeIn, toHealth, Tree, type FoundReadme } from "./graphql-shapes";
import type { RepoHealth } from "./types";

/**
 * A README batch that GitHub fails with a 5xx is asked again this often before its repositories wait for the next sync.
 */
const BATCH_RETRIES = 2;
/** REST requests in flight for READMEs beside the GraphQL lanes (the listing may hold more connections). */
const REST_WORKERS = 2;
/** GraphQL batches in flight at most: two only while the pacer allows a burst (`Pacer.burst`). */
const GRAPHQL_LANES = 2;
/** Expected REST server time of one `/readme`. */
const REST_README_MS = 250;
/**
 * The GraphQL lookups a README may need: README.md at the root ("fresh"), the root's tree when
 * it is not there, the `.github/` and `docs/` trees when the root has none, and the text at the
 * path a tree named.
 */
type Stage = "blob" | "subtrees" | "root" | "fresh";
/** Work that finishes repositories goes first. */
const STAGES: Stage[] = ["blob", "subtrees", "root", "fresh"];
/** Relative server time of each lookup: the repository and one object each, two objects for the subtrees. */
const WEIGHT: Record<Stage, number> = { blob: 1, subtrees: 1.5, root: 1, fresh: 1 };
/** Aliases in one query at most (250 blob texts per query are used in production by others). */
const MAX_ALIASES = 250;
const TREE_ENTRIES = "... on Tree { entries { name type oid size mode } }";
const ROOT = `root: object(expression: "HEAD:") { ${TREE_ENTRIES} }`;
const SUBTREES =
  `dotGithub: object(expression: "HEAD:.github") { ${TREE_ENTRIES} } ` +
  `docs: object(expression: "HEAD:docs") { ${TREE_ENTRIES} }`;

type Job = ReadmeRequest & {
  attempt: number;
  stage?: Stage;
  /** Where a tree said the README is (its blob is read next); absent: README.md is tried first. */
  found?: FoundReadme;
  /** A symlink was followed to get here (once only): the link's own path, which GitHub reports as the README's. */
  linkPath?: string;
  /** README.md's text when it was short and path-shaped: the root's tree says by its mode whether it is a symlink. */
  candidate?: { oid: string; text: string; truncated: boolean };
  /** The health asked with the job's first lookup (ReadmeRequest.health), shared by the job's later copies. */
  healthOf?: { asked: boolean; value?: RepoHealth };
  resolve: (outcome: ReadmeOutcome) => void;
  reject: (error: unknown) => void;
};

const Blob = z.object({
  oid: z.string(),
  byteSize: z.number().int().nullish(),
  text: z.string().nullish(),
  isTruncated: z.boolean().nullish(),
  isBinary: z.boolean().nullish(),
});
const BatchAnswer = z.record(z.string(), z.unknown());
const Aliased = z.object({ object: Blob.nullish() }).nullish();
const RootAnswer = z.object({ root: Tree }).nullish();
const SubtreesAnswer = z.object({ dotGithub: Tree, docs: Tree }).nullish();

/**
 * Downloads README texts, only where needed, for every page of a step at once. GraphQL does the
 * bulk, in batches of aliased `node(id:)` lookups that cost one point whatever their size: the
 * pacer sizes a batch so a slow draw of GitHub's response times still answers before the
 * cut-off, and a batch GitHub cuts off is asked again at most half as big. A repository seen for the first time is
 * asked for
 * `README.md` at once (most READMEs are there). One without it has its root tree listed in a
 * later batch (most other READMEs are at the root under another name), and only if the root has
 * none its `.github/` and `docs/` trees; then that blob. (GitHub shows a `.github/` README before
 * the root's: a repository with both is read from its root here, as for README.md itself.)
 * Batches mix those lookups and pages: what one page left over rides with the next page's
 * work, so a step of ten pages costs few points. REST `/readme` is used only where GraphQL
 * cannot help: links that leave the repository and pushed repositories, asked
 * conditionally on the known sha so an unchanged README is a free 304. A symlinked README's blob
 * is its target's path, followed in a later batch.
 */
export class ReadmeFetcher {
  readonly #client: GithubClient;
  readonly #queues: Record<Stage, Job[]> = { blob: [], subtrees: [], root: [], fresh: [] };
  readonly #viaRest: Job[] = [];
  #graphqlLanes = 0;
  #restLanes = 0;
  #inFlight = 0;
  /** When the last GraphQL lane stopped for want of work (to count the time until more came). */
  #starvedSince: number | null = null;
  /** Woken whenever work is queued or taken, or a batch ends: lanes and the listing wait on it, not on a timer. */
  readonly #changed = new Signal();
  /** More repositories are on their way (the listing is still handing pages in): a part batch waits for them. */
  #expectingMore = false;
  /** Lookups the caller will hand in later (worker/sync/readme-step.ts): all the work left is queued plus these. */
  #comingLater = 0;

  constructor(client: GithubClient) {
    this.#client = client;
  }

  /** Outcomes for `requests` (in any order); several calls may run at once and share batches. */
  async fetch(requests: ReadmeRequest[]): Promise<ReadmeOutcome[]> {
    const immediate: ReadmeOutcome[] = [];
    const waiting: Array<Promise<ReadmeOutcome>> = [];
    for (const request of requests) {
      waiting.push(
        new Promise<ReadmeOutcome>((resolve, reject) => {
          const healthOf: Job["healthOf"] = request.health ? { asked: false } : undefined;
          // Whatever stage settles the job, the health its first lookup brought goes with the outcome.
          const settle = (outcome: ReadmeOutcome) =>
            resolve(healthOf?.value ? { ...outcome, health: healthOf.value } : outcome);
          const job: Job = { ...request, attempt: 0, healthOf, resolve: settle, reject };
          // Rows saved before node ids were stored: only REST can find them.
          if (!request.nodeId) this.#viaRest.push(job);
          // New: README.md first. Known and pushed: the trees say whether the README changed or moved.
          else this.#queues[request.knownSha === null ? "fresh" : "root"].push(job);
        }),
      );
    }
    this.#changed.notify();
    this.#start();
    return [...immediate, ...(await Promise.all(waiting))];
  }

  #start(): void {
    // A lane counts itself out synchronously when it stops, so a later fetch() starts a new one.
    // (Counted before starting: a lane with nothing to do stops at once.)
    // How many to start is counted first: a lane that finds nothing to do stops at once, and
    // must not be started again in the same breath (that loop never yields).
    const graphqlLanes = this.#pendingWeight() > 0 ? GRAPHQL_LANES - this.#graphqlLanes : 0;
    if (graphqlLanes > 0 && this.#starvedSince !== null) {
      this.#client.usage.graphqlStarvedMs += Date.now() - this.#starvedSince;
      this.#starvedSince = null;
    }
    for (let i = 0; i < graphqlLanes; i++) {
      this.#graphqlLanes++;
      void this.#graphqlLane();
    }
    const restLanes = this.#viaRest.length > 0 || this.#pendingWeight() > 0 ? REST_WORKERS - this.#restLanes : 0;
    for (let i = 0; i < restLanes; i++) {
      this.#restLanes++;
      void this.#restLane();
    }
  }

  /**
   * Whether more repositories should be handed in: less than two batches of lookups are waiting
   * (a page's last lookups take a few batches more, so pages kept only until then would leave
   * the batches half empty).
   */
  wantsMore(): boolean {
    return this.#pendingWeight() < 2 * this.#client.pacer.size("readme-batch");
  }

  /** Resolves when the README work next changes (queued, taken, a batch ended): `wantsMore()` may have changed. */
  changed(): Promise<void> {
    return this.#changed.wait();
  }

  /**
   * Whether the caller is still handing repositories in. While it is, a batch goes only when it is
   * full (a batch costs a point whatever its size: a resync whose pages each hold one pushed
   * repository would otherwise spend a point on each); when it stops or waits for READMEs, what
   * is queued goes as it is.
   */
  expectMore(value: boolean): void {
    this.#expectingMore = value;
    this.#changed.notify();
  }

  /** How many more lookups the caller will hand in after those queued now. */
  comingLater(count: number): void {
    this.#comingLater = Math.max(0, count);
  }

  #pendingWeight(): number {
    return STAGES.reduce((sum, stage) => sum + this.#queues[stage].length * WEIGHT[stage], 0);
  }

  async #graphqlLane(): Promise<void> {
    const pacer = this.#client.pacer;
    for (;;) {
      const pending = this.#pendingWeight();
      if (pending === 0) {
        if (this.#inFlight === 0) {
          if (--this.#graphqlLanes === 0) this.#starvedSince = Date.now();
          this.#changed.notify();
          return;
        }
        // Batches in flight may send their repositories on (a tree, then a blob).
        await this.#changed.wait();
        continue;
      }
      const size = pacer.size("readme-batch");
      if (pending < size && this.#expectingMore) {
        await this.#changed.wait();
        continue;
      }
      // With nothing in flight a lane always goes (once the pacer admits it). A second one goes
      // beside it only while the pacer allows a burst (the start of a run), and only with a
      // batch worth its point.
      const remainingMs = pacer.estimate("readme-batch", pending + this.#comingLater);
      if (
        this.#inFlight > 0 &&
        (!pacer.burst(pacer.estimate("readme-batch", size), remainingMs) || pending < size / 2)
      ) {
        await this.#changed.wait();
        continue;
      }
      const batch = this.#take(size);
      this.#inFlight++;
      try {
        await this.#graphqlBatch(batch);
      } catch (error) {
        // Trouble for the whole run (token, rate limit): every waiting repository learns it.
        for (const job of [...batch, ...this.#drain()]) job.reject(error);
      } finally {
        this.#inFlight--;
        this.#changed.notify();
      }
    }
  }

  async #restLane(): Promise<void> {
    for (;;) {
      const job = this.#viaRest.shift();
      if (job) {
        try {
          job.resolve(await fetchReadmeRest(this.#client, job));
        } catch (error) {
          for (const other of [job, ...this.#drain()]) other.reject(error);
        }
        continue;
      }
      if (this.#graphqlLanes === 0 || (this.#inFlight === 0 && this.#pendingWeight() === 0)) {
        if (this.#viaRest.length === 0) {
          this.#restLanes--;
          return;
        }
      }
      // GraphQL may still send repositories here (a link that leaves the repository).
      await this.#changed.wait();
    }
  }

  /** Up to `size` weight of work, the stages that finish repositories first. */
  #take(size: number): Job[] {
    const batch: Job[] = [];
    let weight = 0;
    for (const stage of STAGES) {
      const queue = this.#queues[stage];
      while (queue.length > 0 && (batch.length === 0 || weight + WEIGHT[stage] <= size) && batch.length < MAX_ALIASES) {
        const job = queue.shift()!;
        job.stage = stage;
        batch.push(job);
        weight += WEIGHT[stage];
      }
    }
    this.#changed.notify();
    return batch;
  }

  #drain(): Job[] {
    const all = [...STAGES.flatMap((stage) => this.#queues[stage].splice(0)), ...this.#viaRest.splice(0)];
    return all;
  }

  #send(job: Job, where: Stage | "rest"): void {
    if (where === "rest") this.#viaRest.push(job);
    else this.#queues[where].push(job);
    this.#changed.notify();
  }

  /** Puts a batch back to be asked again (its stages unchanged). */
  #requeue(batch: Job[]): void {
    for (const stage of [...STAGES].reverse())
      this.#queues[stage].unshift(...batch.filter((job) => job.stage === stage));
    this.#changed.notify();
  }

  /**
   * One GraphQL query for many repositories (~1 point): README texts at a path, at README.md,
   * or the trees that say where the README is. Throws only for run-wide trouble.
   */
  async #graphqlBatch(batch: Job[]): Promise<void> {
    const variables: Record<string, string> = {};
    const declarations: string[] = [];
    const selections: string[] = [];
    batch.forEach((job, i) => {
      variables[`id${i}`] = job.nodeId;
      declarations.push(`$id${i}: ID!`);
      // The health rides with the repository's first lookup that answers (docs/architecture.md §4, "Health").
      const health = job.healthOf && !job.healthOf.asked ? ` ${HEALTH_FIELDS}` : "";
      if (job.stage === "root" || job.stage === "subtrees") {
        const trees = job.stage === "root" ? ROOT : SUBTREES;
        selections.push(`r${i}: node(id: $id${i}) { ... on Repository { ${trees}${health} } }`);
      } else {
        variables[`e${i}`] = `HEAD:${job.found?.path ?? "README.md"}`;
        declarations.push(`$e${i}: String!`);
        selections.push(
          `r${i}: node(id: $id${i}) { ... on Repository { object(expression: $e${i}) ` +
            `{ ... on Blob { oid byteSize text isTruncated isBinary } }${health} } }`,
        );
      }
    });
    const query = `query Readmes(${declarations.join(", ")}) {\n${selections.join("\n")}\nrateLimit { cost }\n}`;
    const pacer = this.#client.pacer;
    const weight = batch.reduce((sum, job) => sum + WEIGHT[job.stage!], 0);
    let answer: GraphqlAnswer<Record<string, unknown>>;
    const started = Date.now();
    try {
      answer = await this.#client.graphql(query, variables, BatchAnswer, {
        estimateMs: pacer.estimate("readme-batch", weight),
        acceptPartial: true,
      });
    } catch (error) {
      if (error instanceof GithubError && error.kind === "too_large") {
        pacer.timedOut("readme-batch", weight, Date.now() - started);
        if (batch.length > 1) return this.#requeue(batch);
        // Even one repository times out: REST may still serve its README.
        return this.#send(batch[0]!, "rest");
      }
      if (isRunWide(error)) throw error;
      // GitHub failed the batch as a whole (a 5xx): a few seconds later it usually answers.
      if (batch.every((job) => job.attempt < BATCH_RETRIES)) {
        await sleep(1_000 * 2 ** batch[0]!.attempt);
        for (const job of batch) job.attempt++;
        return this.#requeue(batch);
      }
      // Still failing: each repository is tried again next sync.
      const message = error instanceof Error ? error.message : String(error);
      for (const job of batch) job.resolve({ githubId: job.githubId, kind: "error", message });
      return;
    }
    let resolvedWeight = 0;
    // GitHub refuses some repositories by name (blocked, an organisation's SAML): FORBIDDEN at their alias.
    const forbidden = new Map(
      answer.nodeErrors.filter((e) => e.type === "FORBIDDEN").map((e) => [e.path[0], e.message]),
    );
    for (const [i, job] of batch.entries()) {
      const raw = answer.data[`r${i}`];
      const refused = raw == null ? forbidden.get(`r${i}`) : undefined;
      // RESOURCE_LIMITS_EXCEEDED: GitHub stopped before this alias; it goes again, in a smaller batch.
      if (answer.partial && raw === null && refused === undefined) {
        this.#send(job, job.stage!);
        continue;
      }
      resolvedWeight += WEIGHT[job.stage!];
      this.#settle(job, raw, refused === undefined ? undefined : deniedByGraphql(refused));
    }
    if (answer.partial) pacer.timedOut("readme-batch", weight, Date.now() - started);
    else pacer.learn("readme-batch", Math.max(1, resolvedWeight), answer.ms);
  }

  /** What one alias of a batch says about its repository (`denied`: GitHub refused it, FORBIDDEN). */
  #settle(job: Job, raw: unknown, denied?: RepositoryAccess): void {
    if (denied) return job.resolve({ githubId: job.githubId, kind: "denied", access: denied });
    if (job.healthOf && !job.healthOf.asked) {
      const health = toHealth(raw);
      if (health) {
        job.healthOf.asked = true;
        job.healthOf.value = health;
      }
    }
    const notReturned = () =>
      job.resolve({ githubId: job.githubId, kind: "error", message: "GitHub did not return the repository" });
    if (job.stage === "root") {
      const answer = RootAnswer.safeParse(raw);
      if (!answer.success || !answer.data) return notReturned();
      const found = readmeIn(answer.data.root, "");
      if (found) return this.#found(job, found);
      // No tree at all: an empty repository has no README anywhere.
      if (!answer.data.root) return job.resolve({ githubId: job.githubId, kind: "missing" });
      return this.#send(job, "subtrees");
    }
    if (job.stage === "subtrees") {
      const answer = SubtreesAnswer.safeParse(raw);
      if (!answer.success || !answer.data) return notReturned();
      const found = readmeIn(answer.data.dotGithub, ".github/") ?? readmeIn(answer.data.docs, "docs/");
      return found ? this.#found(job, found) : job.resolve({ githubId: job.githubId, kind: "missing" });
    }
    const parsed = Aliased.safeParse(raw);
    if (!parsed.success || parsed.data === null || parsed.data === undefined) return notReturned();
    const blob = parsed.data.object;
    const path = job.found?.path ?? "README.md";
    // Not at README.md: the trees say where it is (or that there is none). Gone since the listing: REST looks.
    if (!blob) return this.#send(job, job.found ? "rest" : "root");
    if (blob.isBinary || blob.text == null) return job.resolve({ githubId: job.githubId, kind: "missing" });
    const text = { oid: blob.oid, text: blob.text, truncated: blob.isTruncated ?? false };
    if (job.found?.symlink && !job.linkPath) {
      // A symlink (the tree said so by its mode): its blob is the target's path. Followed once,
      // in a later batch; REST `/readme` follows what leaves the repository.
      const target = resolveLink(path, blob.text.trim());
      if (!target) return this.#send(job, "rest");
      return this.#send({ ...job, linkPath: path, found: { sha: "", path: target, byteSize: 0 } }, "blob");
    }
    // README.md read without its tree has no mode: a short path-shaped text may be a link, and
    // the root's tree says which (its text is kept, so a real README is not asked for again).
    if (!job.found && mayBeLink(blob.text, blob.byteSize)) return this.#send({ ...job, candidate: text }, "root");
    // A link to a link: REST follows the chain.
    if (job.linkPath && mayBeLink(blob.text, blob.byteSize)) return this.#send(job, "rest");
    this.#ok(job, job.linkPath ?? path, text);
  }

  /** The trees named the README: unchanged, moved, read already (a README.md candidate), or its blob next. */
  #found(job: Job, found: FoundReadme): void {
    if (job.knownSha !== null && found.sha === job.knownSha && !found.symlink) {
      return job.resolve({ githubId: job.githubId, kind: "unchanged", path: found.path });
    }
    if (job.candidate && found.sha === job.candidate.oid && !found.symlink)
      return this.#ok(job, found.path, job.candidate);
    this.#send({ ...job, candidate: undefined, found }, "blob");
  }

  #ok(job: Job, path: string, blob: { oid: string; text: string; truncated: boolean }): void {
    this.#client.usage.readmesFetched++;
    job.resolve({
      githubId: job.githubId,
      kind: "ok",
      readme: { sha: blob.oid, path, text: stripBom(blob.text), truncated: blob.truncated },
    });
  }
}

/**
 * Whether a blob read without its tree entry could be a symlink: git stores a link as a blob
 * holding the target's path, so a short one-line path is one or a tiny README. Only the tree's
 * mode (120000) decides; this only says when to ask it.
 */
export function mayBeLink(text: string, byteSize: number | null | undefined): boolean {
  return (byteSize ?? text.length) < 256 && /^[\w.\/-]+$/.test(text.trim()) && !/\n/.test(text.trim());
}

/** A link target relative to the link's folder, inside the repository (null if it leaves it). */
export function resolveLink(linkPath: string, target: string): string | null {
  if (target.startsWith("/")) return null;
  const parts = linkPath.split("/").slice(0, -1);
  for (const part of target.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.length > 0 ? parts.join("/") : null;
}

const stripBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

const ContentFile = z.object({ path: z.string(), content: z.string(), encoding: z.string() });

/**
 * `GET /repos/{o}/{r}/readme`: the README GitHub shows, with its path, a symlink followed (the
 * content is the target's, the path the link's). Used only where GraphQL cannot help: a link
 * that leaves the repository, a README gone since the listing, rows without a node id. The sha
 * is computed over the bytes, as git does.
 */
export async function fetchReadmeRest(client: GithubClient, request: ReadmeRequest): Promise<ReadmeOutcome> {
  const { githubId } = request;
  const [owner, repo] = request.fullName.split("/") as [string, string];
  try {
    const answer = await client.rest(
      "GET /repos/{owner}/{repo}/readme",
      { owner, repo },
      { allow404: true, estimateMs: REST_README_MS },
    );
    if (answer.status === 404) return { githubId, kind: "missing" };
    const file = ContentFile.safeParse(jsonOf(answer));
    if (!file.success || file.data.encoding !== "base64")
      return { githubId, kind: "error", message: "GitHub sent the README in an unexpected shape" };
    const bytes = Uint8Array.from(atob(file.data.content.replace(/\s/g, "")), (c) => c.charCodeAt(0));
    const text = decodeText(bytes);
    // A binary README (an image named README, say) is no usable README.
    if (text === null) return { githubId, kind: "missing" };
    const sha = await gitBlobSha(bytes);
    if (sha === request.knownSha) return { githubId, kind: "unchanged", path: file.data.path };
    client.usage.readmesFetched++;
    return { githubId, kind: "ok", readme: { sha, path: file.data.path, text: stripBom(text), truncated: false } };
  } catch (error) {
    if (isRunWide(error)) throw error;
    if (error instanceof GithubError && error.access) return { githubId, kind: "denied", access: error.access };
    return { githubId, kind: "error", message: error instanceof Error ? error.message : String(error) };
  }
}

/** UTF-8 text without its BOM, or null for bytes that are not UTF-8 text (an image named README, say). */
export function decodeText(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Trouble that concerns the whole run (the token, the rate limits) stops the step; a 404, 5xx
 * or timeout on one README is that repository's alone and is retried next sync.
 */
export function isRunWide(error: unknown): boolean {
  return (
    error instanceof GithubError &&
    (error.kind === "token_invalid" || error.kind === "rate_limited" || error.kind === "secondary_limited")
  );
}

/** The git blob sha of some bytes, as git computes it: sha1("blob <length>\0" + bytes). */
export async function gitBlobSha(bytes: Uint8Array): Promise<string> {
  const header = new TextEncoder().encode(`blob ${bytes.byteLength}\0`);
  const data = new Uint8Array(header.byteLength + bytes.byteLength);
  data.set(header);
  data.set(bytes, header.byteLength);
  const digest = await crypto.subtle.digest("SHA-1", data);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
