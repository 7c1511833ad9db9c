/** Stream transports: NMSG over TCP and UNIX stream sockets (containers back to back). */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { isNmsgError } from "./errors.js";
import type { NmsgPayload } from "./payload.js";
import { type ReaderStats, type ReadOptions, readPayloads } from "./reader.js";

export type Endpoint = { host: string; port: number } | { path: string };

/**
 * Accept connections and read payloads from each. A connection that sends a
 * corrupt stream is closed and reported through `onError` with the peer; the
 * server keeps serving.
 */
export function listenNmsg(
  ep: Endpoint,
  onPayload: (p: NmsgPayload, peer: string) => void | Promise<void>,
  onError: (peer: string, e: Error) => void,
  stats?: ReaderStats,
  onCrcError?: (peer: string, dropped: number) => void,
  onContainer?: (peer: string, sequence: number | undefined, sequenceId: bigint | undefined) => void,
): Promise<Server> {
  const server = createServer((sock: Socket) => {
    const peer = "path" in ep ? `unix:${ep.path}` : `${sock.remoteAddress}/${sock.remotePort}`;
    (async () => {
      try {
        const opts: ReadOptions = stats ? { stats } : {};
        if (onCrcError) opts.onCrcError = (n) => onCrcError(peer, n);
        if (onContainer) opts.onContainer = (seq, id) => onContainer(peer, seq, id);
        for await (const p of readPayloads(sock, opts)) await onPayload(p, peer);
      } catch (e) {
        onError(peer, isNmsgError(e) ? e : (e as Error));
        sock.destroy();
      }
    })();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    if ("path" in ep) server.listen(ep.path, () => resolve(server));
    else server.listen(ep.port, ep.host, () => resolve(server));
  });
}

/** Connect to a listening peer; returns a sink for NmsgWriter and a close function. */
export async function connectNmsg(ep: Endpoint): Promise<{ sink: (c: Uint8Array) => Promise<void>; close: () => Promise<void> }> {
  const sock = "path" in ep ? createConnection(ep.path) : createConnection(ep.port, ep.host);
  await new Promise<void>((resolve, reject) => {
    sock.once("connect", resolve);
    sock.once("error", reject);
  });
  return {
    sink: (c) =>
      new Promise<void>((resolve, reject) => {
        if (sock.write(c)) resolve();
        else {
          sock.once("drain", resolve);
          sock.once("error", reject);
        }
      }),
    close: () => new Promise<void>((resolve) => sock.end(resolve)),
  };
}
