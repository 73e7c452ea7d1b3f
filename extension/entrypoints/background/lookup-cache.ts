import { LOOKUP_MAX, type LookupItem } from "../../../shared/repositories";
import { lookupCacheItem, readLookupCache, type LookupCache } from "@/lib/storage";

// Badge data for github.com pages. Pages ask for many names at once; the cache answers
// what it knows, asks the Worker for the rest in batches of ≤ 100 (one request for a
// typical list page), remembers "not in the library" too, and forgets everything
// after a sync (the library changed) or a sign-out.

export const LOOKUP_TTL_MS = 15 * 60_000;

export interface LookupCacheDeps {
  /** `POST /api/repositories/lookup` for ≤ 100 names: found items keyed as sent. */
  fetchBatch(fullNames: string[]): Promise<Record<string, LookupItem>>;
  now?: () => number;
  ttlMs?: number;
}

const keyOf = (fullName: string) => fullName.toLowerCase();

export function createLookupCache(deps: LookupCacheDeps) {
  const now = deps.now ?? Date.now;
  const ttl = deps.ttlMs ?? LOOKUP_TTL_MS;
  let entries: LookupCache | null = null;
  let loading: Promise<LookupCache> | null = null;
  /** Names being fetched now → the request that will answer them. */
  const inFlight = new Map<string, Promise<void>>();
  let generation = 0;
  let persistTimer: ReturnType<typeof setTimeout> | null = null;

  const load = async () => {
    if (entries) return entries;
    loading ??= readLookupCache().then((stored) => (entries ??= stored));
    return loading;
  };
  const persist = () => {
    if (persistTimer) return;
    // One write for a burst of answers; storage writes are slow next to a Map.
    persistTimer = setTimeout(() => {
      persistTimer = null;
      if (!entries) return;
      for (const [key, entry] of Object.entries(entries)) if (now() - entry.fetchedAt >= ttl) delete entries[key];
      void lookupCacheItem
        .setValue(entries)
        .catch((error: unknown) => console.error("starwise: lookup cache not saved", error));
    }, 200);
  };

  async function fetchNames(names: string[]): Promise<void> {
    const started = generation;
    for (let i = 0; i < names.length; i += LOOKUP_MAX) {
      const chunk = names.slice(i, i + LOOKUP_MAX);
      const found = await deps.fetchBatch(chunk);
      if (started !== generation) return; // invalidated meanwhile: the answer is stale
      const byKey = new Map(Object.values(found).map((item) => [keyOf(item.fullName), item]));
      for (const [sent, item] of Object.entries(found)) byKey.set(keyOf(sent), item);
      const cache = await load();
      for (const name of chunk) cache[keyOf(name)] = { item: byKey.get(keyOf(name)) ?? null, fetchedAt: now() };
    }
    persist();
  }

  return {
    /** The library's data for these names; names not in the library are absent. */
    async get(fullNames: string[]): Promise<Record<string, LookupItem>> {
      const cache = await load();
      const fresh = (name: string) => {
        const entry = cache[keyOf(name)];
        return entry !== undefined && now() - entry.fetchedAt < ttl;
      };
      const missing = [
        ...new Map(fullNames.filter((name) => !fresh(name)).map((name) => [keyOf(name), name])).values(),
      ];
      const toFetch = missing.filter((name) => !inFlight.has(keyOf(name)));
      const waits = missing
        .map((name) => inFlight.get(keyOf(name)))
        .filter((wait): wait is Promise<void> => wait !== undefined);
      if (toFetch.length > 0) {
        const request = fetchNames(toFetch).finally(() => {
          for (const name of toFetch) if (inFlight.get(keyOf(name)) === request) inFlight.delete(keyOf(name));
        });
        for (const name of toFetch) inFlight.set(keyOf(name), request);
        waits.push(request);
      }
      await Promise.all(waits);
      const answer: Record<string, LookupItem> = {};
      const current = await load();
      for (const name of fullNames) {
        const item = current[keyOf(name)]?.item;
        if (item) answer[name] = item;
      }
      return answer;
    },
    /** After a save or an edit: the Worker's new answer for one name. */
    async put(item: LookupItem): Promise<void> {
      const cache = await load();
      cache[keyOf(item.fullName)] = { item, fetchedAt: now() };
      persist();
    },
    /** Forget everything (a sync finished, or the user signed out). */
    async invalidate(): Promise<void> {
      generation++;
      inFlight.clear();
      entries = {};
      loading = null;
      await lookupCacheItem.setValue({});
    },
  };
}
export type LookupCacheApi = ReturnType<typeof createLookupCache>;
