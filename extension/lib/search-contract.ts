import { z } from "zod";
import { RepositoryItem } from "../../shared/repositories";

/** docs/architecture.md §4 `GET /api/search` (hybrid search); not in shared/ yet, so declared here. */
export const SearchHit = RepositoryItem.partial()
  .extend({
    fullName: z.string(),
    score: z.number().optional(),
    snippet: z.object({ text: z.string(), ranges: z.array(z.tuple([z.number(), z.number()])) }).nullable().optional(),
  });
export const SearchResponse = z.object({ mode: z.string(), items: z.array(SearchHit) });
export type SearchResponse = z.infer<typeof SearchResponse>;

