import {
  INDEX_SUMMARY_MAX,
  INDEX_TAGS_MAX,
  type LibraryIndex,
  type LibraryIndexItem,
  type LookupItem,
} from "../../../shared/repositories";
import { cleanLine } from "@/lib/clean-text";
import { MessageError } from "@/lib/message-error";
import { libraryIndexItem, parseIndexItems, readLibraryIndex } from "@/lib/storage";
import { prepare, type PreparedEntry } from "@/lib/suggest";

// The library's compact index for the address bar (docs/architecture.md §1, "The address bar"):
// names, one line of summary and a few tags of every repository, asked of the Worker once
// (`GET /api/repositories/index`) and kept in memory and in `local:libraryIndex`, so a keystroke is
// matched here without a network round trip — also by a service worker Chrome has just woken.
// Asked again after each sync's `done`, at sign-in, and when older than INDEX_STALE_MS (the answer
// in hand is used meanwhile: a Worker sync the extension did not follow changed the library);
// forgotten at sign-out. A save or an edit made here updates its entry at once.

export const INDEX_STALE_MS = 6 * 60 * 60_000;

/** One line of at most INDEX_SUMMARY_MAX characters, as the Worker cuts them. */
const cut = (text: string) => {
  const line = cleanLine(text);
  return line.length <= INDEX_SUMMARY_MAX ? line : `${line.slice(0, INDEX_SUMMARY_MAX - 1)}…`;
};

export interface LibraryIndexDeps {
  /** `GET /api/repositories/index` for the signed-in account. */
  fetchIndex(): Promise<LibraryIndex>;
  /** The signed-in login; null when signed out. */
  login(): Promise<string | null>;
  now?: () => number;
}

export type IndexState =
  | { kind: "signed-out" }
  | { kind: "ready"; entries: PreparedEntry[]; fetchedAt: number }
  | { kind: "failed"; code: string; message: string };

interface Loaded {
  login: string;
  fetchedAt: number;
  items: LibraryIndexItem[];
  entries: PreparedEntry[];
}

export function createLibraryIndex(deps: LibraryIndexDeps) {
  const now = deps.now ?? Date.now;
  let memory: Loaded | null = null;
  let fetching: Promise<void> | null = null;
  /** Bumped by `clear`: an answer asked for before it is dropped. */
  let generation = 0;

  const loaded = (login: string, fetchedAt: number, items: LibraryIndexItem[]): Loaded => ({
    login,
    fetchedAt,
    items,
    entries: prepare(items),
  });

  /** The Worker's index for `login`, into memory and storage (one request at a time). */
  function refresh(login: string): Promise<void> {
    fetching ??= (async () => {
      const started = generation;
      try {
        const index = await deps.fetchIndex();
        if (started !== generation || (await deps.login()) !== login) return;
        memory = loaded(login, now(), index.items);
        await libraryIndexItem.setValue({ login, fetchedAt: memory.fetchedAt, items: JSON.stringify(index.items) });
      } finally {
        fetching = null;
      }
    })();
    return fetching;
  }

  // An index stored by another of the extension's contexts (not this one's own writes, which carry the
  // fetchedAt in memory) replaces the one in memory at the next keystroke.
  libraryIndexItem.watch((stored) => {
    if (memory && stored?.fetchedAt !== memory.fetchedAt) memory = null;
  });

  return {
    /** The index to match a keystroke against: from memory, else storage, else the Worker. */
    async current(): Promise<IndexState> {
      const login = await deps.login();
      if (!login) return { kind: "signed-out" };
      if (memory?.login !== login) {
        const stored = await readLibraryIndex();
        const items = stored && stored.login === login ? parseIndexItems(stored.items) : null;
        if (stored && stored.login === login && !items) console.warn("starwise: ignoring a malformed stored index");
        memory = stored && items ? loaded(login, stored.fetchedAt, items) : null;
      }
      if (!memory) {
        try {
          await refresh(login);
        } catch (error) {
          const code = error instanceof MessageError ? error.code : "internal";
          return { kind: "failed", code, message: error instanceof Error ? error.message : String(error) };
        }
        if (!memory) return { kind: "signed-out" };
      } else if (now() - memory.fetchedAt >= INDEX_STALE_MS) {
        void refresh(login).catch((error: unknown) => console.warn("starwise: library index not refreshed", error));
      }
      return { kind: "ready", entries: memory.entries, fetchedAt: memory.fetchedAt };
    },

    /** After a sync: the Worker's index again (the one in hand answers until it lands). */
    async refresh(): Promise<void> {
      const login = await deps.login();
      if (login) await refresh(login);
    },

    /** After a save or an edit here: that entry as the Worker now has it, without asking for the whole index. */
    async put(item: LookupItem): Promise<void> {
      if (!memory || !(item.starred || item.saved)) return;
      const key = item.fullName.toLowerCase();
      const at = memory.items.findIndex((entry) => entry.fullName.toLowerCase() === key);
      const tags = [...new Map([...item.customTags, ...item.aiTags].map((tag) => [tag.toLowerCase(), tag])).values()];
      const own = item.customDescription ?? item.aiSummary;
      const next: LibraryIndexItem = {
        fullName: item.fullName,
        summary: own ? cut(own) : (memory.items[at]?.summary ?? null),
        tags: tags.slice(0, INDEX_TAGS_MAX),
        starred: item.starred,
      };
      // In its place; a repository new to the library is the newest.
      const items = at >= 0 ? memory.items.with(at, next) : [next, ...memory.items];
      memory = loaded(memory.login, memory.fetchedAt, items);
      await libraryIndexItem.setValue({
        login: memory.login,
        fetchedAt: memory.fetchedAt,
        items: JSON.stringify(items),
      });
    },

    /** Signed out (or another account): nothing of the old index is kept. */
    async clear(): Promise<void> {
      generation++;
      memory = null;
      await libraryIndexItem.setValue(null);
    },
  };
}
export type LibraryIndexApi = ReturnType<typeof createLibraryIndex>;
