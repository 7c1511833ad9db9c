/**
 * nmsg destinations from nmsgtool-style flags, shared by the tools that write nmsg:
 * -w FILE (nmsg, '-' = stdout), -s ADDR/PORT[,RATE[,FREQ]] (UDP, paced as nmsgtool paces it),
 * --writetcp ADDR/PORT[,RATE[,FREQ]], --writeunix PATH,
 * -o FILE (presentation), -J FILE (JSON lines), with -z, --unbuffered, --mtu and the
 * --setsource/--setoperator/--setgroup stamps. Files are written to a temp name and renamed.
 */
import { createSocket } from "node:dgram";
import { close, closeSync, createWriteStream, renameSync, unlinkSync, type WriteStream, write } from "node:fs";
import { isIP } from "node:net";
import type { Writable } from "node:stream";
import { CliError, type CliIo, OutputWriter, parseIntOption, SyncFileStream, UsageError, writesNeverBlock } from "@dnsrep/cli";
import {
  connectNmsg,
  DEFAULT_RATE_FREQ,
  type EncodedMessage,
  encodedBytes,
  encodeMessage,
  type MessageModule,
  type Msg,
  type NmsgPayload,
  NmsgWriter,
  type PayloadHeader,
  payloadToJson,
  RateLimiter,
  type RawBatch,
  writePayloadPres,
} from "@dnsrep/nmsg";
import { openOutput, outputTarget, TextWriter, writeAllSync } from "@dnsrep/util";
import type { Command } from "commander";

/** The option values addNmsgOutputOptions registers (commander's camel-cased long names). */
export interface NmsgOutputFlags {
  writenmsg?: string;
  writepres?: string;
  writejson?: string;
  writesock?: string;
  writetcp?: string;
  writeunix?: string;
  zlibout?: boolean;
  unbuffered?: boolean;
  mtu?: string;
  setsource?: string;
  setoperator?: string;
  setgroup?: string;
}

/** Register the output flags on a commander program. */
export function addNmsgOutputOptions(p: Command): Command {
  return p
    .option("-w, --writenmsg <file>", "write nmsg containers to a file ('-' = stdout)")
    .option("-o, --writepres <file>", "write presentation form to a file ('-' = stdout)")
    .option("-J, --writejson <file>", "write JSON lines to a file ('-' = stdout)")
    .option("-s, --writesock <addr/port[,rate[,freq]]>", "write nmsg containers to a UDP socket, at most RATE datagrams a second")
    .option("--writetcp <addr/port[,rate[,freq]]>", "connect to a TCP listener and write nmsg, at most RATE containers a second")
    .option("--writeunix <path>", "connect to a UNIX stream socket and write nmsg")
    .option("-z, --zlibout", "compress nmsg output containers with zlib")
    .option("--unbuffered", "one payload per output container")
    .option("--mtu <n>", "container size for socket output", "1280")
    .option("--setsource <n>", "set the payload source")
    .option("--setoperator <n>", "set the payload operator")
    .option("--setgroup <n>", "set the payload group");
}

/** A 32-bit option value, decimal or 0x-hex (nmsgtool's --setsource style). */
export function parseU32Option(flag: string, v: string): number {
  const n = /^0x[0-9a-f]+$/i.test(v) ? Number.parseInt(v, 16) : /^\d+$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new UsageError(`${flag}: not a 32-bit number: ${v}`);
  return n;
}

/** ADDR/PORT, as nmsgtool writes socket endpoints. */
export function parseAddrPort(flag: string, v: string): [string, number] {
  const i = v.lastIndexOf("/");
  if (i <= 0) throw new UsageError(`${flag}: expected ADDR/PORT, got ${v}`);
  // a literal IPv4 or IPv6 address, as nmsgtool takes (brackets around IPv6 tolerated); no name lookups
  let addr = v.slice(0, i);
  if (addr.startsWith("[") && addr.endsWith("]")) addr = addr.slice(1, -1);
  if (isIP(addr) === 0) throw new UsageError(`${flag}: not an IP address: ${v.slice(0, i)}`);
  return [addr, parseIntOption(flag, v.slice(i + 1), 1, 65535)];
}

/** A socket output's endpoint with nmsgtool's optional pacing: ADDR/PORT[,RATE[,FREQ]]. */
export interface SockSpec {
  addr: string;
  port: number;
  /** datagrams per second; absent: unpaced */
  rate?: number;
  /** how often (in datagrams) the pacing re-checks its average rate */
  freq: number;
}

