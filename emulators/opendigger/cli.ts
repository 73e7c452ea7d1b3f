// Command line entry: `npm run emulator:opendigger -- --port 9300 [--now 2026-11-20] [--not-found 0.1]`.
// The shared flags, the ready line and signal handling are ../common/cli.ts; these are OpenDigger's own.
import { nonNegative, parseCommandLine, serve } from "../common/cli.ts";
import { startOpendiggerEmulator, type OpendiggerEmulatorOptions } from "./server.ts";

const { values, options: shared } = parseCommandLine(
  {
    now: { type: "string" },
    "export-day": { type: "string" },
    "not-found": { type: "string" },
  },
  "usage: node emulators/opendigger/cli.ts [--port 9300] [--host 127.0.0.1] [--seed 1] [--now 2026-11-20T00:00:00Z]\n" +
    "                                       [--export-day 5] [--not-found 0.1] [--latency 0] [--quiet]\n",
);

const options: OpendiggerEmulatorOptions = { ...shared };
const exportDay = nonNegative("export-day", values["export-day"]);
const notFound = nonNegative("not-found", values["not-found"], "number");
if (exportDay !== undefined) options.exportDay = exportDay;
if (notFound !== undefined) options.notFoundShare = notFound;
if (values.now !== undefined) options.now = values.now;

await serve("opendigger-emulator", shared.quiet, () => startOpendiggerEmulator(options));
