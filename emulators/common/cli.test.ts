// The shared command line pieces, in a child process as each emulator's cli.ts runs them: usage
// errors (stderr, exit 2), --help, the one ready line, shutdown on signals, a failed start.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

const cli = new URL("./cli.ts", import.meta.url).href;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `script` (an ES module that has the common cli's exports in scope) with `args`; `signal` is sent after the ready
 * line.
 */
function run(script: string, args: string[], signal?: NodeJS.Signals): Promise<Run> {
  const source =
    "import { fail, integerOptions, nonNegative, parseCommandLine, serve } from " +
    `${JSON.stringify(cli)};\n${script}`;
  const child = spawn(process.execPath, ["--input-type=module", "--eval", source, "--", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const result: Run = { code: null, stdout: "", stderr: "" };
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    result.stdout += chunk;
    if (signal && result.stdout.endsWith("\n")) child.kill(signal);
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (result.stderr += chunk));
  return new Promise((resolve) => child.once("close", (code) => resolve({ ...result, code })));
}

const PARSE =
  `
const { values, options } = parseCommandLine({ stars: { type: "string" }, share: { type: "string" } }, "usage: toy\\n");
process.stdout.write(JSON.stringify({ options, stars: integerOptions(values, { starCount: "stars" }), ` +
  `share: nonNegative("share", values.share, "number") }) + "\\n");
`;

const TOY = `
await serve("toy-emulator", process.argv.includes("--quiet"), async () => {
  if (process.argv.includes("--broken")) throw new Error("port 1 is taken");
  const timer = setInterval(() => {}, 60_000);
  return { url: "http://127.0.0.1:1234", close: async () => clearInterval(timer) };
});
`;

describe("common cli", () => {
  it("parses the shared flags into options and leaves out those not given", async () => {
    const { code, stdout } = await run(PARSE, ["--host", "::1", "--latency", "5", "--stars", "7", "--share", "0.25"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      options: { quiet: false, port: 0, latencyMs: 5, host: "::1" },
      stars: { starCount: 7 },
      share: 0.25,
    });
  });

  it.each([
    [["--seed=-1"], '--seed must be a non-negative integer, got "-1"\n'],
    [["--stars", "1.5"], '--stars must be a non-negative integer, got "1.5"\n'],
    [["--share", "Infinity"], '--share must be a non-negative number, got "Infinity"\n'],
  ])("rejects %j on stderr with exit code 2", async (args, message) => {
    expect(await run(PARSE, args)).toEqual({ code: 2, stdout: "", stderr: message });
  });

  it("prints the usage on --help and exits 0", async () => {
    expect(await run(PARSE, ["-h"])).toEqual({ code: 0, stdout: "", stderr: "usage: toy\n" });
  });

  it("prints one ready line and shuts down cleanly on a signal", async () => {
    expect(await run(TOY, [], "SIGTERM")).toEqual({
      code: 0,
      stdout: "ready http://127.0.0.1:1234\n",
      stderr: "[toy-emulator] SIGTERM: shutting down\n",
    });
    expect(await run(TOY, ["--quiet"], "SIGINT")).toEqual({
      code: 0,
      stdout: "ready http://127.0.0.1:1234\n",
      stderr: "",
    });
  });

  it("reports a failed start on stderr with exit code 1", async () => {
    expect(await run(TOY, ["--broken"])).toEqual({ code: 1, stdout: "", stderr: "[toy-emulator] port 1 is taken\n" });
  });
});
