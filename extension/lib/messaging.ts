import { browser } from "wxt/browser";
import { z } from "zod";
import { Me } from "../../shared/api";
import { Digest } from "../../shared/digest";
import { FeedCreated, FeedList } from "../../shared/feed";
import { CreateListBody, GithubList, ListsResponse, UpdateListBody } from "../../shared/lists";
import { LibraryFacets, LookupItem } from "../../shared/repositories";
import { SearchHit } from "../../shared/search";
import { UnstarPreview, UnstarSelection, UnstarStarted, UnstarState } from "../../shared/unstar";
import { TagList, TagOperation, TagOperationRequest, TagProposalList } from "../../shared/tags";
import {
  ChatProviderTestRequest,
  ChatProviderTestResult,
  ChatProviderUpdate,
  LanguageCost,
  Settings,
} from "../../shared/settings";
import { connectionSchema, preferencesSchema, syncStateSchema } from "./storage";

// The one message protocol between the extension's pages/content scripts and
// the background. Every message type is listed in `protocol` with a schema for
// its payload and one for its answer; the TypeScript types are derived from
// those schemas, and both ends validate what crosses (the background its
// input, the sender the answer). Only the background talks to the network, so
// anything that needs the Worker goes through here.

export const statusSchema = z.object({
  /** True once a session with the Worker exists. */
  connected: z.boolean(),
  /** GitHub login of the connected user (untrusted text: render as text). */
  login: z.string().nullable(),
  workerUrl: z.string(),
  language: preferencesSchema.shape.language,
  autoSync: z.boolean(),
});
export type Status = z.infer<typeof statusSchema>;

/** `POST /api/repositories/sync` with `Accept: application/json` answers this (docs/architecture.md §3). */
export const syncStartedSchema = z.object({
  runId: z.string(),
  /** True when a run was already going and we joined it. */
  attached: z.boolean(),
});
export type SyncStarted = z.infer<typeof syncStartedSchema>;

const noData = z.undefined();
const fullName = z.string().min(3).max(200);

/**
 * What a new-tab card shows: a search hit, or a library item (the recently starred, for an empty
 * query), which has no score, rankings or snippet.
 */
export const cardSchema = SearchHit.partial({ score: true, matchedBy: true, snippet: true });
export type Card = z.infer<typeof cardSchema>;

export const searchRequestSchema = z.object({
  q: z.string().max(200),
  language: z.string().max(100).optional(),
  tag: z.string().max(100).optional(),
  /** "starred" | "saved" | undefined (both). */
  kind: z.enum(["starred", "saved"]).optional(),
  /** In this GitHub List (name). */
  list: z.string().max(100).optional(),
  /** "1": in none of the user's GitHub Lists. */
  unlisted: z.enum(["1"]).optional(),
  /** Which page asks: a newer search from the same page cancels its older one, never another page's. */
  page: z.string().max(64).optional(),
});
export type SearchRequest = z.infer<typeof searchRequestSchema>;

/** How many cards one new-tab search answers (the best matches, or the newest of the library). */
export const SEARCH_PAGE = 30;

export const searchAnswerSchema = z.object({
  /** The Worker's search mode, or "library" for an empty query (the library, newest first). */
  mode: z.string(),
  items: z.array(cardSchema),
  /** Nearest by meaning but below the relevance floor: shown apart, never as matches (docs/architecture.md §7). */
  related: z.array(cardSchema),
  /** Words of the query none of the stars has, and the corrections searched instead (worker/search/spelling.ts). */
  spelling: z.array(z.object({ word: z.string(), instead: z.array(z.string()) })).default([]),
});
export type SearchAnswer = z.infer<typeof searchAnswerSchema>;

/** One entry of "similar in your stars" on github.com: what its one line shows, nothing more. */
export const similarItemSchema = z.object({
  fullName: z.string(),
  /** The user's description, else the AI summary, else GitHub's description (untrusted text). */
  summary: z.string().nullable(),
  language: z.string().nullable(),
  stargazersCount: z.number().int(),
});
export type SimilarItem = z.infer<typeof similarItemSchema>;

