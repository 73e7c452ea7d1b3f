import { ne } from "drizzle-orm";
import type { SimilarResponse } from "../../shared/search";
import type { Db } from "../db/client";
import { repositories } from "../db/schema";
import { filterConditions, strings, type LibraryRow } from "../library/query";
import { anyTermPhrases, parseQuery } from "../library/terms";
import { keywordRanking } from "./keyword";
import { hydrate, semanticRanking, type Semantic } from "./search";

/**
 * "Similar in your stars" (`GET /api/repositories/:owner/:name/similar`): the library's
 * repositories nearest to this one. With an embedding model: the nearest vectors to the
 * embedding of what the repository is (its name, description, AI summary and tags, topics).
 * Without one, when it fails, or before the library is embedded: the repositories sharing
 * most of its topics, tags and description words (keyword ranking). The repository itself is never in the answer.
 */
export async function similarRepositories(
  db: Db,
  userId: number,
  row: LibraryRow,
  semantic: Semantic | null,
  limit: number,
): Promise<SimilarResponse> {
  const filters = filterConditions({}, userId);
  const text = describe(row);
  if (semantic) {
    const nearest = await semanticRanking(db, userId, semantic, text, filters, [row.id]);
    // No vectors yet (a library not embedded so far) answers by words, like no model at all.
    if (nearest && nearest.length > 0) {
      const ranked = nearest
        .slice(0, limit)
        .map((hit) => ({ id: hit.id, score: hit.similarity, keyword: false, semantic: true }));
      return { mode: "hybrid", items: await hydrate(db, userId, ranked, []) };
    }
  }
  const phrases = anyTermPhrases(parseQuery(text));
  const { hits: keyword } = await keywordRanking(db, userId, phrases, [...filters, ne(repositories.id, row.id)], limit);
  const ranked = keyword.map((hit) => ({ id: hit.id, score: hit.score, keyword: true, semantic: false }));
  return { mode: "keyword", items: await hydrate(db, userId, ranked, []) };
}

/** What the repository is about, in the words a similar one would share (≤ 10 terms for the keyword side). */
function describe(row: LibraryRow): string {
  const tags = [...strings(row.customTags), ...strings(row.aiTags), ...strings(row.topics)];
  return [...new Set(tags), row.name, row.customDescription ?? row.aiSummary ?? row.description ?? ""].join(" ");
}