/**
 * ADDR/PORT[,RATE[,FREQ]] as nmsgtool's -s takes it: RATE datagrams a second (a positive
 * integer), FREQ the scheduling frequency (default 10, nmsgtool's DEFAULT_FREQ). Anything else
 * is a usage error naming the part.
 */
export function parseSockSpec(flag: string, v: string): SockSpec {
  const parts = v.split(",");
  if (parts.length > 3 || !parts[0]?.includes("/")) throw new UsageError(`${flag}: expected ADDR/PORT[,RATE[,FREQ]], got ${v}`);
  const [addr, port] = parseAddrPort(flag, parts[0] as string);
  const spec: SockSpec = { addr, port, freq: DEFAULT_RATE_FREQ };
  if (parts[1] !== undefined) spec.rate = parseIntOption(`${flag} RATE`, parts[1], 1, 0xffffffff);
  if (parts[2] !== undefined) spec.freq = parseIntOption(`${flag} FREQ`, parts[2], 1, 0xffffffff);
  return spec;
}

/** A sink that waits out `limiter` after each datagram or write it sends (libnmsg's send_buffer). */
function pacedSink(sink: (c: Uint8Array) => Promise<void>, spec: SockSpec): (c: Uint8Array) => Promise<void> {
  if (spec.rate === undefined) return sink;
  const limiter = new RateLimiter(spec.rate, spec.freq);
  return async (c) => {
    await sink(c);
    await limiter.wait();
  };
}

export interface NmsgOutputs {
  /** Stamp and hand a payload to every destination; wait on the result for backpressure. */
  write(p: NmsgPayload): Promise<void> | undefined;
  /**
   * The same for message `m` of module `mod`: encoded straight into each nmsg destination's
   * container (NmsgWriter.writeMessage), once into an array only for text destinations.
   */
  writeMessage(h: PayloadHeader, mod: MessageModule, m: Msg): Promise<void> | undefined;
  /**
   * The same for a message that lays out its own bytes (EncodedMessage): put straight into each
   * nmsg destination's container, into an array once only for text destinations.
   */
  writeEncoded(h: PayloadHeader, m: EncodedMessage): Promise<void> | undefined;
  /**
   * Whether every destination writes nmsg and no --set* stamp applies: payloads then go out as
   * they came in, and writeRaw may move them without decoding them.
   */
  readonly passThrough: boolean;
  /**
   * Hand payloads from..to-1 of a RawBatch (a container as read) to every destination, moved
   * without decoding where they can be (NmsgWriter.writeRaw); only when passThrough.
   */
  writeRaw(b: RawBatch, from?: number, to?: number): Promise<void> | undefined;
  /** Flush everything and rename finished files into place. */
  close(): Promise<void>;
  /** Give up: close sockets and delete unfinished files. */
  abort(): Promise<void>;
  /** whether any destination was given at all */
  readonly explicit: boolean;
}

