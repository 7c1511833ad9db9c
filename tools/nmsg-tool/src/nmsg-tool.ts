import { createReadStream } from "node:fs";
import {
  CliError,
  type CliIo,
  configureProgram,
  isSystemError,
  Progress,
  packageVersion,
  parseIntOption,
  stopController,
  UsageError,
} from "@dnsrep/cli";
import { msgtypeId, type NmsgPayload, payloadFromJson, type RawBatch, rawPayloadAt, vendorId } from "@dnsrep/nmsg";
import {
  abortable,
  addNmsgInputOptions,
  addNmsgOutputOptions,
  hasNmsgInput,
  type NmsgInputFlags,
  type NmsgOutputFlags,
  openNmsgOutputs,
  parseU32Option,
  readNmsgFilesRaw,
  readNmsgInputs,
  SocketInputStats,
} from "@dnsrep/nmsg-cli";
import { Command } from "commander";

interface Flags extends NmsgInputFlags, NmsgOutputFlags {
  readjson?: string[];
  count?: string;
  interval?: string;
  vendor?: string;
  msgtype?: string;
  getsource?: string;
  getoperator?: string;
  getgroup?: string;
  verbose?: boolean;
  quiet?: boolean;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** nmsg-tool: read, filter, convert and relay NMSG streams (nmsgtool's common flags). */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const p = configureProgram(new Command("nmsg-tool"), io, packageVersion(import.meta.url)).description(
    "Read, filter, convert and relay NMSG streams (nmsgtool)",
  );
  addNmsgInputOptions(p).option("-j, --readjson <file>", "read JSON payloads from a file ('-' = stdin); repeatable", collect);
  addNmsgOutputOptions(p)
    .option("-c, --count <n>", "stop after N payloads")
    .option("-t, --interval <seconds>", "stop after this many seconds")
    .option("-V, --vendor <vname>", "only this vendor (with -T); names the module for JSON lines without one")
    .option("-T, --msgtype <mname>", "only this message type")
    .option("--getsource <n>", "only payloads with this source")
    .option("--getoperator <n>", "only payloads with this operator")
    .option("--getgroup <n>", "only payloads with this group")
    .option("-v, --verbose", "print counters on stderr every 10 seconds and at the end, and each UDP socket's receive buffer")
    .option("-q, --quiet", "no progress line, no counters and no loss report");
  p.parse(argv, { from: "user" });
  if (p.args.length) throw new UsageError(`unexpected argument: ${p.args[0]}`);
  const f = p.opts<Flags>();
  const jsonInputs = f.readjson ?? [];
  if (!hasNmsgInput(f) && !jsonInputs.length) throw new UsageError("no input: use -r FILE, -j FILE, -l ADDR/PORT, --readtcp or --readunix");
  const count = f.count !== undefined ? parseIntOption("-c", f.count, 1) : Infinity;
  const seconds = f.interval !== undefined ? parseIntOption("-t", f.interval, 1) : 0;
  let vid: number | undefined;
  let msgtype: number | undefined;
  if (f.vendor !== undefined) {
    vid = vendorId(f.vendor);
    if (vid === undefined) throw new UsageError(`-V: unknown vendor ${f.vendor}`);
    if (f.msgtype !== undefined) {
      msgtype = msgtypeId(vid, f.msgtype);
      if (msgtype === undefined) throw new UsageError(`-T: unknown message type ${f.msgtype}`);
    }
  } else if (f.msgtype !== undefined) throw new UsageError("-T needs -V");
  const getSource = f.getsource !== undefined ? parseU32Option("--getsource", f.getsource) : undefined;
  const getOperator = f.getoperator !== undefined ? parseU32Option("--getoperator", f.getoperator) : undefined;
  const getGroup = f.getgroup !== undefined ? parseU32Option("--getgroup", f.getgroup) : undefined;
  const out = await openNmsgOutputs(f, io, "pres");

