import { describe, expect, it } from "vitest";
import { cleanLine, cleanText } from "./clean-text";

describe("cleanText", () => {
  it.each([
    ["an RTL override (spoofed file name)", "photo\u202Egnp.exe", "photognp.exe"],
    ["every embedding and override", "a\u202Ab\u202Bc\u202Cd\u202De\u202Ef", "abcdef"],
    ["the isolates", "a\u2066b\u2067c\u2068d\u2069e", "abcde"],
    ["the direction marks", "x\u200Ey\u200Fz\u061C!", "xyz!"],
    ["a NUL and other C0 controls", "nul\u0000 bell\u0007 esc\u001B[31m", "nul bell esc[31m"],
    ["DEL and the C1 controls", "a\u007Fb\u0085c\u009Bd", "abcd"],
    ["a lone surrogate", "bad \uD800 end \uDC00", "bad \uFFFD end \uFFFD"],
  ])("removes %s", (_what, input, expected) => {
    expect(cleanText(input)).toBe(expected);
  });

  it.each([
    ["tab and newline", "line one\n\tline two"],
    ["Arabic and Hebrew", "مرحبا بالعالم — שלום"],
    ["CJK and an emoji pair (surrogates kept)", "星标 🚀 工具"],
    ["joiners inside emoji and scripts", "👩\u200D💻 and क्\u200Dष"],
  ])("keeps %s", (_what, text) => {
    expect(cleanText(text)).toBe(text);
  });

  it("makes one line of a multi-line text", () => {
    expect(cleanLine("  first\n\nsecond\u0000\tthird  ")).toBe("first second third");
  });
});
