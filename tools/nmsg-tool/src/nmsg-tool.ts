import { createSocket } from "node:dgram";
import { createReadStream, createWriteStream, renameSync, unlinkSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Writable } from "node:stream";
import { Command } from "commander";
import { type CliIo, CliError, configureProgram, OutputWriter, parseIntOption, UsageError } from "@dnsrep/cli";
import {
  ContainerDecoder, connectNmsg, isNmsgError, listenNmsg, msgtypeId, NmsgWriter, type NmsgPayload, parseHeader, payloadFromJson, payloadToJson, payloadToPres, readPayloads, vendorId,
} from "@dnsrep/nmsg";

interface Opts {
  r?: string[];
  j?: string[];
  l?: string[];
  w?: string;
  o?: string;
  J?: string;
  s?: string;
  z?: boolean;
  unbuffered?: boolean;
  c?: string;
  t?: string;
  V?: string;
  T?: string;
  setsource?: string;
  setoperator?: string;
  setgroup?: string;
  getsource?: string;
  getoperator?: string;
  getgroup?: string;
  mtu?: string;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

function u32(flag: string, v: string): number {
  const n = /^0x[0-9a-f]+$/i.test(v) ? Number.parseInt(v, 16) : /^\d+$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new UsageError(`${flag}: not a 32-bit number: ${v}`);
  return n;
}

function addrPort(flag: string, v: string): [string, number] {
  const i = v.lastIndexOf("/");
  if (i <= 0) throw new UsageError(`${flag}: expected ADDR/PORT, got ${v}`);
  return [v.slice(0, i), parseIntOption(flag, v.slice(i + 1), 1, 65535)];
}

/** nmsg-tool: read, filter, convert and relay NMSG streams (nmsgtool's common flags). */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const p = configureProgram(new Command("nmsg-tool"), io)
    .description("Read, filter, convert and relay NMSG streams (nmsgtool)")
    .option("-r, --readnmsg <file>", "read nmsg containers from a file ('-' = stdin); repeatable", collect)
    .option("-j, --readjson <file>", "read JSON payloads from a file ('-' = stdin); repeatable", collect)
    .option("-l, --readsock <addr/port>", "read nmsg containers from a UDP socket; repeatable", collect)
    .option("-w, --writenmsg <file>", "write nmsg containers to a file ('-' = stdout)")
    .option("-o, --writepres <file>", "write presentation form to a file ('-' = stdout)")
    .option("-J, --writejson <file>", "write JSON lines to a file ('-' = stdout)")
    .option("-s, --writesock <addr/port>", "write nmsg containers to a UDP socket")
    .option("--readtcp <addr/port>", "accept TCP connections and read nmsg from each")
    .option("--writetcp <addr/port>", "connect to a TCP listener and write nmsg")
    .option("--readunix <path>", "accept UNIX stream connections and read nmsg from each")
    .option("--writeunix <path>", "connect to a UNIX stream socket and write nmsg")
    .option("-z, --zlibout", "compress nmsg output containers with zlib")
    .option("--unbuffered", "one payload per output container")
    .option("--mtu <n>", "container size for socket output", "1280")
    .option("-c, --count <n>", "stop after N payloads")
    .option("-t, --interval <seconds>", "stop after this many seconds")
    .option("-V, --vendor <vname>", "only this vendor (with -T); names the module for JSON lines without one")
    .option("-T, --msgtype <mname>", "only this message type")
    .option("--setsource <n>", "set the payload source")
    .option("--setoperator <n>", "set the payload operator")
    .option("--setgroup <n>", "set the payload group")
    .option("--getsource <n>", "only payloads with this source")
    .option("--getoperator <n>", "only payloads with this operator")
    .option("--getgroup <n>", "only payloads with this group");
  p.parse(argv, { from: "user" });
  if (p.args.length) throw new UsageError(`unexpected argument: ${p.args[0]}`);
  const o = p.opts<Opts>();
  // commander maps long names; normalise
  const raw = p.opts() as Record<string, unknown>;
  const inputsR = (raw.readnmsg as string[] | undefined) ?? [];
  const inputsJ = (raw.readjson as string[] | undefined) ?? [];
  const inputsL = (raw.readsock as string[] | undefined) ?? [];
  const outW = raw.writenmsg as string | undefined;
  const outO = raw.writepres as string | undefined;
  const outJ = raw.writejson as string | undefined;
  const outS = raw.writesock as string | undefined;
  const readTcp = raw.readtcp as string | undefined;
  const readUnix = raw.readunix as string | undefined;
  const writeTcp = raw.writetcp as string | undefined;
  const writeUnix = raw.writeunix as string | undefined;
  if (!inputsR.length && !inputsJ.length && !inputsL.length && !readTcp && !readUnix) {
    throw new UsageError("no input: use -r FILE, -j FILE, -l ADDR/PORT, --readtcp or --readunix");
  }
  const count = raw.count !== undefined ? parseIntOption("-c", raw.count as string, 1) : Infinity;
  const seconds = raw.interval !== undefined ? parseIntOption("-t", raw.interval as string, 1) : 0;
  let vid: number | undefined;
  let msgtype: number | undefined;
  if (o.V !== undefined || raw.vendor !== undefined) {
    const vn = (raw.vendor as string) ?? "";
    vid = vendorId(vn);
    if (vid === undefined) throw new UsageError(`-V: unknown vendor ${vn}`);
    if (raw.msgtype !== undefined) {
      msgtype = msgtypeId(vid, raw.msgtype as string);
      if (msgtype === undefined) throw new UsageError(`-T: unknown message type ${String(raw.msgtype)}`);
    }
  } else if (raw.msgtype !== undefined) throw new UsageError("-T needs -V");
  const setSource = raw.setsource !== undefined ? u32("--setsource", raw.setsource as string) : undefined;
  const setOperator = raw.setoperator !== undefined ? u32("--setoperator", raw.setoperator as string) : undefined;
  const setGroup = raw.setgroup !== undefined ? u32("--setgroup", raw.setgroup as string) : undefined;
  const getSource = raw.getsource !== undefined ? u32("--getsource", raw.getsource as string) : undefined;
  const getOperator = raw.getoperator !== undefined ? u32("--getoperator", raw.getoperator as string) : undefined;
  const getGroup = raw.getgroup !== undefined ? u32("--getgroup", raw.getgroup as string) : undefined;
  const mtu = parseIntOption("--mtu", raw.mtu as string, 512, 65000);
  const stdoutUsers = [outW, outO, outJ].filter((x) => x === "-").length;
  if (stdoutUsers > 1) throw new UsageError("only one output can go to stdout");
  if (outW === "-" && io.stdoutIsTTY) throw new UsageError("refusing to write binary nmsg to a terminal (redirect stdout or use -o/-J)");

