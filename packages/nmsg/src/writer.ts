/**
 * NMSG writer with libnmsg's container sizing: payloads accumulate until the
 * next one would not fit in `bufsz` (estimated as libnmsg estimates), an
 * overfull container is split into fragments of bufsz − 32 bytes, and
 * `unbuffered` writes one container per payload.
 */
import { randomInt } from "node:crypto";
import { ByteWriter, varintLength } from "@dnsrep/util";
import { containerHeader, encodeFragment, encodeNmsg, FLAG_FRAGMENT, FLAG_ZLIB, fragmentCrc, zlibBody } from "./container.js";
import { encodePayload, type NmsgPayload, payloadCrc } from "./payload.js";

export type Sink = (container: Uint8Array) => void | Promise<void>;

export interface WriterOptions {
  zlib?: boolean;
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
  readonly #bufsz: number;
  readonly #unbuffered: boolean;
  readonly #sequence: boolean;
  readonly #seqId: bigint;
  #seq = 0;
  #packed: Uint8Array[] = [];
  #crcs: number[] = [];
  #estsz = 10;
  #w = new ByteWriter(4096);
  /** containers and payloads written */
  containers = 0;
  payloads = 0;

  constructor(sink: Sink, opts: WriterOptions = {}) {
    this.#sink = sink;
    this.#zlib = opts.zlib ?? false;
    const bufsz = opts.bufsz ?? WBUFSZ_MAX;
    if (!Number.isInteger(bufsz) || bufsz < WBUFSZ_MIN) throw new RangeError(`bufsz must be at least ${WBUFSZ_MIN}`);
    this.#bufsz = bufsz;
    this.#unbuffered = opts.unbuffered ?? false;
    this.#sequence = opts.sequence ?? false;
    this.#seqId = (BigInt(randomInt(0, 2 ** 32)) << 32n) | BigInt(randomInt(0, 2 ** 32));
  }

  /** Add a payload; writes containers as they fill. */
  async write(p: NmsgPayload): Promise<void> {
    const packed = encodePayload(p, this.#w);
    const npLen = packed.length;
    if (this.#packed.length > 0 && this.#estsz + npLen + 32 >= this.#bufsz) await this.flush();
    this.#packed.push(packed);
    this.#crcs.push(payloadCrc(p.payload));
    this.payloads++;
    this.#estsz += npLen + 1 + varintLength(npLen) + 6;
    if (this.#estsz + (this.#sequence ? 18 : 0) > this.#bufsz) await this.#emit(true);
    else if (this.#unbuffered) await this.flush();
  }

  /** Write the pending container, if any. */
  async flush(): Promise<void> {
    if (this.#packed.length > 0) await this.#emit(false);
  }

  async close(): Promise<void> {
    await this.flush();
  }

  async #emit(overfull: boolean): Promise<void> {
    const seq = this.#sequence ? { sequence: this.#seq++ >>> 0, sequenceId: this.#seqId } : undefined;
    const raw = encodeNmsg(this.#packed, this.#crcs, seq);
    this.#packed = [];
    this.#crcs = [];
    this.#estsz = 10;
    const body = this.#zlib ? zlibBody(raw) : raw;
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
