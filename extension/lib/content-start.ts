import { useCatalog } from "./i18n";
import { sendMessageLite as sendMessage } from "./send-message";

/**
 * What every content script asks first: whether the extension is signed in (signed out, it does
 * nothing and asks nothing more), and, for a language chosen in the options, its catalog.
 */
export async function connectedInChosenLanguage(): Promise<boolean> {
  const status = await sendMessage("getStatus");
  if (!status.connected) return false;
  if (status.language !== "auto") {
    try {
      useCatalog(await sendMessage("getCatalog", { language: status.language }), status.language);
    } catch (error) {
      console.warn("starwise: chosen language unavailable; using the browser's", error);
    }
  }
  return true;
}
