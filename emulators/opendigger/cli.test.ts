// The command line entry: one "ready <url>" line on stdout, a working server, clean exit on signals.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));

describe("opendigger cli", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "prints the ready line, serves requests and exits cleanly on %s",
    async (signal) => {
      const child = spawn(process.execPath, [cli, "--port", "0", "--now", "2026-11-20T00:00:00Z", "--not-found", "0"], {
        stdio: ["ignore", "pipe", "pipe"],
      });
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
      const meta = (await (await fetch(`${url}/github/acme/widget/meta.json`)).json()) as { updatedAt: number };
      expect(new Date(meta.updatedAt).toISOString()).toBe("2026-11-05T03:17:42.000Z");
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill(signal);
      expect(await exited).toBe(0);
      expect(stdout).toBe(`ready ${url}\n`);
    },
  );
});
