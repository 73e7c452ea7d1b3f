import type { ContentScriptContext } from "wxt/utils/content-script-context";
import type { LookupItem } from "../../../shared/repositories";
import { startFeatures, type Feature } from "@/github/feature-manager";
import { connectedInChosenLanguage } from "@/lib/content-start";
import { sendMessageLite as sendMessage } from "@/lib/send-message";

/**
 * Starts the github.com features. Signed out: nothing runs, so no request is made at
 * all. Lookups of one page visit are remembered here too, so a Turbo visit back to a
 * page draws its badges without waiting for the background.
 */
export async function startContentScript(ctx: ContentScriptContext, list: Feature[]): Promise<void> {
  if (!(await connectedInChosenLanguage())) return;
  const seen = new Map<string, LookupItem | null>();
  const lookup = async (fullNames: string[]) => {
    const missing = fullNames.filter((name) => !seen.has(name));
    // The protocol takes ≤ 500 names a message (the background batches them by 100).
    for (let i = 0; i < missing.length; i += 500) {
      const chunk = missing.slice(i, i + 500);
      const { items } = await sendMessage("lookup", { fullNames: chunk });
      for (const name of chunk) seen.set(name, items[name] ?? null);
    }
    const answer: Record<string, LookupItem> = {};
    for (const name of fullNames) {
      const item = seen.get(name);
      if (item) answer[name] = item;
    }
    return answer;
  };
  const listeners = new Set<(item: LookupItem) => void>();
  const remember = (item: LookupItem) => {
    seen.set(item.fullName, item);
    for (const listener of listeners) listener(item);
  };
  const onRemembered = (listener: (item: LookupItem) => void, signal: AbortSignal) => {
    if (signal.aborted) return;
    listeners.add(listener);
    signal.addEventListener("abort", () => listeners.delete(listener), { once: true });
  };
  const controller = new AbortController();
  ctx.onInvalidated(() => controller.abort());
  startFeatures(list, { ctx, lookup, remember, onRemembered }, { signal: controller.signal });
}
