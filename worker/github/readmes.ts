import { z } from "zod";
import { mapPool, sleep } from "../lib/concurrency";
import type { GithubClient } from "./client";
import { GithubError } from "./errors";
import type { ReadmeOutcome, ReadmeRequest } from "./source";
import type { ReadmeRef } from "./types";

/** A README batch that GitHub fails with a 5xx is asked again this often before its repositories wait for the next sync. */
const BATCH_RETRIES = 2;
/** REST lanes: README requests in flight beside the GraphQL lane (the listing may hold more). */
const REST_WORKERS = 2;
/** The optional REST lane leaves this much of the hourly REST budget for listing and pushes. */
const CORE_RESERVE = 1_000;
/** Expected REST server time of one `/readme` (refined by nothing: REST answers are small and steady). */
const REST_README_MS = 250;

type Found = Extract<ReadmeRef, { kind: "found" }>;
type Job = ReadmeRequest & { attempt: number };

const Blob = z.object({
  oid: z.string(),
  byteSize: z.number().int().nullish(),
  text: z.string().nullish(),
  isTruncated: z.boolean().nullish(),
  isBinary: z.boolean().nullish(),
});
const BatchAnswer = z.record(z.string(), z.unknown());
const Aliased = z.object({ object: Blob.nullish() }).nullish();

/**
 * Downloads README texts, only where needed, through two lanes that share GitHub's budgets:
 * - GraphQL batches of aliased `node(id:)` lookups (README text at a known path, or at
 *   `README.md` for a repository seen for the first time), sized by the pacer so a batch takes
 *   about 3 s, halved on a cut-off and never asked again at the size that timed out;
 * - REST `/readme` (raw), which finds any README GitHub would show (any name, `.github/`,
 *   `docs/`, symlinks followed): for what GraphQL could not find, for pushed repositories
 *   (conditional on the known sha, so an unchanged README is a free 304), and — when the REST
 *   budget has room beside the GraphQL lane — for new repositories too.
 */
export class ReadmeFetcher {
  readonly #client: GithubClient;
  readonly #restLane: boolean;

  constructor(client: GithubClient, options: { restLane: boolean }) {
    this.#client = client;
    this.#restLane = options.restLane;
  }

