import { useEffect, useState } from "preact/hooks";
import { FEEDS_PER_USER, type FeedCreated, type FeedInfo } from "../../../shared/feed";
import { explainError } from "@/lib/errors";
import { formatDate, formatDateTime, t } from "@/lib/i18n";
import { MessageError, sendMessage } from "@/lib/messaging";

// A feed of what changed (docs/architecture.md §3, "The feed"): an Atom feed of the digest for any feed reader,
// behind an address that is its own key. The address is shown once, when made — the Worker keeps only its hash —
// like a secret: copy it now, or revoke and make another.

type Note = { kind: "ok" | "error"; text: string } | null;

const failed = (error: unknown) =>
  error instanceof MessageError && error.code === "conflict"
    ? t("feedFull", FEEDS_PER_USER)
    : t("feedFailed", explainError(error).text);

export function FeedSection() {
  const [feeds, setFeeds] = useState<FeedInfo[] | null>(null);
  const [created, setCreated] = useState<FeedCreated | null>(null);
  const [includePrivate, setIncludePrivate] = useState(false);
  const [copied, setCopied] = useState(false);
  const [note, setNote] = useState<Note>(null);

  const refresh = async () => {
    try {
      setFeeds((await sendMessage("feeds")).feeds);
    } catch (error) {
      setNote({ kind: "error", text: failed(error) });
    }
  };
  useEffect(() => void refresh(), []);

  const create = async () => {
    setNote(null);
    setCopied(false);
    try {
      setCreated(await sendMessage("createFeed", { includePrivate }));
      await refresh();
    } catch (error) {
      setNote({ kind: "error", text: failed(error) });
    }
  };

  const revoke = async (id: number) => {
    try {
      await sendMessage("revokeFeed", { id });
      if (created?.id === id) setCreated(null);
      await refresh();
      setNote({ kind: "ok", text: t("feedRevoked") });
    } catch (error) {
      setNote({ kind: "error", text: failed(error) });
    }
  };

  const copy = async (url: string) => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch (error) {
      setNote({ kind: "error", text: explainError(error).text });
    }
  };

  return (
    <section class="card feed" aria-labelledby="feed-heading">
      <h2 id="feed-heading">{t("optionsFeed")}</h2>
      <p class="hint">{t("feedHint")}</p>
      {created && (
        <div class="feed-created" role="status">
          <p>{t("feedCreated")}</p>
          <div class="row">
            <input
              type="text"
              class="feed-url"
              readOnly
              value={created.url}
              aria-label={t("optionsFeed")}
              onFocus={(e) => (e.target as HTMLInputElement).select()}
            />
            <button type="button" class="primary copy-feed" onClick={() => void copy(created.url)}>
              {copied ? t("feedCopied") : t("feedCopy")}
            </button>
          </div>
        </div>
      )}
      {feeds === null ? (
        <p class="muted">{t("loading")}</p>
      ) : feeds.length === 0 ? (
        <p class="muted none">{t("feedNone")}</p>
      ) : (
        <ul class="feeds">
          {feeds.map((feed) => (
            <li key={feed.id} data-feed={feed.id}>
              <span>
                {t("feedMade", formatDate(feed.createdAt))} ·{" "}
                {feed.lastReadAt ? t("feedLastRead", formatDateTime(feed.lastReadAt)) : t("feedNeverRead")}
                {feed.includePrivate && <> · {t("feedWithPrivate")}</>}
              </span>
              <button type="button" class="secondary revoke-feed" onClick={() => void revoke(feed.id)}>
                {t("feedRevoke")}
              </button>
            </li>
          ))}
        </ul>
      )}
      <label class="check">
        <input
          type="checkbox"
          name="includePrivate"
          checked={includePrivate}
          onChange={(e) => setIncludePrivate((e.target as HTMLInputElement).checked)}
        />{" "}
        {t("feedIncludePrivate")}
      </label>
      <div class="row">
        <button type="button" class="primary create-feed" onClick={() => void create()}>
          {t("feedCreate")}
        </button>
      </div>
      {note && (
        <p class={`note ${note.kind === "ok" ? "ok" : "error"}`} role={note.kind === "ok" ? "status" : "alert"}>
          {note.text}
        </p>
      )}
    </section>
  );
}
