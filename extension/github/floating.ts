// A panel of ours next to an element of GitHub's (the star popover by the Star button, the badge's
// details under the badge), floating above the page: `position: fixed` from the element's
// viewport rectangle, so no ancestor of GitHub's decides where it lands (an `absolute` panel
// opened ~800 px away on a page whose nearest positioned ancestor was far from the button). Below
// the element unless it fits only above (or, fitting neither, on the roomier side, its height capped
// to that room so it scrolls inside); kept inside the viewport; followed on scroll and resize.

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
  /** The room on that side: the panel's height is capped to it. */
  maxHeight: number;
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
  const roomBelow = viewport.height - margin - below;
  const roomAbove = anchor.top - gap - margin;
  const side =
    size.height <= roomBelow ? "below" : size.height <= roomAbove || roomAbove > roomBelow ? "above" : "below";
  const maxHeight = Math.max(0, side === "below" ? roomBelow : roomAbove);
  const height = Math.min(size.height, maxHeight);
  let left = align === "end" ? anchor.right - size.width : anchor.left;
  // Flip the alignment when the panel would leave the viewport, then clamp.
  if (left + size.width > viewport.width - margin) left = anchor.right - size.width;
  if (left < margin) left = Math.min(anchor.left, viewport.width - margin - size.width);
  left = Math.max(margin, left);
  return { top: side === "below" ? below : anchor.top - gap - height, left, side, maxHeight };
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
    // scrollHeight: the panel's whole height, also while a cap from the last placement holds it shorter.
    const where = placeNextTo(
      anchor.getBoundingClientRect(),
      { width: panel.offsetWidth, height: panel.scrollHeight },
      { width: document.documentElement.clientWidth, height: window.innerHeight },
      options,
    );
    panel.style.position = "fixed";
    panel.style.top = `${Math.round(where.top)}px`;
    panel.style.left = `${Math.round(where.left)}px`;
    panel.style.maxHeight = `${Math.floor(where.maxHeight)}px`;
    panel.style.overflowY = "auto";
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
