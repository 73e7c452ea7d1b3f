import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MISSING_AFTER_MS, observe } from "./observe";

/** An element with a class and text, built without HTML (the extension never parses strings into markup). */
function heading(className: string, text: string): HTMLElement {
  const element = document.createElement("h1");
  element.className = className;
  element.textContent = text;
  return element;
}

describe("observe", () => {
  let stop: AbortController;
  beforeEach(() => {
    vi.useFakeTimers();
    stop = new AbortController();
    document.body.replaceChildren();
  });
  afterEach(() => {
    stop.abort();
    vi.useRealTimers();
  });

  it("hands each matching element over once, also those added later", async () => {
    document.body.replaceChildren(heading("title", "a"));
    const seen: string[] = [];
    observe(".title", (element) => void seen.push(element.textContent ?? ""), { signal: stop.signal });
    document.body.append(heading("title", "b"));
    await vi.waitFor(() => expect(seen).toEqual(["a", "b"]));
  });

  it(
    "tells onMissing once when the selector still matches nothing a while after load, " +
      "and not when it matched or was aborted",
    () => {
      const missing = vi.fn();
      observe(".gone", () => undefined, { signal: stop.signal, onMissing: missing });
      vi.advanceTimersByTime(MISSING_AFTER_MS - 1);
      expect(missing).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(missing).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(10 * MISSING_AFTER_MS);
      expect(missing).toHaveBeenCalledTimes(1);

      document.body.replaceChildren(heading("here", "x"));
      const found = vi.fn();
      observe(".here", () => undefined, { signal: stop.signal, onMissing: found });
      const left = new AbortController();
      const aborted = vi.fn();
      observe(".gone", () => undefined, { signal: left.signal, onMissing: aborted });
      left.abort();
      vi.advanceTimersByTime(2 * MISSING_AFTER_MS);
      expect(found).not.toHaveBeenCalled();
      expect(aborted).not.toHaveBeenCalled();
    },
  );
});
