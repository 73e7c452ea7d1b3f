// Spelling: a query word that matches nothing is searched as its corrections, and the answer says so
// (docs/architecture.md §7, "Typos").
import { describe, expect, it, vi } from "vitest";
import { SearchResponse, type SearchHit } from "../../shared/search";
import { createDb } from "../db/client";
import { oneEditApart } from "../lib/edit-distance";
import { seedLibraryItem, seedRepository } from "../test/library-seed";
import { BASE, env, signIn, workerFetch } from "../test/helpers";
import { DEFAULT_SEARCH_OPTIONS, searchLibrary } from "./search";
import { corrections, spellableWord } from "./spelling";

const names = (answer: { items: SearchHit[] }) => answer.items.map((item) => item.fullName);

describe("one edit apart", () => {
  it("is one letter inserted, deleted or replaced; a swap of neighbours only when asked", () => {
    expect(oneEditApart("chokidar", "chokidr")).toBe(true);
    expect(oneEditApart("express", "expres")).toBe(true);
    expect(oneEditApart("playwright", "playwrigxt")).toBe(true);
    expect(oneEditApart("ripgrep", "ripgrep")).toBe(true);
    expect(oneEditApart("ripgrep", "ripgerp")).toBe(false);
    expect(oneEditApart("ripgrep", "ripgerp", { transpose: true })).toBe(true);
    expect(oneEditApart("lodash", "lodahs", { transpose: true })).toBe(true);
    // Two edits, however they are counted.
    expect(oneEditApart("ripgrep", "rpigerp", { transpose: true })).toBe(false);
    expect(oneEditApart("kubernetes", "kubernts", { transpose: true })).toBe(false);
    expect(oneEditApart("abcd", "badc", { transpose: true })).toBe(false);
  });
});

describe("spelling", () => {
  it("asks only plain Latin words of five letters or more", () => {
    expect(spellableWord('"Ripgerp"*')).toBe("ripgerp");
    expect(spellableWord('"lodahs"')).toBe("lodahs");
    expect(spellableWord('"node"')).toBeNull();
    expect(spellableWord('"12345"')).toBeNull();
    expect(spellableWord('"数据库"')).toBeNull();
    expect(spellableWord('"node js"')).toBeNull();
  });

  it("corrects to the words one edit away more used than the word typed", () => {
    const vocabulary = new Map([
      ["express", 40],
      ["expose", 30], // two edits
      ["expresso", 9], // two edits
      ["expres", 2], // the word typed, used twice
      ["xpres", 2], // no more used than it
      ["exprei", 3],
    ]);
    expect(corrections("expres", vocabulary)).toEqual(["express", "exprei"]);
    // A word used more than its neighbours is not misspelled.
    expect(corrections("express", vocabulary)).toEqual([]);
    // At most three, the most used first.
    const many = new Map([
      ["lodash", 9],
      ["lodahs", 0],
      ["lotahs", 5],
      ["ledahs", 7],
      ["lodans", 3],
      ["lodah", 2],
      ["lodaht", 0],
    ]);
    expect(corrections("lodahs", many)).toEqual(["lodash", "ledahs", "lotahs"]);
    expect(corrections("unknownword", new Map([["unknownwords", 1]]))).toEqual(["unknownwords"]);
  });
});

