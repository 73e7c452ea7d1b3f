import { storage } from "wxt/utils/storage";
import { z } from "zod";
import { DoneData, LibraryReadiness, ProgressData } from "../../shared/events";
import { LookupItem, type LibraryIndexItem } from "../../shared/repositories";

// Every storage key of the extension is declared here, once, with its type,
// fallback and version. Nothing else calls `storage.defineItem` or touches
// `browser.storage` directly. Storage is a boundary (an older build, a devtools
// edit or another version may have written anything): reads go through `read()`,
// which validates and falls back.

async function read<T>(item: { getValue(): Promise<T>; fallback: T }, schema: z.ZodType<T>, key: string): Promise<T> {
  const raw = await item.getValue();
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  console.warn(`starwise: ignoring malformed ${key}`, parsed.error.issues);
  return item.fallback;
}

// --- local:connection ------------------------------------------------------------------

/** Where the Worker lives and who we are signed in as there. */
export const connectionSchema = z.object({
  /** Base URL of the Starwise Worker, without a trailing slash. */
  workerUrl: z.url({ protocol: /^https?$/ }),
  /** Bearer session from `POST /api/auth/token`; null until connected. The GitHub token is never stored. */
  sessionToken: z.string().min(1).nullable(),
  /** GitHub login of the connected user; null until connected. */
  login: z.string().min(1).nullable(),
});
export type Connection = z.infer<typeof connectionSchema>;

/** `wrangler dev` listens here by default. */
export const DEFAULT_WORKER_URL = "http://127.0.0.1:8787";

export const connectionItem = storage.defineItem<Connection>("local:connection", {
  fallback: { workerUrl: DEFAULT_WORKER_URL, sessionToken: null, login: null },
  version: 1,
});

export function readConnection(): Promise<Connection> {
  return read(connectionItem, connectionSchema, "local:connection");
}

export function isConnected(connection: Connection): boolean {
  return connection.sessionToken !== null;
}

// --- local:preferences -----------------------------------------------------------------

export const preferencesSchema = z.object({
  /** "auto" follows the browser's language. */
  language: z.enum(["auto", "en", "zh"]),
  /** The Worker's hourly sync for this account (mirrored from `/api/me` when signed in). */
  autoSync: z.boolean(),
});
export type Preferences = z.infer<typeof preferencesSchema>;

export const preferencesItem = storage.defineItem<Preferences>("local:preferences", {
  fallback: { language: "auto", autoSync: true },
  version: 1,
});

export function readPreferences(): Promise<Preferences> {
  return read(preferencesItem, preferencesSchema, "local:preferences");
}

// --- local:syncState -------------------------------------------------------------------

export const lastResultSchema = z.union([
  DoneData.extend({ ok: z.literal(true), finishedAt: z.number() }),
  // Not ErrorData: a run can also end in a client-side code (worker_unreachable, …).
  z.object({ ok: z.literal(false), code: z.string(), message: z.string(), finishedAt: z.number() }),
]);
export type LastResult = z.infer<typeof lastResultSchema>;

/** The sync as the background last saw it: what the popup draws at once when it opens. */
export const syncStateSchema = z.object({
  running: z.boolean(),
  runId: z.string().nullable(),
  /** The latest progress event of the running sync. */
  progress: ProgressData.nullable(),
  lastResult: lastResultSchema.nullable(),
  lastSyncedAt: z.string().nullable(),
  nextSyncAt: z.string().nullable(),
  /** The running sync's percentage over all its phases, never lower than before (lib/progress.ts, `nextOverall`). */
  overall: z.number().min(0).max(100).optional(),
  /** What of the library was ready when the Worker was last asked (absent in a state stored before it was kept). */
  library: LibraryReadiness.nullable().optional(),
});
export type SyncState = z.infer<typeof syncStateSchema>;

export const IDLE_SYNC_STATE: SyncState = {
  running: false,
  runId: null,
  progress: null,
  lastResult: null,
  lastSyncedAt: null,
  nextSyncAt: null,
};

export const syncStateItem = storage.defineItem<SyncState>("local:syncState", {
  fallback: IDLE_SYNC_STATE,
  version: 1,
});

export function readSyncState(): Promise<SyncState> {
  return read(syncStateItem, syncStateSchema, "local:syncState");
}

// --- local:lookupCache -----------------------------------------------------------------

/** One looked-up name: its badge data, or null when it is not in the library. */
export const lookupEntrySchema = z.object({ item: LookupItem.nullable(), fetchedAt: z.number() });
export type LookupEntry = z.infer<typeof lookupEntrySchema>;
/** Keyed by the lower-cased full name (GitHub names are case-insensitive). */
export const lookupCacheSchema = z.record(z.string(), lookupEntrySchema);
export type LookupCache = z.infer<typeof lookupCacheSchema>;

/** Persisted so a woken service worker still answers badges from memory-speed cache. */
export const lookupCacheItem = storage.defineItem<LookupCache>("local:lookupCache", {
  fallback: {},
  version: 1,
});

export function readLookupCache(): Promise<LookupCache> {
  return read(lookupCacheItem, lookupCacheSchema, "local:lookupCache");
}

// --- local:libraryIndex ----------------------------------------------------------------

