// The command line entry: one "ready <url>" line on stdout, a working server, clean exit on signals.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startCli } from "../common/spawn-cli.ts";

const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));

describe("opendigger cli", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "prints the ready line, serves requests and exits cleanly on %s",
    async (signal) => {
      const { url, stop } = await startCli(cli, ["--port", "0", "--now", "2026-11-20T00:00:00Z", "--not-found", "0"]);
      const meta = (await (await fetch(`${url}/github/acme/widget/meta.json`)).json()) as { updatedAt: number };
      expect(new Date(meta.updatedAt).toISOString()).toBe("2026-11-05T03:17:42.000Z");
      // One line on stdout, and a clean exit on the signal.
      expect(await stop(signal)).toEqual({ code: 0, stdout: `ready ${url}\n` });
    },
  );
});
