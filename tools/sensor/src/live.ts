/**
 * Live capture through the npm `pcap` package (libpcap). Loaded on demand so that reading files
 * never needs the native module.
 */

import { LinkType, type PacketHandler } from "@dnsrep/capture";
import { CliError, UsageError } from "@dnsrep/cli";

interface PcapPacket {
  buf: Buffer;
  header: Buffer;
}
interface PcapSession {
  link_type: string;
  on(ev: "packet", f: (p: PcapPacket) => void): void;
  close(): void;
  stats(): { ps_recv: number; ps_drop: number; ps_ifdrop: number };
}
interface PcapModule {
  /** called with libpcap's message when pcap_lookupnet fails (no IPv4 address, no such device) */
  warningHandler?: (msg: string) => void;
  createSession(
    dev: string,
    opts: { filter?: string; snap_length?: number; buffer_size?: number; promiscuous?: boolean; buffer_timeout?: number },
  ): PcapSession;
}

const LINK_NAMES: Record<string, number> = {
  LINKTYPE_NULL: LinkType.NULL,
  LINKTYPE_ETHERNET: LinkType.ETHERNET,
  LINKTYPE_RAW: LinkType.RAW,
  LINKTYPE_LINUX_SLL: LinkType.LINUX_SLL,
};

export interface LiveCapture {
  /** kernel counters: packets received and dropped */
  stats(): { received: number; dropped: number };
  close(): void;
}

/** NAME[+][,SNAPLEN] → [name, "+" or undefined, snap length or undefined]; a UsageError if malformed. */
export function parseIfaceSpec(spec: string): [string, string | undefined, string | undefined] {
  const m = /^([^,+]+)(\+)?(?:,(\d+))?$/.exec(spec);
  if (!m) throw new UsageError(`-i: bad interface spec ${JSON.stringify(spec)} (NAME[+][,SNAPLEN])`);
  const [, dev, plus, snap] = m;
  if (snap !== undefined && !(Number(snap) >= 1 && Number(snap) <= 262144))
    throw new UsageError(`-i: snap length must be between 1 and 262144, got ${snap}`);
  return [dev as string, plus, snap];
}

/**
 * Open `iface` (nmsgtool syntax: NAME[+][,SNAPLEN]; '+' asks for promiscuous mode) with an optional
 * BPF filter, and hand every packet to `onPacket`. libpcap's warnings (the interface's netmask
 * could not be found) go to `warn` once the interface is open, as tcpdump prints them; when it
 * cannot be opened, the error alone says why.
 */
export async function openLive(
  spec: string,
  filter: string | undefined,
  onPacket: PacketHandler,
  warn: (msg: string) => void,
): Promise<LiveCapture> {
  const [dev, plus, snap] = parseIfaceSpec(spec);
  let pcap: PcapModule;
  try {
    const mod = (await import("pcap")) as unknown as PcapModule & { default?: PcapModule };
    // the CommonJS exports object (mutable, unlike the namespace): warningHandler is set on it
    pcap = mod.default ?? { ...mod };
  } catch (e) {
    throw new CliError(`live capture needs the optional 'pcap' module (and libpcap): ${(e as Error).message.split("\n")[0]}`);
  }
  let session: PcapSession;
  const warnings: string[] = [];
  // the module's default handler prints an unprefixed "warning: …" line with console.warn
  pcap.warningHandler = (msg) => {
    warnings.push(String(msg));
  };
  try {
    const opts: Parameters<PcapModule["createSession"]>[1] = {
      snap_length: snap ? Number(snap) : 262144,
      promiscuous: plus === "+",
      buffer_timeout: 10,
    };
    if (filter !== undefined) opts.filter = filter;
    session = pcap.createSession(dev!, opts);
  } catch (e) {
    throw new CliError(`${dev}: cannot capture: ${(e as Error).message}`);
  }
  const lt = LINK_NAMES[session.link_type];
  if (lt === undefined) {
    session.close();
    throw new CliError(`${dev}: unsupported link type ${session.link_type}`);
  }
  for (const w of warnings) warn(`${dev}: warning: ${w}`);
  session.on("packet", (p) => {
    const h = p.header;
    const data = new Uint8Array(p.buf.buffer, p.buf.byteOffset, p.buf.byteLength);
    onPacket(data, 0, Math.min(h.readUInt32LE(8), data.length), h.readUInt32LE(12), h.readUInt32LE(0), h.readUInt32LE(4) * 1000, lt);
  });
  return {
    stats: () => {
      const s = session.stats();
      return { received: s.ps_recv, dropped: s.ps_drop + s.ps_ifdrop };
    },
    // the module's close() only breaks the capture loop; its native poll handle stays until
    // another packet arrives (see holdsNativeHandles in nmsg-sensor.ts)
    close: () => session.close(),
  };
}
