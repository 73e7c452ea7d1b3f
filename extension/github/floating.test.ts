import { describe, expect, it } from "vitest";
import { placeNextTo } from "./floating";

const viewport = { width: 1280, height: 800 };
const size = { width: 280, height: 200 };
const button = (left: number, top: number) => ({ left, top, right: left + 80, bottom: top + 28 });

describe("placeNextTo", () => {
  it("puts the panel under the button, right edges lined up", () => {
    expect(placeNextTo(button(1000, 100), size, viewport, { align: "end" })).toEqual({
      top: 132,
      left: 800,
      side: "below",
      maxHeight: 800 - 8 - 132,
    });
  });

  it("lines up left edges for align start", () => {
    expect(placeNextTo(button(300, 100), size, viewport, { align: "start" })).toMatchObject({ left: 300 });
  });

  it("flips above when there is no room below", () => {
    expect(placeNextTo(button(1000, 700), size, viewport, { align: "end" })).toEqual({
      top: 700 - 4 - 200,
      left: 800,
      side: "above",
      maxHeight: 700 - 4 - 8,
    });
  });

  it("fitting neither way, takes the roomier side and caps its height to that room", () => {
    const tall = { width: 280, height: 900 };
    expect(placeNextTo(button(1000, 100), tall, viewport, { align: "end" })).toEqual({
      top: 132,
      left: 800,
      side: "below",
      maxHeight: 660,
    });
    expect(placeNextTo(button(1000, 600), tall, viewport, { align: "end" })).toEqual({
      top: 8,
      left: 800,
      side: "above",
      maxHeight: 588,
    });
  });

  it("flips the alignment at the left edge and clamps into the viewport", () => {
    // A button at the far left with right alignment would put the panel off screen: left edges instead.
    expect(placeNextTo(button(20, 100), size, viewport, { align: "end" }).left).toBe(20);
    // A start-aligned panel at the right edge: right edges instead.
    expect(placeNextTo(button(1150, 100), size, viewport, { align: "start" }).left).toBe(1230 - 280);
    // Wider than the viewport: the margin.
    expect(placeNextTo(button(20, 100), { width: 2000, height: 10 }, viewport, { align: "start" }).left).toBe(8);
  });
});
