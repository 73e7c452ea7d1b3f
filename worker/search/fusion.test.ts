// Fusion that keeps the best hit first, names first, and the keyword side's floor (docs/architecture.md §7).
import { describe, expect, it } from "vitest";
import type { SearchHit } from "../../shared/search";
import { createDb } from "../db/client";
import { anyTermPhraseWeights, parseQuery } from "../library/terms";
import { seedLibraryItem } from "../test/library-seed";
import { env, signIn } from "../test/helpers";
import type { VectorMatch, VectorStore } from "../vectors/store";
import { fuse, namesFirst, reciprocalRankFusion, type Fusion } from "./fusion";
import { strengthOf } from "./keyword";
import { spelledName } from "./names";
import { DEFAULT_SEARCH_OPTIONS, searchLibrary, type Semantic } from "./search";

const names = (answer: { items: SearchHit[] }) => answer.items.map((item) => item.fullName);

/** A stand-in semantic ranking: a fixed nearest-first list, every similarity above the floor it is given. */
function fixedSemantic(order: () => number[]): Semantic {
  const store: VectorStore = {
    upsert: async () => {},
    delete: async () => {},
    query: async (_namespace, _vector, topK): Promise<VectorMatch[]> =>
      order()
        .slice(0, topK)
        .map((repositoryId, i) => ({ id: `x:${repositoryId}:0`, repositoryId, score: 0.9 - i / 100 })),
  };
  return { model: "fixed", embedQuery: async () => [1, 0, 0], embedTexts: async () => [], store, fixedFloor: 0.5 };
}

