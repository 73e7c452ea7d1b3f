import { useLayoutEffect, useRef } from "preact/hooks";
import type { FacetCount, LibraryFacets } from "../../../shared/repositories";
import { formatNumber, t, type MessageKey } from "@/lib/i18n";
import type { SearchRequest } from "@/lib/messaging";

// The new tab's filters. Languages and tags come from the whole library with their counts
// (`GET /api/repositories/facets`), not from the 30 cards on screen: a language none of them has
// is still one click away.

/** The facets as the page knows them: not yet asked, failed to load, or loaded. */
export type Facets = LibraryFacets | "loading" | "failed";

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** How many repositories the library has for this value, when the facets say. */
export const countOf = (values: FacetCount[], value: string) => values.find((facet) => same(facet.value, value))?.count;

/**
 * How many repositories the list would hold without a page limit, when the facets tell: the
 * library, or one language, or one tag. null when they cannot (two filters, starred-or-saved).
 */
export function totalOf(facets: Facets, request: SearchRequest): number | null {
  if (typeof facets === "string" || request.kind || (request.language && request.tag)) return null;
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

export function Filters(props: {
  facets: Facets;
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
    </div>
  );
}
