/**
 * nmsg-sensor's dnstap inputs: Frame Streams files (`--dnstap FILE`, `-` = stdin) and live
 * senders on a UNIX (`--dnstap-unix PATH`) or TCP (`--dnstap-tcp HOST:PORT`) socket. The
 * *_RESPONSE messages chosen by `--dnstap-types` become base/dnsqr payloads (@dnsrep/dnstap's
 * DnstapToDnsqr) written to the same outputs as captured traffic.
 */
import { CliError, type CliIo, isSystemError, Progress, parseIntOption, UsageError } from "@dnsrep/cli";
import {
  DEFAULT_DNSQR_TYPES,
  DnstapToDnsqr,
  DnstapView,
  decodeDnstapView,
  FrameStreamReader,
  FstrmReceiver,
  isDnstapError,
  isResponseType,
  type ListenSpec,
  messageTypeFromName,
  messageTypeName,
} from "@dnsrep/dnstap";
import { abortable, borrowedInput, headerStamp, type NmsgOutputFlags, openNmsgOutputs, PendingWrites } from "@dnsrep/nmsg-cli";
import type { Command } from "commander";

export interface DnstapFlags {
  dnstap?: string[];
  dnstapUnix?: string;
  dnstapTcp?: string;
  dnstapTypes?: string;
  socketMode?: string;
  stats?: string;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** The dnstap options, added to nmsg-sensor's program. */
export function addDnstapOptions(p: Command): Command {
  return p
    .option("--dnstap <file>", "read a dnstap Frame Streams file ('-' = stdin); repeatable", collect)
    .option("--dnstap-unix <path>", "receive dnstap from senders on a UNIX socket at PATH (Frame Streams, bidirectional)")
    .option("--dnstap-tcp <host:port>", "receive dnstap from senders on a TCP socket")
    .option("--socket-mode <octal>", "file mode of the --dnstap-unix socket (e.g. 660)")
    .option(
      "--dnstap-types <list>",
      `dnstap message types made into dnsqr (default: every *_RESPONSE type: ${DEFAULT_DNSQR_TYPES.map(messageTypeName).join(",")})`,
    )
    .option("--stats <seconds>", "print the counters on stderr every SECONDS");
}

export function hasDnstapInput(f: DnstapFlags): boolean {
  return f.dnstap !== undefined || f.dnstapUnix !== undefined || f.dnstapTcp !== undefined;
}

function parseTypes(v: string): number[] {
  return v.split(",").map((s) => {
    const t = messageTypeFromName(s.trim());
    if (t === undefined) throw new UsageError(`--dnstap-types: unknown dnstap message type ${JSON.stringify(s.trim())}`);
    if (!isResponseType(t))
      throw new UsageError(`--dnstap-types: ${messageTypeName(t)} carries no response: only *_RESPONSE types become dnsqr`);
    return t;
  });
}

function parseHostPort(v: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(v);
  if (!m) throw new UsageError(`--dnstap-tcp: expected HOST:PORT, got ${v}`);
  return { host: (m[1] ?? m[2])!, port: parseIntOption("--dnstap-tcp", m[3]!, 0, 65535) };
}

interface Common extends NmsgOutputFlags, DnstapFlags {
  readpcap?: string[];
  readif?: string;
  quiet?: boolean;
  verbose?: boolean;
}

/** nmsg-sensor with dnstap input: the run after option parsing. `count`/`seconds` as for pcap input. */
export async function runDnstap(f: Common, io: CliIo, count: number, seconds: number): Promise<number> {
  const inputs = (f.dnstap ? 1 : 0) + (f.dnstapUnix !== undefined ? 1 : 0) + (f.dnstapTcp !== undefined ? 1 : 0);
  if (inputs > 1 || f.readpcap !== undefined || f.readif !== undefined)
    throw new UsageError("use one input: -p, -i, --dnstap, --dnstap-unix or --dnstap-tcp");
  if (f.socketMode !== undefined && f.dnstapUnix === undefined) throw new UsageError("--socket-mode goes with --dnstap-unix");
  let mode: number | undefined;
  if (f.socketMode !== undefined) {
    if (!/^[0-7]{3,4}$/.test(f.socketMode)) throw new UsageError(`--socket-mode: not an octal file mode: ${f.socketMode}`);
    mode = Number.parseInt(f.socketMode, 8);
  }
  const tcp = f.dnstapTcp !== undefined ? parseHostPort(f.dnstapTcp) : undefined;
  const statsEvery = f.stats !== undefined ? parseIntOption("--stats", f.stats, 1) : 0;
  const view = new DnstapView();
  const conv = new DnstapToDnsqr(f.dnstapTypes !== undefined ? parseTypes(f.dnstapTypes) : DEFAULT_DNSQR_TYPES);

  const out = await openNmsgOutputs(f, io, "nmsg");
  const stamp = headerStamp(1, 9);
  const pending = new PendingWrites();
  let frames = 0;
  let badFrames = 0;
  let payloads = 0;
  const warn = (msg: string): void => void io.stderr.write(`nmsg-sensor: ${msg}\n`);
  /** one data frame: decoded, converted, written; a frame that does not decode is reported and counted */
  const frame = (b: Uint8Array, at: number, where: string): Promise<void> | undefined => {
    frames++;
    if (payloads >= count) return undefined;
    try {
      decodeDnstapView(b, view, at);
    } catch (e) {
      if (!isDnstapError(e)) throw e;
      badFrames++;
      // a damaged stream can hold many: the first ten are named
      if (badFrames <= 10) warn(`${where}: ${e.message}${badFrames === 10 ? " (further ones counted only)" : ""}`);
      return undefined;
    }
    // laid out straight into the output containers, no message object (borrowed until the next frame)
    const e = conv.convertView(view);
    if (!e) return undefined;
    payloads++;
    const w = out.writeEncoded(stamp(conv.encodedSec, conv.encodedNsec), e);
    pending.add(w);
    // a socket sender is paused while the output pushes back (files wait between chunks)
    return w;
  };
  const s = conv.stats;
  const show = (): string =>
    `frames=${frames} payloads=${payloads} bad_frames=${badFrames} not_message=${s.notMessage} skipped_type=${s.skippedType} ` +
    `no_response=${s.noResponse} truncated=${s.truncated} tc=${s.tc} no_address=${s.noAddress} oversize=${s.oversize}`;
  const progress = new Progress(io, { quiet: f.quiet === true });
  const stop = new AbortController();
  io.signal?.addEventListener("abort", () => stop.abort());
  const timer = seconds ? setTimeout(() => stop.abort(), seconds * 1000) : undefined;
  const every = statsEvery || (f.verbose ? 10 : 0);
  const ticker = every ? setInterval(() => warn(show()), every * 1000) : undefined;
  let failure: unknown;
  let dataError = false;
  try {
    if (f.dnstap) {
      for (const file of f.dnstap) {
        const reader = new FrameStreamReader((b, at) => frame(b, at, file));
        try {
          for await (const chunk of abortable(borrowedInput(file, io), stop.signal)) {
            reader.push(chunk);
            await pending.wait();
            progress.tick(show);
            if (payloads >= count || stop.signal.aborted) break;
          }
          if (payloads < count && !stop.signal.aborted) reader.end();
        } catch (e) {
          if (isDnstapError(e)) {
            // what was read before the damage is written; the exit status says the input was bad
            warn(`${file}: ${e.message}`);
            dataError = true;
            continue;
          }
          if (isSystemError(e)) throw new CliError(e.code === "ENOENT" ? `${file}: no such file` : `${file}: ${e.message}`);
          throw e;
        }
      }
    } else {
      const spec: ListenSpec = tcp ?? (mode === undefined ? { path: f.dnstapUnix! } : { path: f.dnstapUnix!, mode });
      const rx = new FstrmReceiver({
        data: (b, at, peer) => frame(b, at, peer),
        // a sender's failure is its own: reported with its peer name, the socket keeps serving
        error: (peer, msg) => warn(`${peer}: ${msg}`),
        // with -v, each sender's arrival and departure (a departure: its frames are all handled)
        connected: (peer) => {
          if (f.verbose) warn(`${peer}: connected`);
        },
        started: (peer) => {
          if (f.verbose) warn(`${peer}: started`);
        },
        closed: (peer, frames, finished) => {
          if (f.verbose) warn(`${peer}: closed after ${frames} data frames${finished ? "" : " (no STOP)"}`);
        },
      });
      let where: string;
      try {
        where = await rx.listen(spec);
      } catch (e) {
        throw new CliError(`${tcp ? f.dnstapTcp : f.dnstapUnix}: cannot listen: ${(e as Error).message}`);
      }
      if (f.verbose) warn(`listening on ${where}`);
      // -c reached, or an output that failed (its error ends the run), looked at every 200 ms
      let outputError: unknown;
      const onFull = setInterval(() => {
        if (payloads >= count) stop.abort();
        pending.wait()?.catch((e: unknown) => {
          outputError ??= e;
          stop.abort();
        });
      }, 200);
      await new Promise<void>((resolve) => {
        if (stop.signal.aborted) resolve();
        stop.signal.addEventListener("abort", () => resolve(), { once: true });
      });
      clearInterval(onFull);
      await rx.close();
      if (outputError !== undefined) throw outputError;
    }
  } catch (e) {
    failure = e;
  } finally {
    if (timer) clearTimeout(timer);
    if (ticker) clearInterval(ticker);
    progress.done();
  }
  await pending.wait();
  await out.close();
  if (f.quiet !== true && !(failure && frames === 0)) warn(show());
  if (failure) throw failure;
  return dataError || badFrames > 0 ? 1 : 0;
}
