import { useLayoutEffect, useRef } from "preact/hooks";
import type { ListsResponse } from "../../../shared/lists";
import type { FacetCount, LibraryFacets } from "../../../shared/repositories";
import { formatNumber, t, type MessageKey } from "@/lib/i18n";
import type { SearchRequest } from "@/lib/messaging";

// The new tab's filters. Languages and tags come from the whole library with their counts
// (`GET /api/repositories/facets`), not from the 30 cards on screen: a language none of them has
// is still one click away.

/** The facets as the page knows them: not yet asked, failed to load, or loaded. */
export type Facets = LibraryFacets | "loading" | "failed";
/** The user's GitHub Lists as the page knows them (`GET /api/lists`). */
export type Lists = ListsResponse | "loading" | "failed";

/** The option that stands for "in no List": a List's name never starts with a space (GitHub trims it). */
const IN_NO_LIST = " none";

/** Two names of one thing: facets, Lists and tags ignore case. */
export const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** How many repositories the library has for this value, when the facets say. */
export const countOf = (values: FacetCount[], value: string) => values.find((facet) => same(facet.value, value))?.count;

/**
 * How many repositories the list would hold without a page limit, when the facets tell: the
 * library, or one language, or one tag. null when they cannot (two filters, starred-or-saved).
 */
export function totalOf(facets: Facets, request: SearchRequest): number | null {
  if (typeof facets === "string" || request.kind || (request.language && request.tag)) return null;
  if (request.list || request.unlisted) return null;
  if (request.language) return countOf(facets.languages, request.language) ?? null;
  if (request.tag) return countOf(facets.tags, request.tag) ?? null;
  return facets.total;
}

function FacetSelect(props: {
  name: "language" | "tag";
  label: MessageKey;
  any: MessageKey;
  values: FacetCount[] | null;
  failed: boolean;
  value: string | undefined;
  onChange: (value: string | undefined) => void;
}) {
  const values = props.values ?? [];
  // The library's spelling of the chosen value (the URL may say `rust` for `Rust`); a value the
  // library does not have (yet: the facets are still on their way) stays selectable and chosen.
  const known = props.value ? values.find((facet) => same(facet.value, props.value!)) : undefined;
  const value = known?.value ?? props.value ?? "";
  const current = props.value && !known ? props.value : null;
  const select = useRef<HTMLSelectElement>(null);
  // When the options change under a chosen value (the facets arrive), the browser selects the first
  // option and Preact, whose `value` did not change, would not choose it again.
  useLayoutEffect(() => {
    if (select.current) select.current.value = value;
  }, [value, values]);
  return (
    <select
      ref={select}
      name={props.name}
      aria-label={t(props.label)}
      value={value}
      onChange={(e) => props.onChange((e.target as HTMLSelectElement).value || undefined)}
    >
      <option value="">{t(props.any)}</option>
      {current && <option value={current}>{current}</option>}
      {values.map((facet) => (
        <option value={facet.value} key={facet.value}>
          {t("facetOption", facet.value, formatNumber(facet.count))}
        </option>
      ))}
      {props.failed && (
        <option disabled value="-">
          {t("filterListFailed")}
        </option>
      )}
    </select>
  );
}

/**
 * The GitHub List filter: each List with the stars of the library in it, and the stars in none. Shown once the user
 * has a List; the choice stays selectable while the Lists are on their way.
 */
function ListSelect(props: {
  lists: Lists;
  request: SearchRequest;
  onChange: (patch: Partial<SearchRequest>) => void;
}) {
  const { lists, request } = props;
  const loaded = typeof lists === "string" ? null : lists;
  if (!request.list && !request.unlisted && !loaded?.lists.length) return null;
  const value = request.unlisted ? IN_NO_LIST : (request.list ?? "");
  return (
    <select
      name="list"
      aria-label={t("filterList")}
      value={value}
      onChange={(e) => {
        const chosen = (e.target as HTMLSelectElement).value;
        props.onChange(
          chosen === IN_NO_LIST
            ? { list: undefined, unlisted: "1" }
            : { list: chosen || undefined, unlisted: undefined },
        );
      }}
    >
      <option value="">{t("filterAnyList")}</option>
      {request.list && !loaded?.lists.some((list) => same(list.name, request.list!)) && (
        <option value={request.list}>{request.list}</option>
      )}
      {loaded?.lists.map((list) => (
        <option value={list.name} key={list.id}>
          {t("facetOption", list.name, formatNumber(list.inLibrary))}
        </option>
      ))}
      <option value={IN_NO_LIST}>{t("filterNotInList", loaded ? formatNumber(loaded.notInAnyList) : "…")}</option>
      {lists === "failed" && (
        <option disabled value="-">
          {t("filterListFailed")}
        </option>
      )}
    </select>
  );
}

/** What the Lists' state means for the person, in words: read-only and why, or the last read failed. */
export function ListsNote({ lists }: { lists: Lists }) {
  if (typeof lists === "string" || lists.lists.length === 0) return null;
  const lines: string[] = [];
  if (lists.error) lines.push(t("listsReadFailed", lists.error));
  if (!lists.write.canWrite && lists.write.reason === "missing-scope")
    lines.push(t("listsReadOnly", lists.write.scopes || t("listsNoScopes")));
  if (!lists.write.canWrite && lists.write.reason === "fine-grained") lines.push(t("listsReadOnlyFineGrained"));
  if (lines.length === 0) return null;
  return (
    <p class="lists-note" role="note">
      {lines.join(" ")}
    </p>
  );
}

export function Filters(props: {
  facets: Facets;
  lists: Lists;
  request: SearchRequest;
  /** A change of one filter (applied to the latest search, not to the one this drawing saw). */
  onChange: (patch: Partial<SearchRequest>) => void;
}) {
  const { facets, request, onChange } = props;
  const loaded = typeof facets === "string" ? null : facets;
  return (
    <div class="filters">
      <FacetSelect
        name="language"
        label="filterLanguage"
        any="filterAnyLanguage"
        values={loaded?.languages ?? null}
        failed={facets === "failed"}
        value={request.language}
        onChange={(language) => onChange({ language })}
      />
      <FacetSelect
        name="tag"
        label="filterTag"
        any="filterAnyTag"
        values={loaded?.tags ?? null}
        failed={facets === "failed"}
        value={request.tag}
        onChange={(tag) => onChange({ tag })}
      />
      <select
        name="kind"
        aria-label={t("filterKind")}
        value={request.kind ?? ""}
        onChange={(e) =>
          onChange({ kind: ((e.target as HTMLSelectElement).value || undefined) as SearchRequest["kind"] })
        }
      >
        <option value="">{t("filterAll")}</option>
        <option value="starred">{t("filterStarred")}</option>
        <option value="saved">{t("filterSaved")}</option>
      </select>
      <ListSelect lists={props.lists} request={request} onChange={onChange} />
    </div>
  );
}