  async fetch(requests: ReadmeRequest[]): Promise<ReadmeOutcome[]> {
    const outcomes: ReadmeOutcome[] = [];
    const atPath: Job[] = [];
    const fresh: Job[] = [];
    const viaRest: Job[] = [];
    for (const request of requests) {
      const job = { ...request, attempt: 0 };
      const ref = request.ref;
      if (ref.kind === "none") outcomes.push({ githubId: request.githubId, kind: "missing" });
      else if (ref.kind === "found" && ref.sha === request.knownSha) outcomes.push({ githubId: request.githubId, kind: "unchanged" });
      else if (ref.kind === "found" && !ref.symlink) atPath.push(job);
      else if (ref.kind === "unknown" && request.knownSha === null && request.nodeId) fresh.push(job);
      else viaRest.push(job); // symlinks (REST follows them), and pushed repositories (conditional)
    }

    let graphqlDone = false;
    const graphqlLane = (async () => {
      try {
        while (atPath.length > 0 || fresh.length > 0) {
          const fromPath = atPath.length > 0;
          const queue = fromPath ? atPath : fresh;
          const kind = fromPath ? "readme-blobs" : "readme-batch";
          const size = Math.min(queue.length, this.#client.pacer.size(kind));
          const batch = queue.splice(0, size);
          const answered = await this.#graphqlBatch(batch, kind, (job, where) => (where === "rest" ? viaRest.push(job) : queue.push(job)));
          if (answered === "retry") queue.unshift(...batch);
          else outcomes.push(...answered);
        }
      } finally {
        graphqlDone = true;
      }
    })();

    const restWorkers = Array.from({ length: REST_WORKERS }, async () => {
      for (;;) {
        let job = viaRest.shift();
        if (!job && this.#restLane && fresh.length > 0 && this.#restMayHelp()) job = fresh.pop();
        if (job) {
          outcomes.push(await fetchReadmeRest(this.#client, job));
          continue;
        }
        if (graphqlDone && viaRest.length === 0) return;
        await sleep(100);
      }
    });
    await Promise.all([graphqlLane, ...restWorkers]);
    return outcomes;
  }

  /** New READMEs may go through REST when its share of the server-time budget and the hourly budget have room. */
  #restMayHelp(): boolean {
    const core = this.#client.pacer.remaining.core;
    return (core === null || core > CORE_RESERVE) && this.#client.pacer.restHasRoom(REST_README_MS);
  }

  /**
   * One GraphQL query for many README texts (~1 point). Returns the outcomes, or "retry" when
   * GitHub cut it off (the pacer has shrunk the size by then). Repositories GraphQL cannot
   * answer for (no README.md, a symlink) are sent to REST; those a partial answer left out, again.
   */
  async #graphqlBatch(
    batch: Job[],
    kind: "readme-batch" | "readme-blobs",
    send: (job: Job, where: "rest" | "again") => void,
  ): Promise<ReadmeOutcome[] | "retry"> {
    const variables: Record<string, string> = {};
    const declarations: string[] = [];
    const selections: string[] = [];
    batch.forEach((job, i) => {
      const path = job.ref.kind === "found" ? job.ref.path : "README.md";
      variables[`id${i}`] = job.nodeId;
      variables[`e${i}`] = `HEAD:${path}`;
      declarations.push(`$id${i}: ID!, $e${i}: String!`);
      selections.push(
        `r${i}: node(id: $id${i}) { ... on Repository { object(expression: $e${i}) { ... on Blob { oid byteSize text isTruncated isBinary } } } }`,
      );
    });
    const query = `query Readmes(${declarations.join(", ")}) {\n${selections.join("\n")}\nrateLimit { cost }\n}`;
    const pacer = this.#client.pacer;
    let answer: { data: Record<string, unknown>; partial: boolean; ms: number };
    try {
      answer = await this.#client.graphql(query, variables, BatchAnswer, { estimateMs: pacer.estimate(kind, batch.length), acceptPartial: true });
    } catch (error) {
      if (error instanceof GithubError && error.kind === "too_large") {
        if (batch.length > 1) {
          pacer.timedOut(kind, batch.length);
          return "retry";
        }
        // Even one README times out: REST may still serve it.
        send(batch[0]!, "rest");
        return [];
      }
      if (isRunWide(error)) throw error;
      // GitHub failed the batch as a whole (a 5xx): a few seconds later it usually answers.
      if (batch.every((job) => job.attempt < BATCH_RETRIES)) {
        await sleep(1_000 * 2 ** batch[0]!.attempt);
        for (const job of batch) job.attempt++;
        return "retry";
      }
      // Still failing: each repository is tried again next sync.
      const message = error instanceof Error ? error.message : String(error);
      return batch.map((job) => ({ githubId: job.githubId, kind: "error" as const, message }));
    }
    const outcomes: ReadmeOutcome[] = [];
    let resolved = 0;
    batch.forEach((job, i) => {
      const raw = answer.data[`r${i}`];
      // RESOURCE_LIMITS_EXCEEDED: GitHub stopped before this alias; ask again in a smaller batch.
      if (answer.partial && raw === null) {
        send(job, "again");
        return;
      }
      resolved++;
      const parsed = Aliased.safeParse(raw);
      if (!parsed.success || parsed.data === null || parsed.data === undefined) {
        outcomes.push({ githubId: job.githubId, kind: "error", message: "GitHub did not return the repository" });
        return;
      }
      const blob = parsed.data.object;
      const path = job.ref.kind === "found" ? job.ref.path : "README.md";
      // Not at that path (another name or folder, or moved since the listing): REST finds it.
      if (!blob) return send(job, "rest");
      if (blob.isBinary || blob.text == null) {
        outcomes.push({ githubId: job.githubId, kind: "missing" });
        return;
      }
      if (job.ref.kind !== "found" && looksLikeSymlink(blob.text, blob.byteSize)) return send(job, "rest");
      this.#client.usage.readmesFetched++;
      outcomes.push({
        githubId: job.githubId,
        kind: "ok",
        readme: { sha: blob.oid, path, text: stripBom(blob.text), truncated: blob.isTruncated ?? false },
      });
    });
    if (answer.partial) pacer.timedOut(kind, batch.length);
    else pacer.learn(kind, resolved, answer.ms);
    return outcomes;
  }
}

/**
 * A symlinked README's blob is the link target's path (tree mode 120000; GraphQL has no mode on
 * Blob). A one-line, path-shaped "README" of a few bytes is that; REST `/readme` follows it.
 */
export function looksLikeSymlink(text: string, byteSize: number | null | undefined): boolean {
  return (byteSize ?? text.length) < 256 && /^[\w./-]+$/.test(text) && /readme/i.test(text);
}

const stripBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/**
 * `GET /repos/{o}/{r}/readme` as raw bytes, with `If-None-Match: <known sha>`: the raw answer's
 * ETag has been the blob sha (observed, not documented), so an unchanged README is a free 304;
 * if it ever is not, GitHub answers 200 and the sha is computed over the bytes anyway.
 */
export async function fetchReadmeRest(client: GithubClient, request: ReadmeRequest): Promise<ReadmeOutcome> {
  const { githubId } = request;
  const [owner, repo] = request.fullName.split("/") as [string, string];
  try {
    const answer = await client.rest(
      "GET /repos/{owner}/{repo}/readme",
      { owner, repo },
      { accept: "application/vnd.github.raw+json", etag: request.knownSha, allow404: true, estimateMs: REST_README_MS },
    );
    if (answer.status === 304) return { githubId, kind: "unchanged" };
    if (answer.status === 404) return { githubId, kind: "missing" };
    const bytes = new Uint8Array(answer.body);
    const text = decodeText(bytes);
    // A binary README (an image named README, say) is no usable README.
    if (text === null) return { githubId, kind: "missing" };
    const sha = await gitBlobSha(bytes);
    if (sha === request.knownSha) return { githubId, kind: "unchanged" };
    client.usage.readmesFetched++;
    return { githubId, kind: "ok", readme: { sha, path: "README", text, truncated: false } };
  } catch (error) {
    if (isRunWide(error)) throw error;
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

/** Runs REST README fetches for a plain list (the seed's strategy). */
export function fetchReadmesRest(client: GithubClient, requests: ReadmeRequest[], concurrency: number): Promise<ReadmeOutcome[]> {
  return mapPool(requests, concurrency, (request) => fetchReadmeRest(client, request));
}
