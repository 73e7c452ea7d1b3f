import type { RepositoryHealth } from "../../../shared/repositories";
import { DIGEST_QUIET_YEARS_DEFAULT } from "../../../shared/digest";
import { Line } from "@/components/untrusted-text";
import { formatDate, t, type MessageKey } from "@/lib/i18n";

// What happened to a repository on GitHub, as small chips in its new-tab card (docs/architecture.md §4, "Health"):
// gone (with why), disabled, archived, its latest release, quiet for years. Primer's label look: an outline in the
// colour of what it says (danger for gone and disabled, attention for archived and quiet), text from the catalog,
// the release's tag — someone else's text — as an isolated line.

const YEAR = 365.25 * 86_400_000;

export type HealthChip = {
  kind: "gone" | "disabled" | "archived" | "release" | "quiet";
  key: MessageKey;
  subs: Array<string | number>;
  /** The longer explanation, on hover and for screen readers. */
  title: string;
  /** Untrusted text shown after the words (the release's tag). */
  tag?: string;
};

const GONE: Record<NonNullable<RepositoryHealth["gone"]>["reason"], MessageKey> = {
  deleted: "healthGoneDeleted",
  blocked: "healthGoneBlocked",
  "private-or-deleted": "healthGonePrivate",
};

/** The chips of one repository, most serious first. A gone repository says only that: the rest is history. */
export function healthChips(health: RepositoryHealth, now: number = Date.now()): HealthChip[] {
  if (health.gone) {
    const title = t("healthGoneTitle", health.gone.at ? formatDate(health.gone.at) : "—");
    return [{ kind: "gone", key: GONE[health.gone.reason], subs: [], title }];
  }
  const chips: HealthChip[] = [];
  if (health.disabled)
    chips.push({ kind: "disabled", key: "healthDisabled", subs: [], title: t("healthDisabledTitle") });
  if (health.archived) {
    const title = health.archivedAt ? t("healthArchivedOn", formatDate(health.archivedAt)) : t("healthArchivedTitle");
    chips.push({ kind: "archived", key: "badgeArchived", subs: [], title });
  }
  const release = health.latestRelease;
  if (release) {
    chips.push({
      kind: "release",
      key: release.publishedAt ? "healthRelease" : "healthReleaseUndated",
      subs: release.publishedAt ? [formatDate(release.publishedAt)] : [],
      title: t("badgeLatestReleaseTitle"),
      tag: release.tag,
    });
  }
  const last = health.lastCommitAt ? Date.parse(health.lastCommitAt) : Number.NaN;
  const years = Math.floor((now - last) / YEAR);
  if (!health.archived && years >= DIGEST_QUIET_YEARS_DEFAULT) {
    chips.push({
      kind: "quiet",
      key: "healthQuiet",
      subs: [years],
      title: t("healthQuietTitle", formatDate(last)),
    });
  }
  return chips;
}

export function HealthChips({ health }: { health: RepositoryHealth | undefined }) {
  if (!health) return null;
  return (
    <>
      {healthChips(health).map((chip) => (
        <span class="chip health" data-kind={chip.kind} title={chip.title} key={chip.kind}>
          {chip.tag !== undefined && (
            <>
              <Line text={chip.tag} class="tag" />{" "}
            </>
          )}
          {t(chip.key, ...chip.subs)}
        </span>
      ))}
    </>
  );
}
