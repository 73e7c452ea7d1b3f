import type { LookupItem } from "../../shared/repositories";
import { placeNextTo } from "@/github/floating";
import { cleanLine } from "@/lib/clean-text";
import { repositoryOfHref } from "@/lib/github-link";
import { formatDate, t } from "@/lib/i18n";
import css from "./marks.css?inline";

// Your stars on GitHub links on other sites (docs/architecture.md §1, "Marks on other sites"): after
// each link to a repository of your library, a small mark — ★ and a few of your tags — whose hover
// card says what you know of it. Runs only on sites the person allowed (entrypoints/background/
// site-access.ts registers it there and nowhere else).
//
// One lookup for the page's links, then one per batch of links the page adds later (a feed that
// loads more), never one per link; a name answered once is not asked again. The page is never
// broken or restyled: each mark is a custom element after the link (never inside it: the link's text
// and clicks stay the page's), its look in a closed shadow root (the page's CSS cannot reach it, its
// scripts cannot read your tags and summaries from it), its own box set inline with `!important`.
// Untrusted text (names, tags, summaries) only ever goes in as text, cleaned (lib/clean-text.ts).

export const HOST_TAG = "starwise-mark";
/** Links added within this long of each other are one lookup. */
export const BATCH_MS = 250;
/** A page with more marks than this gets no more (a list of thousands of links is not read this way). */
const MAX_MARKS = 1000;
/** The lookup message takes at most this many names (lib/messaging.ts). */
const MESSAGE_MAX = 500;

export interface MarksDeps {
  /** The `lookup` message: the library's data for these names (absent: not in the library). */
  lookup(fullNames: string[]): Promise<Record<string, LookupItem>>;
  signal: AbortSignal;
  batchMs?: number;
}

/** The host's own box: `all: initial` first, so no rule of the page's decides how it sits in the line. */
const HOST_STYLE: Array<[string, string]> = [
  ["all", "initial"],
  ["display", "inline-block"],
  ["margin", "0 0 0 0.35em"],
  ["vertical-align", "baseline"],
  ["line-height", "normal"],
];