  // ---- outputs
  const closers: (() => Promise<void>)[] = [];
  const sinks: ((p: NmsgPayload) => Promise<void> | void)[] = [];
  const textOut = (path: string): OutputWriter => {
    if (path === "-") return new OutputWriter(io.stdout);
    const tmp = `${path}.tmp-${process.pid}`;
    const ws = createWriteStream(tmp);
    const w = new OutputWriter(ws);
    closers.push(async () => {
      await w.end();
      await new Promise<void>((res, rej) => ws.end((e?: Error | null) => (e ? rej(e) : res())));
      renameSync(tmp, path);
    });
    return w;
  };
  let nmsgTmp: string | undefined;
  if (outW !== undefined) {
    let dest: Writable;
    if (outW === "-") dest = io.stdout;
    else {
      nmsgTmp = `${outW}.tmp-${process.pid}`;
      dest = createWriteStream(nmsgTmp);
    }
    const ow = new OutputWriter(dest);
    const w = new NmsgWriter((c) => ow.bytes(c), { zlib: o.z === true || raw.zlibout === true, unbuffered: raw.unbuffered === true });
    sinks.push((pl) => w.write(pl));
    closers.push(async () => {
      await w.close();
      await ow.end();
      if (nmsgTmp) {
        const tmp = nmsgTmp;
        await new Promise<void>((res, rej) => (dest as ReturnType<typeof createWriteStream>).end((e?: Error | null) => (e ? rej(e) : res())));
        renameSync(tmp, outW);
      }
    });
  }
  if (outS !== undefined) {
    const [addr, port] = addrPort("-s", outS);
    const sock = createSocket(addr.includes(":") ? "udp6" : "udp4");
    if (addr === "255.255.255.255" || addr.endsWith(".255")) sock.bind(() => sock.setBroadcast(true));
    const w = new NmsgWriter(
      (c) =>
        new Promise<void>((res, rej) => {
          sock.send(c, port, addr, (e) => (e ? rej(e) : res()));
        }),
      { zlib: raw.zlibout === true, bufsz: mtu, sequence: true, unbuffered: raw.unbuffered === true },
    );
    sinks.push((pl) => w.write(pl));
    closers.push(async () => {
      await w.close();
      sock.close();
    });
  }
  for (const [spec, isUnix] of [
    [writeTcp, false],
    [writeUnix, true],
  ] as const) {
    if (spec === undefined) continue;
    const ep = isUnix ? { path: spec } : (([host, port]) => ({ host, port }))(addrPort("--writetcp", spec));
    let conn: Awaited<ReturnType<typeof connectNmsg>>;
    try {
      conn = await connectNmsg(ep);
    } catch (e) {
      throw new CliError(`cannot connect to ${spec}: ${(e as Error).message}`);
    }
    const w = new NmsgWriter(conn.sink, { zlib: raw.zlibout === true, unbuffered: raw.unbuffered === true, sequence: true });
    sinks.push((pl) => w.write(pl));
    closers.push(async () => {
      await w.close();
      await conn.close();
    });
  }
  if (outJ !== undefined) {
    const w = textOut(outJ);
    sinks.push((pl) => w.text(`${payloadToJson(pl)}\n`));
    if (outJ === "-") closers.push(() => w.end());
  }
  if (outO !== undefined || (outW === undefined && outJ === undefined && outS === undefined)) {
    const w = textOut(outO ?? "-");
    sinks.push((pl) => w.text(payloadToPres(pl)));
    if ((outO ?? "-") === "-") closers.push(() => w.end());
  }

