import { z } from "zod";
import { AuthTokenResponse, Me } from "../../shared/api";
import { SyncStatus } from "../../shared/events";
import {
  LibraryFacets,
  LibraryIndex,
  LookupResponse,
  RepositoryItem,
  RepositoryList,
  type RepositoryListQuery,
  type RepositoryPatch,
} from "../../shared/repositories";
import {
  ChatProviderTestResult,
  LanguageCost,
  Settings,
  type ChatProviderTestRequest,
  type ChatProviderUpdate,
} from "../../shared/settings";
import { SearchResponse, SimilarResponse } from "../../shared/search";
import { UnstarPreview, UnstarStarted, UnstarState, type UnstarSelection } from "../../shared/unstar";
import { TagList, TagOperation, TagProposalList, type TagOperationRequest } from "../../shared/tags";
import { Digest, WatchedReleases } from "../../shared/digest";
import { FeedCreated, FeedList } from "../../shared/feed";
import { GithubList, ListsResponse, type CreateListBody, type UpdateListBody } from "../../shared/lists";
import { MessageError } from "./message-error";
import type { Connection } from "./storage";

// The background's client of the Worker API (docs/architecture.md §3). Background only: pages and
// content scripts reach it through the message protocol.
//
// Why not Hono's typed client (hc<AppType>, which the Worker's tests use: worker/test/api-client.ts):
// typing it pulls the Worker's sources (workerd globals: D1Database, cloudflare:workers, …)
// into the extension's DOM program, which cannot compile them. Until AppType ships as a
// declaration file, the paths are written here once and every answer is validated
// with the shared zod contract — which hc does not do anyway.

/** An `{error:{code,message}}` body; codes are read leniently (a newer Worker may add some). */
const ErrorReply = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

type Auth = Pick<Connection, "workerUrl" | "sessionToken">;

