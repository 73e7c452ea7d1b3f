import { render, type ComponentType } from "preact";
import { applyLanguage } from "./i18n";
import { preferencesItem, readPreferences } from "./storage";

/**
 * Boots an extension page (popup, options, new tab): applies the chosen language, then
 * renders; a language change re-renders every open page in the new language.
 */
export async function mountPage(App: ComponentType): Promise<void> {
  const root = document.getElementById("app");
  if (!root) throw new Error("the page has no #app element");
  let language = (await readPreferences()).language;
  await applyLanguage(language);
  render(<App />, root);
  preferencesItem.watch(async (preferences) => {
    if (!preferences || preferences.language === language) return;
    language = preferences.language;
    await applyLanguage(language);
    render(null, root);
    render(<App />, root);
  });
}
