import type { ContentScriptContext } from "wxt/utils/content-script-context";
import { connectedInChosenLanguage } from "@/lib/content-start";
import { sendMessageLite as sendMessage } from "@/lib/send-message";
import { startMarks } from "@/sites/marks";

/** Marks this page's GitHub links. Signed out: nothing more is asked, nothing is drawn. */
export async function startSites(ctx: ContentScriptContext): Promise<void> {
  if (!(await connectedInChosenLanguage())) return;
  const controller = new AbortController();
  ctx.onInvalidated(() => controller.abort());
  startMarks(document, {
    lookup: async (fullNames) => (await sendMessage("lookup", { fullNames })).items,
    signal: controller.signal,
  });
}
