import { CaptureParser, DnsqrMatcher, type DnsqrOptions, type DnsqrStats, isCaptureError, isSupportedLinkType } from "@dnsrep/capture";
import {
  CliError,
  type CliIo,
  configureProgram,
  isSystemError,
  type Progress,
  packageVersion,
  parseIntOption,
  stopController,
  UsageError,
} from "@dnsrep/cli";
import { getModule, type MessageModule, type Msg } from "@dnsrep/nmsg";
import {
  abortable,
  addNmsgOutputOptions,
  borrowedInput,
  headerStamp,
  type NmsgOutputFlags,
  openNmsgOutputs,
  PendingWrites,
  runStream,
} from "@dnsrep/nmsg-cli";
import { nameFromString } from "@dnsrep/wdns";
import { Command } from "commander";
import { addDnstapOptions, type DnstapFlags, hasDnstapInput, runDnstap } from "./dnstap-input.js";
import { type LiveCapture, openLive, parseIfaceSpec } from "./live.js";

interface Flags extends NmsgOutputFlags, DnstapFlags {
  readpcap?: string[];
  readif?: string;
  bpf?: string;
  vendor?: string;
  msgtype?: string;
  count?: string;
  interval?: string;
  ports?: string;
  tcpPorts?: string;
  queryTimeout?: string;
  maxPending?: string;
  icmp?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

function portList(flag: string, v: string): number[] {
  return v.split(",").map((s) => parseIntOption(flag, s.trim(), 1, 65535));
}

/** The dnsqr module's environment knobs, as nmsgtool reads them. */
function envOptions(env: Record<string, string | undefined>): DnsqrOptions {
  const o: DnsqrOptions = {};
  const int = (k: string): number | undefined => {
    const v = env[k];
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  const qr = int("DNSQR_CAPTURE_QR");
  if (qr === 0 || qr === 1) o.captureQr = qr;
  const rd = int("DNSQR_CAPTURE_RD");
  if (rd === 0 || rd === 1) o.captureRd = rd;
  if ((int("DNSQR_ZERO_RESOLVER_ADDRESS") ?? 0) > 0) o.zeroResolverAddress = true;
  const max = int("DNSQR_STATE_TABLE_MAX");
  if (max) o.maxPending = max;
  const t = int("DNSQR_QUERY_TIMEOUT");
  if (t) o.queryTimeout = t;
  const names = (k: string): Uint8Array[] | undefined => {
    const v = env[k];
    if (!v) return undefined;
    // names that do not parse are skipped, as the dnsqr module does
    return v.split(":").flatMap((n) => {
      try {
        return [nameFromString(n, true)];
      } catch {
        return [];
      }
    });
  };
  const inc = names("DNSQR_FILTER_QNAMES_INCLUDE");
  if (inc) o.qnameInclude = inc;
  const exc = names("DNSQR_FILTER_QNAMES_EXCLUDE");
  if (exc) o.qnameExclude = exc;
  return o;
}

function statsLine(s: DnsqrStats, payloads: number): string {
  return (
    `packets=${s.packets} payloads=${payloads} query_response=${s.queryResponse} unanswered=${s.unanswered} ` +
    `unsolicited=${s.unsolicited} tcp=${s.tcp} tcp_dns=${s.tcpMessages} icmp=${s.icmp} pending=${s.pending} filtered=${s.filtered} ` +
    `not_dns=${s.notDns} not_ip=${s.notIp} bad_ip=${s.malformedIp} bad_dns=${s.malformedDns} snaplen_cut=${s.snaplenCut}`
  );
}

/** nmsg-sensor: DNS traffic from pcap/pcapng files or a live interface into base/dnsqr nmsg. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const p = configureProgram(new Command("nmsg-sensor"), io, packageVersion(import.meta.url))
    .description("capture DNS traffic (pcap/pcapng files or a live interface) into base/dnsqr nmsg payloads")
    .option("-p, --readpcap <file>", "read a pcap or pcapng file ('-' = stdin); repeatable", collect)
    .option("-i, --readif <iface>", "capture live from an interface: NAME[+][,SNAPLEN] ('+' = promiscuous)")
    .option("-b, --bpf <filter>", "BPF filter for live capture");
  addNmsgOutputOptions(p)
    .option("-V, --vendor <vname>", "message module vendor (only 'base' is produced)")
    .option("-T, --msgtype <mname>", "message type (only 'dnsqr' is produced)")
    .option("-c, --count <n>", "stop after N payloads")
    .option("-t, --interval <seconds>", "stop after this many seconds")
    .option("--ports <list>", "UDP ports that carry DNS", "53,5353")
    .option("--tcp-ports <list>", "TCP ports whose segments are passed through", "53")
    .option("--query-timeout <seconds>", "how long a query waits for its response (DNSQR_QUERY_TIMEOUT)")
    .option("--max-pending <n>", "most queries waiting at once (DNSQR_STATE_TABLE_MAX)")
    .option("--no-icmp", "do not emit ICMP messages (nmsgtool never does)")
    .option("-v, --verbose", "print counters on stderr every 10 seconds")
    .option("-q, --quiet", "no progress line and no counters at the end");
  addDnstapOptions(p);
  p.parse(argv, { from: "user" });
  if (p.args.length) throw new UsageError(`unexpected argument: ${p.args[0]}`);
  const f = p.opts<Flags>();
  const files = f.readpcap ?? [];
  if (hasDnstapInput(f)) return runDnstap(f, io, dnstapLimit(f.count, "-c"), f.interval !== undefined ? dnstapLimit(f.interval, "-t") : 0);
  if (!files.length && f.readif === undefined)
    throw new UsageError("no input: use -p FILE, -i IFACE, --dnstap FILE, --dnstap-unix PATH or --dnstap-tcp HOST:PORT");
  if (files.length && f.readif !== undefined) throw new UsageError("use either -p or -i, not both");
  if (f.readif !== undefined) parseIfaceSpec(f.readif);
  if (f.bpf !== undefined && f.readif === undefined) {
    throw new UsageError("-b filters live capture only; filter a file first with: tcpdump -r IN -w OUT 'FILTER'");
  }
  if (f.vendor !== undefined && f.vendor.toLowerCase() !== "base")
    throw new UsageError(`-V: nmsg-sensor produces base/dnsqr only, not ${f.vendor}`);
  if (f.msgtype !== undefined && f.msgtype.toLowerCase() !== "dnsqr")
    throw new UsageError(`-T: nmsg-sensor produces base/dnsqr only, not ${f.msgtype}`);
  const count = f.count !== undefined ? parseIntOption("-c", f.count, 1) : Infinity;
  const seconds = f.interval !== undefined ? parseIntOption("-t", f.interval, 1) : 0;
  const opts: DnsqrOptions = {
    ...envOptions(io.env),
    udpPorts: portList("--ports", f.ports ?? "53,5353"),
    tcpPorts: portList("--tcp-ports", f.tcpPorts ?? "53"),
    // messages are encoded inside the emit callback, so they may borrow the capture buffer
    borrow: true,
  };
  if (f.queryTimeout !== undefined) opts.queryTimeout = parseIntOption("--query-timeout", f.queryTimeout, 1);
  if (f.maxPending !== undefined) opts.maxPending = parseIntOption("--max-pending", f.maxPending, 1);
  if (f.icmp === false) opts.icmp = false;

  const out = await openNmsgOutputs(f, io, "nmsg");
  const qrModule = getModule(1, 9) as MessageModule;
  // messages borrow the capture buffer: each is encoded straight into the output containers as it
  // is emitted; an output that pushes back leaves a promise, awaited before more input is parsed
  let payloads = 0;
  const stamp = headerStamp(1, 9);
  const pending = new PendingWrites();
  // UDP messages of whole datagrams come encoded straight from the capture (opts.raw), the rest as objects
  opts.raw = (m, sec, nsec) => {
    if (payloads >= count) return;
    payloads++;
    pending.add(out.writeEncoded(stamp(sec, nsec), m));
  };
  const matcher = new DnsqrMatcher((q, sec, nsec) => {
    if (payloads >= count) return;
    payloads++;
    pending.add(out.writeMessage({ vid: 1, msgtype: 9, timeSec: sec, timeNsec: nsec }, qrModule, q as unknown as Msg));
  }, opts);
  const drain = async (): Promise<void> => {
    await pending.wait();
  };
  const show = (): string => statsLine(matcher.stats, payloads);
  const stop = stopController(io.signal);
  const every = f.stats !== undefined ? parseIntOption("--stats", f.stats, 1) : f.verbose ? 10 : 0;
  const timer = seconds ? setTimeout(() => stop.abort(), seconds * 1000) : undefined;
  let truncated = false;
  const body = async (progress: Progress): Promise<void> => {
    if (f.readif !== undefined) {
      await live(
        f.readif,
        f.bpf,
        (msg) => io.stderr.write(`nmsg-sensor: ${msg}\n`),
        matcher,
        drain,
        () => payloads,
        stop.signal,
        () => payloads >= count,
      );
      return;
    }
    for (const file of files) {
      // a link type the matcher cannot decode is refused, not read as packets that are all not_ip
      const parser = new CaptureParser((...a) => matcher.packet(...a), { linkTypes: isSupportedLinkType });
      try {
        for await (const chunk of abortable(borrowedInput(file, io), stop.signal)) {
          parser.push(chunk);
          await drain();
          progress.tick(show);
          if (payloads >= count || stop.signal.aborted) break;
        }
        if (payloads < count && !stop.signal.aborted) parser.end();
        if (parser.info.truncatedTail) {
          // as tcpdump -r does with a cut capture: what came before is written, and the exit status says the input was cut
          io.stderr.write(`nmsg-sensor: ${file}: truncated capture: it ends inside a packet record (that record dropped)\n`);
          truncated = true;
        }
      } catch (e) {
        if (isCaptureError(e)) throw new CliError(`${file}: ${e.message}`);
        if (isSystemError(e)) {
          if (e.code === "ENOENT") throw new CliError(`${file}: no such file`);
          // any other system error (a directory: EISDIR, no permission, EIO) named with its file
          throw new CliError(`${file}: ${e.message}`);
        }
        throw e;
      }
    }
  };
  await runStream({
    name: "nmsg-sensor",
    io,
    quiet: f.quiet === true,
    every,
    show,
    body,
    cleanup: () => {
      if (timer) clearTimeout(timer);
    },
    // whatever happened, the queries still waiting are reported and everything counted is written
    finish: async () => {
      matcher.flush();
      await drain();
      await out.close();
    },
    // a run that fails before reading a packet (no such interface or file, not a capture) prints only its error
    countersAfterFailure: () => matcher.stats.packets !== 0,
  });
  return truncated ? 1 : 0;
}

const dnstapLimit = (v: string | undefined, flag: string): number => (v !== undefined ? parseIntOption(flag, v, 1) : Infinity);

let liveCaptureOpened = false;

/**
 * Whether a live capture was opened: the npm pcap module releases its native poll handle only when
 * another packet arrives after close(), so on a quiet interface the process would never exit.
 */
export function holdsNativeHandles(): boolean {
  return liveCaptureOpened;
}

async function live(
  spec: string,
  bpf: string | undefined,
  warn: (msg: string) => void,
  matcher: DnsqrMatcher,
  drain: () => Promise<void>,
  emitted: () => number,
  signal: AbortSignal,
  full: () => boolean,
): Promise<void> {
  let cap: LiveCapture | undefined;
  let wake: (() => void) | undefined;
  let seen = emitted();
  liveCaptureOpened = true;
  cap = await openLive(
    spec,
    bpf,
    (...a) => {
      matcher.packet(...a);
      if (emitted() !== seen && wake) wake();
    },
    warn,
  );
  // one abort listener for the whole capture (not one per wait)
  const onAbort = (): void => wake?.();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    while (!signal.aborted && !full()) {
      if (emitted() === seen) {
        await new Promise<void>((res) => {
          wake = res;
          // quiet networks still need their unanswered queries timed out
          setTimeout(res, 1000).unref();
        });
        wake = undefined;
      }
      seen = emitted();
      await drain();
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    cap.close();
    cap = undefined;
  }
}
