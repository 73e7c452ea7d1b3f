import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { errorCodes } from "../../shared/errors";
import en from "../locales/en.json";
import zh from "../locales/zh_CN.json";
import { explain, explainError } from "./errors";
import { useCatalog } from "./i18n";
import { MessageError } from "./message-error";

const extensionDir = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The failure codes the extension's own code produces: `new MessageError("…"` and `code: "…"` replies. */
function producedCodes(): Set<string> {
  const codes = new Set<string>();
  for (const entry of readdirSync(extensionDir, { recursive: true, withFileTypes: true })) {
    // Tests and their helpers (extension/test/: a fake Worker) are not the extension.
    if (!/\.tsx?$/.test(entry.name) || /\.test\.tsx?$/.test(entry.name) || entry.parentPath.endsWith("test")) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), "utf8");
    for (const match of text.matchAll(/new MessageError\(\s*"([a-z_]+)"|\bcode: "([a-z_]+)"/g))
      codes.add((match[1] ?? match[2])!);
  }
  // Never shown: the page drops the answer to a search a newer one replaced.
  codes.delete("aborted");
  return codes;
}

describe("explain", () => {
  afterEach(() => useCatalog(null));

  it("gives every code the extension produces its own text in English and Chinese", () => {
    const produced = producedCodes();
    expect([...produced].sort()).toEqual(
      expect.arrayContaining(["bad_message", "bad_response", "internal", "not_connected", "worker_unreachable"]),
    );
    for (const [catalog, lang] of [
      [en, "en"],
      [zh, "zh"],
    ] as const) {
      useCatalog(catalog, lang);
      for (const code of produced) {
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
        // A text with the failure's own words (`$1`: GitHub's, for a List it refused) is still the catalog's.
        expect(
          Object.values(catalog as Record<string, string>).some(
            (message) => message.replace("$1", "the Worker's words") === text,
          ),
          `${lang} ${code}`,
        ).toBe(true);
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

  it("shows GitHub's own words when it will make no more Lists, in English and Chinese", () => {
    const said = 'GitHub allows no more Lists on this account. GitHub said: "You can\'t create more than 32 lists."';
    useCatalog(en, "en");
    expect(explain("github_list_limit", said).text).toBe(
      "GitHub will not make another List: this account has as many as GitHub allows. Delete a List on GitHub, or " +
        `add to one you have. (${said})`,
    );
    useCatalog(zh, "zh");
    expect(explain("github_list_limit", said).text).toContain("GitHub 不再允许创建新列表");
    expect(explain("github_list_limit", said).text).toContain("You can't create more than 32 lists.");
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
