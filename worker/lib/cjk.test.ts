import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { seedRepository } from "../test/library-seed";
import { CJK_CHAR, INDEXED_CJK_CHAR } from "./cjk";

// [character, what it is, CJK, cut into bigrams by the keyword index]
const TABLE: Array<[string, string, boolean, boolean]> = [
  ["中", "U+4E2D CJK Unified Ideograph", true, true],
  ["㐀", "U+3400 Extension A, first", true, true],
  ["䶿", "U+4DBF Extension A, last", true, true],
  ["鿿", "U+9FFF Unified Ideographs, last", true, true],
  ["\uF900", "U+F900 compatibility ideograph (NFC would make it U+8C48)", true, true],
  ["𠀀", "U+20000 Extension B", true, false],
  ["𪜀", "U+2A700 Extension C", true, false],
  ["\u{2F800}", "U+2F800 compatibility supplement (NFC would make it U+4E3D)", true, false],
  ["⺀", "U+2E80 radical", true, false],
  ["⼀", "U+2F00 Kangxi radical", true, false],
  ["々", "U+3005 iteration mark", true, false],
  ["、", "U+3001 ideographic comma", true, false],
  ["。", "U+3002 ideographic full stop", true, false],
  ["「", "U+300C corner bracket", true, false],
  ["，", "U+FF0C fullwidth comma", true, false],
  ["ｱ", "U+FF71 halfwidth katakana", true, false],
  ["あ", "U+3042 hiragana", true, true],
  ["ア", "U+30A2 katakana", true, true],
  ["ー", "U+30FC prolonged sound mark", true, true],
  ["ㇰ", "U+31F0 katakana phonetic extension", true, false],
  ["ㄅ", "U+3105 bopomofo", true, false],
  ["ㄱ", "U+3131 Hangul compatibility jamo", true, false],
  ["ᄀ", "U+1100 Hangul jamo", true, false],
  ["한", "U+D55C Hangul syllable", true, true],
  ["\u3000", "U+3000 ideographic space", false, false],
  ["䷀", "U+4DC0 Yijing hexagram", false, false],
  ["a", "Latin", false, false],
  ["é", "Latin with an accent", false, false],
  ["Я", "Cyrillic", false, false],
  ["ก", "Thai", false, false],
  ["·", "U+00B7 middle dot", false, false],
  ["🙂", "emoji", false, false],
];

// The three definitions this one replaced (2026-12-05), to show nothing they held was lost.
const ANALYSIS_INPUT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const EMBED_TEXT =
  /[\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/;
const SEARCH_TERMS = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]/u;

function* codePoints(last: number) {
  for (let cp = 0; cp <= last; cp++) if (cp < 0xd800 || cp > 0xdfff) yield String.fromCodePoint(cp);
}

describe("CJK", () => {
  it.each(TABLE)("%s (%s): CJK %s, indexed %s", (char, _what, cjk, indexed) => {
    expect(CJK_CHAR.test(char)).toBe(cjk);
    expect(INDEXED_CJK_CHAR.test(char)).toBe(indexed);
  });

  it("holds every character the token estimates counted as CJK before", () => {
    const lost = [...codePoints(0x3ffff)].filter(
      (char) => (ANALYSIS_INPUT.test(char) || EMBED_TEXT.test(char)) && !CJK_CHAR.test(char),
    );
    expect(lost).toEqual([]);
  });

  it("cuts queries exactly where the search did, and only CJK characters", () => {
    const changed = [...codePoints(0xffff)].filter((char) => SEARCH_TERMS.test(char) !== INDEXED_CJK_CHAR.test(char));
    expect(changed).toEqual([]);
    expect([...codePoints(0x3ffff)].filter((char) => INDEXED_CJK_CHAR.test(char) && !CJK_CHAR.test(char))).toEqual([]);
  });

  it("is what the keyword index's triggers cut into bigrams (migrations/0005_search.sql)", async () => {
    const bigrammed = async (char: string) => {
      const id = await seedRepository({
        fullName: `cjk/u${char.codePointAt(0)!.toString(16)}`,
        description: `中${char}`,
      });
      const row = await env.DB.prepare("select description from repositories_fts where rowid = ?")
        .bind(id)
        .first<{ description: string }>();
      // The indexed value is the text, then (when it has CJK pairs) a line of its bigrams.
      return (row?.description.split("\n")[1]?.split(" ") ?? []).includes(`中${char}`);
    };
    for (const [char, what, , indexed] of TABLE) {
      // The SQL's range check spans U+3400–U+9FFF, the Yijing hexagrams between Extension A and
      // the Unified Ideographs included, where the query side stops at U+4DBF: harmless, as no
      // query asks for a bigram with a hexagram.
      const sql = char === "䷀" ? true : indexed;
      expect(await bigrammed(char), what).toBe(sql);
    }
  });
});
