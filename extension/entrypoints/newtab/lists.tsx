import { useState } from "preact/hooks";
import { fitsListName, LIST_NAME_MAX, type GithubList } from "../../../shared/lists";
import type { TagSummary } from "../../../shared/tags";
import { isolated, Line } from "@/components/untrusted-text";
import { explainError } from "@/lib/errors";
import { formatNumber, t } from "@/lib/i18n";
import { MessageError, sendMessage } from "@/lib/messaging";
import { safeHttpUrl } from "@/lib/safe-url";
import { same, type Lists } from "./filters";

// GitHub Lists in the tags view (docs/architecture.md §4, "Lists"): a List made from one of the user's tags and linked
// to it, an existing List linked to a tag, a link undone. Writing needs a classic token with the `user` scope
// (`ListsResponse.write`): without it nothing GitHub would refuse is offered, and ListsNote (filters.tsx) says why.
// List names, tag names and GitHub's words are untrusted text: rendered as text, never HTML.

/** What the last List write is doing, did, or why it did nothing. */
type Notice = { kind: "working" | "done" | "failed"; text: string };

/** Why a write failed, in words: a List GitHub changed or deleted since the last sync has its own. */
function failureText(failure: unknown): string {
  if (failure instanceof MessageError && failure.code === "conflict") return t("listsConflict");
  if (failure instanceof MessageError && failure.code === "not_found") return t("listsNotFound");
  return explainError(failure).text;
}

/**
 * The tags view's List writes, one at a time. `onList`: the List as GitHub now has it, or null after a failure — the
 * Worker read GitHub on the way (a List renamed or deleted there, the token's scopes), so the Lists are asked again.
 */
export function useListWrites(onList: (list: GithubList | null) => void) {
  const [notice, setNotice] = useState<Notice | null>(null);
  const write = async (work: () => Promise<GithubList>, said: (list: GithubList) => string) => {
    setNotice({ kind: "working", text: t("listsWorking") });
    try {
      const list = await work();
      onList(list);
      setNotice({ kind: "done", text: said(list) });
    } catch (failure) {
      onList(null);
      setNotice({ kind: "failed", text: t("listsError", failureText(failure)) });
    }
  };
  return {
    notice,
    busy: notice?.kind === "working",
    create: (tag: string) =>
      write(
        () => sendMessage("createList", { tag }),
        (list) => t("listsMade", isolated(list.name), isolated(tag), formatNumber(list.itemCount)),
      ),
    link: (list: GithubList, tag: string) =>
      write(
        () => sendMessage("updateList", { id: list.id, patch: { linkedTag: tag } }),
        (linked) => t("listsLinked", isolated(linked.name), isolated(tag)),
      ),
    unlink: (list: GithubList) =>
      write(
        () => sendMessage("updateList", { id: list.id, patch: { linkedTag: null } }),
        (unlinked) => t("listsUnlinked", isolated(unlinked.name), isolated(list.linkedTag ?? "")),
      ),
    rename: (list: GithubList, name: string) =>
      write(
        () => sendMessage("updateList", { id: list.id, patch: { name } }),
        (renamed) => t("listsRenamed", isolated(list.name), isolated(renamed.name)),
      ),
  };
}
export type ListWrites = ReturnType<typeof useListWrites>;

/** The last List write in words, where the tags view says what its own last change did. */
export function ListNotice({ notice }: { notice: Notice | null }) {
  if (!notice) return null;
  if (notice.kind === "failed")
    return (
      <p class="tags-error lists-notice" role="alert">
        {notice.text}
      </p>
    );
  return (
    <p class={notice.kind === "done" ? "tags-last lists-notice" : "muted lists-notice"} role="status">
      {notice.text}
    </p>
  );
}

/** A List by its name, a link to it on GitHub, outlined like the List chips on the cards. */
function ListLink({ list }: { list: GithubList }) {
  return (
    <a class="chip list-chip" href={safeHttpUrl(list.url) ?? undefined} title={t("listChip", list.name)}>
      <Line text={list.name} />
    </a>
  );
}

function UnlinkButton({ list, writes }: { list: GithubList; writes: ListWrites }) {
  return (
    <button
      type="button"
      class="link lists-unlink"
      title={t("listsUnlinkTitle")}
      disabled={writes.busy}
      onClick={() => void writes.unlink(list)}
    >
      {t("listsUnlink")}
    </button>
  );
}

/**
 * A tag's List in its row of the tags view: the List it is linked to, or the action that makes one. A List follows the
 * tag as the user's own tag (worker/lists/store.ts `taggedIds`): made from a tag only the AI gave, it would be empty.
 */