export const protocol = {
  /** What a page needs to draw itself: the stored connection, without the secret. */
  getStatus: { data: noData, response: statusSchema },
  /** Exchanges a GitHub token for a session; the GitHub token is not kept. */
  signIn: {
    data: z.object({ workerUrl: connectionSchema.shape.workerUrl, githubToken: z.string().min(1).max(512) }),
    response: statusSchema,
  },
  signOut: { data: noData, response: statusSchema },
  /** `DELETE /api/me`: the account and all its data; then signed out. */
  deleteAccount: { data: noData, response: statusSchema },
  /** Can this URL's Worker be reached? */
  checkWorker: {
    data: z.object({ workerUrl: connectionSchema.shape.workerUrl }),
    response: z.object({ version: z.string() }),
  },
  setPreferences: {
    data: preferencesSchema.partial(),
    response: z.object({ preferences: preferencesSchema }),
  },
  /** Start (or attach to) a sync run on the Worker; the background follows it. */
  startSync: { data: noData, response: syncStateSchema },
  /** The sync as the background knows it now. */
  getSyncState: { data: noData, response: syncStateSchema },
  /** Badge data for names on a github.com page (cached, batched ≤ 100 a request). */
  lookup: {
    data: z.object({ fullNames: z.array(fullName).max(500) }),
    response: z.object({ items: z.record(z.string(), LookupItem) }),
  },
  /** Adds a repository without starring it. */
  saveRepository: { data: z.object({ fullName }), response: LookupItem },
  /** The user's own fields; saves the repository first when it is not in the library yet. */
  updateRepository: {
    data: z.object({
      fullName,
      customTags: z.array(z.string().max(50)).max(30).optional(),
      notes: z.string().max(20_000).nullable().optional(),
    }),
    response: LookupItem,
  },
  /** `GET /api/repositories/:owner/:name/similar`: the library's repositories nearest to one of them. */
  similar: {
    data: z.object({ fullName, limit: z.number().int().min(1).max(10) }),
    response: z.object({ mode: z.string(), items: z.array(similarItemSchema) }),
  },
  /** New-tab search: `/api/search` for words, the library newest first without. */
  search: { data: searchRequestSchema, response: searchAnswerSchema },
  /** `GET /api/digest`: what changed in the stars since `since` (the new tab's panel, the popup's count). */
  digest: {
    data: z.object({ since: z.iso.datetime({ offset: true }), quietYears: z.number().min(0.25).max(50).optional() }),
    response: Digest,
  },
  /** Unstar in bulk: whether the token may star and unstar, and the latest runs (`GET /api/unstar`). */
  unstarState: { data: noData, response: UnstarState },
  /** What unstarring a selection would do; GitHub is asked nothing. */
  unstarPreview: { data: z.object({ selection: UnstarSelection }), response: UnstarPreview },
  /** Starts an unstar run (after the page's confirmation); the background follows its progress like a sync's. */
  startUnstar: { data: z.object({ selection: UnstarSelection }), response: UnstarStarted },
  /** Undoes a run (stars again what it unstarred) or resumes one that stopped; followed like a sync. */
  unstarRunAction: {
    data: z.object({ runId: z.string().max(64), action: z.enum(["undo", "resume"]) }),
    response: UnstarStarted,
  },
  /** The tag vocabulary: every tag with its count and source, the hidden AI tags (`GET /api/tags`). */
  tags: { data: noData, response: TagList },
  /** The gardener's proposals (`GET /api/tags/proposals`); none applies itself. */
  tagProposals: { data: noData, response: TagProposalList },
  dismissProposal: { data: z.object({ id: z.string().max(100) }), response: z.object({ dismissed: z.literal(true) }) },
  /** A tag operation, applied once per `idempotencyKey`; the badges' cache is dropped after it. */
  tagOperation: {
    data: z.object({ request: TagOperationRequest, idempotencyKey: z.string().min(1).max(200) }),
    response: TagOperation,
  },
  undoTagOperation: { data: z.object({ id: z.number().int().positive() }), response: TagOperation },
  /** Marks a repository's releases watched or not (`PATCH /api/repositories/:owner/:name`, `watchReleases`). */
  setWatch: {
    data: z.object({ fullName, watch: z.boolean() }),
    response: z.object({ watchReleases: z.boolean() }),
  },
  /** The account's Atom feeds of the digest (`GET /api/feeds`): never their URLs. */
  feeds: { data: noData, response: FeedList },
  /** A new feed; its URL is in this answer only (`POST /api/feeds`). */
  createFeed: { data: z.object({ includePrivate: z.boolean() }), response: FeedCreated },
  /** Revokes a feed: its URL stops working at once (`DELETE /api/feeds/:id`). */
  // An answer with a value: Chrome drops `value: undefined` from a reply, which would then look malformed.
  revokeFeed: { data: z.object({ id: z.number().int().positive() }), response: z.object({ revoked: z.literal(true) }) },
  /** The languages and tags the new tab's filters offer, counted over the whole library. */
  facets: { data: noData, response: LibraryFacets },
  /** `GET /api/lists`: the user's GitHub Lists as the last sync read them, and whether Starwise may write them. */
  lists: { data: noData, response: ListsResponse },
  /** `POST /api/lists`: a GitHub List made from one of the user's tags, its repositories added, linked to the tag. */
  createList: { data: CreateListBody, response: GithubList },
  /** `PATCH /api/lists/:id`: link a List to a tag, or unlink it (`linkedTag: null`); rename or describe it. */
  updateList: { data: z.object({ id: z.string().max(100), patch: UpdateListBody }), response: GithubList },
  /** Whether GitHub still accepts the account's token (`GET /api/me`): the options offer to re-authorise. */
  getAccount: { data: noData, response: z.object({ tokenStatus: Me.shape.user.shape.tokenStatus }) },
  /** The account's settings on the Worker (`GET /api/settings`): language, auto-sync, chat provider. */
  getSettings: { data: noData, response: Settings },
  /** Stores the chat provider (`null`: back to the deployment's default). */
  saveChatProvider: { data: z.object({ chatProvider: ChatProviderUpdate.nullable() }), response: Settings },
  /** One small real call to a provider through the Worker; nothing is saved. */
  testChatProvider: { data: ChatProviderTestRequest, response: ChatProviderTestResult },
  /** What switching the summaries' language costs the next sync. */
  languageCost: { data: z.object({ language: z.enum(["en", "zh"]) }), response: LanguageCost },
  /**
   * The sites the person allowed (granted optional host permissions), after the background made the
   * content script's registration match them: asked by the options after a grant or a revoke.
   */
  siteAccess: { data: noData, response: z.object({ sites: z.array(z.string()) }) },
  /** A language's strings, for content scripts (they cannot read the extension's files). */
  getCatalog: { data: z.object({ language: z.enum(["en", "zh"]) }), response: z.record(z.string(), z.string()) },
} satisfies Record<string, { data: z.ZodType; response: z.ZodType }>;

