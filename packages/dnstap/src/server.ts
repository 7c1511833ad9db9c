/**
 * A Frame Streams receiver on a UNIX or TCP socket, serving many senders at once: each
 * connection is an FstrmSession; a sender that sends garbage or disconnects mid-frame is
 * reported (naming the peer) and dropped while the others go on. close() stops listening, lets
 * every connection's received bytes be processed, and ends the connections.
 */
import { chmodSync, lstatSync, unlinkSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { DNSTAP_CONTENT_TYPE } from "./control.js";
import { isDnstapError } from "./errors.js";
import { FstrmSession } from "./session.js";

export type ListenSpec = { path: string; mode?: number } | { host: string; port: number };

export interface ReceiverEvents {
  /**
   * a data frame from `peer` (borrowed view, valid until the call returns); a promise returned
   * pauses that connection, once the chunk in hand is parsed, until it settles (backpressure)
   */
  data(frame: Uint8Array, offset: number, peer: string): Promise<void> | undefined | void;
  /** a connection's failure: the connection is closed, the server keeps serving */
  error(peer: string, message: string): void;
  /** a connection ended (`frames` data frames, `finished`: it sent STOP) */
  closed?(peer: string, frames: number, finished: boolean): void;
  connected?(peer: string): void;
  /** a connection's handshake is done (its START came): its data frames follow */
  started?(peer: string): void;
}

export interface ReceiverOptions {
  contentType?: string;
  maxFrameLength?: number;
  /** most senders connected at once (default 1024; more are refused by the kernel-level accept) */
  maxConnections?: number;
}

export class FstrmReceiver {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #ev: ReceiverEvents;
  #n = 0;
  #path: string | undefined;
  /** connections accepted so far */
  connections = 0;

  constructor(events: ReceiverEvents, opts: ReceiverOptions = {}) {
    this.#ev = events;
    this.#server = createServer((sock) => this.#serve(sock, opts));
    // each connection buffers one partial frame at most: connections × maxFrameLength bounds memory
    this.#server.maxConnections = opts.maxConnections ?? 1024;
  }

  #serve(sock: Socket, opts: ReceiverOptions): void {
    this.connections++;
    const peer = sock.remoteAddress
      ? `${sock.remoteFamily === "IPv6" ? `[${sock.remoteAddress}]` : sock.remoteAddress}:${sock.remotePort}`
      : `${this.#path ?? "socket"}#${++this.#n}`;
    this.#sockets.add(sock);
    this.#ev.connected?.(peer);
    let failed = false;
    let wait: Promise<void> | undefined;
    const session = new FstrmSession(
      {
        data: (f, at) => {
          const w = this.#ev.data(f, at, peer);
          if (w) wait = w;
        },
        reply: (b) => void sock.write(b),
        started: () => this.#ev.started?.(peer),
      },
      opts.contentType ?? DNSTAP_CONTENT_TYPE,
      opts.maxFrameLength,
    );
    const fail = (e: unknown): void => {
      if (failed) return;
      failed = true;
      this.#ev.error(peer, isDnstapError(e) ? e.message : (e as Error).message);
      sock.destroy();
    };
    sock.on("data", (chunk: Buffer) => {
      if (failed) return;
      try {
        session.push(chunk);
        if (session.finished) sock.end();
      } catch (e) {
        if (!isDnstapError(e)) throw e;
        fail(e);
      }
      // the consumer pushed back: read no more from this sender until it has caught up
      if (wait) {
        const w = wait;
        wait = undefined;
        sock.pause();
        w.then(
          () => sock.resume(),
          () => sock.resume(),
        );
      }
    });
    sock.on("end", () => {
      if (failed) return;
      try {
        session.end();
      } catch (e) {
        fail(e);
      }
      sock.end();
    });
    sock.on("error", (e) => fail(e));
    sock.on("close", () => {
      this.#sockets.delete(sock);
      this.#ev.closed?.(peer, session.frames, session.finished);
    });
  }

  /** Listen; a stale UNIX socket file at the path is replaced (any other file is an error). */
  async listen(spec: ListenSpec): Promise<string> {
    if ("path" in spec) {
      let st: ReturnType<typeof lstatSync> | undefined;
      try {
        st = lstatSync(spec.path);
      } catch {}
      if (st) {
        if (!st.isSocket()) throw new Error(`${spec.path}: exists and is not a socket`);
        unlinkSync(spec.path);
      }
      this.#path = spec.path;
    }
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      const done = (): void => {
        this.#server.off("error", reject);
        // later failures of the listening socket itself (EMFILE on accept …) are reported, not thrown
        this.#server.on("error", (e) => this.#ev.error(this.#path ?? "listener", e.message));
        resolve();
      };
      if ("path" in spec) this.#server.listen(spec.path, done);
      else this.#server.listen(spec.port, spec.host, done);
    });
    if ("path" in spec) {
      if (spec.mode !== undefined) chmodSync(spec.path, spec.mode);
      return spec.path;
    }
    const a = this.#server.address();
    return typeof a === "object" && a ? `${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}` : String(a);
  }

  /** the TCP port listened on (0 for UNIX sockets) */
  get port(): number {
    const a = this.#server.address();
    return typeof a === "object" && a ? a.port : 0;
  }

  /** open connections */
  get active(): number {
    return this.#sockets.size;
  }

  /**
   * Stop listening and end every connection: data already received has been handed out (the
   * handlers run as bytes arrive); connections still open are closed. Removes the UNIX socket file.
   */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const s of this.#sockets) s.destroy();
    await closed;
    if (this.#path !== undefined) {
      try {
        unlinkSync(this.#path);
      } catch {}
    }
  }
}
