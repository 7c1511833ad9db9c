import { DNSSEC_TYPES, EntryType, wireNameLength } from "@dnsrep/dnstable";
import { decodeVarint32, type VarintCursor } from "@dnsrep/util";
import { rrtypeFromString } from "@dnsrep/wdns";
import { badQuery } from "./errors.js";

/**
 * Which rrtypes a query answers, as DNSDB splits them: no type or `ANY` answers from the
 * non-DNSSEC records only, `ANY-DNSSEC` from the DNSSEC ones, a type by name (or TYPEnnn) just
 * that type. The DNSSEC types are those dnstable-import (like dnstable_convert) writes to its
 * DNSSEC file, so the split is the same whether DATA holds both files or one merged file.
 */
export type TypeSelect = { kind: "dns" } | { kind: "dnssec" } | { kind: "one"; rrtype: number; text: string };

export { DNSSEC_TYPES };

/** A TYPE path segment (absent: every non-DNSSEC type). Throws a bad-query ServerError. */
export function parseTypeSelect(text: string | undefined): TypeSelect {
  if (text === undefined || text.toUpperCase() === "ANY") return { kind: "dns" };
  if (text.toUpperCase() === "ANY-DNSSEC") return { kind: "dnssec" };
  const t = /^[A-Za-z0-9-]{1,20}$/.test(text) ? rrtypeFromString(text) : undefined;
  if (t === undefined || t === 255) throw badQuery(`unknown rrtype: ${printable(text)}`);
  return { kind: "one", rrtype: t, text: `TYPE${t}` };
}

/** Whether a result of this rrtype answers the selection. */
export function typeSelected(sel: TypeSelect, rrtype: number): boolean {
  if (sel.kind === "one") return rrtype === sel.rrtype;
  return DNSSEC_TYPES.has(rrtype) === (sel.kind === "dnssec");
}

/** Text from a client for a one-line message: control characters escaped, at most 100 characters. */
export function printable(s: string): string {
  const cut = s.length > 100 ? `${s.slice(0, 100)}…` : s;
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const cursor: VarintCursor = { value: 0, pos: 0 };

/** The rrtype of an RRSET or RDATA entry's key, read without decoding the rest (-1 when it does not decode). */
export function rrtypeOfKey(key: Uint8Array): number {
  let p: number;
  if (key[0] === EntryType.RRSET) {
    const n = wireNameLength(key, 1);
    if (n < 0) return -1;
    p = 1 + n;
  } else if (key[0] === EntryType.RDATA) {
    if (key.length < 4) return -1;
    p = 1 + ((key[key.length - 2] as number) | ((key[key.length - 1] as number) << 8));
  } else return -1;
  decodeVarint32(key, p, key.length, cursor);
  return cursor.pos < 0 ? -1 : cursor.value;
}
