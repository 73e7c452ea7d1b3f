import { describe, expect, it } from "vitest";
import { parseAtom } from "../test/atom";
import { xmlElement, xmlText } from "./xml";

describe("xmlText", () => {
  it("escapes markup and keeps every other character, astral ones included", () => {
    expect(xmlText(`<a href="x">&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
    expect(xmlText("tab\tline\nreturn\r 中文 😀 é")).toBe("tab\tline\nreturn\r 中文 😀 é");
  });

  it("removes what XML 1.0 cannot hold and what reorders text: a strict parser reads the rest as it was", () => {
    const hostile = "a\u0000b\u001fc\ud800d\udc00e\uFFFEf\u202Eg\u2067h\u200Fi\u061Cj\u0085k😀";
    expect(xmlText(hostile)).toBe("abcdefghijk😀");
    // A document around it: the parser throws on any character XML refuses.
    const feed = `<feed xmlns="http://www.w3.org/2005/Atom">${xmlElement("title", hostile)}</feed>`;
    expect(parseAtom(feed).title).toBe("abcdefghijk😀");
    expect(() => parseAtom(`<feed xmlns="http://www.w3.org/2005/Atom"><title>a\u0000b</title></feed>`)).toThrow();
  });
});