let sheet: CSSStyleSheet | null = null;
/** One stylesheet shared by every mark; a `<style>` in each root where constructed sheets cannot be adopted. */
function styleRoot(root: ShadowRoot): void {
  try {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
    }
    root.adoptedStyleSheets = [sheet];
    return;
  } catch {
    // A browser (or a content script's sandbox) without constructed stylesheets.
  }
  const style = document.createElement("style");
  style.textContent = css;
  root.append(style);
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string) {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The tags a mark shows: the person's own, else the AI's (already in their words), cleaned, once each. */
export function tagsOf(item: LookupItem): string[] {
  const own = item.customTags.map(cleanLine).filter(Boolean);
  const tags = own.length > 0 ? own : item.aiTags.map(cleanLine).filter(Boolean);
  return [...new Map(tags.map((tag) => [tag.toLowerCase(), tag])).values()];
}

/** Every tag, the person's first, for the hover card. */
function allTags(item: LookupItem): string[] {
  const tags = [...item.customTags, ...item.aiTags].map(cleanLine).filter(Boolean);
  return [...new Map(tags.map((tag) => [tag.toLowerCase(), tag])).values()];
}

/** What a mark says in one line, also its accessible name. */
export function markLabel(item: LookupItem): string {
  const state = item.starred ? t("siteMarkStarred") : t("siteMarkSaved");
  const tags = allTags(item);
  return tags.length ? `${state}: ${tags.join(", ")}` : state;
}

/** The mark for one link; its hover card is made when first wanted. */
export function createMark(item: LookupItem, signal: AbortSignal): HTMLElement {
  const host = document.createElement(HOST_TAG);
  for (const [property, value] of HOST_STYLE) host.style.setProperty(property, value, "important");
  const root = host.attachShadow({ mode: "closed" });
  styleRoot(root);
  const chip = element("span", item.starred ? "mark" : "mark saved");
  chip.setAttribute("role", "note");
  chip.setAttribute("aria-label", markLabel(item));
  chip.append(element("span", "glyph", item.starred ? "★" : "◆"));
  const tags = tagsOf(item);
  if (tags.length > 0) {
    const shown = tags.slice(0, 2).join(" · ");
    const tagText = element("span", "tags", tags.length > 2 ? `${shown} +${tags.length - 2}` : shown);
    tagText.dir = "auto";
    chip.append(tagText);
  }
  root.append(chip);

  let tip: HTMLElement | null = null;
  const show = () => {
    tip ??= root.appendChild(hoverCard(item));
    tip.hidden = false;
    const anchor = chip.getBoundingClientRect();
    const where = placeNextTo(
      anchor,
      { width: tip.offsetWidth, height: tip.offsetHeight },
      { width: window.innerWidth, height: window.innerHeight },
      { align: "start" },
    );
    tip.style.top = `${where.top}px`;
    tip.style.left = `${where.left}px`;
  };
  const hide = () => {
    if (tip) tip.hidden = true;
  };
  chip.addEventListener("pointerenter", show, { signal });
  chip.addEventListener("pointerleave", hide, { signal });
  return host;
}

/** Name, when it was starred, the summary and every tag: text nodes only. */
function hoverCard(item: LookupItem): HTMLElement {
  const card = element("span", "tip");
  card.setAttribute("role", "tooltip");
  card.hidden = true;
  const name = element("span", "name", cleanLine(item.fullName));
  name.dir = "auto";
  card.append(name);
  const when = item.starred
    ? item.starredAt
      ? t("siteMarkStarredOn", formatDate(item.starredAt))
      : t("siteMarkStarred")
    : t("siteMarkSaved");
  card.append(element("span", "when", when));
  const summary = item.customDescription ?? item.aiSummary;
  if (summary && cleanLine(summary)) {
    const text = element("span", "summary", cleanLine(summary));
    text.dir = "auto";
    card.append(text);
  }
  const tags = allTags(item);
  if (tags.length > 0) {
    const chips = element("span", "chips");
    for (const tag of tags) {
      const chip = element("span", "chip", tag);
      chip.dir = "auto";
      chips.append(chip);
    }
    card.append(chips);
  }
  return card;
}

/** Marks the links of `doc` now and the ones it adds later, until `deps.signal` aborts. */
export function startMarks(doc: Document, deps: MarksDeps): { settled(): Promise<void> } {
  const batchMs = deps.batchMs ?? BATCH_MS;
  const seen = new WeakSet<Element>();
  /** Lower-cased name → the answer (null: not in the library). */
  const known = new Map<string, LookupItem | null>();
  /** Lower-cased name → the name as first seen, and the links waiting for the next lookup. */
  const waiting = new Map<string, { name: string; links: HTMLAnchorElement[] }>();
  /** The same, for names of a lookup on its way (a link added meanwhile waits for that answer). */
  const asking = new Map<string, { name: string; links: HTMLAnchorElement[] }>();
  let marks = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let inFlight: Promise<void> = Promise.resolve();

  const mark = (link: HTMLAnchorElement, item: LookupItem | null) => {
    if (!item || !(item.starred || item.saved) || marks >= MAX_MARKS || !link.isConnected) return;
    marks++;
    link.after(createMark(item, deps.signal));
  };

  const gather = (node: Node) => {
    if (!(node instanceof Element) || node.localName === HOST_TAG) return;
    const links = node instanceof HTMLAnchorElement ? [node] : node.querySelectorAll<HTMLAnchorElement>("a[href]");
    for (const link of links) {
      if (seen.has(link)) continue;
      seen.add(link);
      // A link without words (an image, an icon) would put a second mark beside the one of its text.
      if (!link.textContent?.trim()) continue;
      const name = repositoryOfHref(link.getAttribute("href") ?? "", doc.baseURI);
      if (!name) continue;
      const key = name.toLowerCase();
      const asked = asking.get(key);
      if (known.has(key)) mark(link, known.get(key) ?? null);
      else if (asked) asked.links.push(link);
      else {
        const entry = waiting.get(key) ?? { name, links: [] };
        entry.links.push(link);
        waiting.set(key, entry);
      }
    }
  };

  const flush = () => {
    timer = null;
    if (waiting.size === 0 || deps.signal.aborted) return inFlight;
    const batch = [...waiting.entries()];
    waiting.clear();
    for (const [key, entry] of batch) asking.set(key, entry);
    inFlight = inFlight.then(async () => {
      for (let i = 0; i < batch.length; i += MESSAGE_MAX) {
        const chunk = batch.slice(i, i + MESSAGE_MAX);
        let items: Record<string, LookupItem> = {};
        try {
          items = await deps.lookup(chunk.map(([, entry]) => entry.name));
        } catch (error) {
          // Not answered (signed out meanwhile, the Worker away): no marks; a link added later asks again.
          for (const [key] of chunk) asking.delete(key);
          console.warn("starwise: no marks for this page's GitHub links", error);
          continue;
        }
        if (deps.signal.aborted) return;
        for (const [key, entry] of chunk) {
          const item = items[entry.name] ?? null;
          known.set(key, item);
          asking.delete(key);
          for (const link of entry.links) mark(link, item);
        }
      }
    });
    return inFlight;
  };

  gather(doc.documentElement);
  void flush();
  const observer = new MutationObserver((records) => {
    for (const record of records) for (const node of record.addedNodes) gather(node);
    if (waiting.size > 0 && timer === null) timer = setTimeout(flush, batchMs);
  });
  observer.observe(doc.documentElement, { childList: true, subtree: true });
  deps.signal.addEventListener(
    "abort",
    () => {
      observer.disconnect();
      if (timer) clearTimeout(timer);
    },
    { once: true },
  );
  return {
    /** Resolves when every link seen so far has its answer (tests). */
    settled: async () => {
      if (timer) {
        clearTimeout(timer);
        await flush();
      }
      await inFlight;
    },
  };
}
