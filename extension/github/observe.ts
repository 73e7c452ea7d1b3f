// Features observe selectors instead of querying once: GitHub renders parts of a page
// late (React islands, deferred fragments). Each matching element is handed over once.

export function observe<E extends Element = HTMLElement>(
  selector: string,
  callback: (element: E) => void,
  { signal, root = document }: { signal: AbortSignal; root?: Document | Element },
): void {
  if (signal.aborted) return;
  const seen = new WeakSet<Element>();
  const scan = () => {
    if (signal.aborted) return;
    for (const element of root.querySelectorAll<E>(selector)) {
      if (seen.has(element)) continue;
      seen.add(element);
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
}
