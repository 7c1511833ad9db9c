/**
 * A stamp: what the databases in force said of one address when one (rrname, address) was first
 * ingested. Encoded as the rdata of a stamp record (the stamp store: stamp-store.ts, README.md):
 *
 *   stamp = "s", u32 country build epoch, u32 asn build epoch, u32 asn (0: none),
 *           2 bytes country (0 0: none), as_org (UTF-8, the rest)
 *
 * All integers big-endian. A build epoch of 0 means no database of that kind was configured.
 */
export interface Stamp {
  country?: string;
  asn?: number;
  asOrg?: string;
  /** build date of the country database in force (epoch s), 0 when none */
  countryBuild: number;
  /** build date of the ASN database in force (epoch s), 0 when none */
  asnBuild: number;
}

export const STAMP_TAG = 0x73; // "s"
export const ASN_TAG = 0x61; // "a": index rdata "a" + u32 asn
export const COUNTRY_TAG = 0x63; // "c": index rdata "c" + 2-letter code

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: false });

export function encodeStamp(s: Stamp): Uint8Array {
  const org = s.asOrg === undefined ? new Uint8Array(0) : enc.encode(s.asOrg);
  const out = new Uint8Array(15 + org.length);
  const v = new DataView(out.buffer);
  out[0] = STAMP_TAG;
  v.setUint32(1, s.countryBuild >>> 0);
  v.setUint32(5, s.asnBuild >>> 0);
  v.setUint32(9, (s.asn ?? 0) >>> 0);
  if (s.country !== undefined) {
    out[13] = s.country.charCodeAt(0);
    out[14] = s.country.charCodeAt(1);
  }
  out.set(org, 15);
  return out;
}

/** Decode a stamp rdata; null when it is not one. */
export function decodeStamp(b: Uint8Array): Stamp | null {
  if (b.length < 15 || b[0] !== STAMP_TAG) return null;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const s: Stamp = { countryBuild: v.getUint32(1), asnBuild: v.getUint32(5) };
  const asn = v.getUint32(9);
  if (asn !== 0) s.asn = asn;
  const c0 = b[13] as number;
  const c1 = b[14] as number;
  if (c0 >= 0x41 && c0 <= 0x5a && c1 >= 0x41 && c1 <= 0x5a) s.country = String.fromCharCode(c0, c1);
  if (b.length > 15) s.asOrg = dec.decode(b.subarray(15));
  return s;
}

export function asnIndexRdata(asn: number): Uint8Array {
  const out = new Uint8Array(5);
  out[0] = ASN_TAG;
  new DataView(out.buffer).setUint32(1, asn >>> 0);
  return out;
}

export function countryIndexRdata(cc: string): Uint8Array {
  return Uint8Array.of(COUNTRY_TAG, cc.charCodeAt(0), cc.charCodeAt(1));
}

/** Order of two candidate stamps for one (rrname, address): the earlier-ingested wins; in one second, the older databases. */
export function earlier(aFirst: number, a: Stamp, bFirst: number, b: Stamp): boolean {
  if (aFirst !== bFirst) return aFirst < bFirst;
  if (a.countryBuild !== b.countryBuild) return a.countryBuild < b.countryBuild;
  return a.asnBuild < b.asnBuild;
}
