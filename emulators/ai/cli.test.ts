// The command line entry: one "ready <url>" line on stdout, a working server, clean exit on signals.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));

describe("ai cli", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "prints the ready line, serves requests and exits cleanly on %s",
    async (signal) => {
      const child = spawn(process.execPath, [cli, "--port", "0", "--rpm", "100", "--api-key", "sk-cli"], {
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
      const response = await fetch(`${url}/v1/models`, { headers: { authorization: "Bearer sk-cli" } });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
      const limited = await fetch(`${url}/v1/embeddings`, {
        method: "POST",
        headers: { authorization: "Bearer sk-cli" },
        body: JSON.stringify({ model: "starwise-embed", input: "x" }),
      });
      expect(limited.headers.get("x-ratelimit-limit-requests")).toBe("100");
      expect((await fetch(`${url}/v1/models`)).status).toBe(401);
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill(signal);
      expect(await exited).toBe(0);
      expect(stdout).toBe(`ready ${url}\n`);
    },
  );
});
