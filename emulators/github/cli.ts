// Command line entry: `npx node emulators/github/cli.ts --port 9100 --stars 1000 [--latency 80] [--seed 1]`.
// The shared flags, the ready line and signal handling are ../common/cli.ts; these are GitHub's own.
import { fail, integerOptions, nonNegative, parseCommandLine, serve } from "../common/cli.ts";
import { startGithubEmulator, type GithubEmulatorOptions } from "./server.ts";

const { values, options: shared } = parseCommandLine(
  {
    stars: { type: "string" },
    corpus: { type: "string" },
    "max-concurrency": { type: "string" },
    "rate-window": { type: "string" },
    realism: { type: "string", default: "github" },
    "time-scale": { type: "string" },
    cutoff: { type: "string" },
    "cpu-graphql": { type: "string" },
    "cpu-total": { type: "string" },
    "over-limit": { type: "string" },
    "resource-limit": { type: "string" },
    "penalty-points": { type: "string" },
  },
  "usage: node emulators/github/cli.ts [--port 9100] [--host 127.0.0.1] [--stars 100] [--seed 1] [--latency 0]\n" +
    "                                   [--corpus DIR] [--max-concurrency 100] [--rate-window 3600] [--quiet]\n" +
    "  realism: [--realism github|ideal] [--time-scale 1] [--cutoff 10000] " +
    "[--cpu-graphql 60000] [--cpu-total 90000]\n" +
    "           [--over-limit 0] [--resource-limit 0] [--penalty-points 5]   (ms per 60 s window; 0 = off)\n",
);

const options: GithubEmulatorOptions = {
  ...shared,
  ...integerOptions(values, {
    stars: "stars",
    maxConcurrentRequests: "max-concurrency",
    rateWindowSeconds: "rate-window",
  }),
};
if (values.corpus !== undefined) options.corpusDir = values.corpus;
if (values.realism !== "github" && values.realism !== "ideal")
  fail(`--realism must be "github" or "ideal", got "${values.realism}"`);
const realismFlags: Record<string, string | undefined> = {
  cutoffMs: values.cutoff,
  cpuGraphqlMsPerWindow: values["cpu-graphql"],
  cpuTotalMsPerWindow: values["cpu-total"],
  overLimitStars: values["over-limit"],
  resourceLimitMs: values["resource-limit"],
  timeoutPenaltyPoints: values["penalty-points"],
};
const realism: Record<string, number | string> = { preset: values.realism };
for (const [key, value] of Object.entries(realismFlags)) {
  const n = nonNegative(key, value);
  if (n !== undefined) realism[key] = n;
}
if (values["time-scale"] !== undefined) {
  const scale = Number(values["time-scale"]);
  if (!(scale >= 0)) fail(`--time-scale must be a number >= 0, got "${values["time-scale"]}"`);
  realism.timeScale = scale;
}
options.realism = realism as GithubEmulatorOptions["realism"];

await serve("github-emulator", shared.quiet, () => startGithubEmulator(options));
