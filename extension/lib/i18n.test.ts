import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import en from "../locales/en.json";
import zh from "../locales/zh_CN.json";
import { catalogFromMessagesJson, substitute, t, useCatalog } from "./i18n";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const placeholders = (text: string) => [...text.matchAll(/\$(\d)/g)].map((m) => m[1]).sort();

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" || entry.name.startsWith(".") ? [] : sources(path);
    return /\.(ts|tsx)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

describe("strings", () => {
  afterEach(() => useCatalog(null));

  it("exist in both languages, with the same placeholders, none empty", () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(en)) {
      const other = (zh as Record<string, string>)[key]!;
      expect(text.trim(), key).not.toBe("");
      expect(other.trim(), key).not.toBe("");
      expect(placeholders(other), key).toEqual(placeholders(text));
    }
  });

  it("every key the code asks for is in the catalog", () => {
    const used = new Set<string>();
    for (const file of sources(root)) {
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/\bt\(\s*"([A-Za-z0-9]+)"/g)) used.add(match[1]!);
      for (const match of text.matchAll(/\bkey: "([A-Za-z0-9]+)"/g)) used.add(match[1]!);
    }
    expect(used.size).toBeGreaterThan(40);
    expect([...used].filter((key) => !(key in en))).toEqual([]);
  });

  it("substitutes $1…$9 and formats numbers for the language", () => {
    useCatalog(en, "en");
    expect(t("phaseFetchingCounts", 1200, 5000)).toBe("Listing your stars: 1,200 of 5,000");
    useCatalog(zh, "zh");
    expect(t("phaseFetchingCounts", 1200, 5000)).toBe("正在获取所有仓库：1,200 / 5,000");
    expect(substitute("$2 then $1, $3 stays", ["a", "b"])).toBe("b then a, $3 stays");
  });

  it("reads back the browser's messages.json form written by the build", () => {
    const json = {
      greet: { message: "Hi $P1$, $P2$ left", placeholders: { p1: { content: "$1" }, p2: { content: "$2" } } },
    };
    expect(catalogFromMessagesJson(json)).toEqual({ greet: "Hi $1, $2 left" });
  });
});
