// The command line entry: one "ready <url>" line on stdout, a working server, clean exit on signals.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startCli } from "../common/spawn-cli.ts";

const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));

describe("ai cli", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "prints the ready line, serves requests and exits cleanly on %s",
    async (signal) => {
      const { url, stop } = await startCli(cli, ["--port", "0", "--rpm", "100", "--api-key", "sk-cli"]);
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
      // One line on stdout, and a clean exit on the signal.
      expect(await stop(signal)).toEqual({ code: 0, stdout: `ready ${url}\n` });
    },
  );
});
