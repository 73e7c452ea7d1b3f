// `npm run demo`: the whole product on this machine, offline. Starts the GitHub, AI and
// OpenDigger emulators and the Worker (wrangler dev --local, pointed at them), signs the
// demo user in, runs the first sync (with AI analysis, OpenRank and embeddings), shows a
// few enriched repositories, builds the extension and prints what to open. Ctrl-C stops everything.
import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { isFinal, readSse } from "../../shared/events.ts";
import { RepositoryList } from "../../shared/repositories.ts";
import { startAiEmulator } from "../ai/server.ts";
import { startGithubEmulator } from "../github/server.ts";
import { startOpendiggerEmulator } from "../opendigger/server.ts";
import { emulatorVars, projectRoot, startWorker } from "./worker-process.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8787" },
    "github-port": { type: "string", default: "9100" },
    "ai-port": { type: "string", default: "9200" },
    "opendigger-port": { type: "string", default: "9300" },
    stars: { type: "string", default: "300" },
    "skip-extension": { type: "boolean", default: false },
  },
});

const stateDir = path.join(projectRoot, ".demo/state");
// A fresh database every time: the demo always starts from the same story.
await rm(stateDir, { recursive: true, force: true });

// GitHub as slow and strict as the real one (emulators/github/README.md, "Realism").
const github = await startGithubEmulator({
  port: Number(values["github-port"]),
  stars: Number(values.stars),
  quiet: true,
  realism: "github",
});
console.log(`GitHub emulator   ${github.url}  (user octocat, token emulator-token-octocat, ${values.stars} stars)`);
// An OpenAI-compatible endpoint (chat and embeddings) with a rate limit, and OpenDigger's files.
const ai = await startAiEmulator({ port: Number(values["ai-port"]), quiet: true, rpm: 600 });
console.log(`AI emulator       ${ai.url}/v1  (key sk-emulator, 600 requests a minute per model)`);
const opendigger = await startOpendiggerEmulator({ port: Number(values["opendigger-port"]), quiet: true });
console.log(`OpenDigger        ${opendigger.url}`);

let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
let stopping = false;
async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  console.log("\nStopping…");
  await worker?.stop();
  await Promise.all([github.close(), ai.close(), opendigger.close()]);
  process.exit(code);
}
process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());

try {
  worker = await startWorker({
    port: Number(values.port),
    persistTo: stateDir,
    // The demo runs a bundle built once: an edit elsewhere in the tree must not restart it mid-sync.
    watch: false,
    vars: emulatorVars({ github: github.url, ai: ai.url, opendigger: opendigger.url }),
  });
  console.log(`Worker            ${worker.url}  (GET ${worker.url}/health)`);

  const signIn = await fetch(`${worker.url}/api/auth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ githubToken: "emulator-token-octocat" }),
  });
  if (!signIn.ok) throw new Error(`sign-in failed: ${signIn.status} ${await signIn.text()}`);
  const { sessionToken } = (await signIn.json()) as { sessionToken: string };
  console.log(`Session (octocat) ${sessionToken}`);
  console.log(`  try: curl -H "Authorization: Bearer ${sessionToken}" ${worker.url}/api/me`);

  // The first sync, streamed as the popup sees it.
  const started = Date.now();
  const sync = await fetch(`${worker.url}/api/repositories/sync`, {
    method: "POST",
    headers: { Authorization: `Bearer ${sessionToken}` },
  });
  if (!sync.ok || !sync.body) throw new Error(`sync failed: ${sync.status} ${await sync.text()}`);
  let lastPhase = "";
  for await (const event of readSse(sync.body)) {
    if (event.event === "progress") {
      const phase = event.data.phase;
      // Analysis and embedding report every repository: show the phase once, not 300 lines.
      if (phase !== lastPhase)
        console.log(`  sync: ${phase}${"total" in event.data && event.data.total ? ` (${event.data.total})` : ""}`);
      lastPhase = phase;
    } else if (event.event === "done") {
      const { total, new_count, stats } = event.data;
      console.log(
        `First sync        ${total} stars (${new_count} new) in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
          `${stats.requests.graphql} GraphQL requests (${stats.graphqlPoints} points), ` +
          `${stats.requests.rest} REST, ${stats.readmesFetched} READMEs`,
      );
      const e = stats.enrichment;
      if (e) {
        console.log(
          `Enrichment        ${e.analysed} analysed ` +
            `(${e.chatCalls} chat calls, ${e.inputTokens.toLocaleString("en")} input tokens), ` +
            `${e.failed} failed, ${e.pending} left; ` +
            `OpenRank for ${e.openrank}; ${e.embedded} embedded (${e.embeddingRequests} embedding requests)`,
        );
      }
    } else throw new Error(`sync error: ${event.data.code}: ${event.data.message}`);
    if (isFinal(event)) break;
  }
  // A few enriched repositories, as the extension shows them. README-derived text is
  // untrusted: control characters are dropped before it reaches the terminal.
  const clean = (text: string | null) => (text ?? "").replace(/\p{Cc}/gu, " ");
  const list = RepositoryList.parse(
    await (
      await fetch(`${worker.url}/api/repositories?limit=5&sort=openrank`, {
        headers: { Authorization: `Bearer ${sessionToken}` },
      })
    ).json(),
  );
  for (const item of list.items) {
    console.log(
      `  ${clean(item.fullName)}  OpenRank ${item.openrank ?? "–"}` +
        `${item.openrankPeriod ? ` (${item.openrankPeriod})` : ""}`,
    );
    console.log(`    ${clean(item.aiSummary)}`);
    console.log(
      `    tags: ${item.aiTags.map(clean).join(", ")}` +
        `${item.aiPlatforms.length ? `; platforms: ${item.aiPlatforms.join(", ")}` : ""}`,
    );
  }
  console.log(`  try: curl -H "Authorization: Bearer ${sessionToken}" "${worker.url}/api/repositories?limit=5"`);

  if (!values["skip-extension"]) {
    const build = spawn(process.execPath, [path.join(projectRoot, "node_modules/wxt/bin/wxt.mjs"), "build"], {
      cwd: projectRoot,
      stdio: ["ignore", "ignore", "inherit"],
    });
    const code = await new Promise<number | null>((resolve) => build.on("exit", resolve));
    if (code !== 0) throw new Error(`wxt build failed (exit ${code})`);
    console.log(`Extension         ${path.join(projectRoot, ".output/extension/chrome-mv3")}`);
    console.log("  load it unpacked at chrome://extensions (Developer mode → Load unpacked)");
  }
  console.log("\nReady. Ctrl-C stops the emulator and the Worker.");
} catch (error) {
  console.error(error);
  await shutdown(1);
}
