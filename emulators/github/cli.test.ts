// The command line entry: one "ready <url>" line on stdout, a working server, clean exit on signals.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startCli } from "../common/spawn-cli.ts";

const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));

describe("cli", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "prints the ready line, serves requests and exits cleanly on %s",
    async (signal) => {
      const { url, stop } = await startCli(cli, ["--port", "0", "--stars", "12", "--seed", "2"]);

      const response = await fetch(`${url}/user/starred?per_page=100`, {
        headers: { authorization: "token emulator-token-octocat" },
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toHaveLength(12);

      // One line on stdout, and a clean exit on the signal.
      expect(await stop(signal)).toEqual({ code: 0, stdout: `ready ${url}\n` });
    },
  );
});
