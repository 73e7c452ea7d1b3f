import { useState } from "preact/hooks";
import type { LookupItem } from "../../shared/repositories";
import { formatDate, formatNumber, t } from "@/lib/i18n";

// The compact badge next to a repository's title on github.com. Everything in it is
// untrusted text (AI output, the user's notes) and rendered as text.

export function tagsOf(item: LookupItem): string[] {
  const seen = new Set<string>();
  return [...item.customTags, ...item.aiTags].filter((tag) => {
    const key = tag.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export type BadgeState =
  | { kind: "in-library"; item: LookupItem }
  | { kind: "not-in-library"; saving: boolean; error: string | null };

export function RepoBadge({ state, onSave }: { state: BadgeState; onSave: () => void }) {
  const [open, setOpen] = useState(false);
  if (state.kind === "not-in-library") {
    return (
      <span class="badge not-in-library">
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
  const tags = tagsOf(item).slice(0, 6);
  return (
    <span class="badge in-library" data-starred={String(item.starred)}>
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
      {tags.map((tag) => (
        <span class="chip tag" key={tag}>
          {tag}
        </span>
      ))}
      {item.aiPlatforms.map((platform) => (
        <span class="chip platform" key={`p:${platform}`}>
          {platform}
        </span>
      ))}
      {item.openrank !== null && (
        <span class="openrank" title={t("openrankHint")}>
          {t("badgeOpenrank", formatNumber(Math.round(item.openrank * 100) / 100))}
        </span>
      )}
      {item.notes && (
        <span class="notes" title={item.notes}>
          {t("badgeNote")} {item.notes.length > 60 ? `${item.notes.slice(0, 60)}…` : item.notes}
        </span>
      )}
      {item.aiSummary && (
        <>
          <button
            type="button"
            class="toggle"
            aria-expanded={open}
            title={item.aiSummary}
            onClick={() => setOpen(!open)}
          >
            {open ? t("badgeHideSummary") : t("badgeShowSummary")}
          </button>
          {open && <span class="summary">{item.aiSummary}</span>}
        </>
      )}
    </span>
  );
}