interface Dest {
  write(p: NmsgPayload): Promise<void> | undefined | void;
  /** nmsg destinations: their writer, which encodes messages straight into its containers */
  writer?: NmsgWriter;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * Open the destinations named by `f`. With none given, `fallback` decides: "pres" prints
 * presentation form to stdout (nmsgtool's habit), "nmsg" writes nmsg to stdout (pipeline stages;
 * refused on a terminal, where presentation is printed instead).
 */
export async function openNmsgOutputs(f: NmsgOutputFlags, io: CliIo, fallback: "pres" | "nmsg"): Promise<NmsgOutputs> {
  const explicit = [f.writenmsg, f.writepres, f.writejson, f.writesock, f.writetcp, f.writeunix].some((x) => x !== undefined);
  let writenmsg = f.writenmsg;
  let writepres = f.writepres;
  if (!explicit) {
    if (fallback === "nmsg" && !io.stdoutIsTTY) writenmsg = "-";
    else writepres = "-";
  }
  if ([writenmsg, writepres, f.writejson].filter((x) => x === "-").length > 1) throw new UsageError("only one output can go to stdout");
  if (writenmsg === "-" && io.stdoutIsTTY)
    throw new UsageError("refusing to write binary nmsg to a terminal (redirect stdout or use -o/-J)");
  const mtu = parseIntOption("--mtu", f.mtu ?? "1280", 512, 65000);
  const stamp = {
    source: f.setsource !== undefined ? parseU32Option("--setsource", f.setsource) : undefined,
    operator: f.setoperator !== undefined ? parseU32Option("--setoperator", f.setoperator) : undefined,
    group: f.setgroup !== undefined ? parseU32Option("--setgroup", f.setgroup) : undefined,
  };
  const zlib = f.zlibout === true;
  const unbuffered = f.unbuffered === true;
  const dests: Dest[] = [];
  try {
    if (writenmsg === "-") {
      const file = openStream(writenmsg, io);
      const w = new NmsgWriter((c) => file.out.bytes(c), { zlib, unbuffered });
      dests.push({
        write: (p) => w.write(p),
        writer: w,
        close: async () => {
          await w.close();
          await file.finish();
        },
        abort: file.abort,
      });
    } else if (writenmsg !== undefined) {
      // a file: each container written before the writer fills its buffer again (no garbage of container size)
      const file = openFile(writenmsg);
      const w = new NmsgWriter(file.write, { zlib, unbuffered, recycle: true });
      dests.push({
        write: (p) => w.write(p),
        writer: w,
        close: async () => {
          try {
            await w.close();
          } catch (e) {
            await file.abort();
            throw e;
          }
          await file.finish();
        },
        abort: file.abort,
      });
    }
    if (f.writesock !== undefined) {
      const spec = parseSockSpec("-s", f.writesock);
      const { addr, port } = spec;
      const sock = createSocket(addr.includes(":") ? "udp6" : "udp4");
      if (addr === "255.255.255.255" || addr.endsWith(".255")) sock.bind(() => sock.setBroadcast(true));
      const send = pacedSink(
        (c: Uint8Array): Promise<void> => new Promise((res, rej) => sock.send(c, port, addr, (e) => (e ? rej(e) : res()))),
        spec,
      );
      const w = new NmsgWriter(send, { zlib, unbuffered, bufsz: mtu, sequence: true });
      dests.push({
        write: (p) => w.write(p),
        writer: w,
        close: async () => {
          await w.close();
          sock.close();
        },
        abort: async () => {
          sock.close();
        },
      });
    }
    for (const [flag, spec] of [
      ["--writetcp", f.writetcp],
      ["--writeunix", f.writeunix],
    ] as const) {
      if (spec === undefined) continue;
      // TCP takes -s's pacing suffix too (a collector's bandwidth); a UNIX path may hold commas, so it does not
      const tcp = flag === "--writetcp" ? parseSockSpec(flag, spec) : undefined;
      const ep = tcp ? { host: tcp.addr, port: tcp.port } : { path: spec };
      let conn: Awaited<ReturnType<typeof connectNmsg>>;
      try {
        conn = await connectNmsg(ep);
      } catch (e) {
        throw new CliError(`cannot connect to ${spec}: ${(e as Error).message}`);
      }
      const w = new NmsgWriter(tcp ? pacedSink(conn.sink, tcp) : conn.sink, { zlib, unbuffered, sequence: true });
      dests.push({
        write: (p) => w.write(p),
        writer: w,
        close: async () => {
          await w.close();
          await conn.close();
        },
        abort: () => conn.close(),
      });
    }
    if (f.writejson !== undefined) {
      const file = openStream(f.writejson, io);
      dests.push({ write: (p) => file.out.text(`${payloadToJson(p)}\n`), close: file.finish, abort: file.abort });
    }
    if (writepres !== undefined) dests.push(presDest(openStream(writepres, io)));
  } catch (e) {
    for (const d of dests) await d.abort();
    throw e;
  }
  /** --setsource, --setoperator, --setgroup; 0 sets nothing, as in libnmsg (its outputs stamp a value only when it is not 0) */
  const stampHeader = (h: PayloadHeader): void => {
    if (stamp.source) h.source = stamp.source;
    if (stamp.operator) h.operator = stamp.operator;
    if (stamp.group) h.group = stamp.group;
  };
  // one destination (the usual case): its own answer, without collecting it
  const only = dests.length === 1 ? dests[0] : undefined;
  const passThrough = !stamp.source && !stamp.operator && !stamp.group && dests.every((d) => d.writer !== undefined);
  return {
    explicit,
    passThrough,
    writeRaw(b, from = 0, to = b.n) {
      if (!passThrough) throw new Error("writeRaw: an output needs the payloads decoded");
      if (only?.writer) return only.writer.writeRaw(b, from, to);
      const wait = new PendingWrites();
      for (const d of dests) wait.add(d.writer?.writeRaw(b, from, to));
      return wait.wait();
    },
    write(p) {
      stampHeader(p);
      if (only) return only.write(p) || undefined;
      const wait = new PendingWrites();
      for (const d of dests) wait.add(d.write(p));
      return wait.wait();
    },
    writeMessage(h, mod, m) {
      stampHeader(h);
      if (only?.writer) return only.writer.writeMessage(h, mod, m);
      const wait = new PendingWrites();
      let bytes: Uint8Array | undefined;
      for (const d of dests) {
        if (d.writer) wait.add(d.writer.writeMessage(h, mod, m));
        else {
          bytes ??= encodeMessage(mod, m);
          wait.add(d.write({ ...h, payload: bytes }));
        }
      }
      return wait.wait();
    },
    writeEncoded(h, m) {
      stampHeader(h);
      if (only?.writer) return only.writer.writeEncoded(h, m);
      const wait = new PendingWrites();
      let bytes: Uint8Array | undefined;
      for (const d of dests) {
        if (d.writer) wait.add(d.writer.writeEncoded(h, m));
        else {
          bytes ??= encodedBytes(m);
          wait.add(d.write({ ...h, payload: bytes }));
        }
      }
      return wait.wait();
    },
    async close() {
      for (const d of dests) await d.close();
    },
    async abort() {
      for (const d of dests) await d.abort();
    },
  };
}

/**
 * Headers for a stream of (vid, msgtype) payloads, one object reused: (sec, nsec) → the header.
 * NmsgOutputs reads a header during the call and keeps nothing of it, so records written one by
 * one need no header object each.
 */
export function headerStamp(vid: number, msgtype: number): (sec: number, nsec: number) => PayloadHeader {
  const h: PayloadHeader = { vid, msgtype, timeSec: 0, timeNsec: 0 };
  return (sec, nsec) => {
    h.timeSec = sec;
    h.timeNsec = nsec;
    return h;
  };
}

/**
 * The backpressure of writes that answer with a promise only when an output pushes back: collected
 * as they come, then waited on together (nothing to wait on: no promise).
 */
export class PendingWrites {
  #waits: Promise<void>[] = [];

