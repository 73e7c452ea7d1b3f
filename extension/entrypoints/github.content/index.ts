import { defineContentScript } from "wxt/utils/define-content-script";
import { features } from "@/features";
import { startContentScript } from "./start";

// Thin on purpose (WXT imports entrypoints in Node at build time): all work is in main.
export default defineContentScript({
  matches: ["https://github.com/*"],
  runAt: "document_end",
  main(ctx) {
    void startContentScript(ctx, features).catch((error: unknown) =>
      console.error("starwise: content script failed to start", error),
    );
  },
});
