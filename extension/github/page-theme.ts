// Which of GitHub's themes the page shows, for the fallbacks of our shadow roots (github/theme.css).
// On github.com GitHub's own Primer variables reach into the shadow roots and decide the colours;
// the fallbacks matter where they are missing (a page whose CSS failed to load, a saved page) and
// must then follow the same choice GitHub made: `data-color-mode` on <html> (light, dark, or auto
// = the system's scheme) with `data-light-theme` / `data-dark-theme` naming the theme of each
// (GitHub's appearance settings, 2024-07 … 2026-08 in e2e/fixtures/github-pages/).

export type PageTheme = "light" | "light_high_contrast" | "dark" | "dark_dimmed" | "dark_high_contrast";

/**
 * GitHub's theme names → the five palettes we carry (colour-blind variants use their base palette). The
 * name decides light or dark: a user may choose a light theme for the dark mode.
 */
function palette(name: string | null, darkMode: boolean): PageTheme {
  const theme = (name ?? "").toLowerCase();
  const dark = theme.startsWith("dark") || (!theme.startsWith("light") && darkMode);
  if (theme.includes("high_contrast")) return dark ? "dark_high_contrast" : "light_high_contrast";
  if (theme === "dark_dimmed") return "dark_dimmed";
  return dark ? "dark" : "light";
}

/** The theme of a page from its <html> attributes and the system's colour scheme. Pure. */
export function pageTheme(html: Pick<Element, "getAttribute">, systemPrefersDark: boolean): PageTheme {
  const mode = html.getAttribute("data-color-mode");
  const dark = mode === "dark" || (mode !== "light" && systemPrefersDark);
  return palette(html.getAttribute(dark ? "data-dark-theme" : "data-light-theme"), dark);
}

const DARK_QUERY = "(prefers-color-scheme: dark)";

export const currentPageTheme = (): PageTheme => pageTheme(document.documentElement, matchMedia(DARK_QUERY).matches);

let following = false;

/**
 * Keeps `data-sw-theme` of every Starwise host in step with the page: GitHub switches theme
 * without a reload (its settings, the system's scheme in auto mode). One observer for the
 * content script's life, whatever number of hosts.
 */
export function followPageTheme(signal: AbortSignal): void {
  if (following || signal.aborted) return;
  following = true;
  const update = () => {
    const theme = currentPageTheme();
    for (const host of document.querySelectorAll<HTMLElement>("[data-sw-theme]")) host.dataset.swTheme = theme;
  };
  const observer = new MutationObserver(update);
  observer.observe(document.documentElement, {
    attributes: true,
    attributeFilter: ["data-color-mode", "data-light-theme", "data-dark-theme"],
  });
  matchMedia(DARK_QUERY).addEventListener("change", update, { signal });
  signal.addEventListener(
    "abort",
    () => {
      observer.disconnect();
      following = false;
    },
    { once: true },
  );
}
