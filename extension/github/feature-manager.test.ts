import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ContentScriptContext } from "wxt/utils/content-script-context";
import { defineFeature, startFeatures, type FeatureEnv } from "./feature-manager";

const env: FeatureEnv = {
  ctx: {} as ContentScriptContext,
  lookup: async () => ({}),
  remember: () => {},
  onRemembered: () => {},
};

describe("feature manager", () => {
  let stop: AbortController;
  beforeEach(() => {
    stop = new AbortController();
    // happy-dom serves localhost: the path is what the features test.
    history.replaceState({}, "", "/microsoft/playwright");
  });
  afterEach(() => stop.abort());

  it("runs features on their pages, aborts them on turbo:visit and runs them again on turbo:render", () => {
    const signals: AbortSignal[] = [];
    const onRepo = defineFeature({
      id: "on-repo",
      include: [(url) => url.pathname.split("/").length === 3],
      init: (signal) => void signals.push(signal),
    });
    const never = defineFeature({ id: "never", include: [() => false], init: vi.fn() });
    const manager = startFeatures([onRepo, never], env, { signal: stop.signal });
    expect(signals).toHaveLength(1);
    document.dispatchEvent(new Event("turbo:visit"));
    expect(signals[0]!.aborted).toBe(true);
    document.dispatchEvent(new Event("turbo:render"));
    expect(signals).toHaveLength(2);
    expect(signals[1]!.aborted).toBe(false);
    // A render without a visit (Turbo's cached preview, then the page) still leaves one live run.
    document.dispatchEvent(new Event("turbo:render"));
    expect(signals.filter((signal) => !signal.aborted)).toHaveLength(1);
    expect(never.init).not.toHaveBeenCalled();
    expect(manager.runs()).toBe(3);
    stop.abort();
    expect(signals.every((signal) => signal.aborted)).toBe(true);
    document.dispatchEvent(new Event("turbo:render"));
    expect(signals).toHaveLength(3);
  });

  it("a failing feature is logged once and the others still run", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const ran = vi.fn();
    const broken = defineFeature({
      id: "broken",
      include: [() => true],
      init: () => {
        throw new Error("GitHub changed its markup");
      },
    });
    const rejecting = defineFeature({
      id: "rejecting",
      include: [() => true],
      init: async () => Promise.reject(new Error("no")),
    });
    startFeatures([broken, rejecting, defineFeature({ id: "fine", include: [() => true], init: ran })], env, {
      signal: stop.signal,
    });
    document.dispatchEvent(new Event("turbo:render"));
    await vi.waitFor(() => expect(logged).toHaveBeenCalledTimes(2));
    expect(ran).toHaveBeenCalledTimes(2);
    // Each ran twice (load, then turbo:render); each is logged once.
    expect(logged.mock.calls.map((call) => String(call[0]))).toEqual([
      'starwise: feature "broken" failed',
      'starwise: feature "rejecting" failed',
    ]);
    logged.mockRestore();
  });
});
