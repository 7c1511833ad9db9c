/**
 * NMSG containers: "NMSG" | be16 (flags << 8 | version 2) | be32 body length | body.
 * Body = protobuf nmsg.Nmsg (payloads=1, payload_crcs=2, sequence=3, sequence_id=4),
 * zlib-compressed with a be32 length prefix when flags & 1, an nmsg.NmsgFragment
 * when flags & 2.
 */
import { deflateSync, inflateSync } from "node:zlib";
import { ByteWriter, bswap32, crc32c, decodeVarint64Big } from "@dnsrep/util";
import pako from "pako";
import { NmsgError, NmsgErrorCode } from "./errors.js";
import { decodePayloadAt, msgAt, type NmsgPayload, payloadCrcs } from "./payload.js";
import { cur, readVarint, skipField } from "./pb.js";

export const MAGIC = [0x4e, 0x4d, 0x53, 0x47] as const; // "NMSG"
export const VERSION = 2;
export const FLAG_ZLIB = 0x01;
export const FLAG_FRAGMENT = 0x02;
export const HEADER_LEN = 10;
/** Largest decompressed container accepted (libnmsg's NMSG_RBUFSZ is far smaller): guards against zlib bombs. */
export const MAX_CONTAINER = 64 << 20;
/** fragments per set accepted on input (libnmsg has no limit; this bounds memory on hostile input) */
export const MAX_FRAGMENTS = 1 << 20;

export interface DecodedNmsg {
  payloads: NmsgPayload[];
  /** payloads dropped because their CRC did not match */
  crcErrors: number;
  sequence?: number;
  sequenceId?: bigint;
}

// scratch for the payload CRC check: (offset, length) of each payload, and their CRCs
let rangeList = new Int32Array(8192);
let sums = new Uint32Array(4096);
/** room for n payloads (the ranges kept) */
function scratch(n: number): Int32Array {
  if (sums.length < n) {
    const r = new Int32Array(4 * n);
    r.set(rangeList);
    rangeList = r;
    sums = new Uint32Array(2 * n);
  }
  return rangeList;
}

/** bytes of a container summed per call: small enough to be copied into wasm memory while still in cache */
const WINDOW = 32 * 1024;

/**
 * Drop (and count) the payloads whose CRC does not match, keeping the order. As libnmsg does, the
 * i-th CRC checks the i-th payload, for as many payloads as there are CRCs (a container whose
 * counts differ was damaged: payloads past the damage fail their check instead of passing unseen).
 */
function checkCrcs(b: Uint8Array, crcs: Uint32Array, ncrc: number, ranges: Int32Array, out: DecodedNmsg): void {
  const payloads = out.payloads;
  const n = Math.min(payloads.length, ncrc);
  let from = 0;
  let start = 0;
  let stop = 0;
  for (let i = 0; i < n; i++) {
    const at = ranges[2 * i] as number;
    if (i === from) start = at;
    stop = at + (ranges[2 * i + 1] as number);
    if (stop - start >= WINDOW || i === n - 1) {
      payloadCrcs(b, start, stop, ranges, from, i + 1, sums);
      from = i + 1;
    }
  }
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (sums[i] !== crcs[i]) out.crcErrors++;
    else payloads[k++] = payloads[i] as NmsgPayload;
  }
  for (let i = n; i < payloads.length; i++) payloads[k++] = payloads[i] as NmsgPayload;
  payloads.length = k;
}

/**
 * The fields of the nmsg.Nmsg being scanned (reused from one container to the next): the CRCs it
 * stores (the first `ncrc` of `crcs`) and its sequence fields.
 */
export const scanned: { crcs: Uint32Array; ncrc: number; sequence: number | undefined; sequenceId: bigint | undefined } = {
  crcs: new Uint32Array(1024),
  ncrc: 0,
  sequence: undefined,
  sequenceId: undefined,
};

function storeCrc(v: number): void {
  if (scanned.ncrc === scanned.crcs.length) {
    const c = new Uint32Array(2 * scanned.ncrc);
    c.set(scanned.crcs);
    scanned.crcs = c;
  }
  scanned.crcs[scanned.ncrc++] = v;
}

/**
 * Scan a serialized nmsg.Nmsg: each payloads entry handed to `onPayload` in order (where its tag
 * is, where its bytes start and stop), the rest into `scanned`.
 */
