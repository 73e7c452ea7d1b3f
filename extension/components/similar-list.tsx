import { useState } from "preact/hooks";
import { isFullName } from "@/github/page";
import { explainError } from "@/lib/errors";
import { formatNumber, t } from "@/lib/i18n";
import type { MessageResponse } from "@/lib/messaging";
import { Line } from "./untrusted-text";

// "Similar in your stars": the library's repositories nearest to this one
// (`GET /api/repositories/:owner/:name/similar`, docs/architecture.md §7). Asked only when the person
// opens it (one request; none before), kept while the badge lives. Each entry is a link to the
// repository and its one-line summary, as text.

export type SimilarAnswer = MessageResponse<"similar">;
export type LoadSimilar = (fullName: string) => Promise<SimilarAnswer>;

/** How many neighbours the list shows (the issue: "the 3–5 nearest"). */
export const SIMILAR_LIMIT = 5;

type State =
  | { kind: "closed"; answer: SimilarAnswer | null }
  | { kind: "loading" }
  | { kind: "open"; answer: SimilarAnswer }
  | { kind: "failed"; text: string };

export function SimilarList({ fullName, load }: { fullName: string; load: LoadSimilar }) {
  const [state, setState] = useState<State>({ kind: "closed", answer: null });

  const open = async () => {
    if (state.kind === "closed" && state.answer) {
      setState({ kind: "open", answer: state.answer });
      return;
    }
    setState({ kind: "loading" });
    try {
      setState({ kind: "open", answer: await load(fullName) });
    } catch (error) {
      setState({ kind: "failed", text: explainError(error).text });
    }
  };

  return (
    <section class="similar" data-state={state.kind}>
      <button
        type="button"
        class="similar-toggle"
        aria-expanded={state.kind === "open"}
        disabled={state.kind === "loading"}
        onClick={() => (state.kind === "open" ? setState({ kind: "closed", answer: state.answer }) : void open())}
      >
        {state.kind === "open" ? t("similarHide") : t("similarOpen")}
      </button>
      {state.kind === "loading" && (
        <p class="muted" role="status">
          {t("similarLoading")}
        </p>
      )}
      {state.kind === "failed" && (
        <p class="error" role="alert">
          {t("similarFailed", state.text)}{" "}
          <button type="button" class="retry" onClick={() => void open()}>
            {t("actionRetry")}
          </button>
        </p>
      )}
      {state.kind === "open" && state.answer.items.length === 0 && (
        <p class="muted empty" role="status">
          {t("similarEmpty")}
        </p>
      )}
      {state.kind === "open" && state.answer.items.length > 0 && (
        <>
          <ol class="similar-list">
            {state.answer.items.map((entry) => (
              <li key={entry.fullName}>
                {isFullName(entry.fullName) ? (
                  <a class="name" href={`https://github.com/${entry.fullName}`}>
                    <Line text={entry.fullName} />
                  </a>
                ) : (
                  <Line class="name" text={entry.fullName} />
                )}
                <span class="meta">
                  {entry.language && <Line text={entry.language} />}
                  <span>{t("similarStars", formatNumber(entry.stargazersCount))}</span>
                </span>
                {entry.summary ? (
                  <Line class="line" text={entry.summary} />
                ) : (
                  <span class="line muted">{t("similarNoSummary")}</span>
                )}
              </li>
            ))}
          </ol>
          {state.answer.mode === "keyword" && <p class="muted by-words">{t("similarByWords")}</p>}
        </>
      )}
    </section>
  );
}
