// For the emulators' CLI tests: one emulator started as a user starts it, by its command line.
import { spawn } from "node:child_process";

export type RunningCli = {
  /** The address from its "ready <url>" line. */
  url: string;
  /** Sends `signal` and resolves with its exit code, and with everything it printed on stdout. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; stdout: string }>;
};

/** Starts `node <cli> <args>` and waits for its "ready <url>" line (rejects if it exits first). */
export async function startCli(cli: string, args: string[]): Promise<RunningCli> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  child.stdout.setEncoding("utf8");
  child.stderr.resume();
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      const match = /^ready (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
      if (match) resolve(match[1] as string);
    });
    child.once("exit", (code) => reject(new Error(`cli exited early with ${code}`)));
  });
  return {
    url,
    async stop(signal) {
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill(signal);
      return { code: await exited, stdout };
    },
  };
}