/**
 * The library's compact index (`GET /api/repositories/index`) as the address bar matches it, with whose
 * it is. Its items are kept as one JSON string: 30,000 stars read back from storage as a string and
 * parsed take a fraction of the time of 30,000 objects cloned and checked by zod (the first keystroke
 * of a woken service worker waits for it); `parseIndexItems` checks each item by hand.
 */
export const libraryIndexSchema = z
  .object({
    /** The GitHub login it belongs to: another account's index is never shown. */
    login: z.string(),
    fetchedAt: z.number(),
    /** JSON of `LibraryIndexItem[]`. */
    items: z.string(),
  })
  .nullable();
export type StoredLibraryIndex = z.infer<typeof libraryIndexSchema>;

/**
 * Persisted so a woken service worker suggests without a network round trip. 30,000 stars are ~6 MB
 * here: beyond the 10 MB `storage.local` quota of Chrome with the lookup cache beside it, hence the
 * manifest's `unlimitedStorage`.
 */
export const libraryIndexItem = storage.defineItem<StoredLibraryIndex>("local:libraryIndex", {
  fallback: null,
  version: 1,
});

export function readLibraryIndex(): Promise<StoredLibraryIndex> {
  return read(libraryIndexItem, libraryIndexSchema, "local:libraryIndex");
}

const isString = (value: unknown): value is string => typeof value === "string";

/** The stored index's items, each checked as `LibraryIndexItem` by hand; null when any is malformed. */
export function parseIndexItems(json: string): LibraryIndexItem[] | null {
  let items: unknown;
  try {
    items = JSON.parse(json);
  } catch {
    return null;
  }
  if (!Array.isArray(items)) return null;
  for (const item of items as Array<Record<string, unknown> | null>) {
    if (
      typeof item !== "object" ||
      item === null ||
      !isString(item.fullName) ||
      !(item.summary === null || isString(item.summary)) ||
      !Array.isArray(item.tags) ||
      !item.tags.every(isString) ||
      typeof item.starred !== "boolean"
    )
      return null;
  }
  return items as LibraryIndexItem[];
}

// --- local:digestVisit -----------------------------------------------------------------

/**
 * The new tab's visits, for "what changed since your last visit" (its panel, the popup's count). A visit begins
 * at a new tab opened more than DIGEST_VISIT_GAP_MS after the last one: new tabs opened one after another are one
 * visit, and all of them show what changed since the visit before (`previous`; null on the first).
 */
export const digestVisitSchema = z.object({ previous: z.number().nullable(), current: z.number().nullable() });
export type DigestVisit = z.infer<typeof digestVisitSchema>;

export const DIGEST_VISIT_GAP_MS = 30 * 60_000;

export const digestVisitItem = storage.defineItem<DigestVisit>("local:digestVisit", {
  fallback: { previous: null, current: null },
  version: 1,
});

export function readDigestVisit(): Promise<DigestVisit> {
  return read(digestVisitItem, digestVisitSchema, "local:digestVisit");
}

/** A new tab opened at `now`: a new visit after a gap, else the same one. Returns the visit as it now is. */
export async function recordDigestVisit(now: number): Promise<DigestVisit> {
  const visit = await readDigestVisit();
  if (visit.current !== null && now - visit.current < DIGEST_VISIT_GAP_MS) return visit;
  const next = { previous: visit.current, current: now };
  await digestVisitItem.setValue(next);
  return next;
}

// --- local:digestPanel -----------------------------------------------------------------

/** The new tab's "What changed" panel: open or folded, and since when (the last visit, a week, a month). */
export const digestPanelSchema = z.object({ open: z.boolean(), range: z.enum(["visit", "week", "month"]) });
export type DigestPanel = z.infer<typeof digestPanelSchema>;

export const digestPanelItem = storage.defineItem<DigestPanel>("local:digestPanel", {
  fallback: { open: true, range: "visit" },
  version: 1,
});

export function readDigestPanel(): Promise<DigestPanel> {
  return read(digestPanelItem, digestPanelSchema, "local:digestPanel");
}

// --- local:releaseNotice ---------------------------------------------------------------

/**
 * The notification of watched releases after a sync (background/release-notice.ts): which run last had its one
 * chance to notify (`runId`: a `done` seen twice, on a re-attached stream, notifies once), which releases were
 * already told (`fullName@tag`, those of the window the Worker last answered), and since when notifications are
 * on (`enabledAt`: releases published before are never news).
 */
export const releaseNoticeSchema = z.object({
  runId: z.string().nullable(),
  told: z.array(z.string()).max(500),
  enabledAt: z.number().nullable(),
  /** Why the last notification could not be shown (the options say it); null when it was, or none was due. */
  failure: z.string().nullable().default(null),
});
export type ReleaseNoticeState = z.infer<typeof releaseNoticeSchema>;

export const releaseNoticeItem = storage.defineItem<ReleaseNoticeState>("local:releaseNotice", {
  fallback: { runId: null, told: [], enabledAt: null, failure: null },
  version: 1,
});

export function readReleaseNotice(): Promise<ReleaseNoticeState> {
  return read(releaseNoticeItem, releaseNoticeSchema, "local:releaseNotice");
}