describe("fuse", () => {
  // Keyword: 1 is far ahead (score 40), 2 and 3 are loose (4, 3.5). Semantic: 3 and 2 first, 1 tenth.
  const keyword = [
    { id: 1, score: 40 },
    { id: 2, score: 4 },
    { id: 3, score: 3.5 },
  ];
  const semantic = [3, 2, 4, 5, 6, 7, 8, 9, 10, 1].map((id, i) => ({ id, similarity: 0.8 - i * 0.02 }));

  it("rrf gives agreement on two loose hits more than one strong hit: the failure it is kept for", () => {
    expect(fuse("rrf", keyword, semantic, [], 0.3)[0]?.id).toBe(3);
    expect(fuse("rrf", keyword, semantic, [], 0.3)).toEqual(
      reciprocalRankFusion(
        keyword.map((hit) => hit.id),
        semantic.map((hit) => hit.id),
      ),
    );
  });

  it.each(["weighted", "convex"] as const)("%s keeps the strong keyword hit first", (fusion: Fusion) => {
    const fused = fuse(fusion, keyword, semantic, [], 0.3);
    expect(fused[0]?.id).toBe(1);
    // Every repository of both rankings, once.
    expect(fused.map((hit) => hit.id).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("anchored keeps the keyword ranking's first match first, and weighs the rest", () => {
    // Keyword 2 and 3 are close: weighted puts 3 (semantic 1st) ahead of 1 once 1 is weak on meaning.
    const close = [
      { id: 1, score: 10 },
      { id: 3, score: 9.5 },
    ];
    expect(fuse("weighted", close, semantic, [], 0.3)[0]?.id).toBe(3);
    expect(fuse("anchored", close, semantic, [], 0.3, 1).map((hit) => hit.id)).toEqual([
      1,
      ...fuse("weighted", close, semantic, [], 0.3)
        .map((hit) => hit.id)
        .filter((id) => id !== 1),
    ]);
    // No anchor (no keyword match): weighted throughout.
    expect(fuse("anchored", [], semantic, [], 0.3, null)).toEqual(fuse("weighted", [], semantic, [], 0.3));
  });

  it("puts what the query names first: a whole name before part of one, then the fused order", () => {
    const fused = fuse(
      "names",
      keyword,
      semantic,
      [
        { id: 9, exact: false },
        { id: 11, exact: true },
      ],
      0.3,
    );
    expect(fused.slice(0, 3).map((hit) => hit.id)).toEqual([11, 9, 3]);
    expect(namesFirst([], [{ id: 5, exact: false }])).toEqual([
      { id: 5, score: 0, keywordRank: null, semanticRank: null },
    ]);
  });
});

describe("the name a query spells", () => {
  it("is its Latin words without case or separators, and them run together; none for Chinese or < 3 letters", () => {
    expect(spelledName(parseQuery("Papa Parse"))).toEqual({ words: ["papa", "parse"], joined: "papaparse" });
    expect(spelledName(parseQuery("burntsushi rip"))?.joined).toBe("burntsushirip");
    expect(spelledName(parseQuery("node.js"))).toEqual({ words: ["nodejs"], joined: "nodejs" });
    expect(spelledName(parseQuery("ai"))).toBeNull();
    expect(spelledName(parseQuery("vue 组件库"))).toBeNull();
    expect(spelledName(parseQuery('x%_" OR'))).toEqual({ words: ["x", "or"], joined: "xor" });
  });
});

describe("a keyword hit's strength", () => {
  it("counts a Chinese word once, however many bigrams it is asked as", () => {
    expect(anyTermPhraseWeights(parseQuery("react 状态管理"))).toEqual([
      { phrase: '"react"*', weight: 1 },
      { phrase: '"状态"', weight: 1 / 3 },
      { phrase: '"态管"', weight: 1 / 3 },
      { phrase: '"管理"', weight: 1 / 3 },
    ]);
    expect(anyTermPhraseWeights(parseQuery("框架"))).toEqual([{ phrase: '"框架"', weight: 1 }]);
  });

  it("is the rarity of what it holds times where it is, over the query's rarity", () => {
    // Two phrases: a rare one (idf 3) and a common one (idf 1).
    const idf = [3, 1];
    const strengths = strengthOf(
      [
        { phrase: 0, id: 1, fields: 1 }, // the rare word in a README: ¾ of the query at weight 1
        { phrase: 1, id: 2, fields: 3 }, // the common word in a description: ¼ at weight 3
        { phrase: 0, id: 3, fields: 1 },
        { phrase: 1, id: 3, fields: 1 }, // both words in a README: the whole query at weight 1
      ],
      idf,
    );
    expect(strengths.get(1)).toBeCloseTo(0.75);
    expect(strengths.get(2)).toBeCloseTo(0.75);
    expect(strengths.get(3)).toBeCloseTo(1);
    expect(strengthOf([], [0, 0]).size).toBe(0);
  });
});

describe("searchLibrary: the best hit first, names first, no match for everyday questions", () => {
  async function seed(login: string) {
    const { user } = await signIn(login, 0);
    const add = seedLibraryItem.bind(null, user.id);
    const ids = {
      ripgrep: await add({
        fullName: "BurntSushi/ripgrep",
        description: "ripgrep recursively searches directories for a regex pattern while respecting your gitignore",
        readme: "# ripgrep\n\nA line-oriented search tool, fast because of literal optimizations and SIMD.",
      }),
      papaparse: await add({
        fullName: "mholt/PapaParse",
        description: "Fast and powerful CSV parser for the browser",
        readme: "# Papa Parse\n\nThe powerful, in-browser CSV parser for big boys and girls.",
      }),
      grep: await add({
        fullName: "someone/grep-tools",
        description: "Search tools: a grep wrapper, a find wrapper, a regex tester",
        readme: "Searching text in directories, like ripgrep but slower.",
      }),
      ack: await add({
        fullName: "beyondgrep/ack3",
        description: "A grep-like search tool optimized for programmers",
        readme: "Search directories for a regex pattern; faster than grep for source code.",
      }),
      scarf: await add({
        fullName: "weather/forecast",
        description: "Weather forecast client",
        readme: `# forecast\n\n${"An API client for weather services. ".repeat(20)}It works in winter too.`,
      }),
    };
    return { userId: user.id, ids, db: createDb(env.DB) };
  }

  it("ranks the repository a query names first, in hybrid too, when the neighbours agree on others", async () => {
    const { userId, ids, db } = await seed("fusion-names");
    // The semantic side puts the loose neighbours first and ripgrep last.
    const semantic = fixedSemantic(() => [ids.grep, ids.ack, ids.papaparse, ids.scarf, ids.ripgrep]);
    for (const q of ["ripgrep", "burntsushi rip", "ripgr"]) {
      const answer = await searchLibrary(db, userId, { q }, semantic, DEFAULT_SEARCH_OPTIONS);
      expect(answer.mode).toBe("hybrid");
      expect(names(answer)[0], q).toBe("BurntSushi/ripgrep");
    }
    // Papa Parse: the name run together; its words are in the README too, not in the name's one token.
    const papa = await searchLibrary(db, userId, { q: "papa parse" }, semantic, DEFAULT_SEARCH_OPTIONS);
    expect(names(papa)[0]).toBe("mholt/PapaParse");
    // Keyword-only as well.
    const keywordOnly = await searchLibrary(db, userId, { q: "burntsushi rip" }, null, DEFAULT_SEARCH_OPTIONS);
    expect(names(keywordOnly)[0]).toBe("BurntSushi/ripgrep");
  });

  it("says no match to an everyday question, keyword-only and hybrid; a README with one word is related", async () => {
    const { userId, ids, db } = await seed("fusion-floor");
    const q = "how to knit a wool scarf for winter";
    const keywordOnly = await searchLibrary(db, userId, { q }, null, DEFAULT_SEARCH_OPTIONS);
    expect(keywordOnly.items).toEqual([]);
    expect(keywordOnly.related.map((hit) => hit.fullName)).toEqual(["weather/forecast"]);
    // Without the floor, the same README was a match: the floor is what says no.
    const noFloor = await searchLibrary(db, userId, { q }, null, { ...DEFAULT_SEARCH_OPTIONS, keywordFloor: 0 });
    expect(names(noFloor)).toEqual(["weather/forecast"]);
    // Hybrid, with neighbours all below the semantic floor: nothing either.
    const below: Semantic = { ...fixedSemantic(() => [ids.scarf, ids.grep]), fixedFloor: 0.95 };
    const hybrid = await searchLibrary(db, userId, { q }, below, DEFAULT_SEARCH_OPTIONS);
    expect(hybrid.mode).toBe("hybrid");
    expect(hybrid.items).toEqual([]);
    // A real question still matches: both words, in the description.
    const real = await searchLibrary(db, userId, { q: "regex search" }, null, DEFAULT_SEARCH_OPTIONS);
    expect(names(real)).toEqual(expect.arrayContaining(["BurntSushi/ripgrep", "beyondgrep/ack3"]));
  });
});
