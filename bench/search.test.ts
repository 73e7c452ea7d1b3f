import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { distinctProjects, LabelledQueries, percentile, relevance } from "./search.ts";

describe("bench:search scoring", () => {
  it("counts variants as their corpus repository and ranks distinct repositories", () => {
    const answer = ["a/x-v3", "a/x", "b/y-v12", "c/z", "a/x-v9"];
    expect(distinctProjects(answer)).toEqual(["a/x", "b/y", "c/z"]);
    expect(relevance(answer, ["b/y"])).toEqual({ recall: 1, reciprocalRank: 0.5 });
    expect(relevance(answer, ["c/z", "d/w"])).toEqual({ recall: 0.5, reciprocalRank: 1 / 3 });
    expect(relevance(answer, ["d/w"])).toEqual({ recall: 0, reciprocalRank: 0 });
    // Only the first ten distinct repositories count for recall@10.
    const long = Array.from({ length: 12 }, (_, i) => `o/r${i}`);
    expect(relevance(long, ["o/r10"]).recall).toBe(0);
    expect(relevance(long, ["o/r10"]).reciprocalRank).toBeCloseTo(1 / 11);
  });

  it("takes nearest-rank percentiles", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 95)).toBe(95);
    expect(percentile([7], 95)).toBe(7);
  });

  it("has at least 150 labelled queries, a third in Chinese, each naming corpus repositories", () => {
    const { queries, annotations, unanswerable } = LabelledQueries.parse(
      JSON.parse(readFileSync(new URL("./search-queries.json", import.meta.url), "utf8")),
    );
    expect(queries.length).toBeGreaterThanOrEqual(150);
    expect(queries.filter((query) => query.lang === "zh").length * 3).toBeGreaterThanOrEqual(queries.length);
    for (const query of queries) expect(/[\u4e00-\u9fff]/.test(query.q), query.q).toBe(query.lang === "zh");
    expect(unanswerable.length).toBeGreaterThanOrEqual(30);
    const corpus = new Set(
      readFileSync(new URL("../emulators/github/corpus/repos.jsonl", import.meta.url), "utf8")
        .trim()
        .split("\n")
        .map((line) => (JSON.parse(line) as { full_name: string }).full_name),
    );
    for (const query of queries)
      for (const name of query.relevant) expect(corpus.has(name), `${query.q}: ${name}`).toBe(true);
    expect(new Set(queries.map((query) => query.q)).size).toBe(queries.length);
    // Every repository the annotations write on is in the corpus; every notes or tags query is answered by one.
    for (const annotation of annotations) expect(corpus.has(annotation.repository), annotation.repository).toBe(true);
    const annotated = new Set(annotations.map((annotation) => annotation.repository));
    for (const query of queries.filter((query) => query.kind === "notes" || query.kind === "tags"))
      expect(
        query.relevant.every((name) => annotated.has(name)),
        query.q,
      ).toBe(true);
  });
});
