import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A listening emulator: its address, and a close that also ends open sockets (asked twice, it closes once). */
export type Listening = {
  /** http://<host>:<port>, no trailing slash. */
  url: string;
  port: number;
  close(): Promise<void>;
};

/** Starts `server` on `port` (0: any free one) at `host`, as every emulator does. */
export async function listen(server: Server, port: number, host: string): Promise<Listening> {
  // Idle keep-alive sockets stay open longer than clients keep them in their pools (workerd's, undici's), as
  // GitHub's front ends do: a server closing one at 5 s raced a client reusing it ("Network connection lost").
  // close() ends them all, so they never keep it waiting.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${actual}`,
    port: actual,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Held (a timeout fault) and keep-alive sockets would otherwise keep the server open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
