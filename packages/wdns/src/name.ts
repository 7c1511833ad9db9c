/**
 * Domain names in wire form: decompression (backward pointers only, length
 * limits), presentation (libwdns escaping), text → wire, downcase, reversal.
 * Names stay bytes until printed; labels are never decoded as UTF-8.
 */
import { type TextWriter, textOf } from "@dnsrep/util";
import { WdnsError, WdnsErrorCode } from "./errors.js";

export const MAXLEN_NAME = 255;

/**
 * Uncompress the name at `off` of message `pkt` (bounded by `eop`), following
 * only pointers that point backwards (libwdns's rule; a pointer to the single
 * byte before it is allowed only when that byte is the root label).
 * Returns the uncompressed wire name (a fresh array).
 */
export function unpackName(pkt: Uint8Array, eop: number, off: number): Uint8Array {
  const end = unpackNameInto(pkt, eop, off, SCRATCH, 0);
  return SCRATCH.slice(0, end);
}

const SCRATCH = new Uint8Array(MAXLEN_NAME + 1);

/**
 * Uncompress the name at `off` into `dst` at `dpos`; returns the offset in
 * `dst` after the name. `dst` must have MAXLEN_NAME bytes of room.
 */
export function unpackNameInto(pkt: Uint8Array, eop: number, off: number, dst: Uint8Array, dpos: number): number {
  if (eop <= 0 || off >= eop || off < 0) throw new WdnsError(WdnsErrorCode.OUT_OF_BOUNDS);
  let total = 0;
  let d = dpos;
  let src = off;
  let wireEnd = -1;
  for (;;) {
    if (src >= eop) throw new WdnsError(WdnsErrorCode.OUT_OF_BOUNDS);
    const c = pkt[src++] as number;
    if (c === 0) break;
    if (c >= 192) {
      if (src >= eop) throw new WdnsError(WdnsErrorCode.OUT_OF_BOUNDS);
      if (wireEnd < 0) wireEnd = src + 1;
      const cptr = ((c & 63) << 8) + (pkt[src] as number);
      if (cptr > eop) throw new WdnsError(WdnsErrorCode.INVALID_COMPRESSION_POINTER);
      if (cptr === src - 1 && pkt[src - 1] === 0) src = cptr;
      else if (cptr > src - 2) throw new WdnsError(WdnsErrorCode.INVALID_COMPRESSION_POINTER);
      else src = cptr;
    } else if (c <= 63) {
      total++;
      if (total >= MAXLEN_NAME) throw new WdnsError(WdnsErrorCode.NAME_OVERFLOW);
      dst[d++] = c;
      total += c;
      if (total >= MAXLEN_NAME) throw new WdnsError(WdnsErrorCode.NAME_OVERFLOW);
      if (src + c > eop) throw new WdnsError(WdnsErrorCode.OUT_OF_BOUNDS);
      for (let i = 0; i < c; i++) dst[d++] = pkt[src++] as number;
    } else {
      throw new WdnsError(WdnsErrorCode.INVALID_LENGTH_OCTET);
    }
  }
  dst[d++] = 0;
  unpacked.wireEnd = wireEnd < 0 ? src : wireEnd;
  return d;
}

/** Where the last unpackNameInto() call's name ended in the message (after its first pointer or root label). */
export const unpacked = { wireEnd: 0 };

/** Offset just past a possibly compressed name (libwdns wdns_skip_name, clamped to `eod`). */
export function skipName(buf: Uint8Array, off: number, eod: number): number {
  let src = off;
  while (src <= eod) {
    const c = src < buf.length ? (buf[src] as number) : 0;
    if (c === 0) break;
    if (c >= 192) {
      src++;
      break;
    }
    src += c + 1;
  }
  src++;
  return Math.min(src, eod);
}

/**
 * libwdns wdns_len_uname: length of the uncompressed name at buf[off, end).
 * A name that runs to `end` without its root label yields one byte more than
 * is there (libwdns's arithmetic; the printer then shows an extra ".").
 */
export function lenUname(buf: Uint8Array, off: number, end: number): number {
  if (off >= end) throw new WdnsError(WdnsErrorCode.OVERFLOW);
  const olen = end - off;
  let len = olen;
  let p = off;
  let ranOut = true;
  while (len-- !== 0) {
    const oc = buf[p++] as number;
    if (oc > 63 || oc > len) throw new WdnsError(WdnsErrorCode.INVALID_LENGTH_OCTET);
    if (oc === 0) {
      ranOut = false;
      break;
    }
    p += oc;
    len -= oc;
  }
  const sz = ranOut ? olen + 1 : olen - len;
  if (sz > MAXLEN_NAME) throw new WdnsError(WdnsErrorCode.NAME_LEN);
  return sz;
}

