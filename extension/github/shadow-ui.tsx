import { render, type VNode } from "preact";
import { createShadowRootUi } from "wxt/utils/content-script-ui/shadow-root";
import type { ContentScriptAppendMode } from "wxt/utils/content-script-ui/types";
import type { FeatureEnv } from "./feature-manager";
import { currentPageTheme, followPageTheme } from "./page-theme";
import theme from "./theme.css?inline";

// All UI on github.com lives in a shadow root (WXT's createShadowRootUi): GitHub's CSS
// cannot reach it, ours cannot leak out. Styles come as strings (`?inline`), never as
// page-wide stylesheets. Removed when the feature's signal aborts (Turbo navigation).

export async function mountShadow(
  env: FeatureEnv,
  options: {
    /** Custom element name of the host, e.g. `starwise-repo-badge`. */
    name: string;
    anchor: Element;
    append: ContentScriptAppendMode;
    css: string;
    signal: AbortSignal;
    view: () => VNode;
  },
): Promise<{ host: HTMLElement; rerender(): void } | null> {
  if (options.signal.aborted) return null;
  // WXT hands each UI's remove() to `ctx.onInvalidated` for the content script's whole life, so
  // every UI of every page — and through its anchor the page's whole old <body> — stayed alive
  // across Turbo visits (found by e2e/robustness.test.ts: ~5,000 nodes and 4 listeners a visit).
  // This mount's own view of the context lets go of the callback when the feature's signal aborts.
  const ctx = env.ctx;
  const scoped: typeof ctx = Object.create(ctx, {
    onInvalidated: {
      value: (callback: () => void) => {
        const off = ctx.onInvalidated(callback);
        options.signal.addEventListener("abort", off, { once: true });
        return off;
      },
    },
  });
  const ui = await createShadowRootUi(scoped, {
    name: options.name,
    position: "inline",
    anchor: options.anchor,
    append: options.append,
    css: `${theme}\n${options.css}`,
    // Typing in our inputs must not trigger GitHub's keyboard shortcuts.
    isolateEvents: true,
    onMount: (container) => {
      // Type and colours are set on this element, not on the host (github/theme.css says why).
      container.className = "sw-root";
      render(options.view(), container);
      return container;
    },
    onRemove: (container) => {
      if (container) render(null, container);
    },
  });
  if (options.signal.aborted) return null;
  // The host's own style cannot be set (WXT's `all: initial !important`); its attribute picks the
  // fallback palette (github/theme.css), kept in step with the page by one observer.
  ui.shadowHost.dataset.swTheme = currentPageTheme();
  followPageTheme(ctx.signal);
  ui.mount();
  options.signal.addEventListener("abort", () => ui.remove(), { once: true });
  return {
    host: ui.shadowHost,
    rerender: () => {
      if (ui.mounted) render(options.view(), ui.mounted);
    },
  };
}
