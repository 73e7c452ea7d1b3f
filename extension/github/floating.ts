// A panel of ours next to an element of GitHub's (the star popover by the Star button, the badge's
// details under the badge), floating above the page: `position: fixed` from the element's
// viewport rectangle, so no ancestor of GitHub's decides where it lands (an `absolute` panel
// opened ~800 px away on a page whose nearest positioned ancestor was far from the button). Below
// the element unless it fits only above; kept inside the viewport; followed on scroll and resize.

export interface Box {
  top: number;
  left: number;
  right: number;
  bottom: number;
}

export interface Placement {
  top: number;
  left: number;
  side: "below" | "above";
}

/**
 * Where a panel of `size` goes next to `anchor` in a `viewport`. `align: "end"` lines up the right
 * edges (a menu under a button at the right, GitHub's habit), `"start"` the left ones. Pure.
 */
export function placeNextTo(
  anchor: Box,
  size: { width: number; height: number },
  viewport: { width: number; height: number },
  { align, gap = 4, margin = 8 }: { align: "start" | "end"; gap?: number; margin?: number },
): Placement {
  const below = anchor.bottom + gap;
  const above = anchor.top - gap - size.height;
  const fitsBelow = below + size.height <= viewport.height - margin;
  const side = fitsBelow || above < margin ? "below" : "above";
  let left = align === "end" ? anchor.right - size.width : anchor.left;
  // Flip the alignment when the panel would leave the viewport, then clamp.
  if (left + size.width > viewport.width - margin) left = anchor.right - size.width;
  if (left < margin) left = Math.min(anchor.left, viewport.width - margin - size.width);
  left = Math.max(margin, left);
  return { top: side === "below" ? below : above, left, side };
}

/** Floats `panel` next to `anchor` until `signal` aborts. */
export function floatNextTo(
  panel: HTMLElement,
  anchor: Element,
  signal: AbortSignal,
  options: { align: "start" | "end" },
): void {
  let queued = false;
  const place = () => {
    queued = false;
    if (signal.aborted || !panel.isConnected) return;
    const where = placeNextTo(
      anchor.getBoundingClientRect(),
      { width: panel.offsetWidth, height: panel.offsetHeight },
      { width: document.documentElement.clientWidth, height: window.innerHeight },
      options,
    );
    panel.style.position = "fixed";
    panel.style.top = `${Math.round(where.top)}px`;
    panel.style.left = `${Math.round(where.left)}px`;
    panel.dataset.side = where.side;
  };
  const schedule = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(place);
  };
  place();
  // Capture: a scroll of any scrolling ancestor moves the anchor too.
  window.addEventListener("scroll", schedule, { signal, capture: true, passive: true });
  window.addEventListener("resize", schedule, { signal, passive: true });
  const resized = new ResizeObserver(schedule);
  resized.observe(panel);
  signal.addEventListener("abort", () => resized.disconnect(), { once: true });
}
