import { useEffect, useState } from "preact/hooks";
import type { GithubList } from "../../../shared/lists";
import type {
  TagList,
  TagOperation,
  TagOperationRequest,
  TagProposal,
  TagSelection,
  TagSummary,
} from "../../../shared/tags";
import { explainError } from "@/lib/errors";
import { formatNumber, t, type MessageKey } from "@/lib/i18n";
import { sendMessage } from "@/lib/messaging";
import type { Lists } from "./filters";
import { ListNotice, ListsSection, TagListCell, useListWrites } from "./lists";

// The new tab's tags view (docs/architecture.md §2, "Tags"): every tag with its count and where it comes from,
// rename and merge inline, hide an AI tag or delete one of yours, the gardener's suggestions (accepted or
// dismissed, never applied by themselves), a tag added to or removed from the results shown, and undo of the last
// change; a GitHub List made from a tag, linked to one, or unlinked (./lists.tsx). Tag names are untrusted text (AI
// output): rendered as text only.

type Load = { kind: "loading" } | { kind: "error"; text: string } | { kind: "ready"; list: TagList };

const REASON_KEY: Record<TagProposal["reason"], MessageKey> = {
  case: "tagsReasonCase",
  separator: "tagsReasonSeparator",
  plural: "tagsReasonPlural",
  "js-suffix": "tagsReasonJsSuffix",
  translation: "tagsReasonTranslation",
  "edit-distance": "tagsReasonEditDistance",
  "co-occurrence": "tagsReasonCoOccurrence",
  "used-once": "tagsReasonUsedOnce",
  "never-viewed": "tagsReasonNeverViewed",
};

const SOURCE_KEY: Record<TagSummary["source"], MessageKey> = {
  custom: "tagsSourceCustom",
  ai: "tagsSourceAi",
  both: "tagsSourceBoth",
};

/** Tags listed before "show all" (a library of thousands has a long tail). */
const SHOWN = 60;

/** What a finished operation did, in words. */
function doneLine(operation: TagOperation): string {
  if (operation.status === "undone")
    return operation.skipped > 0
      ? t("tagsUndoneSkipped", formatNumber(operation.repositories), formatNumber(operation.skipped))
      : t("tagsUndone", formatNumber(operation.repositories));
  const request = operation.request as Record<string, unknown>;
  const n = formatNumber(operation.repositories);
  const line =
    operation.kind === "rename"
      ? t("tagsDoneRename", String(request.from), String(request.to), n)
      : operation.kind === "merge"
        ? t("tagsDoneMerge", String(request.into), n)
        : operation.kind === "hide"
          ? t("tagsDoneHide", String(request.tag))
          : operation.kind === "delete"
            ? t("tagsDoneDelete", String(request.tag), n)
            : t("tagsDoneTag", n);
  return operation.notFound.count > 0 ? `${line} ${t("tagsNotFound", formatNumber(operation.notFound.count))}` : line;
}

/**
 * What a bulk change applies to: a search's results as shown (their names), or every repository the list's filters
 * select (`count`, when the facets know it), not only the page of them drawn.
 */
export type BulkTarget = { selection: TagSelection; count: number | null; all: boolean };

