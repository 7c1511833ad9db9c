/**
 * Streaming pcap and pcapng readers. Bytes arrive in chunks of any size; every complete record is
 * handed to a callback as a borrowed view (valid only during the call), so no packet is copied
 * unless its consumer keeps it.
 */
import { CaptureError, CaptureErrorCode } from "./errors.js";

/**
 * One captured packet. `data[off, off + caplen)` is borrowed: copy what you keep. `data` is always
 * a plain Uint8Array (never a Buffer), so `slice` copies.
 */
export type PacketHandler = (
  data: Uint8Array,
  off: number,
  caplen: number,
  origlen: number,
  sec: number,
  nsec: number,
  linktype: number,
) => void;

export interface CaptureInfo {
  format: "pcap" | "pcapng" | undefined;
  /** records handed to the handler */
  packets: number;
  /** bytes of input consumed */
  bytes: number;
  /** a partial record at the end of the input (a capture cut short), dropped */
  truncatedTail: boolean;
}

export interface CaptureParserOptions {
  /**
   * The link types the consumer can decode. With it, a pcap file of another link type is refused
   * at its header, and a pcapng packet on an interface of another link type where it is met (as
   * tcpdump refuses a capture it cannot print), each as ERR_UNSUPPORTED.
   */
  linkTypes?: (linktype: number) => boolean;
}

const PCAP_HDR = 24;
const PCAPNG_SHB = 0x0a0d0d0a;
/** libpcap refuses records larger than this unless the file's snaplen says otherwise */
const MAX_SNAPLEN = 262144;

interface Iface {
  linktype: number;
  /** whether options.linkTypes accepts linktype */
  supported: boolean;
  /** time units per second, and nanoseconds per unit (or units per nanosecond when < 1) */
  unitsPerSec: number;
  offsetSec: number;
}

/**
 * Incremental parser: `push` chunks, `end` at the end of input. Throws CaptureError for a file that
 * is not a capture or whose framing is broken beyond resynchronisation.
 */
export class CaptureParser {
  readonly info: CaptureInfo = { format: undefined, packets: 0, bytes: 0, truncatedTail: false };
  readonly #onPacket: PacketHandler;
  readonly #linkTypes: ((linktype: number) => boolean) | undefined;
  #pending: Uint8Array | null = null;
  /** input offset of #pending[0] (or of the next chunk when nothing is pending) */
  #base = 0;
  // pcap state
  #le = true;
  #nsecRes = false;
  #linktype = -1;
  #snaplen = MAX_SNAPLEN;
  // pcapng state
  #ifaces: Iface[] = [];

  constructor(onPacket: PacketHandler, options: CaptureParserOptions = {}) {
    this.#onPacket = onPacket;
    this.#linkTypes = options.linkTypes;
  }

