// `npm run bench:extension`: what the extension costs a github.com visitor. A benchmark,
// not a test: it prints figures, it asserts nothing.
//
//   npm run bench:extension -- [--runs 20] [--json] [--skip-build]
//
// 1. Built sizes (wxt build, chrome-mv3): each entry with the chunks it imports, raw and
//    gzipped (zlib level 9). Budget: content script ≤ 50 KB gzipped.
// 2. turbo:render → visible badge on a repository page, in real Chromium (Debian's) with the
//    built extension, the real Worker (`wrangler dev --local`) and the GitHub emulator:
//    warm in this page (Turbo back to a repository this tab showed: no message at all),
//    warm in the background (another tab looked it up: one message, no request) and cold (a
//    name never looked up: one lookup request through the background to the Worker).
//    Target warm < 100 ms.
// 3. Lookup requests per page, counted at the wire by a proxy in front of the Worker, for a
//    repository page and for list pages (stars tab, trending): one each, never one per repository.
// 4. "Similar in your stars", opened on demand from the badge's details: click → list drawn, on
//    a freshly loaded repository page each run; requests to `/similar` counted at the wire before
//    it is opened (none) and per opening (one).
// 5. The address bar: a keystroke → its suggestions, timed in the service worker around the handler
//    the `omnibox.onInputChanged` listener calls (no browser automates its address bar), for the
//    synced library and for an index of 30,000 stars (written to storage as the Worker's answer would
//    be: the first keystroke after it is stored reads, validates and prepares it, as a woken service
//    worker does; the next ones are warm). Requests to the Worker counted during the keystrokes.
//    Target: warm < 100 ms.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import type { Page, Worker } from "playwright-core";
import { EXTENSION_DIR, launchWithExtension } from "../e2e/lib/browser.ts";
import { startCountingProxy } from "../e2e/lib/counting-proxy.ts";
import { signInThroughOptions } from "../e2e/lib/flows.ts";
import { BENCH_OWNER, startGithubSite } from "../e2e/lib/github-site.ts";
import { EMULATOR_TOKEN, startStack } from "../e2e/lib/stack.ts";
import { projectRoot } from "../emulators/scripts/worker-process.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "20" },
    json: { type: "boolean", default: false },
    "skip-build": { type: "boolean", default: false },
  },
});
const runs = Number(values.runs);
const log = (line: string) => process.stderr.write(`${line}\n`);

// --- 1. sizes ------------------------------------------------------------------------------