/**
 * Length of the uncompressed wire name at `offset` (its root label included), or -1 if it is not a
 * valid one: it runs past the buffer, has a label over 63 bytes (or a compression pointer), or is
 * longer than `max` bytes — 255 (MAXLEN_NAME) by default, as libwdns checks names; dnstable reads
 * its keys' names with no cap (`Infinity`), as libdnstable does.
 */
export function nameLength(buf: Uint8Array, offset: number, max: number = MAXLEN_NAME): number {
  let p = offset;
  for (;;) {
    if (p >= buf.length) return -1;
    const c = buf[p] as number;
    if (c > 63) return -1;
    p += c + 1;
    if (p - offset > max) return -1;
    if (c === 0) return p - offset;
  }
}

/**
 * Presentation form exactly as libwdns wdns_domain_to_str: labels joined by
 * ".", a trailing ".", `.` and `\` escaped with a backslash, bytes outside
 * '!'..'~' as \DDD; the root is ".". `len` bounds how many bytes are read; it may
 * run one length byte past the end of `buf` (see lenUname), which shows as an extra ".".
 */
export function domainToString(buf: Uint8Array, start = 0, len = buf.length - start): string {
  return textOf((w) => writeDomain(w, buf, start, len));
}

/** domainToString's text written into `w` (ASCII only). */
export function writeDomain(w: TextWriter, buf: Uint8Array, start = 0, len = buf.length - start): void {
  const end = start + len;
  // at most 4 characters per byte (\DDD; "undefined" for a byte read past the end), and the root's "."
  w.reserve(9 * len + 2);
  const t = w.buf;
  let o = w.pos;
  let remaining = len;
  let read = 0;
  let p = start;
  let oclen = p < buf.length ? (buf[p] as number) : 1;
  while (remaining > 0 && oclen !== 0) {
    p++;
    remaining--;
    // a length byte past the end of `buf` (-1) labels nothing but is not the root
    read += oclen < 0 ? 1 : oclen + 1;
    while (oclen > 0 && remaining > 0) {
      oclen--;
      const c = buf[p++];
      remaining--;
      if (c === undefined) o = undefinedText(t, o);
      else if (c >= 0x21 && c <= 0x7e) {
        if (c === 0x2e || c === 0x5c) t[o++] = 0x5c;
        t[o++] = c;
      } else {
        t[o++] = 0x5c;
        t[o++] = 48 + ((c / 100) | 0);
        t[o++] = 48 + (((c / 10) | 0) % 10);
        t[o++] = 48 + (c % 10);
      }
    }
    t[o++] = 0x2e;
    oclen = p < end ? (p < buf.length ? (buf[p] as number) : -1) : 1;
  }
  if (read === 0) t[o++] = 0x2e;
  w.pos = o;
}

/** What the string-built form showed for a byte read past the end of the data. */
function undefinedText(t: Uint8Array, o: number): number {
  for (let i = 0; i < 9; i++) t[o++] = "undefined".charCodeAt(i);
  return o;
}

/** "www.example.com." for a wire name. */
export function nameToString(wire: Uint8Array): string {
  return domainToString(wire, 0, wire.length);
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * Text → wire name (libwdns wdns_str_to_name rules: `\X` and `\DDD` escapes,
 * empty labels rejected, 255-byte limit). Case is kept unless `downcase`.
 */
export function nameFromString(text: string, downcase = false): Uint8Array {
  if (text === "" || text === ".") return new Uint8Array([0]);
  // built in one scratch array (no closures, no 255-byte array per call), copied out at the end
  const out = nameScratch;
  let d = 1;
  let labelStart = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    let c = text.charCodeAt(i++);
    if (c > 255) badName(text);
    if (c === 0x5c) {
      if (i >= n) badName(text);
      const e = text.charCodeAt(i);
      if (isDigit(e)) {
        if (i + 3 > n || !isDigit(text.charCodeAt(i + 1)) || !isDigit(text.charCodeAt(i + 2))) badName(text);
        const v = (e - 48) * 100 + (text.charCodeAt(i + 1) - 48) * 10 + (text.charCodeAt(i + 2) - 48);
        if (v > 255) badName(text);
        if (d >= MAXLEN_NAME) nameTooLong(text);
        out[d++] = v;
        i += 3;
      } else {
        if (e > 255) badName(text);
        if (d >= MAXLEN_NAME) nameTooLong(text);
        out[d++] = e;
        i++;
      }
    } else if (c === 0x2e) {
      const ll = d - labelStart - 1;
      if (ll === 0 || ll > 63) badName(text);
      out[labelStart] = ll;
      labelStart = d;
      if (i === n) {
        out[d++] = 0; // trailing dot: root label
        return out.slice(0, d);
      }
      if (d >= MAXLEN_NAME) nameTooLong(text);
      out[d++] = 0;
    } else {
      if (downcase && c >= 0x41 && c <= 0x5a) c |= 0x20;
      if (d >= MAXLEN_NAME) nameTooLong(text);
      out[d++] = c;
    }
  }
  const ll = d - labelStart - 1;
  if (ll === 0 || ll > 63) badName(text);
  out[labelStart] = ll;
  if (d >= MAXLEN_NAME) throw new WdnsError(WdnsErrorCode.NAME_OVERFLOW);
  out[d++] = 0;
  return out.slice(0, d);
}

