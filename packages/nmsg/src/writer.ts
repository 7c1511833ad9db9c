/**
 * NMSG writer with libnmsg's container sizing: payloads accumulate until the
 * next one would not fit in `bufsz` (estimated as libnmsg estimates), an
 * overfull container is split into fragments of bufsz − 32 bytes, and
 * `unbuffered` writes one container per payload.
 *
 * writeMessage encodes a message straight into the container (no array per
 * payload, no copy). Payload CRCs are summed a window of payloads at a time,
 * while their bytes are still in cache, in one wasm call per window.
 */
import { randomInt } from "node:crypto";
import { ByteWriter, putVarint, varintLength } from "@dnsrep/util";
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
import { Deflater, deflateRoom } from "./deflater.js";
import { fastCodecOf } from "./fastcodec.js";
import { encodeMessage, type MessageModule, type Msg } from "./module-registry.js";
import {
  headerSize,
  type NmsgPayload,
  type PayloadHeader,
  packedSizeWith,
  payloadCrcs,
  putHeader,
  putTrailer,
  trailerSize,
} from "./payload.js";
import { type RawBatch, rawPayloadAt } from "./raw-batch.js";

export type Sink = (container: Uint8Array) => void | Promise<void>;

/**
 * A message already laid out by its producer (for example a dnsqr built straight from captured
 * packet bytes): its encoded length, and a method putting exactly that many bytes at any position
 * of any buffer. NmsgWriter.writeEncoded puts it into the container with no array in between.
 */
export interface EncodedMessage {
  readonly length: number;
  putAt(o: Uint8Array, at: number): void;
}

/** An encoded message's bytes in an array of their own. */
export function encodedBytes(m: EncodedMessage): Uint8Array {
  const out = new Uint8Array(m.length);
  m.putAt(out, 0);
  return out;
}

export interface WriterOptions {
  zlib?: boolean;
  /** zlib implementation: "libnmsg" (default, nmsgtool's exact bytes) or "native" (Node's zlib: faster, other bytes) */
  zlibEngine?: ZlibEngine;
  /** container buffer size (default 1 MiB for files, as nmsgtool; libnmsg's minimum is 512) */
  bufsz?: number;
  unbuffered?: boolean;
  /** set sequence / sequence_id (socket outputs) */
  sequence?: boolean;
  /**
   * The sink is done with a container's bytes once it has returned (and its promise, if any, has
   * settled): the writer then fills those buffers again instead of a new one per container (no
   * garbage of container size; as many buffers as containers in the sink at once, plus one).
   */
  recycle?: boolean;
}

/** room writeMessage makes in the container before encoding a message (larger messages take the two-step path) */
const PUT_ROOM = 16384;
/** bytes of payloads summed per CRC call: a window still in cache */
const WINDOW = 32 * 1024;

/** the zlib stream of every writer (made on first use; writers of one thread take turns, each container deflated at once) */
let zstream: Deflater | undefined;
const deflater = (): Deflater => (zstream ??= new Deflater());

/** container buffers kept for reuse (recycle) */
const SPARE_MAX = 4;

/** n bytes, not zeroed: the sink only ever gets bytes written */
function allocate(n: number): Uint8Array {
  const u = Buffer.allocUnsafeSlow(n);
  return new Uint8Array(u.buffer, u.byteOffset, n);
}

export const WBUFSZ_MAX = 1048576;
export const WBUFSZ_MIN = 512;

/** what a payload added leaves to do: nothing, emit an overfull container, emit it (unbuffered) */
const Emit = { NONE: 0, FULL: 1, NOW: 2 } as const;
type Emit = (typeof Emit)[keyof typeof Emit];
/** what a run of raw payloads stopped for: nothing, a container to emit before the next (ROOM), or after the last (FULL, NOW) */
const Want = { NONE: 0, ROOM: 1, FULL: 2, NOW: 3 } as const;
type Want = (typeof Want)[keyof typeof Want];

