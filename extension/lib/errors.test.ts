import { afterEach, describe, expect, it } from "vitest";
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