  push(input: Uint8Array): void {
    // a plain Uint8Array view: Buffer's slice() would not copy, and its subarray() is slower
    const chunk =
      Object.getPrototypeOf(input) === Uint8Array.prototype ? input : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    let buf = chunk;
    if (this.#pending) {
      const joined = new Uint8Array(this.#pending.length + chunk.length);
      joined.set(this.#pending, 0);
      joined.set(chunk, this.#pending.length);
      buf = joined;
      this.#pending = null;
    }
    const used = this.#parse(buf);
    this.#base += used;
    this.info.bytes = this.#base;
    if (used < buf.length) this.#pending = buf === chunk ? chunk.slice(used) : buf.subarray(used);
  }

  end(): void {
    const left = this.#pending?.length ?? 0;
    if (this.info.format === undefined) {
      if (left === 0) throw new CaptureError(CaptureErrorCode.TRUNCATED, "empty input: no capture file header", 0);
      throw new CaptureError(CaptureErrorCode.TRUNCATED, "input ends inside the capture file header", 0);
    }
    if (left > 0) this.info.truncatedTail = true;
    this.#pending = null;
  }

  /** Parse what `buf` holds; returns the number of bytes consumed. */
  #parse(buf: Uint8Array): number {
    let off = 0;
    if (this.info.format === undefined) {
      if (buf.length < 4) return 0;
      const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      if (dv.getUint32(0, true) === PCAPNG_SHB) this.info.format = "pcapng";
      else {
        if (buf.length < PCAP_HDR) return 0;
        this.#pcapHeader(dv);
        this.info.format = "pcap";
        off = PCAP_HDR;
      }
    }
    return this.info.format === "pcap" ? this.#pcapRecords(buf, off) : this.#pcapngBlocks(buf, off);
  }

  #pcapHeader(dv: DataView): void {
    const m = dv.getUint32(0, true);
    if (m === 0xa1b2c3d4 || m === 0xa1b23c4d) this.#le = true;
    else if (m === 0xd4c3b2a1 || m === 0x4d3cb2a1) this.#le = false;
    else throw new CaptureError(CaptureErrorCode.FORMAT, `not a pcap or pcapng file (magic 0x${m.toString(16).padStart(8, "0")})`, 0);
    this.#nsecRes = m === 0xa1b23c4d || m === 0x4d3cb2a1;
    const snap = dv.getUint32(16, this.#le);
    if (snap > MAX_SNAPLEN) this.#snaplen = snap;
    this.#linktype = dv.getUint32(20, this.#le) & 0xffff;
    if (this.#linkTypes && !this.#linkTypes(this.#linktype))
      throw new CaptureError(CaptureErrorCode.UNSUPPORTED, `unsupported link type ${this.#linktype}`);
  }

  #pcapRecords(buf: Uint8Array, start: number): number {
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const le = this.#le;
    const mul = this.#nsecRes ? 1 : 1000;
    const lt = this.#linktype;
    let off = start;
    while (off + 16 <= buf.length) {
      const caplen = dv.getUint32(off + 8, le);
      if (caplen > this.#snaplen)
        throw new CaptureError(CaptureErrorCode.CORRUPTION, `pcap record claims ${caplen} captured bytes`, this.#base + off);
      if (off + 16 + caplen > buf.length) break;
      const sec = dv.getUint32(off, le);
      const frac = dv.getUint32(off + 4, le);
      const origlen = dv.getUint32(off + 12, le);
      this.info.packets++;
      this.#onPacket(buf, off + 16, caplen, origlen, sec, frac * mul, lt);
      off += 16 + caplen;
    }
    return off;
  }

  #pcapngBlocks(buf: Uint8Array, start: number): number {
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let off = start;
    while (off + 12 <= buf.length) {
      let type = dv.getUint32(off, this.#le);
      if (dv.getUint32(off, true) === PCAPNG_SHB) {
        // a section header fixes the byte order of everything up to the next one
        if (off + 12 > buf.length) break;
        const bom = dv.getUint32(off + 8, true);
        if (bom === 0x1a2b3c4d) this.#le = true;
        else if (bom === 0x4d3c2b1a) this.#le = false;
        else throw new CaptureError(CaptureErrorCode.FORMAT, "pcapng section header with a bad byte-order magic", this.#base + off);
        type = PCAPNG_SHB;
      }
      const len = dv.getUint32(off + 4, this.#le);
      if (len < 12 || len % 4 !== 0 || len > this.#snaplen + 64 + 65536) {
        throw new CaptureError(CaptureErrorCode.CORRUPTION, `pcapng block with impossible length ${len}`, this.#base + off);
      }
      if (off + len > buf.length) break;
      if (dv.getUint32(off + len - 4, this.#le) !== len) {
        throw new CaptureError(
          CaptureErrorCode.CORRUPTION,
          "pcapng block's trailing length does not match its leading length",
          this.#base + off,
        );
      }
      this.#block(buf, dv, type, off, len);
      off += len;
    }
    return off;
  }

  #block(buf: Uint8Array, dv: DataView, type: number, off: number, len: number): void {
    const le = this.#le;
    const end = off + len - 4;
    switch (type) {
      case PCAPNG_SHB:
        this.#ifaces = [];
        return;
      case 1: {
        // interface description
        if (len < 20) throw new CaptureError(CaptureErrorCode.CORRUPTION, "short pcapng interface block", this.#base + off);
        const linktype = dv.getUint16(off + 8, le);
        const iface: Iface = { linktype, supported: this.#linkTypes?.(linktype) ?? true, unitsPerSec: 1e6, offsetSec: 0 };
        for (let o = off + 16; o + 4 <= end; ) {
          const code = dv.getUint16(o, le);
          const olen = dv.getUint16(o + 2, le);
          if (code === 0 || o + 4 + olen > end) break;
          if (code === 9 && olen >= 1) {
            const r = buf[o + 4]!;
            iface.unitsPerSec = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
          } else if (code === 14 && olen >= 8) {
            iface.offsetSec = dv.getUint32(o + 4 + (le ? 4 : 0), le) * 4294967296 + dv.getUint32(o + 4 + (le ? 0 : 4), le);
          }
          o += 4 + ((olen + 3) & ~3);
        }
        this.#ifaces.push(iface);
        return;
      }
      case 6:
      case 2: {
        // enhanced packet / obsolete packet block
        if (len < 32) throw new CaptureError(CaptureErrorCode.CORRUPTION, "short pcapng packet block", this.#base + off);
        const ifi = type === 6 ? dv.getUint32(off + 8, le) : dv.getUint16(off + 8, le);
        const caplen = dv.getUint32(off + 20, le);
        const origlen = dv.getUint32(off + 24, le);
        if (off + 28 + caplen > end)
          throw new CaptureError(CaptureErrorCode.CORRUPTION, "pcapng packet data runs past its block", this.#base + off);
        const iface = this.#iface(ifi, off);
        this.#emitStamped(buf, off + 28, caplen, origlen, iface, dv.getUint32(off + 12, le), dv.getUint32(off + 16, le));
        return;
      }
      case 3: {
        // simple packet block: no timestamp, interface 0
        if (len < 16) throw new CaptureError(CaptureErrorCode.CORRUPTION, "short pcapng simple packet block", this.#base + off);
        const iface = this.#iface(0, off);
        const origlen = dv.getUint32(off + 8, le);
        const caplen = Math.min(origlen, len - 16);
        this.info.packets++;
        this.#onPacket(buf, off + 12, caplen, origlen, 0, 0, iface.linktype);
        return;
      }
      default:
        return;
    }
  }

  /**
   * The interface a packet block at `off` names. One no interface block describes is corrupt
   * framing, as libpcap reads it ("a packet arrived on interface N, but there's no Interface
   * Description Block for that interface").
   */
  #iface(ifi: number, off: number): Iface {
    const iface = this.#ifaces[ifi];
    if (!iface)
      throw new CaptureError(
        CaptureErrorCode.CORRUPTION,
        `pcapng packet on interface ${ifi}, which no interface description block describes`,
        this.#base + off,
      );
    if (!iface.supported)
      throw new CaptureError(CaptureErrorCode.UNSUPPORTED, `unsupported link type ${iface.linktype} (pcapng interface ${ifi})`);
    return iface;
  }

  #emitStamped(buf: Uint8Array, off: number, caplen: number, origlen: number, iface: Iface, hi: number, lo: number): void {
    // 64-bit timestamp / unitsPerSec by long division in 16-bit digits: exact without BigInt
    const d = iface.unitsPerSec;
    let q = 0;
    let rem = 0;
    for (const digit of [hi >>> 16, hi & 0xffff, lo >>> 16, lo & 0xffff]) {
      const cur = rem * 65536 + digit;
      const qd = Math.floor(cur / d);
      rem = cur - qd * d;
      q = q * 65536 + qd;
    }
    const nsec = d <= 1e9 && 1e9 % d === 0 ? rem * (1e9 / d) : Math.floor(rem * (1e9 / d));
    this.info.packets++;
    this.#onPacket(buf, off, caplen, origlen, q + iface.offsetSec, nsec, iface.linktype);
  }
}

/**
 * Read a whole capture from `src`, calling `onPacket` for each record. `onChunk` runs after each
 * input chunk has been parsed, so a consumer can drain output (backpressure) before more is read.
 */
export async function readCapture(
  src: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  onPacket: PacketHandler,
  onChunk?: () => void | Promise<void>,
  options?: CaptureParserOptions,
): Promise<CaptureInfo> {
  const p = new CaptureParser(onPacket, options);
  for await (const chunk of src) {
    p.push(chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk as ArrayBuffer));
    if (onChunk) await onChunk();
  }
  p.end();
  return p.info;
}
