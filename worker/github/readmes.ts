import { z } from "zod";
import { mapPool, sleep } from "../lib/concurrency";
import type { GithubClient } from "./client";
import { GithubError } from "./errors";
import type { ReadmeOutcome, ReadmeRequest } from "./source";
import { readmeRefOf, Tree } from "./graphql-source";
import type { ReadmeRef } from "./types";

/** A README batch that GitHub fails with a 5xx is asked again this often before its repositories wait for the next sync. */
const BATCH_RETRIES = 2;
/** REST requests in flight for READMEs beside the GraphQL lanes (the listing may hold more connections). */
const REST_WORKERS = 2;
/** GraphQL batches in flight at most (fewer when the server-time budget gets tight). */
const GRAPHQL_LANES = 3;
/** Expected REST server time of one `/readme`. */
const REST_README_MS = 250;
type GraphqlKind = "readme-blobs" | "readme-trees" | "readme-batch";
/** Work that finishes repositories goes first. */
const GRAPHQL_ORDER: GraphqlKind[] = ["readme-blobs", "readme-trees", "readme-batch"];
const TREE_ENTRIES = "... on Tree { entries { name type oid size mode } }";
const TREES = `root: object(expression: "HEAD:") { ${TREE_ENTRIES} } dotGithub: object(expression: "HEAD:.github") { ${TREE_ENTRIES} } docs: object(expression: "HEAD:docs") { ${TREE_ENTRIES} }`;

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
const TreesAnswer = z.object({ root: Tree, dotGithub: Tree, docs: Tree }).nullish();

/**
 * Downloads README texts, only where needed. GraphQL does the bulk, in batches of aliased
 * `node(id:)` lookups that cost one point each whatever their size: the pacer sizes them so one
 * takes about 5 s (far from GitHub's 10 s cut-off), halves a batch GitHub cuts off and never asks
 * that size again. A repository seen for the first time is asked for `README.md` at once (most
 * READMEs are there); one without it has its `.github/`, root and `docs/` trees listed to find
 * whatever GitHub would show, then that blob. REST `/readme` is used where GraphQL cannot help:
 * symlinked READMEs (REST follows them) and pushed repositories, asked conditionally on the known
 * sha so an unchanged README is a free 304.
 */
export class ReadmeFetcher {
  readonly #client: GithubClient;

  constructor(client: GithubClient) {
    this.#client = client;
  }

