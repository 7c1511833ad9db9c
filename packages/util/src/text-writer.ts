/**
 * Text built as bytes: a growable (plain) Uint8Array that presentation printers write into (ASCII digits,
 * escapes, names) instead of concatenating strings, so a tool can hand whole chunks of output to
 * its stream with no string per field. `text()` of the result reads it back when a caller wants a
 * string (one implementation of each printer, two ways to take its output).
 */
const latin1Write = Buffer.prototype.latin1Write as (this: Uint8Array, s: string, offset: number) => number;
const utf8Write = Buffer.prototype.utf8Write as (this: Uint8Array, s: string, offset: number, length: number) => number;
const utf8Slice = Buffer.prototype.utf8Slice as (this: Uint8Array, start: number, end: number) => string;

const HEX_LOWER = Uint8Array.from("0123456789abcdef", (c) => c.charCodeAt(0));
const HEX_UPPER = Uint8Array.from("0123456789ABCDEF", (c) => c.charCodeAt(0));
/** the two ASCII digits of 0..99, as one 16-bit pair each */
const PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i & 1 ? (i >> 1) % 10 : ((i >> 1) / 10) | 0));

/** How many decimal digits a non-negative integer has. */
function decimalDigits(n: number): number {
  if (n < 100) return n < 10 ? 1 : 2;
  if (n < 10000) return n < 1000 ? 3 : 4;
  if (n < 1000000) return n < 100000 ? 5 : 6;
  if (n < 100000000) return n < 10000000 ? 7 : 8;
  let digits = 9;
  for (let t = Math.floor(n / 1e9); t >= 1; t = Math.floor(t / 10)) digits++;
  return digits;
}

const encoder = new TextEncoder();
/** A string's UTF-8 bytes as a plain Uint8Array (the printers copy plain arrays only: one element kind to load). */
export function utf8Bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

export class TextWriter {
  /** the bytes written so far are buf[0, pos) */
  buf: Uint8Array;
  pos = 0;
  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
  }

  /** Make room for `n` more bytes (the array is replaced by a larger copy when it is too small). */
  reserve(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  grow(n: number): void {
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.pos));
    this.buf = nb;
  }

  byte(c: number): void {
    if (this.pos >= this.buf.length) this.grow(1);
    this.buf[this.pos++] = c;
  }

  /** Bytes as they are: text already encoded, a constant's bytes, a name from a table. */
  raw(b: Uint8Array): void {
    const n = b.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    const t = this.buf;
    let o = this.pos;
    for (let i = 0; i < n; i++) t[o++] = b[i] as number;
    this.pos = o;
  }

  /** b[start, end) as it is. */
  rawRange(b: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (this.pos + n > this.buf.length) this.grow(n);
    this.buf.set(b.subarray(start, end), this.pos);
    this.pos += n;
  }

  /** A string whose characters are all below 256, one byte each (ASCII text, latin1). */
  latin1(s: string): void {
    const n = s.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    const b = this.buf;
    let o = this.pos;
    if (n < 64) for (let i = 0; i < n; i++) b[o++] = s.charCodeAt(i);
    else o += latin1Write.call(b, s, o);
    this.pos = o;
  }

  /** Any string, as UTF-8 (what a stream writes for a string); ASCII-only strings take the latin1 path. */
  text(s: string): void {
    const n = s.length;
    let ascii = true;
    for (let i = 0; i < n; i++)
      if (s.charCodeAt(i) > 0x7f) {
        ascii = false;
        break;
      }
    if (ascii) this.latin1(s);
    else {
      this.reserve(3 * n);
      this.pos += utf8Write.call(this.buf, s, this.pos, 3 * n);
    }
  }

  /** Decimal text of a non-negative integer below 2^53 (as String(n)). */
  uint(n: number): void {
    if (n < 10) {
      this.byte(48 + n);
      return;
    }
    this.reserve(16);
    const b = this.buf;
    const digits = decimalDigits(n);
    let o = this.pos + digits;
    this.pos = o;
    let v = n;
    while (v >= 4294967296) {
      const q = Math.floor(v / 10);
      b[--o] = 48 + (v - q * 10);
      v = q;
    }
    v >>>= 0;
    while (v >= 100) {
      const q = (v / 100) >>> 0;
      const r = (v - q * 100) << 1;
      b[--o] = PAIRS[r + 1] as number;
      b[--o] = PAIRS[r] as number;
      v = q;
    }
    if (v >= 10) {
      b[--o] = PAIRS[(v << 1) + 1] as number;
      b[--o] = PAIRS[v << 1] as number;
    } else b[--o] = 48 + v;
  }

  /** Any number as String(n) prints it (integers written directly, others through their string). */
  number(n: number): void {
    if (Number.isSafeInteger(n) && !Object.is(n, -0)) {
      if (n < 0) {
        this.byte(0x2d);
        this.uint(-n);
      } else this.uint(n);
    } else this.latin1(String(n));
  }

  /** A non-negative integer zero-padded to at least `width` digits (printf %0*u). */
  padded(n: number, width: number): void {
    const digits = decimalDigits(n);
    if (digits < width) {
      this.reserve(width - digits);
      for (let i = digits; i < width; i++) this.buf[this.pos++] = 48;
    }
    this.uint(n);
  }

  /** b[start, end) as hex digits, two a byte, no separators. */
  hex(b: Uint8Array, start: number, end: number, upper = false): void {
    const H = upper ? HEX_UPPER : HEX_LOWER;
    this.reserve(2 * (end - start));
    const o = this.buf;
    let p = this.pos;
    for (let i = start; i < end; i++) {
      const c = b[i] as number;
      o[p++] = H[c >> 4] as number;
      o[p++] = H[c & 15] as number;
    }
    this.pos = p;
  }

  /** A 32-bit value as lower-case hex, zero-padded to `width` digits (printf %0*x). */
  hex32(n: number, width: number): void {
    const v = n >>> 0;
    let digits = 1;
    for (let t = v; t >= 16; t = Math.floor(t / 16)) digits++;
    const w = Math.max(width, digits);
    this.reserve(w);
    let o = this.pos + w;
    this.pos = o;
    let t = v;
    for (let i = 0; i < w; i++) {
      this.buf[--o] = HEX_LOWER[t & 15] as number;
      t >>>= 4;
    }
  }

  /** What was written from `start` on, as a string (UTF-8; ASCII is the usual case). */
  textFrom(start = 0): string {
    return utf8Slice.call(this.buf, start, this.pos);
  }
}

/**
 * A printer's output as a string: run `print` on a scratch TextWriter and read back what it wrote
 * (the string form of a printer that writes bytes; the scratch is reused, so not reentrant across
 * nested calls — each call takes its own start).
 */
const scratch = new TextWriter(1024);
export function textOf(print: (w: TextWriter) => void): string {
  const start = scratch.pos;
  try {
    print(scratch);
    return scratch.textFrom(start);
  } finally {
    scratch.pos = start;
  }
}