  add(r: Promise<void> | undefined | void): void {
    if (r) this.#waits.push(r);
  }

  /** A promise that settles when every write added so far (and any added meanwhile) has; undefined if there are none. */
  wait(): Promise<void> | undefined {
    const w = this.#waits;
    if (w.length === 0) return undefined;
    this.#waits = [];
    return (w.length === 1 ? (w[0] as Promise<void>) : Promise.all(w)).then(() => this.wait());
  }
}

/** a write that is already done */
const DONE: Promise<void> = Promise.resolve();

/**
 * An nmsg output file (temp name, renamed on finish) written with one write call per container,
 * one after the other: `write` resolves once the kernel has every byte of it, so the caller may
 * reuse the buffer.
 */
function openFile(path: string): { write: (c: Uint8Array) => Promise<void>; finish: () => Promise<void>; abort: () => Promise<void> } {
  let target: ReturnType<typeof outputTarget>;
  let fd: number;
  let tmp = "";
  try {
    target = outputTarget(path);
    const o = openOutput(target);
    fd = o.fd;
    tmp = o.temp;
  } catch (e) {
    throw new CliError(`${path}: ${(e as Error).message.replace(`${path}: `, "")}`);
  }
  let open = true;
  const closeFd = (): Promise<void> =>
    new Promise((res, rej) => {
      if (!open) return res();
      open = false;
      close(fd, (e) => (e ? rej(e) : res()));
    });
  const removeTmp = (): void => {
    if (target.inPlace) return;
    try {
      unlinkSync(tmp);
    } catch {}
  };
  const writeAll = (c: Uint8Array, from: number, res: () => void, rej: (e: Error) => void): void => {
    write(fd, c, from, c.length - from, null, (e, n) => {
      if (e) rej(new CliError(`${path}: ${e.message}`));
      else if (from + n < c.length) writeAll(c, from + n, res, rej);
      else res();
    });
  };
  // one write at a time, in order: a writer whose callers do not wait hands over several containers at once
  let last: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  // a file or /dev/null: each container written before write() returns, as nmsgtool does
  const sync = writesNeverBlock(fd);
  return {
    write: (c) => {
      if (sync) {
        if (failure !== null) return Promise.reject(failure);
        try {
          writeAllSync(fd, c);
          return DONE;
        } catch (e) {
          failure = new CliError(`${path}: ${(e as Error).message}`);
          return Promise.reject(failure);
        }
      }
      const next = last.then(() => new Promise<void>((res, rej) => writeAll(c, 0, res, rej)));
      last = next.catch((e: unknown) => {
        failure ??= e;
      });
      return next;
    },
    finish: async () => {
      try {
        await last;
        if (failure !== null) throw failure;
        await closeFd();
        if (!target.inPlace) renameSync(tmp, target.path);
      } catch (e) {
        await closeFd().catch(() => {});
        removeTmp();
        throw e instanceof CliError ? e : new CliError(`${path}: ${(e as Error).message}`);
      }
    },
    abort: async () => {
      await closeFd().catch(() => {});
      removeTmp();
    },
  };
}

/** how much presentation text is gathered before it goes to the stream (a payload's text may overrun it) */
const PRES_CHUNK = 65536;

/**
 * The presentation output: each payload's text written as bytes (writePayloadPres) into a chunk
 * that goes to the stream whole once it holds PRES_CHUNK bytes — no string per field or payload.
 * A new chunk follows each one unless the stream is known to be done with it.
 */
function presDest(file: ReturnType<typeof openStream>): Dest {
  const w = new TextWriter(PRES_CHUNK + 8192);
  // a file or /dev/null is written by a SyncFileStream, which is done with a chunk when write()
  // returns: the chunk is reused; any other stream may keep it (a pipe's pending write, a
  // PassThrough's reader), and gets a new one each time
  const reuse = file.out.stream instanceof SyncFileStream;
  const send = (): Promise<void> | undefined => {
    const r = file.out.bytes(w.buf.subarray(0, w.pos));
    if (!reuse || r !== undefined || file.out.stream.writableLength > 0) w.buf = new Uint8Array(PRES_CHUNK + 8192);
    w.pos = 0;
    return r;
  };
  return {
    write: (p) => {
      // a payload that fails to decode prints nothing (not the part of its text before the failure)
      const start = w.pos;
      try {
        writePayloadPres(w, p);
      } catch (e) {
        w.pos = start;
        throw e;
      }
      return w.pos >= PRES_CHUNK ? send() : undefined;
    },
    close: async () => {
      if (w.pos > 0) await send();
      await file.finish();
    },
    // what was printed goes out before the stream ends (stdout); a file is removed all the same
    abort: async () => {
      if (w.pos > 0) await send();
      await file.abort();
    },
  };
}

/** A file (temp name, renamed on finish) or stdout, behind a backpressure-aware writer. */
function openStream(path: string, io: CliIo): { out: OutputWriter; finish: () => Promise<void>; abort: () => Promise<void> } {
  if (path === "-") {
    const out = new OutputWriter(io.stdout);
    return { out, finish: () => out.end(), abort: () => out.end() };
  }
  // a regular file is replaced by renaming a finished temp file onto it (through any symlinks); a
  // device or FIFO (/dev/null, a named pipe) is written in place, never replaced
  let target: ReturnType<typeof outputTarget>;
  try {
    target = outputTarget(path);
  } catch (e) {
    throw new CliError(`${path}: ${(e as Error).message.replace(`${path}: `, "")}`);
  }
  let ws: WriteStream | SyncFileStream;
  let tmp = "";
  try {
    const o = openOutput(target);
    tmp = o.temp;
    // a file or /dev/null is written synchronously, as nmsgtool writes it (no thread-pool hop per
    // chunk); a FIFO or a terminal through fs.WriteStream, so a slow reader never blocks the loop
    if (writesNeverBlock(o.fd)) {
      const fd = o.fd;
      ws = new SyncFileStream(fd);
      ws.once("close", () => closeSync(fd));
    } else ws = createWriteStream("", { fd: o.fd });
  } catch (e) {
    throw new CliError(`${path}: ${(e as Error).message}`);
  }
  const out = new OutputWriter(ws, path);
  const endStream = (s: Writable): Promise<void> => new Promise((res, rej) => s.end((e?: Error | null) => (e ? rej(e) : res())));
  const removeTmp = (): void => {
    if (target.inPlace) return;
    try {
      unlinkSync(tmp);
    } catch {}
  };
  return {
    out,
    finish: async () => {
      try {
        await out.end();
        await endStream(ws);
        if (!target.inPlace) renameSync(tmp, target.path);
      } catch (e) {
        removeTmp();
        throw e instanceof CliError ? e : new CliError(`${path}: ${(e as Error).message}`);
      }
    },
    abort: async () => {
      ws.destroy();
      removeTmp();
    },
  };
}
