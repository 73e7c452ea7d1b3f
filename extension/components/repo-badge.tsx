import { useLayoutEffect, useRef, useState } from "preact/hooks";
import type { LookupItem } from "../../shared/repositories";
import { floatNextTo } from "@/github/floating";
import { cleanLine } from "@/lib/clean-text";
import { formatDate, formatNumber, t } from "@/lib/i18n";
import { SimilarList, type LoadSimilar } from "./similar-list";
import { Line, Paragraph } from "./untrusted-text";

// The badge next to a repository's title on github.com: one line (when starred, a few chips,
// "+N", OpenRank) that opens a floating card of details (the AI summary, every tag, the note and
// "similar in your stars"). Everything from the item is untrusted text (AI output, the user's
// notes, tags): rendered as text, cleaned and direction-isolated (components/untrusted-text.tsx).

/** Chips the one-line badge shows before "+N". */
export const MAX_CHIPS = 3;

export function tagsOf(item: LookupItem): string[] {
  const seen = new Set<string>();
  return [...item.customTags, ...item.aiTags].filter((tag) => {
    const key = cleanLine(tag).toLowerCase();
    if (!key || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface Chip {
  kind: "tag" | "platform";
  text: string;
}

/** Tags (the user's first), then platforms: what the badge's chips show, in order. */
export function chipsOf(item: LookupItem): Chip[] {
  return [
    ...tagsOf(item).map((text) => ({ kind: "tag" as const, text })),
    ...item.aiPlatforms.filter((text) => cleanLine(text)).map((text) => ({ kind: "platform" as const, text })),
  ];
}

/** OpenRank as the badge says it: null (OpenDigger has no data) and 0 (no activity counted) are "—". */
export function openrankText(openrank: number | null): string {
  return openrank !== null && openrank > 0
    ? t("badgeOpenrank", formatNumber(Math.round(openrank * 100) / 100))
    : t("badgeOpenrankNone");
}

export type BadgeState =
  | { kind: "in-library"; item: LookupItem }
  | { kind: "not-in-library"; saving: boolean; error: string | null };

const ChipView = ({ chip }: { chip: Chip }) => <Line class={`chip ${chip.kind}`} text={chip.text} />;

/** "Archived" in Primer's attention colours, else the latest release's tag and date when known. */
function Health({ health }: { health: LookupItem["health"] }) {
  if (health?.archived)
    return (
      <span class="chip health archived" data-health="archived">
        {t("badgeArchived")}
      </span>
    );
  const release = health?.latestRelease;
  if (!release) return null;
  return (
    <span class="chip health release" data-health="release" title={t("badgeLatestReleaseTitle")}>
      {/* The tag is the repository's own text: cleaned and isolated like every chip. */}
      <Line
        text={release.publishedAt ? t("badgeLatestRelease", release.tag, formatDate(release.publishedAt)) : release.tag}
      />
    </span>
  );
}

export function RepoBadge({
  state,
  onSave,
  loadSimilar,
}: {
  state: BadgeState;
  onSave: () => void;
  loadSimilar: LoadSimilar;
}) {
  const [open, setOpen] = useState(false);
  const badge = useRef<HTMLSpanElement>(null);
  const panel = useRef<HTMLElement>(null);

  // Layout effect: the card is placed before the first paint.
  useLayoutEffect(() => {
    if (!open || !panel.current || !badge.current) return;
    const placed = new AbortController();
    floatNextTo(panel.current, badge.current, placed.signal, { align: "start" });
    const root = badge.current.getRootNode() as ShadowRoot;
    // A click anywhere outside the badge and its card closes the card, as GitHub's menus do; so
    // does Escape (listened to in our shadow root: keys do not leave it, github/shadow-ui.tsx).
    document.addEventListener(
      "click",
      (event) => {
        if (!event.composedPath().includes(root.host)) setOpen(false);
      },
      { signal: placed.signal, capture: true },
    );
    root.addEventListener(
      "keydown",
      (event) => {
        if ((event as KeyboardEvent).key === "Escape") setOpen(false);
      },
      { signal: placed.signal },
    );
    return () => placed.abort();
  }, [open]);

  if (state.kind === "not-in-library") {
    return (
      <span class="badge not-in-library">
        <span class="brand" aria-hidden="true">
          ★
        </span>
        <button type="button" class="save" onClick={onSave} disabled={state.saving}>
          {state.saving ? t("badgeSaving") : t("badgeSave")}
        </button>
        {state.error && (
          <span class="error" role="alert">
            {state.error}
          </span>
        )}
      </span>
    );
  }

  const { item } = state;
  const chips = chipsOf(item);
  const shown = chips.slice(0, MAX_CHIPS);
  const hidden = chips.length - shown.length;
  const hasOpenrank = item.openrank !== null && item.openrank > 0;
  return (
    <span class="badge in-library" ref={badge} data-starred={String(item.starred)}>
      <span class="brand" aria-hidden="true">
        ★
      </span>
      <span class="when">
        {item.starred && item.starredAt
          ? t("badgeStarredOn", formatDate(item.starredAt))
          : item.starred
            ? t("badgeStarred")
            : t("badgeSaved")}
      </span>
      <Health health={item.health} />
      {shown.map((chip) => (
        <ChipView key={`${chip.kind}:${chip.text}`} chip={chip} />
      ))}
      {hidden > 0 && (
        <button
          type="button"
          class="chip more"
          aria-label={t("badgeMoreChips", hidden)}
          title={t("badgeMoreChips", hidden)}
          onClick={() => setOpen(true)}
        >
          +{formatNumber(hidden)}
        </button>
      )}
      <span
        class="openrank"
        data-none={String(!hasOpenrank)}
        title={t(hasOpenrank ? "openrankHint" : "openrankNoneHint")}
      >
        {openrankText(item.openrank)}
      </span>
      <button type="button" class="toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? t("badgeHideDetails") : t("badgeDetails")}
        <span aria-hidden="true"> {open ? "▴" : "▾"}</span>
      </button>
      {open && (
        <section class="panel details" ref={panel} aria-label={t("badgeDetails")}>
          <section>
            <h3>{t("badgeSummary")}</h3>
            {item.aiSummary ? (
              <Paragraph class="summary" text={item.aiSummary} />
            ) : (
              <p class="muted">{t("badgeNoSummary")}</p>
            )}
          </section>
          {chips.length > 0 && (
            <section>
              <h3>{t("badgeTags")}</h3>
              <p class="all-chips">
                {chips.map((chip) => (
                  <ChipView key={`${chip.kind}:${chip.text}`} chip={chip} />
                ))}
              </p>
            </section>
          )}
          {item.notes && (
            <section>
              <h3>{t("popoverNote")}</h3>
              <Paragraph class="notes" text={item.notes} />
            </section>
          )}
          <p class="muted openrank-hint">{t(hasOpenrank ? "openrankHint" : "openrankNoneHint")}</p>
          <SimilarList fullName={item.fullName} load={loadSimilar} />
        </section>
      )}
    </span>
  );
}
