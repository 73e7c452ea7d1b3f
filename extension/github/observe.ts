// Features observe selectors instead of querying once: GitHub renders parts of a page
// late (React islands, deferred fragments). Each matching element is handed over once.

/**
 * After the page's `load`, how long a selector may still find nothing before `onMissing` is
 * told: GitHub's late parts render within a moment of it; a selector that still matches
 * nothing then most likely met markup GitHub changed.
 */
export const MISSING_AFTER_MS = 3000;

export function observe<E extends Element = HTMLElement>(
  selector: string,
  callback: (element: E) => void,
  { signal, root = document, onMissing }: { signal: AbortSignal; root?: Document | Element; onMissing?: () => void },
): void {
  if (signal.aborted) return;
  const seen = new WeakSet<Element>();
  let matched = false;
  const scan = () => {
    if (signal.aborted) return;
    for (const element of root.querySelectorAll<E>(selector)) {
      if (seen.has(element)) continue;
      seen.add(element);
      matched = true;
      callback(element);
    }
  };
  scan();
  let queued = false;
  const observer = new MutationObserver(() => {
    if (queued) return;
    queued = true;
    // One scan per burst of mutations.
    queueMicrotask(() => {
      queued = false;
      scan();
    });
  });
  observer.observe(root instanceof Document ? root.documentElement : root, { childList: true, subtree: true });
  signal.addEventListener("abort", () => observer.disconnect(), { once: true });
  if (onMissing) {
    const later = () => {
      const timer = setTimeout(() => {
        if (!signal.aborted && !matched) onMissing();
      }, MISSING_AFTER_MS);
      signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
    };
    if (document.readyState === "complete") later();
    else window.addEventListener("load", later, { once: true, signal });
  }
}
