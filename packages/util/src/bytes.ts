/** Byte-array helpers: comparison, concatenation and a growable writer. */

/** memcmp-style comparison: shorter prefix sorts first. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** True when the two arrays hold the same bytes. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when `buf` starts with `prefix`. */
export function startsWith(buf: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > buf.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[i] !== prefix[i]) return false;
  return true;
}

/** Concatenate byte arrays into a fresh Uint8Array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Small byte arrays carved out of shared slabs, as Node's Buffer pool does: allocating a typed
 * array of its own costs more than filling a small one, and one of 64 bytes or less lives on the
 * V8 heap, where the first subarray() or .buffer of it moves its bytes out (~0.6 µs). A slab is
 * never reused, so each array stays valid while it is referenced, and keeps its whole slab alive:
 * code that keeps a few arrays for long should copy them (slice()) or use smaller slabs.
 */
export class SlabAllocator {
  readonly #size: number;
  #slab: ArrayBuffer;
  #used = 0;
  constructor(size = 64 * 1024) {
    this.#size = size;
    this.#slab = new ArrayBuffer(size);
  }

  /** A new zero-filled array of n bytes; from the current slab when n is at most an eighth of one. */
  alloc(n: number): Uint8Array {
    if (n > this.#size >>> 3) return new Uint8Array(n);
    if (this.#used + n > this.#size) {
      this.#slab = new ArrayBuffer(this.#size);
      this.#used = 0;
    }
    const o = new Uint8Array(this.#slab, this.#used, n);
    this.#used = (this.#used + n + 7) & ~7;
    return o;
  }
}

const shared = new SlabAllocator();

/** A new zero-filled array of n bytes, from a shared 64 KiB slab when small (see SlabAllocator). */
export function allocBytes(n: number): Uint8Array {
  return shared.alloc(n);
}

/** A plain Uint8Array copy of a view (safe for Buffers, whose slice() does not copy). */
export function copyBytes(view: Uint8Array): Uint8Array {
  const out = new Uint8Array(view.length);
  out.set(view);
  return out;
}

/**
 * Copy src[at, at + n) to o[p] and return p + n: short runs (most names, addresses and rdata) by a
 * loop, which is cheaper for them than a subarray and set(); longer ones by set().
 */
export function copyInto(o: Uint8Array, p: number, src: Uint8Array, at = 0, n = src.length - at): number {
  if (n < 32) for (let i = 0; i < n; i++) o[p++] = src[at + i]!;
  else {
    o.set(at === 0 && n === src.length ? src : src.subarray(at, at + n), p);
    p += n;
  }
  return p;
}

/** A DataView over exactly the bytes of `buf` (respects byteOffset of pooled Buffers). */
export function viewOf(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Append-only byte buffer that doubles its capacity. `bytes()` returns a view
 * valid until the next write or `reset()`.
 */
export class ByteWriter {
  buf: Uint8Array;
  length = 0;
  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
  }
  /** Make room for `n` more bytes. */
  reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.length));
    this.buf = nb;
  }
  byte(b: number): this {
    this.reserve(1);
    this.buf[this.length++] = b;
    return this;
  }
  bytes(src: Uint8Array): this {
    this.reserve(src.length);
    this.buf.set(src, this.length);
    this.length += src.length;
    return this;
  }
  varint(v: number): this {
    this.reserve(10);
    while (v >= 128) {
      this.buf[this.length++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.length++] = v;
    return this;
  }
  u16le(v: number): this {
    this.reserve(2);
    this.buf[this.length++] = v & 0xff;
    this.buf[this.length++] = (v >>> 8) & 0xff;
    return this;
  }
  u32le(v: number): this {
    this.reserve(4);
    this.buf[this.length++] = v & 0xff;
    this.buf[this.length++] = (v >>> 8) & 0xff;
    this.buf[this.length++] = (v >>> 16) & 0xff;
    this.buf[this.length++] = (v >>> 24) & 0xff;
    return this;
  }
  u16be(v: number): this {
    this.reserve(2);
    this.buf[this.length++] = (v >>> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
    return this;
  }
  u32be(v: number): this {
    this.reserve(4);
    this.buf[this.length++] = (v >>> 24) & 0xff;
    this.buf[this.length++] = (v >>> 16) & 0xff;
    this.buf[this.length++] = (v >>> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
    return this;
  }
  /** View of the written bytes; valid until the next write or reset. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
  /** A fresh copy of the written bytes. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
  reset(): void {
    this.length = 0;
  }
}