export function TagsPanel(props: {
  target: BulkTarget;
  /** Filter the results by a tag. */
  onFilter: (tag: string) => void;
  /** Something changed: the page asks its results and facets again. */
  onChanged: () => void;
  /** The user's GitHub Lists as the page knows them. */
  lists: Lists;
  /** A List write answered (the List as GitHub now has it) or failed (null): the page asks its Lists again. */
  onListChanged: (list: GithubList | null) => void;
}) {
  const { target, onFilter, onChanged } = props;
  const listWrites = useListWrites(props.onListChanged);
  const empty = "fullNames" in target.selection && target.selection.fullNames.length === 0;
  const [load, setLoad] = useState<Load>({ kind: "loading" });
  const [proposals, setProposals] = useState<TagProposal[]>([]);
  const [revision, setRevision] = useState(0);
  const [last, setLast] = useState<TagOperation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [selected, setSelected] = useState<string[]>([]);
  const [mergeInto, setMergeInto] = useState("");
  const [renaming, setRenaming] = useState<{ tag: string; to: string } | null>(null);
  const [bulkTag, setBulkTag] = useState("");
  const [find, setFind] = useState("");
  const [all, setAll] = useState(false);
  // Asked when first opened, not on every new tab: the proposals read the whole library.
  const [open, setOpen] = useState(false);

  useEffect(() => {
    if (!open) return;
    let current = true;
    Promise.all([sendMessage("tags"), sendMessage("tagProposals")]).then(
      ([list, answer]) => {
        if (!current) return;
        setLoad({ kind: "ready", list });
        setProposals(answer.proposals);
      },
      (failure: unknown) => current && setLoad({ kind: "error", text: explainError(failure).text }),
    );
    return () => {
      current = false;
    };
  }, [revision, open]);

  const changed = (operation: TagOperation) => {
    setLast(operation);
    setSelected([]);
    setMergeInto("");
    setRenaming(null);
    setRevision((r) => r + 1);
    onChanged();
  };
  const run = async (work: () => Promise<TagOperation>) => {
    setBusy(true);
    setError(null);
    try {
      changed(await work());
    } catch (failure) {
      setError(t("tagsError", explainError(failure).text));
    } finally {
      setBusy(false);
    }
  };
  const apply = (request: TagOperationRequest) =>
    run(() => sendMessage("tagOperation", { request, idempotencyKey: crypto.randomUUID() }));
  const undo = (operation: TagOperation) => run(() => sendMessage("undoTagOperation", { id: operation.id }));
  const dismiss = async (proposal: TagProposal) => {
    setProposals((list) => list.filter((p) => p.id !== proposal.id));
    try {
      await sendMessage("dismissProposal", { id: proposal.id });
    } catch (failure) {
      setError(t("tagsError", explainError(failure).text));
    }
  };

  const list = load.kind === "ready" ? load.list : null;
  const needle = find.trim().toLowerCase();
  const matching = list ? list.tags.filter((tag) => !needle || tag.tag.toLowerCase().includes(needle)) : [];
  const shown = all ? matching : matching.slice(0, SHOWN);
  const toggle = (tag: string) =>
    setSelected((list) => (list.includes(tag) ? list.filter((t) => t !== tag) : [...list, tag]));

  return (
    <details
      class="tags-panel"
      id="tags"
      onToggle={(event) => setOpen((was) => was || (event.currentTarget as HTMLDetailsElement).open)}
    >
      <summary>
        <span class="tags-title">{t("tagsTitle")}</span>{" "}
        {list && (
          <span class="muted tags-summary">
            {t("tagsSummary", formatNumber(list.tags.length), formatNumber(proposals.length))}
          </span>
        )}
      </summary>
      {last && (
        <p class="tags-last" role="status">
          <span>{doneLine(last)}</span>{" "}
          {last.status === "applied" && (
            <button type="button" class="secondary tags-undo" disabled={busy} onClick={() => void undo(last)}>
              {t("tagsUndo")}
            </button>
          )}
        </p>
      )}
      {error && (
        <p class="tags-error" role="alert">
          {error}
        </p>
      )}
      <ListNotice notice={listWrites.notice} />
      {open && load.kind === "loading" && <p class="muted">{t("loading")}</p>}
      {load.kind === "error" && (
        <p class="tags-error" role="alert">
          {t("tagsLoadError", load.text)}
        </p>
      )}
      {list && (
        <div class="tags-body">
          <section class="tags-proposals" aria-label={t("tagsProposals")}>
            <h3>{t("tagsProposals")}</h3>
            {proposals.length === 0 ? (
              <p class="muted">{t("tagsProposalsNone")}</p>
            ) : (
              <ul>
                {proposals.slice(0, 12).map((proposal) => (
                  <li key={proposal.id} class="tags-proposal" data-reason={proposal.reason}>
                    <span class="tags-reason">
                      {t(REASON_KEY[proposal.reason], formatNumber(Math.round((proposal.overlap ?? 0) * 100)))}
                    </span>{" "}
                    {proposal.tags.map((tag) => (
                      <span class="chip" key={tag.tag}>
                        {tag.tag} <span class="muted">{formatNumber(tag.count)}</span>
                      </span>
                    ))}
                    <span class="tags-actions">
                      <button
                        type="button"
                        class="secondary tags-accept"
                        disabled={busy}
                        onClick={() => void apply(proposal.operation as TagOperationRequest)}
                      >
                        {proposal.operation.kind === "merge"
                          ? t("tagsProposeMerge", proposal.operation.into)
                          : proposal.operation.kind === "hide"
                            ? t("tagsHide")
                            : t("tagsDelete")}
                      </button>
                      <button type="button" class="link tags-dismiss" onClick={() => void dismiss(proposal)}>
                        {t("tagsDismiss")}
                      </button>
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </section>

          <form
            class="tags-bulk"
            onSubmit={(event) => {
              event.preventDefault();
            }}
          >
            <label class="field">
              <span>
                {target.all
                  ? target.count === null
                    ? t("tagsBulkLabelFilter")
                    : t("tagsBulkLabelAll", formatNumber(target.count))
                  : t("tagsBulkLabel", formatNumber(target.count ?? 0))}
              </span>
              <input
                name="bulk-tag"
                value={bulkTag}
                maxLength={50}
                onInput={(e) => setBulkTag((e.target as HTMLInputElement).value)}
              />
            </label>
            {(["add", "remove"] as const).map((what) => (
              <button
                key={what}
                type="button"
                class="secondary"
                name={`bulk-${what}`}
                disabled={busy || !bulkTag.trim() || empty}
                onClick={() =>
                  void apply({
                    kind: "tag",
                    selection: target.selection,
                    add: what === "add" ? [bulkTag.trim()] : [],
                    remove: what === "remove" ? [bulkTag.trim()] : [],
                  })
                }
              >
                {t(what === "add" ? "tagsBulkAdd" : "tagsBulkRemove")}
              </button>
            ))}
            {empty && <p class="muted">{t("tagsBulkNone")}</p>}
          </form>

          <section class="tags-list" aria-label={t("tagsYours")}>
            <h3>{t("tagsYours")}</h3>
            {list.tags.length === 0 && <p class="muted">{t("tagsEmpty")}</p>}
            {list.tags.length > 0 && (
              <input
                class="tags-find"
                type="search"
                name="find-tag"
                aria-label={t("tagsFind")}
                placeholder={t("tagsFind")}
                value={find}
                onInput={(e) => setFind((e.target as HTMLInputElement).value)}
              />
            )}
            {selected.length >= 1 && (
              <form
                class="tags-merge"
                onSubmit={(event) => {
                  event.preventDefault();
                  if (mergeInto.trim()) void apply({ kind: "merge", from: selected, into: mergeInto.trim() });
                }}
              >
                <label>
                  <span>{t("tagsMergeSelected", formatNumber(selected.length))}</span>{" "}
                  <input
                    name="merge-into"
                    value={mergeInto}
                    maxLength={50}
                    list="tags-names"
                    onInput={(e) => setMergeInto((e.target as HTMLInputElement).value)}
                  />
                </label>{" "}
                <button type="submit" class="primary" disabled={busy || !mergeInto.trim()}>
                  {t("tagsMerge")}
                </button>
                <datalist id="tags-names">
                  {selected.map((tag) => (
                    <option key={tag} value={tag} />
                  ))}
                </datalist>
              </form>
            )}
            <ul>
              {shown.map((tag) => (
                <li key={tag.tag} class="tags-row" data-tag={tag.tag}>
                  <input
                    type="checkbox"
                    aria-label={t("tagsSelect", tag.tag)}
                    checked={selected.includes(tag.tag)}
                    onChange={() => toggle(tag.tag)}
                  />
                  {renaming?.tag === tag.tag ? (
                    <form
                      class="tags-rename"
                      onSubmit={(event) => {
                        event.preventDefault();
                        if (renaming.to.trim()) void apply({ kind: "rename", from: tag.tag, to: renaming.to.trim() });
                      }}
                    >
                      <input
                        name="rename-to"
                        aria-label={t("tagsRenameTo", tag.tag)}
                        value={renaming.to}
                        maxLength={50}
                        onInput={(e) => setRenaming({ tag: tag.tag, to: (e.target as HTMLInputElement).value })}
                        onKeyDown={(e) => e.key === "Escape" && (e.stopPropagation(), setRenaming(null))}
                      />
                      <button type="submit" class="primary" disabled={busy}>
                        {t("popoverSave")}
                      </button>
                      <button type="button" class="link" onClick={() => setRenaming(null)}>
                        {t("cancel")}
                      </button>
                    </form>
                  ) : (
                    <button
                      type="button"
                      class="link tags-name"
                      title={t("tagsFilterBy", tag.tag)}
                      onClick={() => onFilter(tag.tag)}
                    >
                      {tag.tag}
                    </button>
                  )}
                  <span class="tags-count">{formatNumber(tag.count)}</span>
                  <span class="tags-source" data-source={tag.source}>
                    {t(SOURCE_KEY[tag.source])}
                  </span>
                  <TagListCell tag={tag} lists={props.lists} writes={listWrites} />
                  <span class="tags-actions">
                    <button type="button" class="link" onClick={() => setRenaming({ tag: tag.tag, to: tag.tag })}>
                      {t("tagsRename")}
                    </button>
                    {tag.aiCount > 0 && (
                      <button
                        type="button"
                        class="link"
                        title={t("tagsHideTitle")}
                        disabled={busy}
                        onClick={() => void apply({ kind: "hide", tag: tag.tag })}
                      >
                        {t("tagsHide")}
                      </button>
                    )}
                    {tag.customCount > 0 && (
                      <button
                        type="button"
                        class="link"
                        title={t("tagsDeleteTitle")}
                        disabled={busy}
                        onClick={() => void apply({ kind: "delete", tag: tag.tag })}
                      >
                        {t("tagsDelete")}
                      </button>
                    )}
                  </span>
                </li>
              ))}
            </ul>
            {!all && matching.length > SHOWN && (
              <button type="button" class="link" onClick={() => setAll(true)}>
                {t("tagsShowAll", formatNumber(matching.length))}
              </button>
            )}
            {list.hidden.length > 0 && (
              <p class="muted tags-hidden">{t("tagsHiddenCount", formatNumber(list.hidden.length))}</p>
            )}
          </section>

          <ListsSection lists={props.lists} tags={list.tags} writes={listWrites} />
        </div>
      )}
    </details>
  );
}
