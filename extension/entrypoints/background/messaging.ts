import { browser } from "wxt/browser";
import type { LookupItem, RepositoryItem } from "../../../shared/repositories";
import { api } from "@/lib/api";
import { fetchCatalog } from "@/lib/i18n";
import {
  handleMessages,
  MessageError,
  SEARCH_PAGE,
  type Card,
  type SearchAnswer,
  type SearchRequest,
  type Status,
} from "@/lib/messaging";
import {
  connectionItem,
  isConnected,
  preferencesItem,
  readConnection,
  readPreferences,
  type Connection,
} from "@/lib/storage";
import { createLibraryIndex, type LibraryIndexApi } from "./library-index";
import { createLookupCache, type LookupCacheApi } from "./lookup-cache";
import { createReleaseNotifier } from "./release-notice";
import { syncSiteScripts } from "./site-access";
import { createSyncFollower, type SyncFollower } from "./sync";

// The background's answers to the message protocol: the only place that talks to the
// Worker. A signed-out extension makes no request at all: every handler that needs
// the Worker checks the session first.

export interface Background {
  sync: SyncFollower;
  lookups: LookupCacheApi;
  /** The library's compact index for the address bar. */
  index: LibraryIndexApi;
}

async function status(): Promise<Status> {
  const [connection, preferences] = await Promise.all([readConnection(), readPreferences()]);
  // The session token stays in the background: no page needs it.
  return {
    connected: isConnected(connection),
    login: connection.login,
    workerUrl: connection.workerUrl,
    language: preferences.language,
    autoSync: preferences.autoSync,
  };
}

async function session(): Promise<Connection> {
  const connection = await readConnection();
  if (!isConnected(connection)) throw new MessageError("not_connected", "Sign in first.");
  return connection;
}

/** A request the Worker refused because the session is gone: sign out here too. */
async function guard<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof MessageError && error.code === "unauthorized") {
      const connection = await readConnection();
      await connectionItem.setValue({ ...connection, sessionToken: null });
    }
    throw error;
  }
}

const toLookupItem = (item: RepositoryItem): LookupItem => ({
  fullName: item.fullName,
  starred: item.isStarred,
  saved: item.isSaved,
  starredAt: item.starredAt,
  aiSummary: item.aiSummary,
  aiTags: item.aiTags,
  aiPlatforms: item.aiPlatforms,
  openrank: item.openrank,
  customTags: item.customTags,
  customCategory: item.customCategory,
  customDescription: item.customDescription,
  notes: item.notes,
  health: {
    archived: item.health.archived,
    latestRelease: item.health.latestRelease
      ? { tag: item.health.latestRelease.tag, publishedAt: item.health.latestRelease.publishedAt }
      : null,
  },
});

/** The search each page has on its way (`page` of the request), so a newer one can cancel it. */
const searching = new Map<string, AbortController>();

/** New-tab search: `/api/search` for words; without, the library itself, newest first. */
async function searchLibrary(
  connection: Connection,
  { q, language, tag, kind, list: inList, unlisted }: Omit<SearchRequest, "page">,
  signal: AbortSignal,
): Promise<SearchAnswer> {
  const filters = { ...(language ? { language } : {}), ...(tag ? { tag } : {}), ...(inList ? { list: inList } : {}) };
  if (q.trim()) {
    const kindFilter = kind === "starred" ? { starred: true } : kind === "saved" ? { saved: true } : {};
    const listFilter = unlisted ? { unlisted: true } : {};
    return guard(api.search(connection, { q, limit: SEARCH_PAGE, ...filters, ...kindFilter, ...listFilter }, signal));
  }
  const kindFilter =
    kind === "starred" ? { starred: "true" as const } : kind === "saved" ? { saved: "true" as const } : {};
  const list = await guard(
    api.list(
      connection,
      {
        ...filters,
        ...kindFilter,
        ...(unlisted ? { unlisted: "true" as const } : {}),
        sort: "starred_at",
        limit: SEARCH_PAGE,
      },
      signal,
    ),
  );
  const items: Card[] = list.items;
  return { mode: "library", items, related: [], spelling: [] };
}