export class NmsgWriter {
  readonly #sink: Sink;
  readonly #zlib: boolean;
  readonly #engine: ZlibEngine;
  readonly #bufsz: number;
  readonly #unbuffered: boolean;
  readonly #sequence: boolean;
  readonly #recycle: boolean;
  readonly #seqId: bigint;
  #seq = 0;
  #body = new ByteWriter(1 << 16);
  /** payloads in the pending container; the position and length of each one's message in #body, and its CRC once summed */
  #n = 0;
  #ranges = new Int32Array(2048);
  #crcs = new Uint32Array(1024);
  /** payloads whose CRC is summed, and where the last of them ends */
  #summed = 0;
  #sumFrom = HEADER_LEN;
  #estsz = 10;
  #want: Want = Want.NONE;
  /** with recycle: container buffers the sink has finished with */
  readonly #spare: Uint8Array[] = [];
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
    this.#recycle = opts.recycle ?? false;
    this.#seqId = (BigInt(randomInt(0, 2 ** 32)) << 32n) | BigInt(randomInt(0, 2 ** 32));
    this.#body.length = HEADER_LEN; // the body is written after room for the container header
  }

  /**
   * Add a payload whose message `m` lays out its own bytes (see EncodedMessage): the same
   * container, CRC and framing as write() of those bytes, with no copy in between.
   */
  writeEncoded(h: PayloadHeader, m: EncodedMessage): Promise<void> | undefined {
    const len = m.length;
    const npLen = packedSizeWith(h, len);
    const pending = this.#room(npLen);
    const o = this.#reserve(npLen);
    let q = this.#entry(o, npLen);
    q = putHeader(o, q, h, len);
    m.putAt(o, q);
    this.#body.length = putTrailer(o, q + len, h);
    return this.#then(pending, this.#added(q, len, npLen));
  }

  /**
   * Add a payload; writes containers as they fill. Returns a promise only
   * when a container was handed to the sink (await it for backpressure).
   */
  write(p: NmsgPayload): Promise<void> | undefined {
    const len = p.payload.length;
    const npLen = packedSizeWith(p, len);
    const pending = this.#room(npLen);
    const o = this.#reserve(npLen);
    let q = this.#entry(o, npLen);
    q = putHeader(o, q, p, len);
    o.set(p.payload, q);
    this.#body.length = putTrailer(o, q + len, p);
    return this.#then(pending, this.#added(q, len, npLen));
  }

  /**
   * Add payloads from..to-1 of a RawBatch (a container as read, raw-batch.ts): the same containers
   * as write() of each decoded payload, but a payload whose bytes are already NmsgWriter's is
   * copied as it is, with the CRC the batch summed, and a run of them that lies contiguous in the
   * batch is copied in one piece; the others are decoded and written. Returns a promise only when
   * a container was handed to the sink (the batch must stay valid until it settles).
   */
  writeRaw(b: RawBatch, from = 0, to: number = b.n): Promise<void> | undefined {
    for (let i = from; i < to; ) {
      let emit: Promise<void> | undefined;
      if (b.exact[i] === 0) {
        emit = this.write(rawPayloadAt(b, i));
        i++;
      } else {
        i = this.#addRun(b, i, to);
        const want = this.#want;
        this.#want = Want.NONE;
        if (want !== Want.NONE) emit = this.#emit(want === Want.FULL);
      }
      if (emit !== undefined) {
        const next = i;
        return emit.then(() => this.writeRaw(b, next, to));
      }
    }
    return undefined;
  }

  /**
   * Copy the exact payloads from i on that lie one after another in b, up to the first that needs
   * a container emitted (before it: #want ROOM, it is not added; after it: FULL or NOW); returns
   * the index after the last one added.
   */
  #addRun(b: RawBatch, i: number, to: number): number {
    const ent = b.ent;
    const bufsz = this.#bufsz;
    const runFrom = ent[3 * i] as number;
    let runTo = runFrom;
    // CRCs of payloads write() added are summed first: the summed ones stay a prefix
    if (this.#summed < this.#n) this.#sum();
    const body = this.#body;
    const outAt = body.length;
    let estsz = this.#estsz;
    let n = this.#n;
    let j = i;
    for (; j < to; j++) {
      const es = ent[3 * j] as number;
      if (b.exact[j] === 0 || es !== runTo) break;
      const npLen = (ent[3 * j + 2] as number) - (ent[3 * j + 1] as number);
      if (n > 0 && estsz + npLen + 32 >= bufsz) {
        this.#want = Want.ROOM;
        break;
      }
      if (2 * n + 2 > this.#ranges.length || n >= this.#crcs.length) this.#growRanges(n + 1);
      this.#ranges[2 * n] = outAt + (b.msg[2 * j] as number) - runFrom;
      this.#ranges[2 * n + 1] = b.msg[2 * j + 1] as number;
      this.#crcs[n] = b.crcs[j] as number;
      n++;
      runTo = ent[3 * j + 2] as number;
      estsz += npLen + 1 + varintLength(npLen) + 6;
      if (estsz + (this.#sequence ? 18 : 0) > bufsz) {
        this.#want = Want.FULL;
        j++;
        break;
      }
      if (this.#unbuffered) {
        this.#want = Want.NOW;
        j++;
        break;
      }
    }
    const len = runTo - runFrom;
    if (len > 0) {
      body.reserve(len);
      body.buf.set(b.buf.subarray(runFrom, runTo), outAt);
      body.length = outAt + len;
    }
    this.payloads += n - this.#n;
    this.#n = n;
    this.#summed = n;
    this.#sumFrom = body.length;
    this.#estsz = estsz;
    return j;
  }

  #growRanges(n: number): void {
    const cap = Math.max(n, this.#ranges.length);
    const r = new Int32Array(4 * cap);
    r.set(this.#ranges);
    this.#ranges = r;
    if (this.#crcs.length < 2 * cap) {
      const c = new Uint32Array(2 * cap);
      c.set(this.#crcs);
      this.#crcs = c;
    }
  }

  /**
   * Add a payload whose message is `m` of module `mod`, encoded straight into
   * the container: the same bytes as write({ ...h, payload: encodeMessage(mod, m) }).
   */
  writeMessage(h: PayloadHeader, mod: MessageModule, m: Msg): Promise<void> | undefined {
    const c = fastCodecOf(mod.type);
    if (c === null) return this.write({ ...h, payload: encodeMessage(mod, m) });
    // checked and encoded in one pass, after room for the entry's tag and header with 2-byte
    // lengths (a message of 128 bytes to 16 KiB); moved if the lengths take other sizes
    const b = this.#body;
    b.reserve(PUT_ROOM);
    const o = b.buf;
    const e = b.length;
    const hs = headerSize(h);
    const at = e + 3 + hs + 2;
    const stop = c.put(m, o, at, o.length - 64); // it may write 16 bytes past the limit; 6 more for a longer length, 18 for the trailer
    if (stop < 0) return this.write({ ...h, payload: encodeMessage(mod, m) }); // protobufjs decides, or a message larger than the room
    const len = stop - at;
    const npLen = hs + varintLength(len) + len + trailerSize(h);
    const shift = varintLength(len) + varintLength(npLen) - 4;
    if (shift !== 0) o.copyWithin(at + shift, at, stop);
    let q = this.#entry(o, npLen);
    q = putHeader(o, q, h, len);
    b.length = putTrailer(o, q + len, h);
    let pending: Promise<void> | undefined;
    if (this.#n > 0 && this.#estsz + npLen + 32 >= this.#bufsz) {
      // the container is full without it (as libnmsg decides): emit the container before it, then move it into the next
      const entry = o.slice(e, b.length);
      b.length = e;
      pending = this.#emit(false);
      q += b.length - e;
      b.reserve(entry.length);
      b.buf.set(entry, b.length);
      b.length += entry.length;
    }
    return this.#then(pending, this.#added(q, len, npLen));
  }

  /** The promise a write returns: the container emitted before the payload, then the one it completed (the sink is never called again before it settled). */
  #then(pending: Promise<void> | undefined, emit: Emit): Promise<void> | undefined {
    if (emit === Emit.NONE) return pending;
    if (pending === undefined) return this.#emit(emit === Emit.FULL);
    return pending.then(() => this.#emit(emit === Emit.FULL));
  }

  /** Emit the pending container first when a payload of npLen bytes would not fit (as libnmsg decides). */
  #room(npLen: number): Promise<void> | undefined {
    if (this.#n > 0 && this.#estsz + npLen + 32 >= this.#bufsz) return this.#emit(false);
    return undefined;
  }

  /** Room for a payloads entry of npLen bytes; the body's buffer. */
  #reserve(npLen: number): Uint8Array {
    this.#body.reserve(npLen + 6);
    return this.#body.buf;
  }

  /** The entry's tag and length at the end of the body; returns where the payload goes. */
  #entry(o: Uint8Array, npLen: number): number {
    const q = this.#body.length;
    o[q] = 0x0a;
    return putVarint(o, q + 1, npLen);
  }

  /** Account for the payload just added (its message at [at, at + len)); whether the container is to be emitted now. */
  #added(at: number, len: number, npLen: number): Emit {
    const i = this.#n++;
    if (2 * this.#n > this.#ranges.length) {
      const r = new Int32Array(2 * this.#ranges.length);
      r.set(this.#ranges);
      this.#ranges = r;
    }
    this.#ranges[2 * i] = at;
    this.#ranges[2 * i + 1] = len;
    if (at + len - this.#sumFrom >= WINDOW) this.#sum();
    this.payloads++;
    this.#estsz += npLen + 1 + varintLength(npLen) + 6;
    if (this.#estsz + (this.#sequence ? 18 : 0) > this.#bufsz) return Emit.FULL;
    return this.#unbuffered ? Emit.NOW : Emit.NONE;
  }

  /** Sum the CRCs of the payloads added since the last sum. */
  #sum(): void {
    const n = this.#n;
    if (this.#summed === n) return;
    if (this.#crcs.length < n) {
      const c = new Uint32Array(Math.max(n, 2 * this.#crcs.length));
      c.set(this.#crcs);
      this.#crcs = c;
    }
    const r = this.#ranges;
    const start = r[2 * this.#summed] as number;
    const end = (r[2 * n - 2] as number) + (r[2 * n - 1] as number);
    payloadCrcs(this.#body.buf, start, end, r, this.#summed, n, this.#crcs);
    this.#summed = n;
    this.#sumFrom = end;
  }

  /** Write the pending container, if any. */
  async flush(): Promise<void> {
    if (this.#n > 0) await this.#emit(false);
  }

  async close(): Promise<void> {
    await this.flush();
  }

  async #emit(overfull: boolean): Promise<void> {
    const b = this.#body;
    this.#sum();
    const n = this.#n;
    b.reserve(6 * n);
    const crcs = this.#crcs;
    let q = b.length;
    for (let i = 0; i < n; i++) {
      b.buf[q] = 0x10;
      q = putVarint(b.buf, q + 1, crcs[i] as number);
    }
    b.length = q;
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
    this.#n = 0;
    this.#summed = 0;
    this.#sumFrom = HEADER_LEN;
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
      if (this.#recycle) {
        // the next container goes into a buffer the sink has finished with (a new one while none has)
        c = o.subarray(0, b.length);
        b.buf = this.#take(o.length);
        b.length = HEADER_LEN;
        this.containers++;
        try {
          await this.#sink(c);
        } finally {
          this.#giveBack(o);
        }
        return;
      }
      if (b.length * 2 >= o.length) {
        c = o.subarray(0, b.length);
        // the next container is about as large: an eighth more room, not a zero-filled copy of this
        // buffer's size (twice the container's after growing). The sink only ever gets bytes written.
        b.buf = allocate(b.length + (b.length >>> 3) + PUT_ROOM);
      } else c = o.slice(0, b.length);
      b.length = HEADER_LEN;
      this.containers++;
      await this.#sink(c);
      return;
    }
    let body: Uint8Array;
    if (this.#zlib && this.#engine === "libnmsg") {
      // deflated straight after room for the header and the be32 raw length, by the one zlib stream
      const raw = b.buf.subarray(HEADER_LEN, b.length);
      const o = this.#take(HEADER_LEN + 4 + deflateRoom(raw.length));
      const end = deflater().deflateInto(raw, o, HEADER_LEN + 4);
      b.length = HEADER_LEN;
      const zlen = end - HEADER_LEN;
      o[10] = raw.length >>> 24;
      o[11] = (raw.length >>> 16) & 255;
      o[12] = (raw.length >>> 8) & 255;
      o[13] = raw.length & 255;
      if (!overfull || zlen + HEADER_LEN <= this.#bufsz) {
        o.set(containerHeader(FLAG_ZLIB, zlen));
        this.containers++;
        if (!this.#recycle) {
          // the sink keeps what it is given: a copy at its size, and the buffer kept for the next container
          const c = o.slice(0, end);
          this.#giveBack(o);
          await this.#sink(c);
          return;
        }
        try {
          await this.#sink(o.subarray(0, end));
        } finally {
          this.#giveBack(o);
        }
        return;
      }
      body = o.slice(HEADER_LEN, end);
      this.#giveBack(o);
    } else {
      // Node's zlib reads the body at once into a new array; an uncompressed body to fragment is kept across the sink's awaits
      body = this.#zlib ? zlibBody(b.buf.subarray(HEADER_LEN, b.length), this.#engine) : b.buf.slice(HEADER_LEN, b.length);
      b.length = HEADER_LEN;
    }
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

  /** A buffer of at least n bytes: one the sink has finished with (recycle), else a new one. */
  #take(n: number): Uint8Array {
    const o = this.#spare.pop();
    return o !== undefined && o.length >= n ? o : allocate(n);
  }

  /** A buffer the sink has finished with, kept for #take. */
  #giveBack(o: Uint8Array): void {
    if (this.#spare.length < SPARE_MAX) this.#spare.push(o);
  }

  async #out(flags: number, body: Uint8Array): Promise<void> {
    const c = new Uint8Array(10 + body.length);
    c.set(containerHeader(flags, body.length));
    c.set(body, 10);
    this.containers++;
    await this.#sink(c);
  }
}
