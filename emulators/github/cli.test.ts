// The command line entry: one "ready <url>" line on stdout, a working server, clean exit on signals.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));

describe("cli", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "prints the ready line, serves requests and exits cleanly on %s",
    async (signal) => {
      const child = spawn(process.execPath, [cli, "--port", "0", "--stars", "12", "--seed", "2"], {
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

      const response = await fetch(`${url}/user/starred?per_page=100`, {
        headers: { authorization: "token emulator-token-octocat" },
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toHaveLength(12);

      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill(signal);
      expect(await exited).toBe(0);
      expect(stdout).toBe(`ready ${url}\n`);
    },
  );
});