  // ---- the pipeline
  let n = 0;
  const deadline = seconds ? Date.now() + seconds * 1000 : 0;
  const ac = new AbortController();
  if (deadline) setTimeout(() => ac.abort(), seconds * 1000).unref();
  io.signal?.addEventListener("abort", () => ac.abort());
  const handle = async (pl: NmsgPayload): Promise<boolean> => {
    if (vid !== undefined && pl.vid !== vid) return true;
    if (msgtype !== undefined && pl.msgtype !== msgtype) return true;
    if (getSource !== undefined && (pl.source ?? 0) !== getSource) return true;
    if (getOperator !== undefined && (pl.operator ?? 0) !== getOperator) return true;
    if (getGroup !== undefined && (pl.group ?? 0) !== getGroup) return true;
    if (setSource !== undefined) pl.source = setSource;
    if (setOperator !== undefined) pl.operator = setOperator;
    if (setGroup !== undefined) pl.group = setGroup;
    for (const s of sinks) await s(pl);
    n++;
    return n < count && !ac.signal.aborted;
  };
  let failed = false;
  try {
    outer: {
      for (const f of inputsR) {
        const src = f === "-" ? io.stdin : createReadStream(f, { highWaterMark: 1 << 20 });
        try {
          for await (const pl of readPayloads(src as AsyncIterable<Uint8Array>)) if (!(await handle(pl))) break outer;
        } catch (e) {
          if (isNmsgError(e)) throw new CliError(`${f}: ${e.message}`);
          throw e;
        }
      }
      for (const f of inputsJ) {
        const src = f === "-" ? io.stdin : createReadStream(f);
        const rl = createInterface({ input: src, crlfDelay: Infinity });
        let line = 0;
        const fallback = vid !== undefined && raw.vendor && raw.msgtype ? { vname: raw.vendor as string, mname: raw.msgtype as string } : undefined;
        for await (const l of rl) {
          line++;
          if (!l.trim()) continue;
          let pl: NmsgPayload;
          try {
            pl = payloadFromJson(l, fallback);
          } catch (e) {
            throw new CliError(`${f}:${line}: ${(e as Error).message}`);
          }
          if (!(await handle(pl))) break outer;
        }
      }
      for (const [spec, isUnix] of [
        [readTcp, false],
        [readUnix, true],
      ] as const) {
        if (spec === undefined) continue;
        const ep = isUnix ? { path: spec } : (([host, port]) => ({ host, port }))(addrPort("--readtcp", spec));
        let stop = false;
        let queue = Promise.resolve();
        const server = await listenNmsg(
          ep,
          (pl) => {
            queue = queue.then(async () => {
              if (!stop && !(await handle(pl))) {
                stop = true;
                ac.abort();
              }
            });
            return queue;
          },
          (peer, e) => io.stderr.write(`nmsg-tool: ${peer}: ${e.message}\n`),
        );
        await new Promise<void>((resolve) => {
          if (ac.signal.aborted) resolve();
          ac.signal.addEventListener("abort", () => resolve());
        });
        await queue;
        server.close();
        break outer;
      }
      if (inputsL.length) {
        await new Promise<void>((resolve, reject) => {
          const decoders = new Map<string, ContainerDecoder>();
          const socks = inputsL.map((spec) => {
            const [addr, port] = addrPort("-l", spec);
            const sock = createSocket({ type: addr.includes(":") ? "udp6" : "udp4", reuseAddr: true });
            let queue = Promise.resolve(true);
            sock.on("message", (msg, rinfo) => {
              const peer = `${rinfo.address}/${rinfo.port}`;
              let dec = decoders.get(peer);
              if (!dec) {
                dec = new ContainerDecoder();
                decoders.set(peer, dec);
              }
              let pls: NmsgPayload[] = [];
              try {
                const b = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
                const h = parseHeader(b, 0);
                if (!h || h[1] + h[2] !== b.length) throw new Error("datagram is not one whole container");
                pls = dec.decode(h[0], b.slice(h[1]), 0);
              } catch (e) {
                io.stderr.write(`nmsg-tool: bad datagram from ${peer}: ${(e as Error).message}\n`);
                return;
              }
              queue = queue.then(async (go) => {
                if (!go) return false;
                for (const pl of pls) if (!(await handle(pl))) {
                  finish();
                  return false;
                }
                return true;
              }).catch((e: unknown) => {
                reject(e);
                return false;
              });
            });
            sock.on("error", reject);
            sock.bind(port, addr, () => {
              // a large receive buffer absorbs bursts while payloads are being decoded
              try {
                sock.setRecvBufferSize(8 << 20);
              } catch {}
            });
            return sock;
          });
          const finish = (): void => {
            for (const s of socks) s.close();
            resolve();
          };
          ac.signal.addEventListener("abort", finish);
        });
      }
    }
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    if (failed && nmsgTmp) {
      try {
        unlinkSync(nmsgTmp);
      } catch {}
    }
    if (!failed) for (const c of closers) await c();
  }
  return 0;
}
