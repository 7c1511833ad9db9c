/**
 * nmsg sources from nmsgtool-style flags, shared by the tools that read nmsg: -r FILE ('-' =
 * stdin; repeatable), -l ADDR/PORT (UDP; repeatable), --readtcp ADDR/PORT and --readunix PATH
 * (listen for stream connections). Files are read in order; sockets serve until the abort signal
 * fires or the handler asks to stop. A corrupt file is an error; a bad datagram or connection is
 * reported on stderr with its peer and skipped. Socket inputs count containers received and lost
 * per sender (sequence numbers) into an optional SocketInputStats.
 */
import { createSocket } from "node:dgram";
import { createReadStream, statSync } from "node:fs";
import { CliError, type CliIo, isSystemError, stopController } from "@dnsrep/cli";
import {
  ContainerDecoder,
  isNmsgError,
  listenNmsg,
  type NmsgPayload,
  parseHeader,
  type RawBatch,
  type ReadOptions,
  readNmsgFileBatches,
  readPayloadBatches,
  readRawBatches,
} from "@dnsrep/nmsg";
import { readFileChunks } from "@dnsrep/util";
import type { Command } from "commander";
import { parseAddrPort } from "./nmsg-output.js";
import { type SocketInputStats, UDP_RECV_BUFFER } from "./socket-stats.js";