const nameScratch = new Uint8Array(MAXLEN_NAME);
function badName(text: string): never {
  throw new WdnsError(WdnsErrorCode.PARSE_ERROR, `bad domain name: ${JSON.stringify(text)}`);
}
function nameTooLong(text: string): never {
  throw new WdnsError(WdnsErrorCode.NAME_OVERFLOW, `name too long: ${JSON.stringify(text)}`);
}

/** A downcased copy (ASCII A–Z only, as libwdns). */
export function downcaseName(wire: Uint8Array): Uint8Array {
  const out = wire.slice();
  downcaseNameInPlace(out, 0, out.length);
  return out;
}

/** Downcase the labels of an uncompressed name in buf[start, end). */
export function downcaseNameInPlace(buf: Uint8Array, start: number, end: number): void {
  let p = start;
  while (p < end) {
    const l = buf[p] as number;
    if (l === 0) break;
    const stop = Math.min(end, p + 1 + l);
    for (let i = p + 1; i < stop; i++) {
      const c = buf[i] as number;
      if (c >= 0x41 && c <= 0x5a) buf[i] = c | 0x20;
    }
    p = stop;
  }
}

/** Whether the names a[ai, ai + al) and b[bi, bi + bl) are equal, ignoring ASCII case. */
export function sameNameAt(a: Uint8Array, ai: number, al: number, b: Uint8Array, bi: number, bl: number): boolean {
  if (al !== bl) return false;
  for (let i = 0; i < al; i++) {
    let x = a[ai + i]!;
    let y = b[bi + i]!;
    if (x >= 0x41 && x <= 0x5a) x |= 0x20;
    if (y >= 0x41 && y <= 0x5a) y |= 0x20;
    if (x !== y) return false;
  }
  return true;
}

/** Split an uncompressed name into label start offsets (without the root). */
function labelOffsets(wire: Uint8Array): number[] {
  const offs: number[] = [];
  let p = 0;
  while (p < wire.length && wire[p] !== 0) {
    offs.push(p);
    p += (wire[p] as number) + 1;
  }
  return offs;
}

/** Labels in reverse order, still length-prefixed, 0-terminated (dnstable's key order). */
export function reverseName(wire: Uint8Array): Uint8Array {
  const offs = labelOffsets(wire);
  const out = new Uint8Array(wire.length);
  let d = 0;
  for (let i = offs.length - 1; i >= 0; i--) {
    const o = offs[i] as number;
    const l = (wire[o] as number) + 1;
    out.set(wire.subarray(o, o + l), d);
    d += l;
  }
  out[d++] = 0;
  return out.subarray(0, d);
}

/** Number of labels (root = 0). */
export function countLabels(wire: Uint8Array): number {
  return labelOffsets(wire).length;
}

/** True when `child` is at or below `parent` (case-insensitive). */
export function isSubdomain(child: Uint8Array, parent: Uint8Array): boolean {
  if (parent.length > child.length) return false;
  const offs = labelOffsets(child);
  const skip = child.length - parent.length;
  if (skip !== 0 && skip !== child.length - 1 && !offs.includes(skip)) return false;
  for (let i = 0; i < parent.length; i++) {
    let a = child[skip + i] as number;
    let b = parent[i] as number;
    if (a >= 0x41 && a <= 0x5a) a |= 0x20;
    if (b >= 0x41 && b <= 0x5a) b |= 0x20;
    if (a !== b) return false;
  }
  return true;
}

/** The parent name (one label chopped), or null for the root. */
export function parentName(wire: Uint8Array): Uint8Array | null {
  if (wire.length <= 1) return null;
  return wire.subarray((wire[0] as number) + 1);
}
