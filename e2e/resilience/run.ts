// `npm run test:resilience` (docs/reliability.md): faults during a sync, then load, against a real
// local Worker (`wrangler dev --local`) and the three emulators. Prints the table of figures
// (markdown) on stdout, the story on stderr, and exits 1 when any invariant fails: a run that
// neither completes nor ends with a clear error, a row lost, a duplicate, a library that does
// not converge to the emulator's, a load error or a user with two runs.
//
//   npm run test:resilience -- [--only <regexp of scenario names>] [--no-faults] [--no-load] [--users 50] [--json]
import { parseArgs } from "node:util";
import { runFaultScenarios, type FaultOutcome } from "./faults.ts";
import { runLoad, type LoadReport } from "./load.ts";
import { log, startStack } from "./stack.ts";

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    "no-faults": { type: "boolean", default: false },
    "no-load": { type: "boolean", default: false },
    users: { type: "string", default: "50" },
    json: { type: "boolean", default: false },
  },
});

function faultTable(rows: FaultOutcome[]): string {
  const lines = [
    "| fault | injected | faulted run ended | faults fired | next sync converged " +
      "| rows lost | duplicates | faulted run |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${r.injected} | ${r.ended}${r.note ? ` (${r.note})` : ""} | ${r.fired} ` +
        `| ${r.converged ? "yes" : `**no** (${r.verdict.diverged.length} differ)`} ` +
        `| ${r.verdict.lost.length} | ${r.verdict.duplicates.length} | ${(r.wallMs / 1000).toFixed(0)} s |`,
    );
  }
  const sum = (f: (r: FaultOutcome) => number) => rows.reduce((s, r) => s + f(r), 0);
  lines.push(
    `| **all** | ${sum((r) => r.fired)} faults fired in ${rows.length} scenarios ` +
      `| ${rows.filter((r) => r.completed).length} of ${rows.length} runs completed or ended with a clear error | ` +
      `| ${rows.filter((r) => r.converged).length} of ${rows.length} ` +
      `| **${sum((r) => r.verdict.lost.length)}** | **${sum((r) => r.verdict.duplicates.length)}** | |`,
  );
  return lines.join("\n");
}

function loadTable(report: LoadReport): string {
  const lines = [
    "| load | requests | errors | wall | throughput | p50 | p95 | check |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of report.rows) {
    lines.push(
      `| ${r.name} | ${r.requests} | ${r.errors} | ${(r.wallMs / 1000).toFixed(1)} s | ${r.throughput.toFixed(1)}/s ` +
        `| ${r.p50Ms} ms | ${r.p95Ms} ms | ${r.check} |`,
    );
  }
  return lines.join("\n");
}

async function main() {
  const failures: string[] = [];
  let faults: FaultOutcome[] = [];
  let load: LoadReport | null = null;
  if (!values["no-faults"]) {
    const stack = await startStack();
    try {
      faults = await runFaultScenarios(stack, values.only ? new RegExp(values.only, "i") : undefined);
    } finally {
      await stack.close();
    }
    for (const r of faults) {
      if (!r.completed) failures.push(`${r.name}: the faulted run ended "${r.ended}"`);
      if (!r.converged)
        failures.push(`${r.name}: the next sync did not converge (${r.verdict.diverged.slice(0, 3).join("; ")})`);
      if (r.verdict.lost.length) failures.push(`${r.name}: lost ${r.verdict.lost.join("; ")}`);
      if (r.garbage) failures.push(`${r.name}: ${r.garbage} analyses carry an obeyed injection`);
      if (r.verdict.duplicates.length)
        failures.push(`${r.name}: duplicates ${r.verdict.duplicates.slice(0, 3).join("; ")}`);
    }
  }
  if (!values["no-load"]) {
    const stack = await startStack();
    try {
      load = await runLoad(stack, Number(values.users));
    } finally {
      await stack.close();
    }
    failures.push(...load.failures);
  }
  if (values.json) console.log(JSON.stringify({ faults, load }, null, 2));
  else {
    if (faults.length) console.log(`${faultTable(faults)}\n`);
    if (load) console.log(`${loadTable(load)}\n`);
  }
  for (const failure of failures) log(`FAILED: ${failure}`);
  log(failures.length ? `${failures.length} failures` : "every invariant held");
  process.exitCode = failures.length ? 1 : 0;
}

await main();
