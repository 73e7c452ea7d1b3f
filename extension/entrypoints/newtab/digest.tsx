import { useEffect, useRef, useState } from "preact/hooks";
import type { Digest, DigestItem, DigestSection } from "../../../shared/digest";
import { explainError } from "@/lib/errors";
import { formatDate, formatNumber, t, type MessageKey } from "@/lib/i18n";
import { sendMessage } from "@/lib/messaging";
import { githubUrlOf } from "@/lib/safe-url";
import { SelectBox, type Selection } from "./unstar";
import {
  digestPanelItem,
  readDigestPanel,
  recordDigestVisit,
  type DigestPanel as PanelState,
  type DigestVisit,
} from "@/lib/storage";

// The new tab's "What changed" panel (docs/architecture.md §4, "The digest"): what happened to the person's stars
// since their last visit (./../../lib/storage.ts, `local:digestVisit`), a week or a month — releases, archived,
// gone, unstarred — then the library's quiet repositories and a few stars from long ago. Folded or open as left;
// `#digest` in the page's address (the popup's line) opens it. Every name, description and note is text.

const DAY = 86_400_000;
const RANGE_DAYS = { week: 7, month: 30 } as const;

type Range = PanelState["range"];
type Load = { kind: "loading" } | { kind: "error"; text: string } | { kind: "ready"; digest: Digest };

/** Since when, for a range: the visit before this one (a week ago on the first), or a fixed span. */
export function sinceOf(range: Range, visit: DigestVisit, now: number): number {
  if (range === "visit") return visit.previous ?? now - RANGE_DAYS.week * DAY;
  return now - RANGE_DAYS[range] * DAY;
}

const GONE_KEY: Record<NonNullable<DigestItem["goneReason"]>, MessageKey> = {
  deleted: "digestGoneDeleted",
  blocked: "digestGoneBlocked",
  "private-or-deleted": "digestGonePrivate",
};

type Kind = "releases" | "archived" | "gone" | "unstarred" | "quiet" | "resurfaced";

/** What a line says after the name, per section. */
function detailOf(kind: Kind, item: DigestItem): string {
  const on = (iso: string | null) => (iso ? formatDate(iso) : t("unknown"));
  switch (kind) {
    case "releases":
      return item.release ? `${item.release.tag} · ${on(item.release.publishedAt)}` : on(item.at);
    case "archived":
      return t("digestArchivedOn", on(item.at));
    case "gone":
      return `${t(item.goneReason ? GONE_KEY[item.goneReason] : "digestGonePrivate")} · ${on(item.at)}`;
    case "unstarred":
      // Through Starwise (a bulk unstar: Undo is on this page) or on GitHub itself.
      return t(item.unstarredBy === "starwise" ? "digestUnstarredStarwise" : "digestUnstarredOn", on(item.at));
    case "quiet":
      return t("digestLastCommit", on(item.at));
    case "resurfaced":
      return t("badgeStarredOn", on(item.starredAt));
  }
}

function Item({ kind, item, selection }: { kind: Kind; item: DigestItem; selection?: Selection | undefined }) {
  // The release's own name when it says more than its tag.
  const releaseName = item.release?.name && item.release.name !== item.release.tag ? item.release.name : null;
  return (
    <li class="digest-item" data-gone={item.goneReason ?? undefined} data-unstarred-by={item.unstarredBy ?? undefined}>
      {selection && item.unstarredBy === null && <SelectBox fullName={item.fullName} selection={selection} />}
      <a href={githubUrlOf(item.fullName)} class="digest-name" rel="noreferrer">
        {item.fullName}
      </a>{" "}
      <span class="digest-detail">{detailOf(kind, item)}</span>
      {item.release?.prerelease && <span class="chip digest-prerelease">{t("digestPrerelease")}</span>}
      {releaseName && <span class="digest-release-name muted"> — {releaseName}</span>}
      {kind === "resurfaced" && item.description && <p class="digest-description muted">{item.description}</p>}
      {item.notes && <p class="digest-note">{item.notes}</p>}
      {item.tags.length > 0 && (
        <span class="digest-tags">
          {item.tags.map((tag) => (
            <span class="chip" key={tag}>
              {tag}
            </span>
          ))}
        </span>
      )}
    </li>
  );
}

function Section(props: {
  kind: Kind;
  title: string;
  section: DigestSection;
  hint?: string | undefined;
  counted?: boolean;
  folded?: boolean;
  selection?: Selection | undefined;
}) {
  const { kind, title, section, hint, counted = true, folded = false, selection } = props;
  if (section.total === 0) return null;
  const more = section.total - section.items.length;
  const heading = (
    <h3>
      {title} {counted && <span class="digest-count">{formatNumber(section.total)}</span>}
    </h3>
  );
  const body = (
    <>
      {hint && <p class="muted digest-hint">{hint}</p>}
      <ul>
        {section.items.map((item) => (
          <Item key={item.fullName} kind={kind} item={item} selection={selection} />
        ))}
      </ul>
      {more > 0 && <p class="muted digest-more">{t("digestMore", formatNumber(more))}</p>}
    </>
  );
  // Quiet is the whole library's, not news: folded under its count, the changes stay in view.
  if (folded)
    return (
      <details class="digest-section" data-kind={kind} aria-label={title}>
        <summary>{heading}</summary>
        {body}
      </details>
    );
  return (
    <section class="digest-section" data-kind={kind} aria-label={title}>
      {heading}
      {body}
    </section>
  );
}

