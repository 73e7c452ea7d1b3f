import en from "../locales/en.json";
import zh from "../locales/zh_CN.json";
import { useCatalog } from "@/lib/i18n";

/** Unit tests have no browser i18n (fakeBrowser does not mock it): use the catalogs directly. */
export function useEnglish(): void {
  useCatalog(en, "en");
}

export function useChinese(): void {
  useCatalog(zh, "zh");
}
