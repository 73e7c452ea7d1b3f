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
  // Keep-alive sockets must not keep close() waiting.
  server.keepAliveTimeout = 5_000;
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