export function scanNmsg(b: Uint8Array, onPayload: (tagAt: number, start: number, stop: number) => void): void {
  scanned.ncrc = 0;
  scanned.sequence = undefined;
  scanned.sequenceId = undefined;
  let pos = 0;
  const end = b.length;
  while (pos < end) {
    const tagAt = pos;
    const tag = readVarint(b, pos, end);
    pos = cur.pos;
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1 && wt === 2) {
      const n = readVarint(b, pos, end);
      pos = cur.pos;
      if (pos + n > end) throw new NmsgError(NmsgErrorCode.PARSE, "payload runs past the container");
      onPayload(tagAt, pos, pos + n);
      pos += n;
    } else if (field === 2 && wt === 0) {
      storeCrc(readVarint(b, pos, end) >>> 0);
      pos = cur.pos;
    } else if (field === 2 && wt === 2) {
      // packed, tolerated on input
      const n = readVarint(b, pos, end);
      let p = cur.pos;
      const stop = p + n;
      if (stop > end) throw new NmsgError(NmsgErrorCode.PARSE, "bad payload_crcs");
      while (p < stop) {
        storeCrc(readVarint(b, p, stop) >>> 0);
        p = cur.pos;
      }
      pos = stop;
    } else if (field === 3 && wt === 0) {
      scanned.sequence = readVarint(b, pos, end) >>> 0;
      pos = cur.pos;
    } else if (field === 4 && wt === 0) {
      // a random 64-bit id: exactly, not through a float
      const v = decodeVarint64Big(b, pos, end);
      if (v === null) throw new NmsgError(NmsgErrorCode.PARSE, "bad protobuf varint");
      scanned.sequenceId = v[0];
      pos = v[1];
    } else pos = skipField(b, pos, end, wt);
  }
}

/** Decode a serialized nmsg.Nmsg. */
export function decodeNmsg(b: Uint8Array): DecodedNmsg {
  const out: DecodedNmsg = { payloads: [], crcErrors: 0 };
  const payloads = out.payloads;
  // the position and length of each payload's message in b, for the CRC check
  let ranges: Int32Array = rangeList;
  const ab = b.buffer;
  const bo = b.byteOffset;
  scanNmsg(b, (_tagAt, start, stop) => {
    const i = payloads.length;
    payloads.push(decodePayloadAt(b, ab, bo, start, stop));
    if (2 * i + 2 > ranges.length) ranges = scratch(i + 1);
    ranges[2 * i] = msgAt.pos;
    ranges[2 * i + 1] = msgAt.len;
  });
  if (scanned.sequence !== undefined) out.sequence = scanned.sequence;
  if (scanned.sequenceId !== undefined) out.sequenceId = scanned.sequenceId;
  if (scanned.ncrc > 0 && payloads.length > 0) checkCrcs(b, scanned.crcs, scanned.ncrc, ranges, out);
  return out;
}

/** Serialize payloads (already packed NmsgPayload bytes) into an nmsg.Nmsg body with CRCs. */
export function encodeNmsg(
  packed: readonly Uint8Array[],
  crcs: readonly number[],
  seq?: { sequence: number; sequenceId: bigint },
): Uint8Array {
  const w = new ByteWriter(4096);
  for (const p of packed) w.byte(0x0a).varint(p.length).bytes(p);
  for (const c of crcs) w.byte(0x10).varint(c);
  if (seq) {
    w.byte(0x18).varint(seq.sequence >>> 0);
    w.byte(0x20);
    let x = seq.sequenceId;
    while (x >= 128n) {
      w.byte(Number(x & 127n) | 128);
      x >>= 7n;
    }
    w.byte(Number(x));
  }
  return w.toBytes();
}

/** 10-byte header for a body of `len` bytes. */
export function containerHeader(flags: number, len: number): Uint8Array {
  const h = new Uint8Array(HEADER_LEN);
  h.set(MAGIC);
  h[4] = flags;
  h[5] = VERSION;
  new DataView(h.buffer).setUint32(6, len, false);
  return h;
}

/**
 * How zlib containers are compressed. "libnmsg" (the default) gives the bytes
 * nmsgtool writes: pako, a port of zlib 1.2, deflates exactly as the system
 * zlib (1.2.13) libnmsg links, at its default level. "native" uses Node's
 * zlib, about three times faster, but Node bundles Chromium's zlib fork,
 * whose compressed bytes differ at every level, memLevel and strategy (they
 * inflate to the same containers).
 */
