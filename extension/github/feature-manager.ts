import type { ContentScriptContext } from "wxt/utils/content-script-context";
import type { LookupItem } from "../../shared/repositories";
import type { PageTest } from "./page";

// The one owner of navigation on github.com (refined-github's feature manager): every
// feature runs on the pages it declares, with an AbortSignal that fires when Turbo
// starts leaving the page (`turbo:visit`); on `turbo:render` all features run again on
// the new page. A feature never listens to navigation itself. A failing feature is
// logged once and never breaks the page or the other features.

export interface FeatureEnv {
  ctx: ContentScriptContext;
  /** Badge data for repositories (cached and batched by the background). */
  lookup(fullNames: string[]): Promise<Record<string, LookupItem>>;
  /**
   * A repository's new state after this page changed it (saved, tags or a note from the star
   * popover): later lookups answer it, and every feature showing it is told at once, so a save
   * in one feature shows in the others without a reload.
   */
  remember(item: LookupItem): void;
  /** Calls `listener` with each item `remember` is given, until `signal` aborts. */
  onRemembered(listener: (item: LookupItem) => void, signal: AbortSignal): void;
}

export interface Feature {
  /** Kebab-case, the file's name. */
  id: string;
  /** Runs on pages where any of these is true. */
  include: PageTest[];
  exclude?: PageTest[];
  init(signal: AbortSignal, env: FeatureEnv): void | Promise<void>;
}

export const defineFeature = (feature: Feature): Feature => feature;

const loggedOnce = new Set<string>();
export function logFailure(id: string, error: unknown): void {
  if (loggedOnce.has(id)) return;
  loggedOnce.add(id);
  console.error(`starwise: feature "${id}" failed`, error);
}

/** Events that mean "a new page was rendered". Turbo Drive; GitHub's React soft navigation as of 2025. */
const RENDER_EVENTS = ["turbo:render", "soft-nav:end"];
const LEAVE_EVENTS = ["turbo:visit", "soft-nav:start"];

export function startFeatures(
  features: Feature[],
  env: FeatureEnv,
  { signal }: { signal: AbortSignal },
): { runs(): number } {
  let current: AbortController | null = null;
  let runs = 0;

  const leave = () => {
    current?.abort();
    current = null;
  };

  const run = () => {
    leave();
    if (signal.aborted) return;
    const controller = new AbortController();
    current = controller;
    runs++;
    const url = new URL(location.href);
    for (const feature of features) {
      const wanted = feature.include.some((test) => test(url)) && !(feature.exclude ?? []).some((test) => test(url));
      if (!wanted) continue;
      try {
        void Promise.resolve(feature.init(controller.signal, env)).catch((error: unknown) =>
          logFailure(feature.id, error),
        );
      } catch (error) {
        logFailure(feature.id, error);
      }
    }
  };

  for (const name of LEAVE_EVENTS) document.addEventListener(name, leave, { signal });
  for (const name of RENDER_EVENTS) document.addEventListener(name, run, { signal });
  signal.addEventListener("abort", leave, { once: true });
  run();
  return { runs: () => runs };
}
