import { defineContentScript } from "wxt/utils/define-content-script";
import { startSites } from "./start";

// Thin on purpose (WXT imports entrypoints in Node at build time): all work is in main. Registered
// at run time for the sites the person allowed, and only those (entrypoints/background/site-access.ts):
// no `matches` here, so the manifest asks for no host.
export default defineContentScript({
  registration: "runtime",
  main(ctx) {
    void startSites(ctx).catch((error: unknown) => console.error("starwise: marks on this site failed", error));
  },
});
