import { browser } from "wxt/browser";

// Your stars on GitHub links anywhere (docs/architecture.md §1, "Marks on other sites"): the sites
// the person allowed in the options, each an optional host permission the browser granted
// (`permissions.request` from a click there). The granted permissions are the only list: what the
// browser says is allowed, whether granted in the options or revoked in the browser's own settings,
// is where the content script `content-scripts/sites.js` runs, registered here at run time — never on
// a site not allowed, so nothing runs and nothing is sent there.
//
// Chrome (MV3): one `scripting.registerContentScripts` entry whose `matches` are the allowed sites
// (it persists across sessions; kept true here at each start and each change). Firefox (the MV2
// build, with a persistent background page): `contentScripts.register`, which lasts as long as
// the page that registered it, so it is made again at each start.

/** The content script's file in the build (entrypoints/sites.content). */
export const SITES_SCRIPT = "content-scripts/sites.js";
const SCRIPT_ID = "starwise-sites";

/** The manifest's own host permissions (github.com): never a "site" of this list. */
function requiredOrigins(): Set<string> {
  const manifest = browser.runtime.getManifest() as { host_permissions?: string[]; permissions?: string[] };
  return new Set([...(manifest.host_permissions ?? []), ...(manifest.permissions ?? [])]);
}

/** The sites the person allowed: granted origin patterns beyond the manifest's own. */
export async function allowedSites(): Promise<string[]> {
  const required = requiredOrigins();
  const { origins = [] } = await browser.permissions.getAll();
  return origins.filter((origin) => !required.has(origin)).sort();
}

type Registration = { unregister(): Promise<void> };
/** Firefox: the registration in force, and the sites it covers. */
let firefoxRegistration: { sites: string; handle: Registration } | null = null;

async function registerChrome(sites: string[]): Promise<void> {
  const scripting = browser.scripting;
  const [existing] = await scripting.getRegisteredContentScripts({ ids: [SCRIPT_ID] });
  if (sites.length === 0) {
    if (existing) await scripting.unregisterContentScripts({ ids: [SCRIPT_ID] });
    return;
  }
  const script = { id: SCRIPT_ID, matches: sites, js: [SITES_SCRIPT], runAt: "document_idle" as const };
  if (!existing) await scripting.registerContentScripts([{ ...script, persistAcrossSessions: true }]);
  else if ([...(existing.matches ?? [])].sort().join(" ") !== sites.join(" "))
    await scripting.updateContentScripts([script]);
}

async function registerFirefox(sites: string[]): Promise<void> {
  const key = sites.join(" ");
  if (firefoxRegistration?.sites === key) return;
  await firefoxRegistration?.handle.unregister();
  firefoxRegistration = null;
  if (sites.length === 0) return;
  const api = (browser as unknown as { contentScripts: { register(options: object): Promise<Registration> } })
    .contentScripts;
  const handle = await api.register({ matches: sites, js: [{ file: SITES_SCRIPT }], runAt: "document_idle" });
  firefoxRegistration = { sites: key, handle };
}

/** One change at a time: two overlapping registrations would register the same script twice. */
let queue: Promise<unknown> = Promise.resolve();

/** Makes the content script's registration match the allowed sites; returns them. */
export function syncSiteScripts(): Promise<string[]> {
  const run = queue.then(async () => {
    const sites = await allowedSites();
    if (import.meta.env.FIREFOX) await registerFirefox(sites);
    else await registerChrome(sites);
    return sites;
  });
  queue = run.catch(() => undefined);
  return run;
}

/** At each start, and whenever the browser grants or takes back a site (the options, or its own settings). */
export function setUpSiteAccess(): void {
  const sync = () =>
    void syncSiteScripts().catch((error: unknown) => console.error("starwise: site scripts not registered", error));
  browser.permissions.onAdded.addListener(sync);
  browser.permissions.onRemoved.addListener(sync);
  sync();
}
