/**
 * The de-duplication cache's key of an RRset: owner and bailiwick wire names, type, class, then
 * each rdata with a 16-bit length (what DedupeCache hashes and stores, and what DedupeEncoding
 * reads the record back out of).
 */
import { copyInto, SlabAllocator } from "@dnsrep/util";
import { keyNameEnd } from "./dedupe-encoding.js";

/** A name given as a name key (a one-byte string, see nameKey) or as wire bytes. */
export type KeyName = string | Uint8Array;

function putName(o: Uint8Array, p: number, n: KeyName): number {
  if (typeof n === "string") for (let i = 0; i < n.length; i++) o[p++] = n.charCodeAt(i);
  else for (let i = 0; i < n.length; i++) o[p++] = n[i]!;
  return p;
}

/** Bytes putDedupeKey() writes. */
export function dedupeKeyLength(owner: KeyName, bailiwick: KeyName, rdatas: readonly Uint8Array[]): number {
  return owner.length + keyRestLength(bailiwick, rdatas);
}

/** Bytes putKeyRest() writes. */
export function keyRestLength(bailiwick: KeyName, rdatas: readonly Uint8Array[]): number {
  let n = bailiwick.length + 4;
  for (let i = 0; i < rdatas.length; i++) n += 2 + rdatas[i]!.length;
  return n;
}

/**
 * Write the cache key of an RRset at o[0]: owner and bailiwick wire names (downcased by the
 * caller), type, class, then each rdata with a 16-bit length. `o` must hold
 * dedupeKeyLength() bytes; returns that length.
 */
export function putDedupeKey(
  o: Uint8Array,
  owner: KeyName,
  bailiwick: KeyName,
  rrtype: number,
  rrclass: number,
  rdatas: readonly Uint8Array[],
): number {
  return putKeyRest(o, putName(o, 0, owner), bailiwick, rrtype, rrclass, rdatas);
}

/** putDedupeKey after the owner: the key's bailiwick, type, class and rdata at o[p]; returns the end. */
export function putKeyRest(
  o: Uint8Array,
  p: number,
  bailiwick: KeyName,
  rrtype: number,
  rrclass: number,
  rdatas: readonly Uint8Array[],
): number {
  p = putName(o, p, bailiwick);
  o[p++] = rrtype >> 8;
  o[p++] = rrtype & 0xff;
  o[p++] = rrclass >> 8;
  o[p++] = rrclass & 0xff;
  for (const rd of rdatas) {
    o[p++] = rd.length >> 8;
    o[p++] = rd.length & 0xff;
    p = copyInto(o, p, rd);
  }
  return p;
}

/** The cache key of an RRset (see putDedupeKey), in an array of its own. */
export function dedupeKey(owner: KeyName, bailiwick: KeyName, rrtype: number, rrclass: number, rdatas: readonly Uint8Array[]): Uint8Array {
  const k = new Uint8Array(dedupeKeyLength(owner, bailiwick, rdatas));
  putDedupeKey(k, owner, bailiwick, rrtype, rrclass, rdatas);
  return k;
}

export interface DedupeKeyParts {
  rrname: Uint8Array;
  bailiwick: Uint8Array;
  rrtype: number;
  rrclass: number;
  rdata: Uint8Array[];
}

/** The parts of a dedupeKey(): views into one copy of the key's bytes. */
export function parseDedupeKey(key: Uint8Array): DedupeKeyParts {
  return splitKey(key, 0, key.length, 0);
}

/** record bytes: 8 KiB slabs, so a record a user keeps holds on to at most 8 KiB */
const recordBytes = new SlabAllocator(8192);

/** The parts of the key src[at, at + n), copied, with `extra` bytes after the copy in the same buffer. */
export function splitKey(src: Uint8Array, at: number, n: number, extra: number): DedupeKeyParts {
  // from a shared slab, and the parts as views made directly: a small array of its own lives on the
  // V8 heap, and its first subarray() moves its bytes out (the dearest step of rebuilding a record)
  const b = recordBytes.alloc(n + extra);
  const ab = b.buffer;
  const o0 = b.byteOffset;
  for (let i = 0; i < n; i++) b[i] = src[at + i]!;
  // the two names are self-delimiting wire forms, the rdata length-prefixed
  const o = keyNameEnd(b, 0, n);
  const z = keyNameEnd(b, o, n);
  const rdata: Uint8Array[] = [];
  for (let p = z + 4; p + 2 <= n; ) {
    const len = Math.min((b[p]! << 8) | b[p + 1]!, n - p - 2);
    rdata.push(new Uint8Array(ab, o0 + p + 2, len));
    p += 2 + len;
  }
  return {
    rrname: new Uint8Array(ab, o0, o),
    bailiwick: new Uint8Array(ab, o0 + o, z - o),
    rrtype: z + 2 <= n ? (b[z]! << 8) | b[z + 1]! : 0,
    rrclass: z + 4 <= n ? (b[z + 2]! << 8) | b[z + 3]! : 0,
    rdata,
  };
}
