import { describe, expect, it } from "vitest";
import { findLoneSurrogate, hasLoneSurrogate } from "./text.ts";

describe("hasLoneSurrogate", () => {
  it.each([
    ["a high surrogate alone", "\ud800"],
    ["a low surrogate alone", "\udc00"],
    ["a high surrogate before text", "note \ud83d and more"],
    ["a low surrogate after text", "tag\ude00"],
    ["two highs", "\ud83d\ud83d\ude00"],
    ["a pair reversed", "\ude00\ud83d"],
  ])("finds %s", (_, text) => {
    expect(hasLoneSurrogate(text)).toBe(true);
  });

  it.each([
    ["plain text", "notes"],
    ["an emoji (a surrogate pair)", "ship it 🚀"],
    ["CJK outside the BMP", "𠀀 字"],
    ["U+FFFD itself", "\ufffd"],
    ["nothing", ""],
  ])("accepts %s", (_, text) => {
    expect(hasLoneSurrogate(text)).toBe(false);
  });
});

describe("findLoneSurrogate", () => {
  it("gives the path of the first bad string, in values and keys", () => {
    expect(findLoneSurrogate({ notes: "ok", customTags: ["a", "b\ud800"] })).toEqual(["customTags", 1]);
    expect(findLoneSurrogate({ outer: { ["k\udc00"]: 1 } })).toEqual(["outer", "k\udc00"]);
    expect(findLoneSurrogate("\ud800")).toEqual([]);
    expect(findLoneSurrogate({ a: 1, b: null, c: [true, "🚀"] })).toBeNull();
  });

  it("walks a body nested far deeper than the call stack", () => {
    let deep: unknown = "\ud800";
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(findLoneSurrogate(deep)).toHaveLength(200_000);
  });
});
