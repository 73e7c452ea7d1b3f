import { render } from "preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LookupItem } from "../../shared/repositories";
import { useEnglish } from "@/test/i18n";
import { MessageError } from "@/lib/messaging";
import { chipsOf, MAX_CHIPS, RepoBadge, tagsOf } from "./repo-badge";
import { SimilarList, type SimilarAnswer } from "./similar-list";
import { Snippet } from "./snippet";
import { parseTags } from "./star-popover";
import { ProgressBar } from "./progress-bar";

const HOSTILE = `<img src=x onerror="alert(1)"><script>alert(2)</script>[x](javascript:alert(3))`;
const item: LookupItem = {
  fullName: "a/b",
  starred: true,
  saved: false,
  starredAt: "2025-03-04T05:06:07.000Z",
  aiSummary: HOSTILE,
  aiTags: ["cli", "Rust"],
  aiPlatforms: ["Linux"],
  openrank: 12.345,
  customTags: ["rust", "mine"],
  customCategory: null,
  customDescription: null,
  notes: HOSTILE,
};

describe("components", () => {
  let root: HTMLElement;
  beforeEach(() => {
    useEnglish();
    root = document.createElement("div");
    document.body.append(root);
  });
  afterEach(() => {
    render(null, root);
    root.remove();
  });

  const noSimilar = async (): Promise<never> => {
    throw new Error("not opened in this test");
  };
  const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

  it("the badge says Archived, else the latest release's tag and date when known, else nothing of health", () => {
    const badge = (health: LookupItem["health"]) => {
      render(
        <RepoBadge
          state={{ kind: "in-library", item: { ...item, health } }}
          onSave={() => {}}
          loadSimilar={noSimilar}
        />,
        root,
      );
      const shown = root.querySelector(".health");
      return shown ? [shown.getAttribute("data-health"), shown.textContent] : null;
    };
    const release = { tag: HOSTILE, publishedAt: "2026-12-03T00:00:00.000Z" };
    expect(badge({ archived: true, latestRelease: release })).toEqual(["archived", "Archived"]);
    expect(badge({ archived: false, latestRelease: release })).toEqual(["release", `${HOSTILE} · Dec 3, 2026`]);
    expect(root.querySelector("img, script")).toBeNull();
    expect(badge({ archived: false, latestRelease: { tag: "v1", publishedAt: null } })).toEqual(["release", "v1"]);
    // A tag's direction overrides are taken out and the tag isolated, like every chip's text.
    expect(badge({ archived: false, latestRelease: { tag: "v2\u202Egpj.exe", publishedAt: null } })).toEqual([
      "release",
      "v2gpj.exe",
    ]);
    expect(root.querySelector(".health bdi")).not.toBeNull();
    expect(badge({ archived: false, latestRelease: null })).toBeNull();
    expect(badge(undefined)).toBeNull();
  });

  it("the badge is one line: date, at most three chips and +N, OpenRank; details on demand — all as text", async () => {
    render(<RepoBadge state={{ kind: "in-library", item }} onSave={() => {}} loadSimilar={noSimilar} />, root);
    expect(root.querySelector(".when")?.textContent).toBe("Starred Mar 4, 2025");
    // rust, mine, cli (custom first, no duplicates), then the platform Linux: three shown, one behind +1.
    expect([...root.querySelectorAll(".chip.tag")].map((chip) => chip.textContent)).toEqual(["rust", "mine", "cli"]);
    expect(root.querySelector(".chip.platform")).toBeNull();
    expect(root.querySelector(".chip.more")?.textContent).toBe("+1");
    expect(root.querySelector(".openrank")?.textContent).toBe("OpenRank 12.35");
    expect(root.querySelector(".details")).toBeNull();
    (root.querySelector("button.chip.more") as HTMLButtonElement).click();
    await tick();
    const details = root.querySelector(".details")!;
    expect(details.querySelector(".summary")?.textContent).toBe(HOSTILE);
    expect(details.querySelector(".summary")?.getAttribute("dir")).toBe("auto");
    expect([...details.querySelectorAll(".chip")].map((chip) => chip.textContent)).toEqual([
      "rust",
      "mine",
      "cli",
      "Linux",
    ]);
    expect(details.querySelector(".notes")?.textContent).toBe(HOSTILE);
    expect(root.querySelectorAll("img, script, a").length).toBe(0);
  });

  it("caps chips at three whatever their number, and says OpenRank — without data", () => {
    const many = { ...item, customTags: Array.from({ length: 12 }, (_, i) => `t${i}`), openrank: null };
    expect(chipsOf(many)).toHaveLength(15);
    render(<RepoBadge state={{ kind: "in-library", item: many }} onSave={() => {}} loadSimilar={noSimilar} />, root);
    expect(root.querySelectorAll(".badge > .chip:not(.more)")).toHaveLength(MAX_CHIPS);
    expect(root.querySelector(".chip.more")?.textContent).toBe("+12");
    expect(root.querySelector(".openrank")?.textContent).toBe("OpenRank —");
    render(
      <RepoBadge
        state={{ kind: "in-library", item: { ...item, openrank: 0 } }}
        onSave={() => {}}
        loadSimilar={noSimilar}
      />,
      root,
    );
    expect(root.querySelector(".openrank")?.textContent).toBe("OpenRank —");
  });

  it("untrusted text never shows a control character or a direction override", () => {
    const spoof = {
      ...item,
      customTags: ["photo\u202Egnp.exe", "nul\u0000byte", "\u0000"],
      aiTags: [],
      aiPlatforms: [],
    };
    render(<RepoBadge state={{ kind: "in-library", item: spoof }} onSave={() => {}} loadSimilar={noSimilar} />, root);
    // A tag that is nothing but controls is no chip at all.
    expect([...root.querySelectorAll(".chip.tag")].map((chip) => chip.textContent)).toEqual([
      "photognp.exe",
      "nulbyte",
    ]);
    expect(root.querySelector(".chip.tag")?.tagName).toBe("BDI");
  });

  it("similar in your stars asks once when opened, shows entries, and reopens without asking", async () => {
    const calls: string[] = [];
    const answer: SimilarAnswer = {
      mode: "keyword",
      items: [
        { fullName: "a/near", summary: "A photo\u202Egnp.exe tool\u0000", language: "Go", stargazersCount: 1200 },
        { fullName: "a/bare", summary: null, language: null, stargazersCount: 3 },
      ],
    };
    render(
      <SimilarList
        fullName="x/y"
        load={async (name) => {
          calls.push(name);
          return answer;
        }}
      />,
      root,
    );
    expect(calls).toEqual([]);
    const toggle = root.querySelector("button.similar-toggle") as HTMLButtonElement;
    expect(toggle.textContent).toBe("Similar in your stars");
    toggle.click();
    await tick();
    expect(calls).toEqual(["x/y"]);
    const entries = [...root.querySelectorAll(".similar-list li")];
    expect(entries.map((li) => li.querySelector(".name")?.textContent)).toEqual(["a/near", "a/bare"]);
    expect(entries[0]!.querySelector("a")?.getAttribute("href")).toBe("https://github.com/a/near");
    expect(entries[0]!.querySelector(".line")?.textContent).toBe("A photognp.exe tool");
    expect(entries[0]!.querySelector(".meta")?.textContent).toBe("Go1,200 stars");
    expect(entries[1]!.querySelector(".line")?.textContent).toBe("No description");
    expect(root.querySelector(".by-words")?.textContent).toMatch(/^Matched by shared words/);
    toggle.click();
    await tick();
    expect(root.querySelector(".similar-list")).toBeNull();
    toggle.click();
    await tick();
    expect(root.querySelectorAll(".similar-list li")).toHaveLength(2);
    expect(calls).toHaveLength(1);
  });

  it("similar in your stars says so when nothing is similar, and when it failed (with a retry)", async () => {
    let fail = true;
    render(
      <SimilarList
        fullName="x/y"
        load={async () => {
          if (fail) throw new MessageError("worker_unreachable", "down");
          return { mode: "hybrid", items: [] };
        }}
      />,
      root,
    );
    (root.querySelector("button.similar-toggle") as HTMLButtonElement).click();
    await tick();
    expect(root.querySelector(".similar [role=alert]")?.textContent).toMatch(
      /^Similar repositories could not be loaded\. /,
    );
    fail = false;
    (root.querySelector("button.retry") as HTMLButtonElement).click();
    await tick();
    expect(root.querySelector(".similar .empty")?.textContent).toMatch(/^Nothing similar in your stars yet\./);
    expect(root.querySelector(".by-words")).toBeNull();
  });

  it("the badge offers 'save to Starwise' for a repository not in the library", () => {
    let saved = 0;
    render(
      <RepoBadge
        state={{ kind: "not-in-library", saving: false, error: null }}
        onSave={() => saved++}
        loadSimilar={noSimilar}
      />,
      root,
    );
    const button = root.querySelector("button.save") as HTMLButtonElement;
    expect(button.textContent).toBe("Save to Starwise");
    button.click();
    expect(saved).toBe(1);
  });

  it("a snippet marks its ranges and stays text", () => {
    render(
      <Snippet
        text="<b>fast</b> JSON parser"
        ranges={[
          [12, 16],
          [0, 3],
          [100, 120],
        ]}
      />,
      root,
    );
    expect([...root.querySelectorAll("mark")].map((mark) => mark.textContent)).toEqual(["<b>", "JSON"]);
    expect(root.querySelector(".snippet")?.textContent).toBe("<b>fast</b> JSON parser");
    expect(root.querySelector("b")).toBeNull();
  });

  it("a snippet drops controls and overrides without moving its marks", () => {
    // "\u202E" at 0 and "\u0000" inside the match: the ranges are offsets into the text as sent.
    render(<Snippet text={"\u202Eexe.fast\u0000 parser"} ranges={[[5, 10]]} />, root);
    expect(root.querySelector("mark")?.textContent).toBe("fast");
    expect(root.querySelector(".snippet")?.textContent).toBe("exe.fast parser");
    expect(root.querySelector(".snippet")?.getAttribute("dir")).toBe("auto");
  });

  it("the progress bar is indeterminate without a length, and says how far otherwise", () => {
    render(<ProgressBar progress={{ phase: "fetching" }} />, root);
    expect(root.querySelector(".bar")?.classList.contains("indeterminate")).toBe(true);
    expect(root.querySelector("[role=progressbar]")?.hasAttribute("aria-valuenow")).toBe(false);
    render(<ProgressBar progress={{ phase: "fetching", listed: 1200, total: 5000 }} />, root);
    expect(root.querySelector(".phase")?.textContent).toBe("Listing your stars: 1,200 of 5,000");
    expect(root.querySelector("[role=progressbar]")?.getAttribute("aria-valuenow")).toBe("24");
  });

  it("tags typed in a popover are split on commas (also the Chinese one)", () => {
    expect(parseTags(" rust, cli ，工具,, ")).toEqual(["rust", "cli", "工具"]);
    expect(tagsOf({ ...item, customTags: ["A"], aiTags: ["a", "b"] })).toEqual(["A", "b"]);
  });
});
