// `npm run dev:worker -- [wrangler dev flags]`: the Worker on this machine, offline.
// Applies the D1 migrations to the database it is about to use, then runs
// `wrangler dev --local` with every flag passed through (e.g. --port 8787
// --persist-to .wrangler/state --var GITHUB_API_URL:http://127.0.0.1:9100).
import { spawn } from "node:child_process";
import path from "node:path";
import { applyMigrations, envFileArgs, localVars, offlineEnv, projectRoot, stopGroup } from "./worker-process.ts";

const args = process.argv.slice(2);
const persistIndex = args.findIndex((arg) => arg === "--persist-to" || arg.startsWith("--persist-to="));
const persistTo =
  persistIndex === -1
    ? undefined
    : args[persistIndex]!.includes("=")
      ? args[persistIndex]!.split("=")[1]
      : args[persistIndex + 1];

await applyMigrations(persistTo ? path.resolve(persistTo) : undefined);

// Defaults first, so a --var given on the command line wins.
const defaults = Object.entries(localVars).flatMap(([key, value]) => ["--var", `${key}:${value}`]);
const child = spawn(
  process.execPath,
  [
    path.join(projectRoot, "node_modules/wrangler/bin/wrangler.js"),
    "dev",
    "--local",
    ...envFileArgs(),
    ...defaults,
    ...args,
  ],
  { cwd: projectRoot, env: { ...process.env, ...offlineEnv }, stdio: "inherit", detached: true },
);
const stop = () => void stopGroup(child).then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
child.on("exit", (code) => process.exit(code ?? 0));
