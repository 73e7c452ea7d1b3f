import { SearchHit as WorkerSearchHit, SearchResponse } from "../../shared/search";

/**
 * The search contract is the Worker's (shared/search.ts). A new-tab card is a search hit or
 * a library item (the list fallback has no score, snippet or matchedBy), so cards accept
 * every field but the name as optional.
 */
export const SearchHit = WorkerSearchHit.partial().required({ fullName: true });
export { SearchResponse };
