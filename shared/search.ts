import { z } from "zod";
import { RepositoryItem, RepositoryListQuery } from "./repositories.ts";

/**
 * The search contract (docs/architecture.md §3, §7): `GET /api/search` and
 * `GET /api/repositories/:owner/:name/similar`. Shared by the Worker, the extension's new tab
 * and the MCP tools.
 */

export const SEARCH_LIMIT_DEFAULT = 20;
export const SEARCH_LIMIT_MAX = 50;

const filters = RepositoryListQuery.pick({
  starred: true,
  saved: true,
  language: true,
  tag: true,
  category: true,
  list: true,
  unlisted: true,
});

/** `GET /api/search`: the library's filters apply to both rankings. */
export const SearchQuery = filters
  .extend({
    /**
     * What the person remembers: words, a phrase, part of a name, in English or Chinese. Taken as text, never as query
     * syntax.
     */
    q: z.string().trim().min(1, "must not be empty").max(200),
    limit: z.coerce.number().int().min(1).max(SEARCH_LIMIT_MAX).optional(),
  })
  .strict();
export type SearchQuery = z.input<typeof SearchQuery>;

/**
 * Text plus the [start, end) offsets (UTF-16 code units) of the matched words. Render as text and mark the ranges;
 * never HTML.
 */
export const Snippet = z.object({
  text: z.string(),
  ranges: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])),
});
export type Snippet = z.infer<typeof Snippet>;

export const SearchHit = RepositoryItem.extend({
  /** Higher is better; comparable within one answer only (fused ranks in hybrid mode, word weights in keyword mode). */
  score: z.number(),
  /** Which rankings found it. */
  matchedBy: z.array(z.enum(["keyword", "semantic"])),
  snippet: Snippet.nullable(),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchMode = z.enum(["keyword", "hybrid"]);
export type SearchMode = z.infer<typeof SearchMode>;

export const SearchResponse = z.object({
  /** `keyword` when the deployment has no embedding model (or it failed for this query): words only. */
  mode: SearchMode,
  /** The matches: found by the words, or by meaning above the model's relevance floor. Empty = no match. */
  items: z.array(SearchHit),
  /** Nearest by meaning but below the floor (at most 5): "related", never counted as matches. */
  related: z.array(SearchHit),
  /**
   * Words of the query that matched none of the stars, and the words one edit away that were searched
   * instead (worker/search/spelling.ts); empty when every word was searched as typed.
   */
  spelling: z.array(z.object({ word: z.string(), instead: z.array(z.string()).min(1) })).default([]),
});
export type SearchResponse = z.infer<typeof SearchResponse>;

export const SimilarQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(SEARCH_LIMIT_MAX).optional() })
  .strict();

/** The repositories of the library nearest to one of them (vectors; by shared words without an embedding model). */
export const SimilarResponse = z.object({
  mode: SearchMode,
  items: z.array(SearchHit),
});
export type SimilarResponse = z.infer<typeof SimilarResponse>;
