import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { analyses, stars } from "../db/schema";
import { inLibrary } from "./query";
import { inVocabulary, userVocabulary } from "./vocabulary";

export type TagCount = { tag: string; count: number; source: "custom" | "ai" };

/**
 * The tags of the user's library with how many repositories carry each (the MCP tool
 * `list_tags`): their own tags and the AI's, each counted once per repository, most used first.
 * The AI's are in the user's vocabulary (worker/library/vocabulary.ts): "llms" of an analysis
 * counts as their "llm" (an analysis never holds two tags of one spelling, so the counts add).
 */
export async function listTags(db: Db, userId: number, limit = 500): Promise<TagCount[]> {
  const tagsOf = (source: "custom" | "ai") => {
    const column = source === "custom" ? stars.customTags : analyses.tags;
    const tag = sql<string>`json_each.value`;
    const count = sql<number>`count(distinct ${stars.repositoryId})`;
    return db
      .select({ tag, count })
      .from(stars)
      .leftJoin(analyses, eq(analyses.id, stars.analysisId))
      .innerJoin(sql`json_each(${column})`, sql`1`)
      .where(and(eq(stars.userId, userId), inLibrary, sql`json_each.type = 'text'`))
      .groupBy(sql`json_each.value collate nocase`)
      .orderBy(desc(count), tag)
      .limit(limit);
  };
  const [custom, ai, vocabulary] = await Promise.all([tagsOf("custom"), tagsOf("ai"), userVocabulary(db, userId)]);
  const aiCounts = new Map<string, number>();
  for (const row of ai) {
    const [tag] = inVocabulary([row.tag], vocabulary);
    aiCounts.set(tag!, (aiCounts.get(tag!) ?? 0) + Number(row.count));
  }
  return [
    ...custom.map((row) => ({ tag: row.tag, count: Number(row.count), source: "custom" as const })),
    ...[...aiCounts]
      .map(([tag, count]) => ({ tag, count, source: "ai" as const }))
      .sort((a, b) => b.count - a.count || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0)),
  ];
}