/** Registers the background's answers; returns the pieces (for the other setUp*s and tests) and a stop function. */
export function setUpMessaging(options: { retryBaseMs?: number } = {}): (() => void) & Background {
  const lookups = createLookupCache({
    fetchBatch: async (fullNames) => (await guard(api.lookup(await session(), fullNames))).items,
  });
  const index = createLibraryIndex({
    fetchIndex: async () => guard(api.index(await session())),
    login: async () => {
      const connection = await readConnection();
      return isConnected(connection) ? connection.login : null;
    },
  });
  const releases = createReleaseNotifier({
    watchedReleases: async (since) => guard(api.watchedReleases(await session(), since)),
  });
  const sync = createSyncFollower({
    onDone: async (runId) => {
      await lookups.invalidate();
      // At most one notification for this run, of the watched repositories' new releases (opt-in).
      void releases.afterSync(runId);
      // The new index replaces the old one when it lands; until then the old one answers.
      void index.refresh().catch((error: unknown) => console.warn("starwise: library index after the sync", error));
    },
    retryBaseMs: options.retryBaseMs,
  });

  const tagsChanged = async () => {
    await lookups.invalidate();
    void index.refresh().catch((error: unknown) => console.warn("starwise: library index after a tag change", error));
  };

  const signedOut = async (connection: Connection) => {
    await connectionItem.setValue({ workerUrl: connection.workerUrl, sessionToken: null, login: null });
    await sync.reset();
    await lookups.invalidate();
    await index.clear();
    return status();
  };

  const stop = handleMessages({
    getStatus: status,

    async signIn({ workerUrl, githubToken }) {
      const url = workerUrl.replace(/\/+$/, "");
      const answer = await api.signIn(url, githubToken.trim());
      // Only the session is kept; the GitHub token now lives (encrypted) on the Worker alone.
      await connectionItem.setValue({ workerUrl: url, sessionToken: answer.sessionToken, login: answer.user.login });
      await lookups.invalidate();
      await index.clear();
      await sync.reset();
      try {
        const me = await api.me({ workerUrl: url, sessionToken: answer.sessionToken });
        const preferences = await readPreferences();
        await preferencesItem.setValue({ ...preferences, autoSync: me.user.autoSync });
      } catch (error) {
        console.warn("starwise: /api/me after sign-in failed", error);
      }
      void sync.resume();
      return status();
    },

    async signOut() {
      const connection = await readConnection();
      if (isConnected(connection)) {
        await api
          .signOut(connection)
          .catch((error: unknown) => console.warn("starwise: the Worker did not confirm the sign-out", error));
      }
      return signedOut(connection);
    },

    async deleteAccount() {
      const connection = await session();
      await guard(api.deleteAccount(connection));
      return signedOut(connection);
    },

    async checkWorker({ workerUrl }) {
      const health = await api.health(workerUrl.replace(/\/+$/, ""), AbortSignal.timeout(5000));
      return { version: health.version };
    },

    async setPreferences(patch) {
      const preferences = { ...(await readPreferences()), ...patch };
      await preferencesItem.setValue(preferences);
      const connection = await readConnection();
      if (isConnected(connection) && (patch.autoSync !== undefined || patch.language !== undefined)) {
        const body: Record<string, unknown> = {};
        if (patch.autoSync !== undefined) body.autoSync = patch.autoSync;
        if (patch.language !== undefined && patch.language !== "auto") body.language = patch.language;
        await guard(api.putSettings(connection, body));
      }
      return { preferences };
    },

    startSync: () => guard(sync.start()),
    async getSyncState() {
      return sync.state();
    },

    async lookup({ fullNames }) {
      // Signed out: answer from nothing, ask nobody.
      if (!isConnected(await readConnection())) return { items: {} };
      return { items: await lookups.get(fullNames) };
    },

    async saveRepository({ fullName }) {
      const item = toLookupItem(await guard(api.save(await session(), fullName)));
      await lookups.put(item);
      await index.put(item);
      return item;
    },

    async updateRepository({ fullName, customTags, notes }) {
      const connection = await session();
      const patch = { ...(customTags !== undefined ? { customTags } : {}), ...(notes !== undefined ? { notes } : {}) };
      let updated: RepositoryItem;
      try {
        updated = await guard(api.patch(connection, fullName, patch));
      } catch (error) {
        // Just starred on github.com: the next sync links the star; save it now so the note has a row.
        if (!(error instanceof MessageError && error.code === "not_found")) throw error;
        await guard(api.save(connection, fullName));
        updated = await guard(api.patch(connection, fullName, patch));
      }
      const item = toLookupItem(updated);
      await lookups.put(item);
      await index.put(item);
      return item;
    },

    async similar({ fullName, limit }) {
      const answer = await guard(api.similar(await session(), fullName, limit));
      return {
        mode: answer.mode,
        items: answer.items.map((item) => ({
          fullName: item.fullName,
          summary: item.customDescription ?? item.aiSummary ?? item.description,
          language: item.language,
          stargazersCount: item.stargazersCount,
        })),
      };
    },

    facets: async () => guard(api.facets(await session())),
    lists: async () => guard(api.lists(await session())),
    createList: async (body) => guard(api.createList(await session(), body)),
    updateList: async ({ id, patch }) => guard(api.updateList(await session(), id, patch)),

    digest: async ({ since, quietYears }) => guard(api.digest(await session(), since, quietYears)),
    setWatch: async ({ fullName, watch }) => {
      const item = await guard(api.patch(await session(), fullName, { watchReleases: watch }));
      return { watchReleases: item.watchReleases };
    },
    feeds: async () => guard(api.feeds(await session())),
    createFeed: async ({ includePrivate }) => guard(api.createFeed(await session(), includePrivate)),
    revokeFeed: async ({ id }) => {
      await guard(api.revokeFeed(await session(), id));
      return { revoked: true as const };
    },

    unstarState: async () => guard(api.unstarState(await session())),
    unstarPreview: async ({ selection }) => guard(api.unstarPreview(await session(), selection)),
    // A run publishes on the sync's stream: the follower mirrors its progress into `local:syncState` (the popup).
    async startUnstar({ selection }) {
      const started = await guard(api.startUnstar(await session(), selection));
      await sync.resume();
      return started;
    },
    async unstarRunAction({ runId, action }) {
      const started = await guard(api.unstarRunAction(await session(), runId, action));
      await sync.resume();
      return started;
    },
    tags: async () => guard(api.tags(await session())),
    tagProposals: async () => guard(api.tagProposals(await session())),
    async dismissProposal({ id }) {
      await guard(api.dismissProposal(await session(), id));
      return { dismissed: true as const };
    },
    // A tag operation changes what every badge and suggestion shows: the cached lookups and the
    // address bar's index are asked again (the old index answers until the new one lands).
    async tagOperation({ request, idempotencyKey }) {
      const { operation } = await guard(api.tagOperation(await session(), request, idempotencyKey));
      await tagsChanged();
      return operation;
    },
    async undoTagOperation({ id }) {
      const { operation } = await guard(api.undoTagOperation(await session(), id));
      await tagsChanged();
      return operation;
    },

    async search({ page = "", ...request }) {
      // A newer query cancels the one from the same page still on its way (the page drops its
      // answer anyway); before any await, so two of them cannot swap places.
      searching.get(page)?.abort();
      const controller = new AbortController();
      searching.set(page, controller);
      try {
        return await searchLibrary(await session(), request, controller.signal);
      } catch (error) {
        if (controller.signal.aborted) throw new MessageError("aborted", "A newer search replaced this one.");
        throw error;
      } finally {
        if (searching.get(page) === controller) searching.delete(page);
      }
    },

    async getAccount() {
      const me = await guard(api.me(await session()));
      return { tokenStatus: me.user.tokenStatus };
    },

    async getSettings() {
      return guard(api.getSettings(await session()));
    },

    async saveChatProvider({ chatProvider }) {
      return guard(api.putChatProvider(await session(), chatProvider));
    },

    async testChatProvider(body) {
      return guard(api.testChatProvider(await session(), body));
    },

    async languageCost({ language }) {
      return guard(api.languageCost(await session(), language));
    },

    async siteAccess() {
      return { sites: await syncSiteScripts() };
    },

    async getCatalog({ language }) {
      return fetchCatalog(language);
    },
  });

  return Object.assign(stop, { sync, lookups, index });
}

/** Opens the options page (from the popup or a badge's "sign in" action). */
export function openOptions(): Promise<void> {
  return browser.runtime.openOptionsPage();
}