if (!values["skip-build"]) {
  log("building the extension (wxt build)…");
  const build = spawnSync(process.execPath, [path.join(projectRoot, "node_modules/wxt/bin/wxt.mjs"), "build"], {
    cwd: projectRoot,
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (build.status !== 0) throw new Error(`wxt build failed (${build.status})`);
}

/** A JS file and every chunk it imports, transitively (Vite's `import … from "./x.js"`). */
function withImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = readFileSync(file, "utf8");
  for (const match of code.matchAll(/(?:import|from)\s*["']([^"']+\.js)["']/g))
    withImports(path.resolve(path.dirname(file), match[1]!), seen);
  return seen;
}

/** An HTML entry: its scripts and stylesheets with their imports. */
function pageFiles(html: string): string[] {
  const file = path.join(EXTENSION_DIR, html);
  const text = readFileSync(file, "utf8");
  const files = new Set<string>();
  for (const match of text.matchAll(/<script[^>]+src="([^"]+)"/g))
    for (const f of withImports(path.join(EXTENSION_DIR, match[1]!))) files.add(f);
  for (const match of text.matchAll(/<link[^>]+href="([^"]+\.css)"/g)) files.add(path.join(EXTENSION_DIR, match[1]!));
  return [file, ...files];
}

function measure(files: string[]) {
  const raw = Buffer.concat(files.map((f) => readFileSync(f)));
  return {
    files: files.map((f) => path.relative(EXTENSION_DIR, f)),
    rawBytes: raw.length,
    gzipBytes: gzipSync(raw, { level: 9 }).length,
  };
}

const sizes = {
  contentScript: measure([path.join(EXTENSION_DIR, "content-scripts/github.js")]),
  sitesContentScript: measure([path.join(EXTENSION_DIR, "content-scripts/sites.js")]),
  popup: measure(pageFiles("popup.html")),
  newtab: measure(pageFiles("newtab.html")),
  options: measure(pageFiles("options.html")),
  background: measure([...withImports(path.join(EXTENSION_DIR, "background.js"))]),
};

// --- 2 and 3. in the browser ---------------------------------------------------------------

/** In the page: Turbo-swap to `url`, and time `turbo:render` → the badge drawn in its shadow root. */
function timeTurboRender(page: Page, url: string): Promise<number> {
  return page.evaluate(async (next) => {
    const html = await (await fetch(next)).text();
    const incoming = new DOMParser().parseFromString(html, "text/html");
    document.dispatchEvent(new CustomEvent("turbo:visit", { detail: { url: next } }));
    for (const meta of document.head.querySelectorAll("meta[name]")) meta.remove();
    for (const meta of incoming.head.querySelectorAll("meta[name]")) document.head.append(document.adoptNode(meta));
    history.pushState({}, "", next);
    document.body.replaceWith(document.adoptNode(incoming.body));
    const drawn = new Promise<number>((resolve, reject) => {
      const check = () => {
        const host = document.querySelector("starwise-repo-badge");
        if (host?.shadowRoot?.querySelector(".badge")) {
          observer.disconnect();
          resolve(performance.now());
          return true;
        }
        return false;
      };
      const observer = new MutationObserver(() => void check());
      observer.observe(document.documentElement, { childList: true, subtree: true });
      setTimeout(() => reject(new Error(`no badge on ${next} within 10 s`)), 10_000);
    });
    const start = performance.now();
    document.dispatchEvent(new CustomEvent("turbo:render"));
    return (await drawn) - start;
  }, url);
}

/** In the page: open the badge's similar list, and time the click → the list (or its empty or error state) drawn. */
function timeSimilarOpen(page: Page): Promise<{ ms: number; entries: number; state: string }> {
  return page.evaluate(async () => {
    const root = document.querySelector("starwise-repo-badge")?.shadowRoot;
    const button = root?.querySelector<HTMLButtonElement>("button.similar-toggle");
    if (!root || !button) throw new Error("no similar button in the badge's details");
    const done = () => root.querySelector(".similar-list, .similar .empty, .similar [role=alert]");
    const drawn = new Promise<number>((resolve, reject) => {
      const observer = new MutationObserver(() => {
        if (!done()) return;
        observer.disconnect();
        resolve(performance.now());
      });
      observer.observe(root, { childList: true, subtree: true });
      setTimeout(() => reject(new Error("no similar list within 10 s")), 10_000);
    });
    const start = performance.now();
    button.click();
    const ms = (await drawn) - start;
    return {
      ms,
      entries: root.querySelectorAll(".similar-list li").length,
      state: root.querySelector(".similar")?.getAttribute("data-state") ?? "?",
    };
  });
}

const stats = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { runs: samples.length, medianMs: round(at(0.5)), p95Ms: round(at(0.95)), maxMs: round(sorted.at(-1)!) };
};
const round = (ms: number) => Math.round(ms * 10) / 10;

