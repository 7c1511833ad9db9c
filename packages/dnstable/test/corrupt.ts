/**
 * Damaged dnstable files for tests, made from a committed vector: every entry of the source run
 * through `damage` (return null to drop it), written uncompressed. The C tools have no vectors for
 * damaged data; these are the cases libdnstable's decoder rejects (dnstable_entry_decode → NULL).
 */
import { Reader, Writer } from "@dnsrep/mtbl";
import { compareBytes } from "@dnsrep/util";
import { vectorPath } from "../../../test/vectors.js";

export type Damage = (key: Uint8Array, value: Uint8Array) => [Uint8Array, Uint8Array] | null;

/** Values cut to their first byte (an RRSET/RDATA triplet or a time range no longer decodes). */
export const valuesCutToOneByte: Damage = (k, v) => [k, v.subarray(0, 1)];
/** Keys cut in half (names lose their root label). */
export const keysCutInHalf: Damage = (k, v) => [k.subarray(0, Math.max(1, k.length >> 1)), v];

/** Write `out` from the entries of vector `rel` (default dnstable/dns.none.mtbl) through `damage`. */
export function writeDamaged(out: string, damage: Damage, rel = "dnstable/dns.none.mtbl"): number {
  const r = Reader.open(vectorPath(rel));
  const byKey = new Map<string, [Uint8Array, Uint8Array]>();
  try {
    const it = r.iter();
    while (it.next()) {
      const e = damage(Uint8Array.from(it.key), Uint8Array.from(it.value));
      if (e) byKey.set(Buffer.from(e[0]).toString("latin1"), e);
    }
  } finally {
    r.close();
  }
  const entries = [...byKey.values()].sort((a, b) => compareBytes(a[0], b[0]));
  const w = Writer.create(out, { compression: "none" });
  for (const [k, v] of entries) w.add(k, v);
  w.close();
  return entries.length;
}
