/**
 * Stamp records of the stamp stores written before the stamp log (stamp-log.ts): one dnstable
 * record per stamped (rrname, address) in an @dnsrep/store, read now only to migrate them
 * (stamp-migrate.ts):
 *
 *   rrname    = the observation's rrname + one label of the address in lower-case hex (8 or 32 digits)
 *   rrtype    = 65280 (private use), bailiwick = the root
 *   rdata     = { "a" u32 asn, "c" country, "s" stamp }   (the index parts only when known)
 *   time_first = time_last = when it was ingested (epoch s), count = 1
 */
export const STAMP_RRTYPE = 65280;
const HEXD = "0123456789abcdef";

/**
 * The stamp record's owner name for (rrname, address): the rrname's labels, then one label of the
 * address in hex, then the root — so dnstable's reversed names sort the index entries by address
 * first. Null when it would pass 255 octets.
 */
export function stampName(rrname: Uint8Array, address: Uint8Array): Uint8Array | null {
  const label = address.length * 2;
  if (rrname.length + 1 + label > 255) return null;
  const out = new Uint8Array(rrname.length + 1 + label);
  const head = rrname.length - 1; // without the root
  out.set(rrname.subarray(0, head), 0);
  out[head] = label;
  for (let i = 0; i < address.length; i++) {
    const b = address[i] as number;
    out[head + 1 + 2 * i] = HEXD.charCodeAt(b >> 4);
    out[head + 2 + 2 * i] = HEXD.charCodeAt(b & 15);
  }
  out[out.length - 1] = 0;
  return out;
}

/** Split a stamp record's owner name back into (address, rrname); null when it is not one. */
export function splitStampName(name: Uint8Array): { address: Uint8Array; rrname: Uint8Array } | null {
  let last = -1;
  for (let p = 0; p < name.length && name[p] !== 0; p += (name[p] as number) + 1) last = p;
  if (last < 0) return null;
  const label = name[last] as number;
  if ((label !== 8 && label !== 32) || last + label + 2 !== name.length) return null;
  const address = new Uint8Array(label / 2);
  for (let i = 0; i < address.length; i++) {
    const h = HEXD.indexOf(String.fromCharCode(name[last + 1 + 2 * i] as number));
    const l = HEXD.indexOf(String.fromCharCode(name[last + 2 + 2 * i] as number));
    if (h < 0 || l < 0) return null;
    address[i] = (h << 4) | l;
  }
  const rrname = new Uint8Array(last + 1);
  rrname.set(name.subarray(0, last), 0);
  return { address, rrname };
}
