import { useLayoutEffect, useRef, useState } from "preact/hooks";
import type { LookupItem } from "../../shared/repositories";
import { floatNextTo } from "@/github/floating";
import { explainError } from "@/lib/errors";
import { t } from "@/lib/i18n";
import { sendMessageLite as sendMessage } from "@/lib/send-message";
import { Line } from "./untrusted-text";

/** "a, b ,c" → ["a","b","c"], trimmed and without empties. */
export function parseTags(text: string): string[] {
  return text
    .split(/[,，]/)
    .map((tag) => tag.trim())
    .filter((tag) => tag.length > 0)
    .slice(0, 30);
}

/**
 * After clicking GitHub's Star: tags and a note for that repository, saved at once. It floats by
 * `anchor` (the Star button: below it, right edges lined up, flipped at the viewport's edges).
 */
export function StarPopover({
  fullName,
  initial,
  anchor,
  onSaved,
  onClose,
}: {
  fullName: string;
  initial: LookupItem | null;
  anchor: Element;
  onSaved: (item: LookupItem) => void;
  onClose: () => void;
}) {
  const [tags, setTags] = useState((initial?.customTags ?? []).join(", "));
  const [notes, setNotes] = useState(initial?.notes ?? "");
  const [state, setState] = useState<{ kind: "idle" | "saving" | "saved" } | { kind: "failed"; text: string }>({
    kind: "idle",
  });
  const first = useRef<HTMLInputElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  // Layout effect: placed before the first paint, so it never shows where the host happens to be.
  useLayoutEffect(() => {
    if (!panel.current) return;
    const placed = new AbortController();
    floatNextTo(panel.current, anchor, placed.signal, { align: "end" });
    first.current?.focus();
    const host = (panel.current.getRootNode() as ShadowRoot).host;
    // A click outside the popover (and not on the button that opened it) closes it.
    document.addEventListener(
      "click",
      (event) => {
        const path = event.composedPath();
        if (!path.includes(host) && !path.includes(anchor)) onClose();
      },
      { signal: placed.signal, capture: true },
    );
    return () => placed.abort();
  }, [anchor]);

  const save = async (event: Event) => {
    event.preventDefault();
    setState({ kind: "saving" });
    try {
      const item = await sendMessage("updateRepository", {
        fullName,
        customTags: parseTags(tags),
        notes: notes.trim() ? notes : null,
      });
      setState({ kind: "saved" });
      onSaved(item);
      setTimeout(onClose, 1200);
    } catch (error) {
      setState({ kind: "failed", text: explainError(error).text });
    }
  };

  return (
    <div class="popover panel" ref={panel} role="dialog" aria-label={t("popoverTitle", fullName)}>
      <form
        class="popover-form"
        onSubmit={save}
        onKeyDown={(event) => {
          if (event.key === "Escape") onClose();
        }}
      >
        <div class="head">
          <strong>
            <Line text={t("popoverTitle", fullName)} />
          </strong>
          <button type="button" class="close" aria-label={t("close")} onClick={onClose}>
            ×
          </button>
        </div>
        <label>
          <span>{t("popoverTags")}</span>
          <input
            ref={first}
            name="tags"
            value={tags}
            placeholder={t("popoverTagsPlaceholder")}
            onInput={(e) => setTags((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          <span>{t("popoverNote")}</span>
          <textarea
            name="notes"
            rows={3}
            value={notes}
            onInput={(e) => setNotes((e.target as HTMLTextAreaElement).value)}
          />
        </label>
        <div class="actions">
          <button type="submit" class="save" disabled={state.kind === "saving"}>
            {state.kind === "saving" ? t("badgeSaving") : t("popoverSave")}
          </button>
          {state.kind === "saved" && (
            <span class="ok" role="status">
              {t("saved")}
            </span>
          )}
          {state.kind === "failed" && (
            <span class="error" role="alert">
              {state.text}
            </span>
          )}
        </div>
      </form>
    </div>
  );
}
