import { beforeEach, describe, expect, it } from "vitest";
import { createUrlWriter, requestFromUrl, TYPING_BURST_MS, urlOf } from "./url-state";

describe("the new tab's URL", () => {
  beforeEach(() => history.replaceState(null, "", "/newtab.html"));

  it("reads a search back from what it wrote", () => {
    const request = { q: "tokio runtime & co", language: "C++", tag: "async", kind: "saved" as const };
    expect(urlOf(request)).toBe("?q=tokio+runtime+%26+co&language=C%2B%2B&tag=async&kind=saved");
    expect(requestFromUrl(urlOf(request))).toEqual(request);
    expect(urlOf({ q: "" })).toBe("");
  });

  it("drops what it cannot read, field by field", () => {
    expect(requestFromUrl("?q=rust&kind=everything&language=&tag=x")).toEqual({ q: "rust", tag: "x" });
    expect(requestFromUrl(`?q=${"a".repeat(201)}`)).toEqual({ q: "" });
    expect(requestFromUrl("?other=1")).toEqual({ q: "" });
  });

  it("adds one history entry per search: letters typed together are one, a filter or a pause is another", () => {
    let clock = 0;
    const write = createUrlWriter(() => clock);
    const start = history.length;
    write({ q: "" });
    expect(history.length).toBe(start);
    for (const q of ["t", "to", "tok"]) {
      write({ q });
      clock += 150;
    }
    expect([location.search, history.length]).toEqual(["?q=tok", start + 1]);
    write({ q: "tok", language: "Rust" });
    expect([location.search, history.length]).toEqual(["?q=tok&language=Rust", start + 2]);
    // Words typed right after a filter are a new search: the filter's entry stays.
    write({ q: "toki", language: "Rust" });
    expect([location.search, history.length]).toEqual(["?q=toki&language=Rust", start + 3]);
    clock += TYPING_BURST_MS;
    write({ q: "tokio", language: "Rust" });
    expect([location.search, history.length]).toEqual(["?q=tokio&language=Rust", start + 4]);
    // Restored by Back: the URL already says it, nothing is written.
    history.replaceState(null, "", "/newtab.html?q=tok");
    write({ q: "tok" });
    expect(history.length).toBe(start + 4);
  });
});
