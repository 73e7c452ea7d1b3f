import { describe, expect, it } from "vitest";
import { pageTheme } from "./page-theme";

const html = (attributes: Record<string, string>) => ({ getAttribute: (name: string) => attributes[name] ?? null });

describe("pageTheme", () => {
  it.each([
    // The saved pages: auto, light/dark.
    [{ "data-color-mode": "auto", "data-light-theme": "light", "data-dark-theme": "dark" }, false, "light"],
    [{ "data-color-mode": "auto", "data-light-theme": "light", "data-dark-theme": "dark" }, true, "dark"],
    // docker-library/docker, 2024: a user whose dark theme is light.
    [{ "data-color-mode": "auto", "data-light-theme": "light", "data-dark-theme": "light" }, true, "light"],
    [{ "data-color-mode": "dark", "data-dark-theme": "dark_dimmed" }, false, "dark_dimmed"],
    [{ "data-color-mode": "dark", "data-dark-theme": "dark_high_contrast" }, false, "dark_high_contrast"],
    [{ "data-color-mode": "light", "data-light-theme": "light_high_contrast" }, true, "light_high_contrast"],
    [{ "data-color-mode": "dark", "data-dark-theme": "dark_tritanopia" }, false, "dark"],
    [{ "data-color-mode": "light", "data-light-theme": "light_colorblind" }, true, "light"],
    // No attributes (GitHub's markup changed): the system's scheme.
    [{}, true, "dark"],
    [{}, false, "light"],
  ])("%o, system dark %s → %s", (attributes, systemDark, expected) => {
    expect(pageTheme(html(attributes), systemDark)).toBe(expected);
  });
});