/** The panel; `now` is a seam for tests. */
export function DigestPanel({ now = Date.now, selection }: { now?: () => number; selection?: Selection }) {
  const [panel, setPanel] = useState<PanelState | null>(null);
  const [visit, setVisit] = useState<DigestVisit | null>(null);
  const [load, setLoad] = useState<Load>({ kind: "loading" });
  const root = useRef<HTMLDetailsElement>(null);
  const asked = location.hash === "#digest";
  // One "now" for the page: a span counted from each drawing's clock would ask again at every drawing.
  const [openedAt] = useState(now);

  useEffect(() => {
    void Promise.all([readDigestPanel(), recordDigestVisit(openedAt)]).then(([stored, visited]) => {
      setPanel(asked ? { ...stored, open: true } : stored);
      setVisit(visited);
    });
  }, []);

  const since = panel && visit ? new Date(sinceOf(panel.range, visit, openedAt)).toISOString() : null;
  useEffect(() => {
    if (!since) return;
    let current = true;
    setLoad({ kind: "loading" });
    sendMessage("digest", { since }).then(
      (digest) => current && setLoad({ kind: "ready", digest }),
      (error: unknown) => current && setLoad({ kind: "error", text: explainError(error).text }),
    );
    return () => {
      current = false;
    };
  }, [since]);

  useEffect(() => {
    if (asked && load.kind === "ready") root.current?.scrollIntoView({ block: "start" });
  }, [load.kind]);

  if (!panel || !since) return null;
  const save = (next: PanelState) => {
    setPanel(next);
    void digestPanelItem.setValue(next);
  };
  const digest = load.kind === "ready" ? load.digest : null;
  const changed = digest ? digest.changes + digest.unstarred.total : 0;
  const sinceText = formatDate(since);
  return (
    <details
      ref={root}
      id="digest"
      class="digest"
      open={panel.open}
      onToggle={(event) => {
        const open = (event.currentTarget as HTMLDetailsElement).open;
        if (open !== panel.open) save({ ...panel, open });
      }}
    >
      <summary>
        <span class="digest-title">{t("digestTitle")}</span>{" "}
        {digest && (
          <span class="digest-summary muted">
            {changed === 0
              ? t("digestNoneShort", sinceText)
              : changed === 1
                ? t("digestOneChangeSince", sinceText)
                : t("digestChangesSince", formatNumber(changed), sinceText)}
          </span>
        )}
      </summary>
      <fieldset class="digest-range">
        <legend>{t("digestRangeLabel")}</legend>
        {(["visit", "week", "month"] as const).map((range) => (
          <button
            key={range}
            type="button"
            class={panel.range === range ? "chip-button active" : "chip-button"}
            aria-pressed={panel.range === range}
            onClick={() => save({ ...panel, range })}
          >
            {t(range === "visit" ? "digestRangeVisit" : range === "week" ? "digestRangeWeek" : "digestRangeMonth")}
          </button>
        ))}
      </fieldset>
      {load.kind === "loading" && <p class="muted digest-loading">{t("loading")}</p>}
      {load.kind === "error" && (
        <p class="digest-error" role="status">
          {t("digestError", load.text)}
        </p>
      )}
      {digest && (
        <div class="digest-body">
          {changed === 0 && <p class="digest-empty">{t("digestNothing", sinceText)}</p>}
          <Section
            kind="releases"
            selection={selection}
            title={t("digestReleases")}
            section={digest.releases}
            hint={t("digestReleasesHint")}
          />
          <Section kind="archived" title={t("digestArchived")} section={digest.archived} selection={selection} />
          <Section
            kind="gone"
            title={t("digestGone")}
            section={digest.gone}
            hint={t("digestGoneHint")}
            selection={selection}
          />
          <Section kind="unstarred" title={t("digestUnstarred")} section={digest.unstarred} />
          <Section
            kind="quiet"
            selection={selection}
            title={t("digestQuiet", formatNumber(digest.quietYears))}
            section={digest.quiet}
            hint={digest.quiet.newSince > 0 ? t("digestQuietNew", formatNumber(digest.quiet.newSince)) : undefined}
            folded
          />
          <Section
            kind="resurfaced"
            selection={selection}
            title={t("digestResurfaced")}
            section={{ total: digest.resurfaced.length, items: digest.resurfaced }}
            counted={false}
          />
        </div>
      )}
    </details>
  );
}
