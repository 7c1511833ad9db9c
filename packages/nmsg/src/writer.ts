/**
 * NMSG writer with libnmsg's container sizing: payloads accumulate until the
 * next one would not fit in `bufsz` (estimated as libnmsg estimates), an
 * overfull container is split into fragments of bufsz − 32 bytes, and
 * `unbuffered` writes one container per payload.
 */
import { randomInt } from "node:crypto";
import { ByteWriter, varintLength } from "@dnsrep/util";
import {
  containerHeader,
  encodeFragment,
  FLAG_FRAGMENT,
  FLAG_ZLIB,
  fragmentCrc,
  HEADER_LEN,
  MAGIC,
  VERSION,
  type ZlibEngine,
  zlibBody,
} from "./container.js";
import { appendPayload, type NmsgPayload, packedPayloadSize, payloadCrc } from "./payload.js";

export type Sink = (container: Uint8Array) => void | Promise<void>;

export interface WriterOptions {
  zlib?: boolean;
  /** zlib implementation: "libnmsg" (default, nmsgtool's exact bytes) or "native" (Node's zlib: faster, other bytes) */
  zlibEngine?: ZlibEngine;
  /** container buffer size (default 1 MiB for files, as nmsgtool; libnmsg's minimum is 512) */
  bufsz?: number;
  unbuffered?: boolean;
  /** set sequence / sequence_id (socket outputs) */
  sequence?: boolean;
}

export const WBUFSZ_MAX = 1048576;
export const WBUFSZ_MIN = 512;

export class NmsgWriter {
  readonly #sink: Sink;
  readonly #zlib: boolean;
  readonly #engine: ZlibEngine;
  readonly #bufsz: number;
  readonly #unbuffered: boolean;
  readonly #sequence: boolean;
  readonly #seqId: bigint;
  #seq = 0;
  #body = new ByteWriter(1 << 16);
  #crcs: number[] = [];
  #estsz = 10;
  /** containers and payloads written */
  containers = 0;
  payloads = 0;

  constructor(sink: Sink, opts: WriterOptions = {}) {
    this.#sink = sink;
    this.#zlib = opts.zlib ?? false;
    this.#engine = opts.zlibEngine ?? "libnmsg";
    const bufsz = opts.bufsz ?? WBUFSZ_MAX;
    if (!Number.isInteger(bufsz) || bufsz < WBUFSZ_MIN) throw new RangeError(`bufsz must be at least ${WBUFSZ_MIN}`);
    this.#bufsz = bufsz;
    this.#unbuffered = opts.unbuffered ?? false;
    this.#sequence = opts.sequence ?? false;
    this.#seqId = (BigInt(randomInt(0, 2 ** 32)) << 32n) | BigInt(randomInt(0, 2 ** 32));
    this.#body.length = HEADER_LEN; // the body is written after room for the container header
  }

  /**
   * Add a payload; writes containers as they fill. Returns a promise only
   * when a container was handed to the sink (await it for backpressure).
   */
  write(p: NmsgPayload): Promise<void> | undefined {
    const npLen = packedPayloadSize(p);
    let pending: Promise<void> | undefined;
    if (this.#crcs.length > 0 && this.#estsz + npLen + 32 >= this.#bufsz) pending = this.#emit(false);
    if (pending) return pending.then(() => this.#add(p, npLen));
    return this.#add(p, npLen);
  }

  #add(p: NmsgPayload, npLen: number): Promise<void> | undefined {
    const b = this.#body;
    appendPayload(p, b, npLen);
    this.#crcs.push(payloadCrc(p.payload));
    this.payloads++;
    this.#estsz += npLen + 1 + varintLength(npLen) + 6;
    if (this.#estsz + (this.#sequence ? 18 : 0) > this.#bufsz) return this.#emit(true);
    if (this.#unbuffered) return this.#emit(false);
    return undefined;
  }

  /** Write the pending container, if any. */
  async flush(): Promise<void> {
    if (this.#crcs.length > 0) await this.#emit(false);
  }

  async close(): Promise<void> {
    await this.flush();
  }

  async #emit(overfull: boolean): Promise<void> {
    const b = this.#body;
    for (const c of this.#crcs) b.byte(0x10).varint(c);
    if (this.#sequence) {
      b.byte(0x18).varint(this.#seq++ >>> 0);
      b.byte(0x20);
      let x = this.#seqId;
      while (x >= 128n) {
        b.byte(Number(x & 127n) | 128);
        x >>= 7n;
      }
      b.byte(Number(x));
    }
    this.#crcs = [];
    this.#estsz = 10;
    const len = b.length - HEADER_LEN;
    if (!this.#zlib && (!overfull || len + HEADER_LEN <= this.#bufsz)) {
      // a plain container: header in place, and the buffer handed to the sink as it is when the
      // container fills most of it (a new buffer for the next one), else copied out at its size
      const o = b.buf;
      o.set(MAGIC, 0);
      o[4] = 0;
      o[5] = VERSION;
      o[6] = len >>> 24;
      o[7] = (len >>> 16) & 255;
      o[8] = (len >>> 8) & 255;
      o[9] = len & 255;
      let c: Uint8Array;
      if (b.length * 2 >= o.length) {
        c = o.subarray(0, b.length);
        b.buf = new Uint8Array(o.length);
      } else c = o.slice(0, b.length);
      b.length = HEADER_LEN;
      this.containers++;
      await this.#sink(c);
      return;
    }
    const raw = b.buf.slice(HEADER_LEN, b.length);
    b.length = HEADER_LEN;
    const body = this.#zlib ? zlibBody(raw, this.#engine) : raw;
    const flags = this.#zlib ? FLAG_ZLIB : 0;
    if (!overfull || body.length + 10 <= this.#bufsz) {
      await this.#out(flags, body);
      return;
    }
    const fsize = this.#bufsz - 32;
    const last = Math.ceil(body.length / fsize) - 1;
    const id = randomInt(0, 2 ** 32);
    const crc = fragmentCrc(body);
    for (let i = 0; i <= last; i++) {
      const frag = encodeFragment({ id, current: i, last, fragment: body.subarray(i * fsize, (i + 1) * fsize), crc });
      await this.#out(flags | FLAG_FRAGMENT, frag);
    }
  }

  async #out(flags: number, body: Uint8Array): Promise<void> {
    const c = new Uint8Array(10 + body.length);
    c.set(containerHeader(flags, body.length));
    c.set(body, 10);
    this.containers++;
    await this.#sink(c);
  }
}
