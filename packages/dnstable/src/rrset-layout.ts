/**
 * Reading an RRSET key in place: where its parts are, without decoding them into copies (what a
 * query needs for each entry it looks at, and a result line for each entry it writes).
 */
import { decodeVarint64, type VarintCursor } from "@dnsrep/util";
import { EntryType } from "./entry.js";

/** Offsets into an RRSET key, as rrsetLayout found them. */
export interface RRsetLayout {
  rrtype: number;
  /** the label-reversed bailiwick */
  bailiwick: number;
  /** the first (varint length, rdata) pair; the key's end when it has none */
  rdatas: number;
}

const cur: VarintCursor = { value: 0, pos: 0 };

/**
 * The end of the label-reversed name at `off` of `key` as decodeRRsetKey accepts it (labels of at
 * most 63 bytes, at most 128 of them, the root byte inside the key), or -1 when it does not.
 */
export function keyNameEnd(key: Uint8Array, off: number): number {
  let p = off;
  for (let n = 0; ; n++) {
    if (p >= key.length) return -1;
    const len = key[p] as number;
    if (len === 0) return p + 1;
    if (len > 63 || n >= 128) return -1;
    p += 1 + len;
  }
}

/**
 * Whether decodeRRsetKey decodes `key` (it throws exactly when this is false), noting in `out`
 * where the key's parts are.
 */
export function rrsetLayout(key: Uint8Array, out: RRsetLayout): boolean {
  if (key[0] !== EntryType.RRSET) return false;
  const afterName = keyNameEnd(key, 1);
  if (afterName < 0) return false;
  decodeVarint64(key, afterName, key.length, cur);
  if (cur.pos < 0) return false;
  const rrtype = cur.value;
  const bailiwick = cur.pos;
  const afterBw = keyNameEnd(key, bailiwick);
  if (afterBw < 0) return false;
  for (let p = afterBw; p < key.length; p = cur.pos + cur.value) {
    decodeVarint64(key, p, key.length, cur);
    if (cur.pos < 0 || cur.pos + cur.value > key.length) return false;
  }
  out.rrtype = rrtype;
  out.bailiwick = bailiwick;
  out.rdatas = afterBw;
  return true;
}

/**
 * Whether the label-reversed name at `off` of `key` (checked by rrsetLayout) is `rev` (a
 * label-reversed, lower-case wire name) ignoring ASCII case: downcaseName of the forward name
 * equal to the forward form of `rev`, without making either.
 */
export function keyNameIs(key: Uint8Array, off: number, rev: Uint8Array): boolean {
  const end = keyNameEnd(key, off);
  if (end - off !== rev.length) return false;
  for (let i = 0; i < rev.length; i++) {
    let c = key[off + i] as number;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== rev[i]) return false;
  }
  return true;
}
