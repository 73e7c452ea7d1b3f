// Every github.com selector the content script uses, in one place. GitHub changes its
// markup often (Rails → React, CSS-module class names): each alternative says where
// and when it was seen, so a dead one can be dropped with confidence. Evidence: the
// saved real pages in e2e/fixtures/github-pages/ (dates in their README).

const any = (...alternatives: string[]) => alternatives.join(", ");

/** The repository title in the header, next to which the badge goes. */
export const repoTitle = any(
  // 2024-07 … 2026-08 (docker-library/docker, Drama-Ghar, microsoft/playwright): Rails header.
  "#repository-container-header strong[itemprop='name']",
);

/** The repository of the page, as `owner/name`. */
export const repoNwoMeta = any(
  // 2024-07 … 2026-08, every repository page (main, tree, issue).
  "meta[name='octolytics-dimension-repository_nwo']",
);

/** GitHub's Star buttons (logged in). Logged-out pages have a sign-in link instead. */
export const starButton = any(
  // 2024-07 (docker-library/docker), 2025-07 (trending, logged in): Rails toggler form.
  "form.js-social-form[action$='/star'] button[type='submit']",
  // 2025-12 (search results, logged in): React button labelled "Star"; no form.
  "[data-testid='results-list'] button[aria-label^='Star']",
);

/** One repository in a list, and the link to it inside. */
export interface ListSelector {
  item: string;
  link: string;
}

export const listItems: ListSelector[] = [
  // 2026-06 (?tab=stars): `#user-starred-repos` rows, link `h3 > a`.
  { item: "#user-starred-repos div.col-12.d-block.width-full", link: "h3 a[href]" },
  // 2026-06 (?tab=repositories): `li[itemprop=owns]`.
  { item: "#user-repositories-list li[itemprop='owns']", link: "a[itemprop~='codeRepository']" },
  // 2024-07, 2025-12 (search, blackbird React app): key on data-testid, the classes change.
  { item: "[data-testid='results-list'] > div", link: ".search-title a[href]" },
  // 2025-07, 2026-05 (trending): `article.Box-row`, link `h2 a`.
  { item: "article.Box-row", link: "h2 a[href]" },
  // Topic pages: UNVERIFIED (no saved capture; see e2e/fixtures/github-pages/README.md). TODO(2026-12-01): confirm on a
  // saved topic page.
  { item: "article.border", link: "h3 a[href^='/'][href*='/']" },
];
