import { afterEach, describe, expect, it } from "vitest";
import { errorCodes } from "../../shared/errors";
import en from "../locales/en.json";
import zh from "../locales/zh_CN.json";
import { explain, explainError } from "./errors";
import { useCatalog } from "./i18n";
import { CLIENT_CODES, MessageError } from "./message-error";

describe("explain", () => {
  afterEach(() => useCatalog(null));

  it("gives every code the extension produces its own text in English and Chinese", () => {
    for (const [catalog, lang] of [
      [en, "en"],
      [zh, "zh"],
    ] as const) {
      useCatalog(catalog, lang);
      for (const code of CLIENT_CODES) {
        const { text } = explain(code, "detail");
        expect(text, `${lang} ${code}`).not.toBe("detail");
        expect(
          Object.values(catalog).some((message) => message.replace("$1", "detail") === text),
          `${lang} ${code}`,
        ).toBe(true);
      }
    }
  });

  it("gives every code of the Worker's contract (shared/errors.ts) its own text in English and Chinese", () => {
    const texts = { en: new Set<string>(), zh: new Set<string>() };
    for (const [catalog, lang] of [
      [en, "en"],
      [zh, "zh"],
    ] as const) {
      useCatalog(catalog, lang);
      for (const code of errorCodes) {
        const { text } = explain(code, "the Worker's words");
        // Not the Worker's English message: a text of the catalog, in that language.
        expect(text, `${lang} ${code}`).not.toBe("the Worker's words");
        expect(Object.values(catalog as Record<string, string>), `${lang} ${code}`).toContain(text);
        texts[lang].add(text);
      }
    }
    // One text per code: no two codes say the same thing.
    expect(texts.en.size).toBe(errorCodes.length);
    expect(texts.zh.size).toBe(errorCodes.length);
  });

  it("keeps what broke in the text of a bug, and says something without it", () => {
    useCatalog(en, "en");
    expect(explainError(new Error("boom"))).toEqual({
      code: "internal",
      text: "Something went wrong in the extension: boom",
      action: "retry",
    });
    expect(explain("bad_message", "")).toEqual({ code: "bad_message", text: "Something went wrong.", action: "retry" });
    expect(explainError(new MessageError("not_connected", "Sign in first.")).action).toBe("options");
  });

  it("shows the Worker's own message for a code it does not know", () => {
    useCatalog(en, "en");
    expect(explain("some_new_code", "The Worker says so.")).toEqual({
      code: "some_new_code",
      text: "The Worker says so.",
      action: "retry",
    });
  });
});