export interface NmsgInputFlags {
  readnmsg?: string[];
  readsock?: string[];
  readtcp?: string;
  readunix?: string;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** The warning for payloads dropped by the CRC check (nmsgtool: "libnmsg: WARNING: crc mismatch"). */
export const crcDropped = (n: number): string => `${n} payload${n === 1 ? "" : "s"} dropped: CRC32C mismatch`;

/** Register the input flags on a commander program. */
export function addNmsgInputOptions(p: Command): Command {
  return p
    .option("-r, --readnmsg <file>", "read nmsg containers from a file ('-' = stdin); repeatable", collect)
    .option("-l, --readsock <addr/port>", "read nmsg containers from a UDP socket; repeatable", collect)
    .option("--readtcp <addr/port>", "accept TCP connections and read nmsg from each")
    .option("--readunix <path>", "accept UNIX stream connections and read nmsg from each");
}

/** Whether any input flag was given. */
export function hasNmsgInput(f: NmsgInputFlags): boolean {
  return (f.readnmsg?.length ?? 0) > 0 || (f.readsock?.length ?? 0) > 0 || f.readtcp !== undefined || f.readunix !== undefined;
}

/** files from this size on are read on a worker thread (readNmsgFileBatches), whose start (~90 ms) small files would not repay */
export const THREADED_READ_MIN = 64 << 20;

/**
 * The payload batches of one nmsg input ('-' = stdin): stdin or a small file on this thread, a
 * regular file of THREADED_READ_MIN bytes or more on a worker thread (DNSREP_READ_THREAD=0 never,
 * =1 always). The signal stops reading on this thread's path (a pending read is abandoned, and the
 * container it cut is dropped: a stop is not a truncated input); the caller stops the worker's by
 * breaking out of its loop.
 */
export function nmsgSourceBatches(file: string, io: CliIo, opts: ReadOptions, signal?: AbortSignal): AsyncIterable<NmsgPayload[]> {
  if (file !== "-") {
    let size = 0;
    try {
      const st = statSync(file);
      if (st.isFile()) size = st.size;
    } catch {
      // the stream below reports it, with the path
    }
    const force = process.env.DNSREP_READ_THREAD; // "1": always (tests), "0": never
    if (force === "1" || (force !== "0" && size >= THREADED_READ_MIN)) return readNmsgFileBatches(file, opts);
  }
  const src = file === "-" ? io.stdin : createReadStream(file, { highWaterMark: 1 << 20 });
  const chunks = src as AsyncIterable<Uint8Array>;
  // a stop cuts the stream anywhere: the container it cut is dropped, not reported as truncated input
  return signal ? readPayloadBatches(abortable(chunks, signal), { ...opts, stopped: signal }) : readPayloadBatches(chunks, opts);
}

/** Handles one borrowed RawBatch (valid until the handler returns or its promise settles); false stops reading. */
export type RawBatchHandler = (b: RawBatch) => boolean | Promise<boolean>;

/**
 * Read nmsg files ('-' = stdin) in order, one borrowed RawBatch per container (readRawBatches: one
 * reused buffer, no payload objects, no worker thread), handing each to `handle`. The errors, CRC
 * warnings and stops on the signal are readNmsgInputs'.
 */
export async function readNmsgFilesRaw(files: readonly string[], io: CliIo, prog: string, handle: RawBatchHandler): Promise<void> {
  const ac = stopController(io.signal);
  try {
    for (const file of files) {
      const onCrcError = (n: number, at: number | undefined): void => {
        io.stderr.write(`${prog}: ${file}: ${crcDropped(n)} (container at offset ${at ?? 0})\n`);
      };
      // a stop cuts stdin anywhere: the container it cut is dropped, not reported as truncated input
      const src = file === "-" ? abortable(io.stdin as AsyncIterable<Uint8Array>, ac.signal) : file;
      try {
        for await (const b of readRawBatches(src, { onCrcError, stopped: ac.signal })) {
          const r = handle(b);
          if (r === false || (r !== true && !(await r))) return;
          if (ac.signal.aborted) return;
        }
      } catch (e) {
        if (isNmsgError(e) || isSystemError(e)) throw new CliError(`${file}: ${(e as Error).message}`);
        throw e;
      }
    }
  } finally {
    ac.release();
  }
}

/** senders on one UDP socket that keep a decoder (fragment reassembly) at once */
const MAX_UDP_DECODERS = 4096;

/** Handles one payload; false stops reading. */
export type PayloadHandler = (p: NmsgPayload) => boolean | Promise<boolean>;

/**
 * Read every source named by `f` (stdin when none is named and `stdinByDefault`), handing each
 * payload to `handle` in order. Resolves when the files are done and the sockets have stopped.
 */
export async function readNmsgInputs(
  f: NmsgInputFlags,
  io: CliIo,
  prog: string,
  handle: PayloadHandler,
  stdinByDefault = true,
  sockets?: SocketInputStats,
): Promise<void> {
  const files = f.readnmsg ?? (hasNmsgInput(f) || !stdinByDefault ? [] : ["-"]);
  const ac = stopController(io.signal);
  try {
    for (const file of files) {
      try {
        // batches of payloads per read, each handed over in order; a handler that answers
        // synchronously costs no promise per payload
        const onCrcError = (n: number, at: number | undefined): void => {
          io.stderr.write(`${prog}: ${file}: ${crcDropped(n)} (container at offset ${at ?? 0})\n`);
        };
        for await (const batch of nmsgSourceBatches(file, io, { onCrcError }, ac.signal)) {
          for (const pl of batch) {
            const r = handle(pl);
            if (r === false || (r !== true && !(await r))) return;
            if (ac.signal.aborted) return;
          }
        }
      } catch (e) {
        // corrupt input, and any system error (a missing file, a directory, no permission) named with its path
        if (isNmsgError(e) || isSystemError(e)) throw new CliError(`${file}: ${(e as Error).message}`);
        throw e;
      }
    }
    const servers: Promise<void>[] = [];
    // one queue for every socket, so payloads reach the handler one at a time
    let queue: Promise<void> = Promise.resolve();
    const enqueue = (pls: NmsgPayload[]): void => {
      queue = queue.then(async () => {
        for (const pl of pls) {
          if (ac.signal.aborted) return;
          if (!(await handle(pl))) ac.abort();
        }
      });
    };
    for (const [flag, spec] of [
      ["--readtcp", f.readtcp],
      ["--readunix", f.readunix],
    ] as const) {
      if (spec === undefined) continue;
      const ep = flag === "--readunix" ? { path: spec } : (([host, port]) => ({ host, port }))(parseAddrPort(flag, spec));
      const server = await listenNmsg(
        ep,
        (pl) => enqueue([pl]),
        (peer, e) => io.stderr.write(`${prog}: ${peer}: ${e.message}\n`),
        undefined,
        (peer, n) => io.stderr.write(`${prog}: ${peer}: ${crcDropped(n)}\n`),
        sockets ? (peer, seq, id) => sockets.sequences.container(peer, seq, id) : undefined,
      );
      if (sockets) sockets.used = true;
      servers.push(
        new Promise<void>((resolve) => {
          const stop = (): void => {
            server.close();
            resolve();
          };
          if (ac.signal.aborted) stop();
          else ac.signal.addEventListener("abort", stop);
        }),
      );
    }
    for (const spec of f.readsock ?? []) {
      const [addr, port] = parseAddrPort("-l", spec);
      const sock = createSocket({ type: addr.includes(":") ? "udp6" : "udp4", reuseAddr: true });
      const decoders = new Map<string, ContainerDecoder>();
      sock.on("message", (msg, rinfo) => {
        const peer = `${rinfo.address}/${rinfo.port}`;
        let dec = decoders.get(peer);
        if (!dec) {
          // bounded whatever the senders do: the oldest decoder goes (only its partial fragment sets are lost;
          // sequence tracking keeps its own bounded state)
          if (decoders.size >= MAX_UDP_DECODERS) decoders.delete(decoders.keys().next().value as string);
          const opts: ReadOptions = { onCrcError: (n) => io.stderr.write(`${prog}: ${peer}: ${crcDropped(n)}\n`) };
          // containers lost in transit, counted per sender from their sequence numbers (libnmsg's seqsrc)
          if (sockets) opts.onContainer = (seq, id) => sockets.sequences.container(peer, seq, id);
          dec = new ContainerDecoder(opts);
          decoders.set(peer, dec);
        }
        try {
          const b = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
          const h = parseHeader(b, 0);
          if (!h || h[1] + h[2] !== b.length) throw new Error("datagram is not one whole container");
          enqueue(dec.decode(h[0], b.slice(h[1]), 0));
        } catch (e) {
          io.stderr.write(`${prog}: bad datagram from ${peer}: ${(e as Error).message}\n`);
        }
      });
      await new Promise<void>((resolve, reject) => {
        sock.once("error", reject);
        sock.bind(port, addr, () => {
          // a large receive buffer absorbs bursts while payloads are being handled: libnmsg's 16 MiB.
          // Linux caps SO_RCVBUF at net.core.rmem_max (libnmsg, as root, passes the cap with
          // SO_RCVBUFFORCE, which Node cannot); what was granted is reported
          try {
            sock.setRecvBufferSize(UDP_RECV_BUFFER);
          } catch {}
          let granted = 0;
          try {
            granted = sock.getRecvBufferSize();
          } catch {}
          sockets?.onListening?.(spec, granted);
          resolve();
        });
      }).catch((e: Error) => {
        throw new CliError(`-l ${spec}: ${e.message}`);
      });
      if (sockets) sockets.used = true;
      servers.push(
        new Promise<void>((resolve) => {
          const stop = (): void => {
            sock.close();
            resolve();
          };
          if (ac.signal.aborted) stop();
          else ac.signal.addEventListener("abort", stop);
        }),
      );
    }
    await Promise.all(servers);
    await queue;
  } finally {
    ac.release();
  }
}

/**
 * The chunks of a file or stdin ('-'): a file's read into one reused buffer (readFileChunks), so
 * each chunk is borrowed until the next step of the loop, for parsers that copy what they keep.
 */
export function borrowedInput(file: string, io: CliIo): AsyncIterable<Uint8Array> {
  return file === "-" ? (io.stdin as AsyncIterable<Uint8Array>) : readFileChunks(file);
}

/** The chunks of `src` until it ends or `signal` fires (a pending read is abandoned, not awaited). */
export async function* abortable(src: AsyncIterable<Uint8Array>, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const it = src[Symbol.asyncIterator]();
  const stopped = new Promise<null>((resolve) => {
    if (signal.aborted) resolve(null);
    else signal.addEventListener("abort", () => resolve(null), { once: true });
  });
  try {
    for (;;) {
      const r = await Promise.race([it.next(), stopped]);
      if (r === null || r.done) return;
      yield r.value;
    }
  } finally {
    void it.return?.()?.catch(() => {});
  }
}