type Protocol = typeof protocol;
export type MessageType = keyof Protocol;
export type MessageData<K extends MessageType> = z.output<Protocol[K]["data"]>;
export type MessageResponse<K extends MessageType> = z.output<Protocol[K]["response"]>;

/** A handler for every message type; the compiler points out a missing one. */
export type MessageHandlers = {
  [K in MessageType]: (data: MessageData<K>) => Promise<MessageResponse<K>>;
};

export { MessageError, type MessageErrorCode } from "./message-error";
import { MessageError } from "./message-error";

const envelopeSchema = z.object({
  type: z.enum(Object.keys(protocol) as [MessageType, ...MessageType[]]),
  // Optional: structured cloning/JSON drops `data: undefined`, so a message
  // without payload arrives without the key (Chrome), or with it (fakeBrowser).
  data: z.unknown().optional(),
});

const replySchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error: z.object({ code: z.string(), message: z.string() }),
  }),
]);
type Reply = z.infer<typeof replySchema>;

type DataArgs<K extends MessageType> = MessageData<K> extends undefined ? [] : [data: MessageData<K>];

/**
 * Sends a message to the background and resolves with its validated answer.
 * Rejects with a `MessageError` carrying the background's error code.
 */
export async function sendMessage<K extends MessageType>(type: K, ...[data]: DataArgs<K>): Promise<MessageResponse<K>> {
  const raw: unknown = await browser.runtime.sendMessage({ type, data });
  const reply = replySchema.safeParse(raw);
  if (!reply.success) {
    throw new MessageError("bad_message", `Malformed answer to "${type}" from the background`);
  }
  if (!reply.data.ok) throw new MessageError(reply.data.error.code, reply.data.error.message);
  const value = protocol[type].response.safeParse(reply.data.value);
  if (!value.success) {
    throw new MessageError("bad_message", `Answer to "${type}" does not match the protocol`);
  }
  return value.data as MessageResponse<K>;
}

async function dispatch(handlers: MessageHandlers, message: unknown): Promise<Reply> {
  const envelope = envelopeSchema.safeParse(message);
  if (!envelope.success) {
    return { ok: false, error: { code: "bad_message", message: "Unknown or malformed message" } };
  }
  const { type } = envelope.data;
  const data = protocol[type].data.safeParse(envelope.data.data);
  if (!data.success) {
    return { ok: false, error: { code: "bad_message", message: `Malformed payload for "${type}"` } };
  }
  try {
    // `type` is a union here; TypeScript cannot correlate it with the handler
    // and the payload it just validated for that same type.
    const handler = handlers[type] as (data: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(data.data) };
  } catch (error) {
    if (error instanceof MessageError) {
      return { ok: false, error: { code: error.code, message: error.message } };
    }
    console.error(`starwise: handler for "${type}" failed`, error);
    return {
      ok: false,
      error: { code: "internal", message: error instanceof Error ? error.message : String(error) },
    };
  }
}

/**
 * Answers protocol messages with `handlers` (background only). Returns a
 * function that removes the listener.
 */
export function handleMessages(handlers: MessageHandlers): () => void {
  // `sendResponse` + `return true` rather than returning a Promise: it is the
  // form every browser we target (Chrome MV3, Firefox) and fakeBrowser honour.
  const listener = (message: unknown, _sender: unknown, sendResponse: (reply: Reply) => void) => {
    void dispatch(handlers, message).then(sendResponse);
    return true as const;
  };
  browser.runtime.onMessage.addListener(listener);
  return () => browser.runtime.onMessage.removeListener(listener);
}
