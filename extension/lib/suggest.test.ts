import { describe, expect, it } from "vitest";
import type { LibraryIndexItem } from "../../shared/repositories";
import { chromeLine, escapeXml, markMatches, plainLine, prepare, suggest } from "./suggest";

const item = (fullName: string, summary: string | null = null, tags: string[] = []): LibraryIndexItem => ({
  fullName,
  summary,
  tags,
  starred: true,
});

const LIBRARY = prepare([
  item("tokio-rs/tokio", "A runtime for writing reliable asynchronous applications with Rust", ["async", "runtime"]),
  item("denoland/deno", "A modern runtime for JavaScript and TypeScript", ["javascript"]),
  item("tokio-rs/axum", "Ergonomic and modular web framework built with Tokio", ["web", "http"]),
  item("facebook/react", "The library for web and native user interfaces", ["ui", "frontend"]),
  item("vuejs/core", "渐进式 JavaScript 框架", ["前端"]),
  item("someone/react-tokio-bridge", null, []),
]);

const names = (text: string) => suggest(LIBRARY, text).map((found) => found.item.fullName);

describe("suggest", () => {
  it("puts the repository whose name is the typed text first, then names that start with it", () => {
    expect(names("tokio")[0]).toBe("tokio-rs/tokio");
    expect(names("react")).toEqual(["facebook/react", "someone/react-tokio-bridge"]);
    expect(names("tokio-rs/axum")).toEqual(["tokio-rs/axum"]);
  });

  it("finds a word in tags and summaries too, after names; every word must be somewhere", () => {
    expect(names("runtime")).toEqual(["tokio-rs/tokio", "denoland/deno"]);
    expect(names("web framework")).toEqual(["tokio-rs/axum"]);
    expect(names("runtime nothinghere")).toEqual([]);
  });

  it("matches Chinese inside a summary and a tag", () => {
    expect(names("框架")).toEqual(["vuejs/core"]);
    expect(names("前端")).toEqual(["vuejs/core"]);
  });

  it("ignores case and extra spaces, and suggests nothing for nothing", () => {
    expect(names("  TOKIO  ")[0]).toBe("tokio-rs/tokio");
    expect(names("   ")).toEqual([]);
  });

  it("suggests at most six, ties newest first (the index's order)", () => {
    const many = prepare(Array.from({ length: 20 }, (_, i) => item(`o/lib-${i}`)));
    expect(suggest(many, "lib").map((found) => found.item.fullName)).toEqual([
      "o/lib-0",
      "o/lib-1",
      "o/lib-2",
      "o/lib-3",
      "o/lib-4",
      "o/lib-5",
    ]);
  });

  it("matches 30,000 entries within a few milliseconds a keystroke", () => {
    const big = prepare(
      Array.from({ length: 30_000 }, (_, i) =>
        item(`owner${i % 977}/project-${i}`, `Summary number ${i} about some library`, ["tag", `t${i % 50}`]),
      ),
    );
    const started = performance.now();
    for (const text of ["p", "pr", "pro", "proj", "project-2999", "library t7"]) suggest(big, text);
    // Generous for a loaded 2-core machine; the benchmark measures it in the browser.
    expect((performance.now() - started) / 6).toBeLessThan(50);
  });
});

describe("what a suggestion says", () => {
  const hostile = item(
    "evil/<b>&amp;",
    'Summary with <match>tags</match> & "quotes" \u202Egnp.exe\u0000 and a line\nbreak\uFFFE',
    ["<dim>", "a&b"],
  );

  it("escapes names, summaries and tags for Chrome's XML, and strips controls and bidi overrides", () => {
    const xml = chromeLine(hostile, "match");
    expect(xml).toBe(
      "evil/&lt;b&gt;&amp;amp;<dim> — Summary with &lt;<match>match</match>&gt;tags&lt;/<match>match</match>&gt; " +
        '&amp; "quotes" gnp.exe and a line break · &lt;dim&gt;, a&amp;b</dim>',
    );
    // Well-formed: the only tags are ours.
    expect(xml.replace(/<\/?(match|dim)>/g, "")).not.toMatch(/[<>]/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: that none is left is the point.
    expect(xml).not.toMatch(/[\u0000-\u001F\u202A-\u202E\u2066-\u2069\uFFFE\uFFFF]/);
  });

  it("parses as XML with only match and dim elements", () => {
    const xml = chromeLine(hostile, "a b match");
    const doc = new DOMParser().parseFromString(`<root>${xml}</root>`, "application/xml");
    expect(doc.querySelector("parsererror")).toBeNull();
    const elements = [...doc.documentElement.querySelectorAll("*")].map((element) => element.tagName);
    expect(new Set(elements)).toEqual(new Set(["dim", "match"]));
  });

  it("marks every typed word in the name, overlapping ones once", () => {
    expect(markMatches("tokio-rs/tokio", ["tok", "okio"])).toBe("<match>tokio</match>-rs/<match>tokio</match>");
    expect(chromeLine(item("tokio-rs/axum", null, []), "AXUM")).toBe("tokio-rs/<match>axum</match>");
  });

  it("says the same as plain text for Firefox, cleaned but not escaped", () => {
    expect(plainLine(hostile)).toBe(
      'evil/<b>&amp; — Summary with <match>tags</match> & "quotes" gnp.exe and a line break\uFFFE · <dim>, a&b',
    );
    expect(escapeXml("a < b \u202E")).toBe("a &lt; b");
  });
});
