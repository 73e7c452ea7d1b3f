import { t } from "@/lib/i18n";
import { progressView } from "@/lib/progress";
import type { ProgressData } from "../../shared/events";

/** The live progress of a sync: the phase label and a bar (indeterminate when the phase has no length). */
export function ProgressBar({ progress }: { progress: ProgressData | null }) {
  const view = progressView(progress);
  return (
    <div class="progress" data-phase={progress?.phase ?? "starting"}>
      <p class="phase" role="status" aria-live="polite">
        {t(view.label.key, ...view.label.subs)}
      </p>
      <div
        class={view.percent === null ? "bar indeterminate" : "bar"}
        role="progressbar"
        aria-label={t("syncProgress")}
        aria-valuemin={0}
        aria-valuemax={100}
        {...(view.percent === null ? {} : { "aria-valuenow": view.percent })}
      >
        <div class="fill" style={view.percent === null ? undefined : { width: `${view.percent}%` }} />
      </div>
    </div>
  );
}