log("starting the GitHub emulator, the Worker, the github.com fixture site and Chromium…");
const stack = await startStack({ stars: 50 });
const proxy = await startCountingProxy(stack.worker.url);
const site = await startGithubSite();
const browser = await launchWithExtension({ githubPort: site.port });
let timing: Record<string, ReturnType<typeof stats>>;
let lookups: Record<string, { repositoriesOnPage: number; lookupRequests: number }>;
let omnibox: Record<string, ReturnType<typeof stats> & { requests: number }>;
let omniboxIndexBytes = { raw: 0, gzip: 0 };
let similar: ReturnType<typeof stats> & {
  requestsBeforeOpening: number;
  requestsPerOpening: number;
  entries: number[];
  states: string[];
};
try {
  await stack.control("star", { login: "octocat", fullName: "microsoft/playwright" });
  for (const fullName of ["tokio-rs/tokio", "zed-industries/zed", "AathifZahir/ProIntern"])
    await stack.control("star", { login: "octocat", fullName });
  (await signInThroughOptions(browser, proxy.url, EMULATOR_TOKEN)).close();
  const popup = await browser.openPage("popup.html");
  await popup.getByRole("button", { name: "Sync" }).click();
  await popup.locator(".done").waitFor({ timeout: 120_000 });
  await popup.close();

  // Lookups per page, each page opened fresh (the cache is cold for its names).
  lookups = {};
  for (const [label, url, itemSelector] of [
    ["repository page", "https://github.com/microsoft/playwright", "#repository-container-header"],
    [
      "stars tab (5 repositories)",
      "https://github.com/ammarasad2005?tab=stars",
      "#user-starred-repos div.col-12.d-block.width-full",
    ],
    ["trending (16 repositories)", "https://github.com/trending/rust?since=weekly", "article.Box-row"],
  ] as const) {
    proxy.reset();
    const page = await browser.open(url);
    await page.waitForLoadState("load");
    await page.waitForTimeout(1000);
    lookups[label] = {
      repositoriesOnPage: await page.locator(itemSelector).count(),
      lookupRequests: proxy.count("POST /api/repositories/lookup"),
    };
    await page.close();
  }

  const page = await browser.open("https://github.com/microsoft/playwright");
  await page.locator("starwise-repo-badge .badge").waitFor();
  const warm: number[] = [];
  let warmRequests = 0;
  const cold: number[] = [];
  // Warm: back and forth between two repositories already looked up.
  await timeTurboRender(page, "https://github.com/ammarasad2005/Drama-Ghar");
  proxy.reset();
  for (let i = 0; i < runs; i++)
    warm.push(
      await timeTurboRender(
        page,
        i % 2 ? "https://github.com/ammarasad2005/Drama-Ghar" : "https://github.com/microsoft/playwright",
      ),
    );
  warmRequests = proxy.count("POST /api/repositories/lookup");
  // Warm in the background only: another tab looked the name up first, so this tab's
  // content script asks the background, which answers from its cache (no request).
  const warmBackground: number[] = [];
  const other = await browser.open("about:blank");
  let warmBackgroundRequests = 0;
  for (let i = 0; i < runs; i++) {
    const url = `https://github.com/${BENCH_OWNER}/warm-${Date.now()}-${i}`;
    await other.goto(url);
    await other.locator("starwise-repo-badge .badge").waitFor();
    const before = proxy.count("POST /api/repositories/lookup");
    warmBackground.push(await timeTurboRender(page, url));
    warmBackgroundRequests += proxy.count("POST /api/repositories/lookup") - before;
  }
  await other.close();
  // Cold: a name nobody looked up yet, every time (one lookup request each, checked below).
  proxy.reset();
  for (let i = 0; i < runs; i++)
    cold.push(await timeTurboRender(page, `https://github.com/${BENCH_OWNER}/cold-${Date.now()}-${i}`));
  const coldRequests = proxy.count("POST /api/repositories/lookup");
  if (coldRequests !== runs) log(`note: ${coldRequests} lookup requests for ${runs} cold renders`);
  timing = {
    "warm (this page's cache)": { ...stats(warm), lookupRequests: warmRequests } as ReturnType<typeof stats>,
    "warm (background cache)": { ...stats(warmBackground), lookupRequests: warmBackgroundRequests } as ReturnType<
      typeof stats
    >,
    cold: { ...stats(cold), lookupRequests: coldRequests } as ReturnType<typeof stats>,
  };
  await page.close();

  // Similar in your stars: a fresh page each run (the list is asked once per badge, then kept).
  const similarMs: number[] = [];
  const entries: number[] = [];
  const states: string[] = [];
  let before = 0;
  let opened = 0;
  const similarPage = await browser.open("about:blank");
  for (let i = 0; i < runs; i++) {
    proxy.reset();
    await similarPage.goto("https://github.com/microsoft/playwright");
    const badge = similarPage.locator("starwise-repo-badge .badge.in-library");
    await badge.waitFor();
    await badge.locator("button.toggle").click();
    await badge.locator("button.similar-toggle").waitFor();
    before += proxy.count(/\/similar$/);
    const result = await timeSimilarOpen(similarPage);
    opened += proxy.count(/\/similar$/);
    similarMs.push(result.ms);
    entries.push(result.entries);
    states.push(result.state);
  }
  await similarPage.close();
  similar = {
    ...stats(similarMs),
    requestsBeforeOpening: before,
    requestsPerOpening: opened / runs,
    entries: [...new Set(entries)],
    states: [...new Set(states)],
  };

  // The address bar: a keystroke → suggestions, in the service worker, through the listener's handler.
  type Omnibox = { input(text: string): Promise<{ suggestions: unknown[] }> };
  const keystroke = (worker: Worker, text: string) =>
    worker.evaluate(async (typed) => {
      const handler = (globalThis as unknown as { starwiseOmnibox: Omnibox }).starwiseOmnibox;
      const started = performance.now();
      const answer = await handler.input(typed);
      return { ms: performance.now() - started, suggestions: answer.suggestions.length };
    }, text);
  const typing = ["t", "to", "tok", "toki", "tokio", "p", "pl", "pla", "play", "async runtime", "qwzxjv"];
  const keystrokes = async (worker: Worker, words: string[], rounds: number) => {
    const samples: number[] = [];
    for (let round = 0; round < rounds; round++)
      for (const text of words) samples.push((await keystroke(worker, text)).ms);
    return samples;
  };
  omnibox = {};
  await keystroke(browser.background, "warm-up");
  proxy.reset();
  omnibox["the synced library (the bench's 50 + 4 stars), warm"] = {
    ...stats(await keystrokes(browser.background, typing, Math.max(1, Math.round(runs / 4)))),
    requests: proxy.requests.length,
  };
  // 30,000 stars: the index as the Worker would answer it, in storage under this login.
  const BIG = 30_000;
  const words = ["async", "runtime", "web", "framework", "database", "cli", "parser", "graph", "machine", "learning"];
  const items = Array.from({ length: BIG }, (_, i) => ({
    fullName: `owner-${i % 2311}/project-${words[i % words.length]}-${i}`,
    summary: `A ${words[(i * 7) % words.length]} ${words[(i * 3) % words.length]} library for ${
      words[(i * 5) % words.length]
    } work, number ${i}, with a summary about as long as the AI writes them.`,
    tags: [words[i % words.length]!, words[(i + 3) % words.length]!, `topic-${i % 97}`],
    starred: true,
  }));
  const indexJson = JSON.stringify({ generatedAt: new Date().toISOString(), items });
  omniboxIndexBytes = { raw: Buffer.byteLength(indexJson), gzip: gzipSync(indexJson, { level: 6 }).length };
  /** Stores the index as the Worker's answer is stored: the background's memory lets go of the old one. */
  const storeIndex = () =>
    browser.background.evaluate(async (json) => {
      type Local = { get(key: string): Promise<Record<string, { login: string }>>; set(items: object): Promise<void> };
      const local = (globalThis as unknown as { chrome: { storage: { local: Local } } }).chrome.storage.local;
      const { connection } = await local.get("connection");
      await local.set({
        libraryIndex: {
          login: connection!.login,
          fetchedAt: Date.now(),
          items: JSON.stringify(JSON.parse(json).items),
        },
      });
    }, indexJson);
  const bigTyping = ["p", "pr", "pro", "proj", "project-gr", "graph learning", "owner-12/", "topic-5", "qwzxjv"];
  const woke: number[] = [];
  let wokeRequests = 0;
  const worker = browser.background;
  for (let i = 0; i < Math.min(runs, 10); i++) {
    // The first keystroke after the index was stored: read from storage, validated, prepared — what a
    // service worker Chrome has just woken does before it can suggest.
    await storeIndex();
    await new Promise((resolve) => setTimeout(resolve, 100));
    proxy.reset();
    woke.push((await keystroke(worker, "proj")).ms);
    wokeRequests += proxy.requests.length;
  }
  proxy.reset();
  omnibox[`${BIG.toLocaleString("en")} stars, first keystroke (index read from storage)`] = {
    ...stats(woke),
    requests: wokeRequests,
  };
  omnibox[`${BIG.toLocaleString("en")} stars, warm`] = {
    ...stats(await keystrokes(worker, bigTyping, Math.max(1, Math.round(runs / 4)))),
    requests: proxy.requests.length,
  };
} finally {
  await browser.close();
  await site.close();
  await proxy.close();
  await stack.stop();
}