  async fetch(requests: ReadmeRequest[]): Promise<ReadmeOutcome[]> {
    const outcomes: ReadmeOutcome[] = [];
    const queues: Record<GraphqlKind, Job[]> = { "readme-blobs": [], "readme-trees": [], "readme-batch": [] };
    const viaRest: Job[] = [];
    for (const request of requests) {
      const job = { ...request, attempt: 0 };
      const ref = request.ref;
      if (ref.kind === "none") outcomes.push({ githubId: request.githubId, kind: "missing" });
      else if (ref.kind === "found" && ref.sha === request.knownSha) outcomes.push({ githubId: request.githubId, kind: "unchanged" });
      else if (ref.kind === "found" && !ref.symlink) queues["readme-blobs"].push(job);
      else if (ref.kind === "unknown" && request.knownSha === null && request.nodeId) queues["readme-batch"].push(job);
      else viaRest.push(job); // symlinks (REST follows them), pushed repositories (conditional), rows without a node id
    }

    let inFlight = 0;
    const pending = () => GRAPHQL_ORDER.some((kind) => queues[kind].length > 0);
    const graphqlLane = async (lane: number) => {
      for (;;) {
        const kind = GRAPHQL_ORDER.find((k) => queues[k].length > 0);
        // Extra lanes help while the server-time budget has room; near it, one lane wastes less
        // (GitHub serves concurrent requests of one token more slowly).
        if (!kind || (lane > 0 && this.#client.pacer.load("graphql") > 0.5)) {
          if (inFlight === 0 && !pending()) return;
          await sleep(100);
          continue;
        }
        const queue = queues[kind];
        const batch = queue.splice(0, Math.min(queue.length, this.#client.pacer.size(kind)));
        inFlight++;
        try {
          const answered = await this.#graphqlBatch(batch, kind, (job, where) => {
            if (where === "rest") viaRest.push(job);
            else queues[where].push(job);
          });
          if (answered === "retry") queue.unshift(...batch);
          else outcomes.push(...answered);
        } finally {
          inFlight--;
        }
      }
    };
    let graphqlDone = false;
    const graphql = Promise.all(Array.from({ length: GRAPHQL_LANES }, (_, lane) => graphqlLane(lane))).finally(() => {
      graphqlDone = true;
    });
    const restWorkers = Array.from({ length: REST_WORKERS }, async () => {
      for (;;) {
        const job = viaRest.shift();
        if (job) {
          outcomes.push(await fetchReadmeRest(this.#client, job));
          continue;
        }
        if (graphqlDone) return;
        await sleep(100);
      }
    });
    await Promise.all([graphql, ...restWorkers]);
    return outcomes;
  }

  /**
   * One GraphQL query for many repositories (~1 point): README texts at a path, or the trees
   * that say where the README is. Returns the outcomes, or "retry" when GitHub cut it off or
   * failed it (the pacer has shrunk the size by then). Repositories that need another kind of
   * lookup are handed to `send`.
   */
  async #graphqlBatch(batch: Job[], kind: GraphqlKind, send: (job: Job, where: GraphqlKind | "rest") => void): Promise<ReadmeOutcome[] | "retry"> {
    const variables: Record<string, string> = {};
    const declarations: string[] = [];
    const selections: string[] = [];
    batch.forEach((job, i) => {
      variables[`id${i}`] = job.nodeId;
      declarations.push(`$id${i}: ID!`);
      if (kind === "readme-trees") {
        selections.push(`r${i}: node(id: $id${i}) { ... on Repository { ${TREES} } }`);
      } else {
        variables[`e${i}`] = `HEAD:${job.ref.kind === "found" ? job.ref.path : "README.md"}`;
        declarations.push(`$e${i}: String!`);
        selections.push(`r${i}: node(id: $id${i}) { ... on Repository { object(expression: $e${i}) { ... on Blob { oid byteSize text isTruncated isBinary } } } }`);
      }
    });
    const query = `query Readmes(${declarations.join(", ")}) {\n${selections.join("\n")}\nrateLimit { cost }\n}`;
    const pacer = this.#client.pacer;
    let answer: { data: Record<string, unknown>; partial: boolean; ms: number };
    const started = Date.now();
    try {
      answer = await this.#client.graphql(query, variables, BatchAnswer, { estimateMs: pacer.estimate(kind, batch.length), acceptPartial: true });
    } catch (error) {
      if (error instanceof GithubError && error.kind === "too_large") {
        if (batch.length > 1) {
          pacer.timedOut(kind, batch.length, Date.now() - started);
          return "retry";
        }
        // Even one repository times out: REST may still serve its README.
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
      if (answer.partial && raw === null) return send(job, kind);
      resolved++;
      if (kind === "readme-trees") {
        const trees = TreesAnswer.safeParse(raw);
        if (!trees.success || !trees.data) {
          outcomes.push({ githubId: job.githubId, kind: "error", message: "GitHub did not return the repository" });
          return;
        }
        const ref = readmeRefOf(trees.data);
        if (ref.kind === "none") outcomes.push({ githubId: job.githubId, kind: "missing" });
        else if (ref.kind === "found" && ref.symlink) send({ ...job, ref }, "rest");
        else if (ref.kind === "found") send({ ...job, ref }, "readme-blobs");
        else send(job, "rest");
        return;
      }
      const parsed = Aliased.safeParse(raw);
      if (!parsed.success || parsed.data === null || parsed.data === undefined) {
        outcomes.push({ githubId: job.githubId, kind: "error", message: "GitHub did not return the repository" });
        return;
      }
      const blob = parsed.data.object;
      const path = job.ref.kind === "found" ? job.ref.path : "README.md";
      // Not at README.md: the trees say where it is (or that there is none). Gone since the listing: REST looks.
      if (!blob) return send(job, job.ref.kind === "found" ? "rest" : "readme-trees");
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
    if (answer.partial) pacer.timedOut(kind, batch.length, Date.now() - started);
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
