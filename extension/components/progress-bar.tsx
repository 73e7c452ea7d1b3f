import { useEffect, useState } from "preact/hooks";
import { currentLanguage, t } from "@/lib/i18n";
import { progressView, waitLabel } from "@/lib/progress";
import type { ProgressData, ProgressWait } from "../../shared/events";

/** "01:42:10" in the page's language. */
const clock = (at: number) =>
  new Intl.DateTimeFormat(currentLanguage() === "zh" ? "zh-CN" : "en-US", { timeStyle: "medium" }).format(at);

const duration = (seconds: number) =>
  seconds < 120 ? t("durationSeconds", seconds) : t("durationMinutes", Math.ceil(seconds / 60));

/** A wait that says until when, counting down each second (a 45 s wait must not look like a stall). */
function Waiting({ wait }: { wait: ProgressWait }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const label = waitLabel(wait, now);
  return (
    <p class="wait muted" data-for={wait.for}>
      {t(label.key, clock(label.until), duration(label.seconds))}
    </p>
  );
}

/** The live progress of a sync: the phase label and a bar (indeterminate when the phase has no length). */
export function ProgressBar({ progress }: { progress: ProgressData | null }) {
  const view = progressView(progress);
  const wait = progress?.wait && progress.wait.until > Date.now() ? progress.wait : null;
  return (
    <div class="progress" data-phase={progress?.phase ?? "starting"}>
      <p class="phase" role="status" aria-live="polite">
        {t(view.label.key, ...view.label.subs)}
      </p>
      {wait && <Waiting wait={wait} />}
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