const result = {
  measuredAt: new Date().toISOString(),
  sizes,
  badge: timing,
  lookupsPerPage: lookups,
  similar,
  omnibox,
  omniboxIndexBytes,
};
if (values.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log("\nBuilt sizes (chrome-mv3; an entry with the chunks it loads; gzip level 9)");
  console.log("| entry | raw | gzip |\n| --- | --- | --- |");
  for (const [name, size] of Object.entries(sizes))
    console.log(`| ${name} | ${kb(size.rawBytes)} | ${kb(size.gzipBytes)} |`);
  console.log(`content script budget 50 KB gzipped: ${sizes.contentScript.gzipBytes <= 50 * 1024 ? "within" : "OVER"}`);
  console.log(`\nturbo:render → badge drawn (${runs} renders each)`);
  console.log("| cache | median | p95 | max | lookup requests during the renders |\n| --- | --- | --- | --- | --- |");
  for (const [name, s] of Object.entries(timing)) {
    const requests = (s as { lookupRequests?: number }).lookupRequests ?? 0;
    console.log(`| ${name} | ${s.medianMs} ms | ${s.p95Ms} ms | ${s.maxMs} ms | ${requests} |`);
  }
  console.log("\nLookup requests to the Worker per page (counted by a proxy)");
  console.log("| page | repositories on it | lookup requests |\n| --- | --- | --- |");
  for (const [name, l] of Object.entries(lookups))
    console.log(`| ${name} | ${l.repositoriesOnPage} | ${l.lookupRequests} |`);
  console.log(`\nSimilar in your stars, opened from the badge's details (${runs} openings, each on a fresh page)`);
  console.log(
    "| click → list drawn: median | p95 | max | /similar requests before opening | per opening | entries | state |\n" +
      "| --- | --- | --- | --- | --- | --- | --- |",
  );
  console.log(
    `| ${similar.medianMs} ms | ${similar.p95Ms} ms | ${similar.maxMs} ms | ${similar.requestsBeforeOpening} | ` +
      `${similar.requestsPerOpening} | ${similar.entries.join(", ")} | ${similar.states.join(", ")} |`,
  );
  console.log("\nAddress bar: a keystroke → its suggestions, in the service worker (target warm < 100 ms)");
  console.log(
    "| index | keystrokes | median | p95 | max | requests to the Worker |\n| --- | --- | --- | --- | --- | --- |",
  );
  for (const [name, s] of Object.entries(omnibox))
    console.log(`| ${name} | ${s.runs} | ${s.medianMs} ms | ${s.p95Ms} ms | ${s.maxMs} ms | ${s.requests} |`);
  console.log(
    `30,000-star index: ${kb(omniboxIndexBytes.raw)} of JSON, ${kb(omniboxIndexBytes.gzip)} gzipped (level 6)`,
  );
}
