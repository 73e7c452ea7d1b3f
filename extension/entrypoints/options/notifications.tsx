import { useEffect, useState } from "preact/hooks";
import { browser } from "wxt/browser";
import { explainError } from "@/lib/errors";
import { t } from "@/lib/i18n";
import { readReleaseNotice, releaseNoticeItem } from "@/lib/storage";

// Release notifications (background/release-notice.ts): the optional `notifications` permission, asked straight
// from the click (a user gesture, before anything is awaited), and given back with Turn off. Which repositories
// are watched is each card's "Watch releases" on the new tab, kept on the Worker.

type State = "loading" | "on" | "off" | "unsupported";

export function NotificationsSection() {
  const [state, setState] = useState<State>("loading");
  const [failure, setFailure] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  const refresh = async () => {
    let on: boolean;
    try {
      on = await browser.permissions.contains({ permissions: ["notifications"] });
    } catch (error) {
      // A browser without the permission (or the API) for extensions: said, not hidden.
      console.warn("starwise: notifications permission unknown", error);
      return setState("unsupported");
    }
    setState(on ? "on" : "off");
    setFailure(on ? (await readReleaseNotice()).failure : null);
  };
  useEffect(() => {
    void refresh();
    return releaseNoticeItem.watch((next) => setFailure(next?.failure ?? null));
  }, []);

  /** From the click itself: the browser grants only within its user gesture. */
  const allow = () => {
    setNote(null);
    browser.permissions.request({ permissions: ["notifications"] }).then(
      async (granted) => {
        // Releases published before this moment are never news (planReleaseNotice).
        if (granted) await releaseNoticeItem.setValue({ ...(await readReleaseNotice()), enabledAt: Date.now() });
        else setNote(t("notifyDenied"));
        await refresh();
      },
      (error: unknown) => setNote(explainError(error).text),
    );
  };

  const turnOff = async () => {
    try {
      await browser.permissions.remove({ permissions: ["notifications"] });
      await refresh();
    } catch (error) {
      setNote(explainError(error).text);
    }
  };

  return (
    <section class="card notifications" aria-labelledby="notify-heading" data-state={state}>
      <h2 id="notify-heading">{t("optionsNotifications")}</h2>
      <p class="hint">{t("notifyHint")}</p>
      {state === "unsupported" && <p class="muted">{t("notifyUnsupported")}</p>}
      {state === "on" && (
        <div class="row">
          <span class="note ok" role="status">
            {t("notifyOn")}
          </span>
          <button type="button" class="secondary notify-off" onClick={() => void turnOff()}>
            {t("notifyTurnOff")}
          </button>
        </div>
      )}
      {state === "off" && (
        <div class="row">
          <span class="muted">{t("notifyOff")}</span>
          <button type="button" class="primary notify-on" onClick={allow}>
            {t("notifyAllow")}
          </button>
        </div>
      )}
      {failure && (
        <p class="note error" role="alert">
          {t("notifyFailed", failure)}
        </p>
      )}
      {note && (
        <p class="note error" role="alert">
          {note}
        </p>
      )}
    </section>
  );
}