describe("searchLibrary with a misspelled word", () => {
  async function seed(login: string) {
    const { user } = await signIn(login, 0);
    const add = seedLibraryItem.bind(null, user.id);
    const ids = {
      ripgrep: await add({
        fullName: "BurntSushi/ripgrep",
        description: "ripgrep recursively searches directories for a regex pattern",
        readme: "# ripgrep\n\nA line-oriented search tool.",
      }),
      grep: await add({
        fullName: "someone/grep-tools",
        description: "Search tools: a grep wrapper",
        readme: "Searching text in directories, like ripgrep but slower.",
      }),
      lodash: await add({
        fullName: "lodash/lodash",
        description: "A modern JavaScript utility library delivering modularity, performance and extras",
        readme: "# lodash\n\nThe lodash library exported as a UMD module. lodash makes JavaScript easier.",
      }),
      forecast: await add({
        fullName: "weather/forecast",
        description: "Weather forecast client",
        readme: `# forecast\n\n${"An API client for weather services. ".repeat(20)}It works in winter too.`,
      }),
    };
    return { userId: user.id, ids, db: createDb(env.DB) };
  }

  it("finds the repository, its name first, says what was searched instead and shows it in the snippet", async () => {
    const { userId, db } = await seed("spelling-ripgerp");
    const answer = await searchLibrary(db, userId, { q: "ripgerp" }, null, DEFAULT_SEARCH_OPTIONS);
    expect(names(answer)[0]).toBe("BurntSushi/ripgrep");
    expect(answer.spelling).toEqual([{ word: "ripgerp", instead: ["ripgrep"] }]);
    const snippet = answer.items[0]!.snippet!;
    expect(snippet.ranges.map(([from, to]) => snippet.text.slice(from, to).toLowerCase())).toContain("ripgrep");
    // A word spelled right and a misspelled one: only the second is corrected.
    const mixed = await searchLibrary(db, userId, { q: "lodahs javascript" }, null, DEFAULT_SEARCH_OPTIONS);
    expect(names(mixed)[0]).toBe("lodash/lodash");
    expect(mixed.spelling).toEqual([{ word: "lodahs", instead: ["lodash"] }]);
    // Off: the words as typed, nothing found.
    const off = await searchLibrary(db, userId, { q: "ripgerp" }, null, { ...DEFAULT_SEARCH_OPTIONS, spelling: false });
    expect(off.items).toEqual([]);
    expect(off.spelling).toEqual([]);
  });

  it("corrects nothing that matched, nothing of four letters, and to nothing the library lacks", async () => {
    const { userId, db } = await seed("spelling-none");
    // Another user's public repositories use "ripples" twice; this library has no such word.
    const other = await signIn("spelling-other", 0);
    for (const fullName of ["a/ripples", "b/ripples"])
      await seedLibraryItem(other.user.id, { fullName, description: "ripples on water" });
    for (const q of ["ripgrep", "grpe", "rippls"]) {
      const answer = await searchLibrary(db, userId, { q }, null, DEFAULT_SEARCH_OPTIONS);
      expect(answer.spelling, q).toEqual([]);
    }
    // An everyday question stays no match: its words one edit away are not strong enough to be matches.
    const everyday = await searchLibrary(
      db,
      userId,
      { q: "how to knit a wool scarf for winter" },
      null,
      DEFAULT_SEARCH_OPTIONS,
    );
    expect(everyday.items).toEqual([]);
  });

  it("suggests only words of public repositories: no one's notes, tags or private README", async () => {
    const { user } = await signIn("spelling-private", 0);
    await seedLibraryItem(user.id, { fullName: "me/secret", readme: "quixotically", isPrivate: true });
    await seedLibraryItem(user.id, { fullName: "me/open", readme: "nothing here" }, { notes: "quixotically" });
    await seedRepository({ fullName: "public/one", readme: "quixotically" });
    const vocabulary = await env.DB.prepare("select term, doc from repositories_fts_vocab where term = ?")
      .bind("quixotically")
      .all<{ term: string; doc: number }>();
    // The public README alone: the private one and the note are not in the vocabulary.
    expect(vocabulary.results).toEqual([{ term: "quixotically", doc: 1 }]);
  });

  it("searches the words as typed when the vocabulary cannot be read", async () => {
    const { userId, db } = await seed("spelling-no-vocabulary");
    await env.DB.prepare("drop table repositories_fts_vocab").run();
    try {
      const error = vi.spyOn(console, "error").mockImplementation(() => {});
      const answer = await searchLibrary(db, userId, { q: "ripgerp regex" }, null, DEFAULT_SEARCH_OPTIONS);
      expect(names(answer)[0]).toBe("BurntSushi/ripgrep");
      expect(answer.spelling).toEqual([]);
      expect(error).toHaveBeenCalledOnce();
    } finally {
      // The database outlives the test (storage is shared by the file's tests): as migration 0021 made it.
      await env.DB.prepare(
        "create virtual table repositories_fts_vocab using fts5vocab('repositories_fts', 'row')",
      ).run();
    }
  });

  it("answers over HTTP with the words searched instead", async () => {
    const session = await signIn("spelling-http", 0);
    await seedLibraryItem(session.user.id, { fullName: "lodash/lodash", description: "lodash utility library" });
    await seedLibraryItem(session.user.id, { fullName: "x/utils", description: "helpers in the style of lodash" });
    const response = await workerFetch(`${BASE}/api/search?q=lodahs`, {
      headers: { Authorization: `Bearer ${session.sessionToken}` },
    });
    const answer = SearchResponse.parse(await response.json());
    expect(names(answer)[0]).toBe("lodash/lodash");
    expect(answer.spelling).toEqual([{ word: "lodahs", instead: ["lodash"] }]);
  });
});