export function TagListCell({ tag, lists, writes }: { tag: TagSummary; lists: Lists; writes: ListWrites }) {
  const loaded = typeof lists === "string" ? null : lists;
  const linked = loaded?.lists.filter((list) => list.linkedTag !== null && same(list.linkedTag, tag.tag)) ?? [];
  // A List for this tag may be made: none yet, the token may write, and it is the user's own tag.
  const offered = linked.length === 0 && loaded?.write.canWrite === true && tag.customCount > 0;
  return (
    <span class="tags-list-cell">
      {linked.map((list) => (
        <span class="tags-linked" key={list.id}>
          <ListLink list={list} />
          <UnlinkButton list={list} writes={writes} />
        </span>
      ))}
      {offered && !fitsListName(tag.tag) && (
        <span class="muted lists-make-too-long" title={t("listsTagTooLongTitle", String(LIST_NAME_MAX))}>
          {t("listsTagTooLong", String(LIST_NAME_MAX))}
        </span>
      )}
      {offered && fitsListName(tag.tag) && (
        <button
          type="button"
          class="link lists-make"
          title={t("listsMakeTitle")}
          disabled={writes.busy}
          onClick={() => void writes.create(tag.tag)}
        >
          {t("listsMake")}
        </button>
      )}
    </span>
  );
}

/** Each of the user's GitHub Lists with the tag it is linked to, or none: link one to a tag, unlink or rename it. */
export function ListsSection({ lists, tags, writes }: { lists: Lists; tags: TagSummary[]; writes: ListWrites }) {
  const [editing, setEditing] = useState<{ id: string; kind: "link" | "rename"; value: string } | null>(null);
  if (typeof lists === "string" || lists.lists.length === 0) return null;
  const submit = async (list: GithubList, kind: "link" | "rename", value: string) => {
    await (kind === "link" ? writes.link(list, value) : writes.rename(list, value));
    setEditing(null);
  };
  return (
    <section class="lists-section" aria-label={t("listsTitle")}>
      <h3>{t("listsTitle")}</h3>
      <ul>
        {lists.lists.map((list) => {
          const form = editing?.id === list.id ? editing : null;
          const value = form?.value.trim() ?? "";
          // A name GitHub would refuse is said before it is sent (it counts characters, not UTF-16 units).
          const tooLong = form?.kind === "rename" && !fitsListName(value);
          const unchanged = form?.kind === "rename" && value === list.name;
          return (
            <li key={list.id} class="lists-row" data-list={list.name}>
              <ListLink list={list} />
              <span class="tags-count">{formatNumber(list.inLibrary)}</span>
              {form ? (
                <form
                  class={form.kind === "link" ? "lists-link-form" : "lists-rename-form"}
                  onSubmit={(event) => {
                    event.preventDefault();
                    if (value && !tooLong && !unchanged) void submit(list, form.kind, value);
                  }}
                >
                  <input
                    name={form.kind === "link" ? "link-tag" : "list-name"}
                    aria-label={t(form.kind === "link" ? "listsLinkInput" : "listsRenameInput", list.name)}
                    aria-invalid={tooLong}
                    value={form.value}
                    maxLength={100}
                    list={form.kind === "link" ? "lists-own-tags" : undefined}
                    onInput={(e) => setEditing({ ...form, value: (e.target as HTMLInputElement).value })}
                    onKeyDown={(e) => {
                      if (e.key !== "Escape") return;
                      e.stopPropagation();
                      setEditing(null);
                    }}
                  />
                  <button type="submit" class="primary" disabled={writes.busy || !value || tooLong || unchanged}>
                    {t(form.kind === "link" ? "listsLink" : "listsRename")}
                  </button>
                  <button type="button" class="link" onClick={() => setEditing(null)}>
                    {t("cancel")}
                  </button>
                  {tooLong && (
                    <span class="tags-error lists-name-error" role="alert">
                      {t("listsNameTooLong", String(LIST_NAME_MAX))}
                    </span>
                  )}
                </form>
              ) : (
                <>
                  {list.linkedTag ? (
                    <span class="chip lists-tag">
                      <Line text={list.linkedTag} />
                    </span>
                  ) : (
                    <span class="muted lists-tag">{t("listsNotLinked")}</span>
                  )}
                  <span class="tags-actions">
                    {list.linkedTag ? (
                      <UnlinkButton list={list} writes={writes} />
                    ) : (
                      lists.write.canWrite && (
                        <button
                          type="button"
                          class="link"
                          onClick={() => setEditing({ id: list.id, kind: "link", value: "" })}
                        >
                          {t("listsLinkTo")}
                        </button>
                      )
                    )}
                    {lists.write.canWrite && (
                      <button
                        type="button"
                        class="link lists-rename"
                        title={t("listsRenameTitle")}
                        onClick={() => setEditing({ id: list.id, kind: "rename", value: list.name })}
                      >
                        {t("listsRename")}
                      </button>
                    )}
                  </span>
                </>
              )}
            </li>
          );
        })}
      </ul>
      <datalist id="lists-own-tags">
        {tags
          .filter((tag) => tag.customCount > 0)
          .map((tag) => (
            <option key={tag.tag} value={tag.tag} />
          ))}
      </datalist>
    </section>
  );
}
