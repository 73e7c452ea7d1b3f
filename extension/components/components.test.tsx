import { render } from "preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LookupItem } from "../../shared/repositories";
import { useEnglish } from "@/test/i18n";
import { RepoBadge, tagsOf } from "./repo-badge";
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

  it("the badge shows date, tags (custom first, no duplicates), platforms, OpenRank and notes — all as text", () => {
    render(<RepoBadge state={{ kind: "in-library", item }} onSave={() => {}} />, root);
    expect(root.querySelector(".when")?.textContent).toBe("Starred Mar 4, 2025");
    expect([...root.querySelectorAll(".chip.tag")].map((chip) => chip.textContent)).toEqual(["rust", "mine", "cli"]);
    expect(root.querySelector(".chip.platform")?.textContent).toBe("Linux");
    expect(root.querySelector(".openrank")?.textContent).toBe("OpenRank 12.35");
    expect(root.querySelector(".notes")?.textContent).toContain("<img src=x");
    (root.querySelector("button.toggle") as HTMLButtonElement).click();
    return Promise.resolve().then(() => {
      expect(root.querySelector(".summary")?.textContent).toBe(HOSTILE);
      expect(root.querySelectorAll("img, script, a").length).toBe(0);
    });
  });

  it("the badge offers 'save to Starwise' for a repository not in the library", () => {
    let saved = 0;
    render(<RepoBadge state={{ kind: "not-in-library", saving: false, error: null }} onSave={() => saved++} />, root);
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