export type ZlibEngine = "libnmsg" | "native";

/** zlib container body: be32 uncompressed length + zlib stream (default level, as libnmsg). */
export function zlibBody(raw: Uint8Array, engine: ZlibEngine = "libnmsg"): Uint8Array {
  const z = engine === "native" ? deflateSync(raw) : pako.deflate(raw);
  const out = new Uint8Array(4 + z.length);
  new DataView(out.buffer).setUint32(0, raw.length, false);
  out.set(z, 4);
  return out;
}

/** containers up to this size inflate into one chunk of their stated size */
const INFLATE_CHUNK_MAX = 4 << 20;

export function unzlibBody(body: Uint8Array, offset?: number): Uint8Array {
  if (body.length < 4) throw new NmsgError(NmsgErrorCode.DECOMPRESS, "short zlib container", offset);
  const len = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(0, false);
  if (len > MAX_CONTAINER) throw new NmsgError(NmsgErrorCode.DECOMPRESS, `zlib container claims ${len} bytes`, offset);
  let out: Buffer;
  try {
    // output in one chunk of the size the container states (+1, so that a full chunk is not taken
    // for more output to come): no 16 KiB chunks gathered and concatenated, a quarter less time.
    // A larger claim than libnmsg's containers ever take gets the default chunks, not its size up front.
    const opts =
      len < INFLATE_CHUNK_MAX ? { maxOutputLength: Math.max(len, 1), chunkSize: Math.max(len + 1, 64) } : { maxOutputLength: len };
    out = inflateSync(body.subarray(4), opts);
  } catch (e) {
    // zlib's own words for bad data ("invalid code lengths set", "unexpected end of file"), ours for
    // Node's refusal to inflate past the stated length (its text names a Buffer, not the container)
    const why =
      (e as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE" ? `inflates to more than the ${len} bytes it states` : (e as Error).message;
    throw new NmsgError(NmsgErrorCode.DECOMPRESS, `corrupt zlib container (${why})`, offset);
  }
  if (out.length !== len) throw new NmsgError(NmsgErrorCode.DECOMPRESS, "zlib container length mismatch", offset);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

export interface Fragment {
  id: number;
  current: number;
  last: number;
  fragment: Uint8Array;
  crc?: number;
}

export function decodeFragment(b: Uint8Array): Fragment {
  const f: Fragment = { id: 0, current: 0, last: 0, fragment: new Uint8Array(0) };
  let seen = 0;
  let pos = 0;
  while (pos < b.length) {
    const tag = readVarint(b, pos, b.length);
    pos = cur.pos;
    const field = Math.floor(tag / 8);
    const wt = tag & 7;
    if (field === 4 && wt === 2) {
      const n = readVarint(b, pos, b.length);
      pos = cur.pos;
      if (pos + n > b.length) throw new NmsgError(NmsgErrorCode.PARSE, "truncated fragment");
      f.fragment = b.subarray(pos, pos + n);
      pos += n;
      seen |= 8;
    } else if (wt === 0 && field >= 1 && field <= 5) {
      const v = readVarint(b, pos, b.length) >>> 0;
      pos = cur.pos;
      if (field === 1) f.id = v;
      else if (field === 2) f.current = v;
      else if (field === 3) f.last = v;
      else if (field === 5) f.crc = v;
      if (field <= 3) seen |= 1 << (field - 1);
    } else pos = skipField(b, pos, b.length, wt);
  }
  if (seen !== 15 || f.current > f.last || f.last >= MAX_FRAGMENTS) throw new NmsgError(NmsgErrorCode.FRAGMENT, "malformed fragment");
  return f;
}

export function encodeFragment(f: Fragment): Uint8Array {
  const w = new ByteWriter(f.fragment.length + 32);
  w.byte(0x08).varint(f.id).byte(0x10).varint(f.current).byte(0x18).varint(f.last);
  w.byte(0x22).varint(f.fragment.length).bytes(f.fragment);
  if (f.crc !== undefined) w.byte(0x28).varint(f.crc);
  return w.toBytes();
}

/** CRC stored in a fragment: htonl(crc32c(whole reassembled buffer)). */
export const fragmentCrc = (whole: Uint8Array): number => bswap32(crc32c(whole));
