import type { ContentScriptContext } from "wxt/utils/content-script-context";
import { useCatalog } from "@/lib/i18n";
import { sendMessageLite as sendMessage } from "@/lib/send-message";
import { startMarks } from "@/sites/marks";

/** Marks this page's GitHub links. Signed out: nothing more is asked, nothing is drawn. */
export async function startSites(ctx: ContentScriptContext): Promise<void> {
  const status = await sendMessage("getStatus");
  if (!status.connected) return;
  if (status.language !== "auto") {
    try {
      useCatalog(await sendMessage("getCatalog", { language: status.language }), status.language);
    } catch (error) {
      console.warn("starwise: chosen language unavailable; using the browser's", error);
    }
  }
  const controller = new AbortController();
  ctx.onInvalidated(() => controller.abort());
  startMarks(document, {
    lookup: async (fullNames) => (await sendMessage("lookup", { fullNames })).items,
    signal: controller.signal,
  });
}
