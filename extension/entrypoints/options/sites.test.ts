import { describe, expect, it } from "vitest";
import { patternOf, siteOf } from "./sites";

describe("the sites a person allows", () => {
  it.each([
    ["news.ycombinator.com", "*://*.news.ycombinator.com/*"],
    ["  https://www.reddit.com/r/rust?x=1 ", "*://*.reddit.com/*"],
    ["http://lobste.rs", "*://*.lobste.rs/*"],
    ["Example.COM.", "*://*.example.com/*"],
    ["localhost:8080", "*://localhost/*"],
    ["127.0.0.1", "*://127.0.0.1/*"],
  ])("%s → %s", (typed, pattern) => {
    expect(patternOf(typed)).toBe(pattern);
    expect(siteOf(pattern)).toBe(pattern.replace(/^\*:\/\/(\*\.)?/, "").replace(/\/\*$/, ""));
  });

  it.each(["", "   ", "github.com", "ftp://files.example.com", "javascript:alert(1)", "http://"])(
    "%j is no site to allow",
    (typed) => expect(patternOf(typed)).toBeNull(),
  );

  it("reads a pattern granted elsewhere (the browser's own settings) as it is", () => {
    expect(siteOf("https://example.com/*")).toBe("https://example.com/*");
  });
});