  // stop on -c, -t or a signal; sockets serve until then
  const ac = stopController(io.signal);
  const timer = seconds ? setTimeout(() => ac.abort(), seconds * 1000) : undefined;
  const sio: CliIo = { ...io, signal: ac.signal };
  let n = 0;
  let seen = 0;
  // socket inputs: containers received and lost per sender (sequence numbers), as nmsgtool's totals
  const sockets = new SocketInputStats();
  const more = (): boolean => !ac.signal.aborted;
  // counters on request only: nmsgtool prints none, and scripts written for it read stderr
  const quiet = f.quiet === true;
  const show = (): string => {
    const c = sockets.counters();
    return `in=${seen} payloads=${n}${c ? ` ${c}` : ""}`;
  };
  const progress = new Progress(io, { quiet });
  if (f.verbose && !quiet) sockets.reportListening("nmsg-tool", io.stderr);
  const verbose = f.verbose && !quiet ? setInterval(() => io.stderr.write(`nmsg-tool: ${show()}\n`), 10000) : undefined;
  // synchronous unless the output pushes back: no promise per payload
  const handle = (pl: NmsgPayload): boolean | Promise<boolean> => {
    seen++;
    progress.tick(show);
    if (vid !== undefined && pl.vid !== vid) return true;
    if (msgtype !== undefined && pl.msgtype !== msgtype) return true;
    if (getSource !== undefined && (pl.source ?? 0) !== getSource) return true;
    if (getOperator !== undefined && (pl.operator ?? 0) !== getOperator) return true;
    if (getGroup !== undefined && (pl.group ?? 0) !== getGroup) return true;
    const r = out.write(pl);
    if (++n >= count) ac.abort();
    return r ? r.then(more) : more();
  };
  // payloads that go out as they came in (no filter, no stamp, nmsg outputs only) are moved
  // without decoding, as nmsgtool moves them; DNSREP_NMSG_PASSTHROUGH=0 decodes them all
  const passThrough =
    out.passThrough &&
    vid === undefined &&
    getSource === undefined &&
    getOperator === undefined &&
    getGroup === undefined &&
    io.env.DNSREP_NMSG_PASSTHROUGH !== "0";
  /** the payloads of a batch from the i-th, decoded one by one (each a view of the batch's buffer, used before the next) */
  const each = (b: RawBatch, i: number): boolean | Promise<boolean> => {
    for (; i < b.n; i++) {
      const r = handle(rawPayloadAt(b, i));
      if (r === true) continue;
      if (r === false) return false;
      const next = i + 1;
      return r.then((ok) => ok && each(b, next));
    }
    return true;
  };
  const handleBatch = (b: RawBatch): boolean | Promise<boolean> => {
    if (!passThrough) return each(b, 0);
    const to = Math.min(b.n, count - n);
    seen += to;
    n += to;
    progress.tick(show);
    if (n >= count) ac.abort();
    const r = out.writeRaw(b, 0, to);
    return r ? r.then(more) : more();
  };
  let failure: unknown;
  try {
    // nmsg files first, then JSON files, then sockets (nmsgtool's order)
    await readNmsgFilesRaw(f.readnmsg ?? [], sio, "nmsg-tool", handleBatch);
    const fallback = vid !== undefined && f.vendor && f.msgtype ? { vname: f.vendor, mname: f.msgtype } : undefined;
    for (const file of jsonInputs) {
      if (ac.signal.aborted) break;
      const src = file === "-" ? io.stdin : createReadStream(file, { highWaterMark: 1 << 20 });
      let line = 0;
      try {
        // a signal stops a stdin that waits for more (a pipe, a terminal), as it stops the nmsg inputs
        for await (const l of jsonLines(abortable(src as AsyncIterable<Uint8Array>, ac.signal), file, ac.signal)) {
          line++;
          if (!l.trim()) continue;
          let pl: NmsgPayload;
          try {
            pl = payloadFromJson(l, fallback);
          } catch (e) {
            throw new CliError(`${file}:${line}: ${(e as Error).message}`);
          }
          if (!(await handle(pl))) break;
        }
      } catch (e) {
        // a system error reading the file (a directory, EIO) named with its path, as the nmsg inputs' are
        if (isSystemError(e)) throw new CliError(`${file}: ${e.message}`);
        throw e;
      } finally {
        (src as { destroy?: () => void }).destroy?.();
      }
    }
    const socketFlags: NmsgInputFlags = {};
    if (f.readsock) socketFlags.readsock = f.readsock;
    if (f.readtcp !== undefined) socketFlags.readtcp = f.readtcp;
    if (f.readunix !== undefined) socketFlags.readunix = f.readunix;
    if (!ac.signal.aborted && hasNmsgInput(socketFlags)) await readNmsgInputs(socketFlags, sio, "nmsg-tool", handle, false, sockets);
  } catch (e) {
    failure = e;
  } finally {
    if (timer) clearTimeout(timer);
    if (verbose) clearInterval(verbose);
    progress.done();
  }
  // an input error leaves output files as they were; the end of input, -c, -t or a signal commits them
  if (failure) await out.abort();
  else await out.close();
  // the totals with -v or when a socket was read, and every sender that lost containers
  if (!quiet) {
    if (f.verbose || sockets.used) io.stderr.write(`nmsg-tool: ${show()}\n`);
    for (const l of sockets.lossLines()) io.stderr.write(`nmsg-tool: ${l}\n`);
  }
  if (failure) throw failure;
  return 0;
}

/** longest JSON input line accepted: a payload's JSON is far smaller; this bounds memory on garbage */
const MAX_JSON_LINE = 64 << 20;

/**
 * The lines of a byte stream (LF or CRLF), each at most MAX_JSON_LINE bytes. Once `stopped` has
 * fired the stream ended on a signal, not at its end: a last line without its newline is one the
 * stop cut, and is dropped.
 */
async function* jsonLines(src: AsyncIterable<Uint8Array>, file: string, stopped: AbortSignal): AsyncGenerator<string> {
  let parts: Buffer[] = [];
  let have = 0;
  let line = 1;
  const take = (tail: Buffer): string => {
    const b = parts.length ? Buffer.concat([...parts, tail]) : tail;
    parts = [];
    have = 0;
    const end = b.length > 0 && b[b.length - 1] === 0x0d ? b.length - 1 : b.length;
    return b.toString("utf8", 0, end);
  };
  for await (const c of src) {
    const chunk = Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    let from = 0;
    for (let nl = chunk.indexOf(0x0a, from); nl >= 0; nl = chunk.indexOf(0x0a, from)) {
      if (have + nl - from > MAX_JSON_LINE) throw new CliError(`${file}:${line}: line longer than ${MAX_JSON_LINE} bytes`);
      yield take(chunk.subarray(from, nl));
      line++;
      from = nl + 1;
    }
    if (from < chunk.length) {
      have += chunk.length - from;
      if (have > MAX_JSON_LINE) throw new CliError(`${file}:${line}: line longer than ${MAX_JSON_LINE} bytes`);
      parts.push(chunk.subarray(from));
    }
  }
  if (have > 0 && !stopped.aborted) yield take(Buffer.alloc(0));
}