export interface RequestOptions {
  method?: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  json?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  accept?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Test seam; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** Raw request: resolves with an ok Response, rejects with a MessageError carrying the Worker's code. */
export async function request(auth: Auth, path: string, options: RequestOptions = {}): Promise<Response> {
  const url = new URL(path, `${auth.workerUrl}/`);
  for (const [key, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined && value !== "") url.searchParams.set(key, String(value));
  }
  const headers: Record<string, string> = { ...options.headers, Accept: options.accept ?? "application/json" };
  if (auth.sessionToken) headers.Authorization = `Bearer ${auth.sessionToken}`;
  if (options.json !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: options.method ?? "GET",
      headers,
      body: options.json === undefined ? null : JSON.stringify(options.json),
      signal: options.signal ?? null,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new MessageError("worker_unreachable", `${auth.workerUrl} did not answer`);
  }
  if (response.ok) return response;
  const body = ErrorReply.safeParse(await response.json().catch(() => null));
  if (body.success) throw new MessageError(body.data.error.code, body.data.error.message);
  throw new MessageError(
    response.status === 404 ? "not_found" : "bad_response",
    `HTTP ${response.status} from ${url.pathname}`,
  );
}

async function parsed<T>(response: Promise<Response>, schema: z.ZodType<T>): Promise<T> {
  const res = await response;
  const result = schema.safeParse(await res.json().catch(() => undefined));
  if (!result.success)
    throw new MessageError("bad_response", `Unexpected answer from ${new URL(res.url || "http://x").pathname}`);
  return result.data;
}

const path = (fullName: string) => {
  const [owner = "", name = ""] = fullName.split("/");
  return `api/repositories/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
};

export interface SearchParams {
  q: string;
  language?: string | undefined;
  tag?: string | undefined;
  starred?: boolean | undefined;
  saved?: boolean | undefined;
  list?: string | undefined;
  unlisted?: boolean | undefined;
  limit?: number;
}

export const api = {
  health: (workerUrl: string, signal?: AbortSignal) =>
    parsed(
      request({ workerUrl, sessionToken: null }, "health", { signal }),
      z.object({ ok: z.literal(true), version: z.string() }),
    ),
  signIn: (workerUrl: string, githubToken: string) =>
    parsed(
      request({ workerUrl, sessionToken: null }, "api/auth/token", { method: "POST", json: { githubToken } }),
      AuthTokenResponse,
    ),
  signOut: (auth: Auth) => request(auth, "api/auth/session", { method: "DELETE" }),
  me: (auth: Auth) => parsed(request(auth, "api/me"), Me),
  deleteAccount: (auth: Auth) => request(auth, "api/me", { method: "DELETE" }),
  /** Starts or attaches; the answer is the run's SSE stream. */
  startSync: (auth: Auth, signal: AbortSignal) =>
    request(auth, "api/repositories/sync", { method: "POST", accept: "text/event-stream", signal }),
  /** Attaches to the current run's SSE stream (the latest event first). */
  syncEvents: (auth: Auth, signal: AbortSignal) =>
    request(auth, "api/sync/events", { accept: "text/event-stream", signal }),
  syncStatus: (auth: Auth) => parsed(request(auth, "api/sync/status"), SyncStatus),
  lookup: (auth: Auth, fullNames: string[]) =>
    parsed(request(auth, "api/repositories/lookup", { method: "POST", json: { fullNames } }), LookupResponse),
  list: (auth: Auth, query: RepositoryListQuery, signal?: AbortSignal) =>
    parsed(request(auth, "api/repositories", { query: query as RequestOptions["query"], signal }), RepositoryList),
  facets: (auth: Auth) => parsed(request(auth, "api/repositories/facets"), LibraryFacets),
  lists: (auth: Auth) => parsed(request(auth, "api/lists"), ListsResponse),
  /** GitHub Lists writes (docs/architecture.md §4, "Lists"): GitHub's refusals come back as codes. */
  createList: (auth: Auth, body: CreateListBody) =>
    parsed(request(auth, "api/lists", { method: "POST", json: body }), GithubList),
  updateList: (auth: Auth, id: string, patch: UpdateListBody) =>
    parsed(request(auth, `api/lists/${encodeURIComponent(id)}`, { method: "PATCH", json: patch }), GithubList),
  /** The whole library as a compact index (address-bar suggestions). */
  index: (auth: Auth) => parsed(request(auth, "api/repositories/index"), LibraryIndex),
  get: (auth: Auth, fullName: string) => parsed(request(auth, path(fullName)), RepositoryItem),
  patch: (auth: Auth, fullName: string, patch: RepositoryPatch) =>
    parsed(request(auth, path(fullName), { method: "PATCH", json: patch }), RepositoryItem),
  save: (auth: Auth, fullName: string) =>
    parsed(request(auth, "api/repositories/save", { method: "POST", json: { fullName } }), RepositoryItem),
  /** `PUT /api/settings` (docs/architecture.md §3). */
  putSettings: (auth: Auth, settings: Record<string, unknown>) =>
    request(auth, "api/settings", { method: "PUT", json: settings }),
  getSettings: (auth: Auth) => parsed(request(auth, "api/settings"), Settings),
  putChatProvider: (auth: Auth, chatProvider: ChatProviderUpdate | null) =>
    parsed(request(auth, "api/settings", { method: "PUT", json: { chatProvider } }), Settings),
  /** One small real call to the provider through the Worker (`POST /api/settings/test`). */
  testChatProvider: (auth: Auth, body: ChatProviderTestRequest) =>
    parsed(request(auth, "api/settings/test", { method: "POST", json: body }), ChatProviderTestResult),
  languageCost: (auth: Auth, language: "en" | "zh") =>
    parsed(request(auth, "api/settings/language-cost", { query: { language } }), LanguageCost),
  similar: (auth: Auth, fullName: string, limit: number) =>
    parsed(request(auth, `${path(fullName)}/similar`, { query: { limit } }), SimilarResponse),
  search: (auth: Auth, params: SearchParams, signal?: AbortSignal) =>
    parsed(request(auth, "api/search", { query: { ...params }, signal }), SearchResponse),
  digest: (auth: Auth, since: string, quietYears?: number) =>
    parsed(request(auth, "api/digest", { query: { since, quietYears } }), Digest),
  /** Unstar in bulk (docs/architecture.md §3 `/api/unstar`): may the token write, and the latest runs. */
  unstarState: (auth: Auth) => parsed(request(auth, "api/unstar"), UnstarState),
  unstarPreview: (auth: Auth, selection: UnstarSelection) =>
    parsed(request(auth, "api/unstar/preview", { method: "POST", json: { selection } }), UnstarPreview),
  startUnstar: (auth: Auth, selection: UnstarSelection) =>
    parsed(request(auth, "api/unstar", { method: "POST", json: { selection } }), UnstarStarted),
  /** `undo` re-stars what the run unstarred; `resume` continues a run that stopped. */
  unstarRunAction: (auth: Auth, runId: string, action: "undo" | "resume") =>
    parsed(
      request(auth, `api/unstar/${encodeURIComponent(runId)}/${action}`, { method: "POST", json: {} }),
      UnstarStarted,
    ),
  /** The tag vocabulary (docs/architecture.md §2, "Tags"). */
  tags: (auth: Auth) => parsed(request(auth, "api/tags"), TagList),
  tagProposals: (auth: Auth) => parsed(request(auth, "api/tags/proposals"), TagProposalList),
  dismissProposal: (auth: Auth, id: string) =>
    request(auth, `api/tags/proposals/${encodeURIComponent(id)}/dismiss`, { method: "POST" }),
  /** One operation; `idempotencyKey` makes a retried request apply once. */
  tagOperation: (auth: Auth, body: TagOperationRequest, idempotencyKey: string) =>
    parsed(
      request(auth, "api/tags/operations", {
        method: "POST",
        json: body,
        headers: { "Idempotency-Key": idempotencyKey },
      }),
      z.object({ operation: TagOperation }),
    ),
  undoTagOperation: (auth: Auth, id: number) =>
    parsed(request(auth, `api/tags/operations/${id}/undo`, { method: "POST" }), z.object({ operation: TagOperation })),
  /** New releases of the repositories the user watches (the notification after a sync). */
  watchedReleases: (auth: Auth, since: string) =>
    parsed(request(auth, "api/digest/releases", { query: { since } }), WatchedReleases),
  feeds: (auth: Auth) => parsed(request(auth, "api/feeds"), FeedList),
  createFeed: (auth: Auth, includePrivate: boolean) =>
    parsed(request(auth, "api/feeds", { method: "POST", json: { includePrivate } }), FeedCreated),
  revokeFeed: (auth: Auth, id: number) => request(auth, `api/feeds/${id}`, { method: "DELETE" }),
};
