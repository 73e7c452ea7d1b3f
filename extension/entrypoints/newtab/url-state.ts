import { searchRequestSchema, type SearchRequest } from "@/lib/messaging";

// The new tab's search lives in its URL (`newtab.html?q=tokio&language=Rust`), so Back from a
// result opened with Enter comes back to the same search, and a reload keeps it.

const FIELDS = ["q", "language", "tag", "kind", "list", "unlisted"] as const;

/** The search a URL's query string holds; anything malformed is dropped, field by field. */
export function requestFromUrl(search: string): SearchRequest {
  const params = new URLSearchParams(search);
  const request: SearchRequest = { q: "" };
  for (const field of FIELDS) {
    const value = params.get(field);
    if (!value) continue;
    const parsed = searchRequestSchema.shape[field].safeParse(value);
    if (parsed.success && parsed.data) Object.assign(request, { [field]: parsed.data });
  }
  return request;
}

/** `?q=…&language=…` for a search; "" for the empty one. */
export function urlOf(request: SearchRequest): string {
  const params = new URLSearchParams();
  for (const field of FIELDS) {
    const value = request[field];
    if (value) params.set(field, value);
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** Keystrokes closer together than this are one search: one history entry, not one per letter. */
export const TYPING_BURST_MS = 1500;

/**
 * Writes the search into the page's URL: a new history entry for a new search (a filter, or words
 * typed after a pause), the same entry while the words are still being typed. Does nothing when the
 * URL already says it (a search restored from the URL, by load or by Back).
 */
export function createUrlWriter(now: () => number = Date.now) {
  let first = true;
  /** The last entry written, and whether it was a change of words only (a burst being typed). */
  let last: { at: number; words: boolean } | null = null;
  return (request: SearchRequest) => {
    const next = urlOf(request);
    const url = `${location.pathname}${next}`;
    if (first) {
      first = false;
      // The page as it loaded: a URL with parts it could not read is tidied, not added to history.
      if (next !== location.search) history.replaceState(null, "", url);
      return;
    }
    if (next === location.search) {
      last = null;
      return;
    }
    const before = requestFromUrl(location.search);
    const words = FIELDS.every((field) => field === "q" || before[field] === request[field]);
    if (words && last?.words && now() - last.at < TYPING_BURST_MS) history.replaceState(null, "", url);
    else history.pushState(null, "", url);
    last = { at: now(), words };
  };
}
