import preact from "@preact/preset-vite";
import { defineConfig } from "wxt";

// https://wxt.dev/api/config.html
export default defineConfig({
  srcDir: "extension",
  outDir: ".output/extension",
  manifest: ({ browser }) => ({
    name: "Starwise",
    description: "Your GitHub stars, synced, understood and findable.",
    permissions: ["storage"],
    host_permissions: ["https://github.com/*"],
    ...(browser === "firefox"
      ? {
          browser_specific_settings: {
            gecko: { id: "starwise@starwise.dev", data_collection_permissions: { required: ["none"] } },
          },
        }
      : {}),
  }),
  vite: () => ({ plugins: [preact()] }),
  zip: {
    excludeSources: ["worker/**", "emulators/**", "bench/**", "e2e/**", "migrations/**", ".output/**", ".wrangler/**"],
  },
});
