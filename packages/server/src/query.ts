import { type DnstableQuery, isDnstableError, parseIpQuery } from "@dnsrep/dnstable";
import { fromHex } from "@dnsrep/util";
import { isWdnsError, nameFromString, nameToString } from "@dnsrep/wdns";
import { badQuery } from "./errors.js";
import { parseTypeSelect, printable, type TypeSelect } from "./rrtypes.js";

/**
 * A DNSDB API v2 lookup path, checked: `rrset/name/NAME[/TYPE[/BAILIWICK]]`,
 * `rrset/raw/HEX[/TYPE[/BAILIWICK]]`, `rdata/name/NAME[/TYPE]`, `rdata/ip/ADDR` (an address,
 * `ADDR,PREFIX` — a CIDR's `/` comes as `,` — or `ADDR1-ADDR2`), `rdata/raw/HEX[/TYPE]`. The
 * route's named parameters arrive percent-decoded (`%2A.example.com`, a `/` inside a name).
 */
export interface LookupQuery {
  /** the dnstable query, without an rrtype unless one type was asked for */
  query: DnstableQuery;
  /** which rrtypes answer (ANY, ANY-DNSSEC, one type) */
  types: TypeSelect;
}

/** Longest NAME / HEX / ADDR segment taken: a DNS name is at most 255 bytes (1020 as escapes). */
const MAX_SEGMENT = 1100;

export interface LookupPath {
  /** "rrset" or "rdata" */
  kind: string;
  /** "name", "raw" or "ip" */
  by: string;
  value: string;
  type?: string | undefined;
  bailiwick?: string | undefined;
}

/** Check a lookup path's parts. Throws a bad-query ServerError naming the problem. */
export function parseLookupPath(p: LookupPath): LookupQuery {
  if (p.value.length === 0) throw badQuery(`${p.kind}/${p.by}: empty value`);
  if (p.value.length > MAX_SEGMENT) throw badQuery(`${p.kind}/${p.by}: value too long`);
  const types = parseTypeSelect(p.type);
  const rrtype = types.kind === "one" ? types.text : undefined;
  if (p.kind === "rrset" && (p.by === "name" || p.by === "raw")) {
    const name = p.by === "name" ? checkName(p.value, true) : rawName(p.value);
    const q: DnstableQuery = { type: "rrset", name };
    if (rrtype !== undefined) q.rrtype = rrtype;
    if (p.bailiwick !== undefined) q.bailiwick = checkName(p.bailiwick, false);
    return { query: q, types };
  }
  if (p.kind === "rdata" && p.bailiwick === undefined) {
    if (p.by === "name") {
      const q: DnstableQuery = { type: "rdata_name", name: checkName(p.value, true) };
      if (rrtype !== undefined) q.rrtype = rrtype;
      return { query: q, types };
    }
    if (p.by === "raw") {
      const q: DnstableQuery = { type: "rdata_raw", hex: checkHex(p.value) };
      if (rrtype !== undefined) q.rrtype = rrtype;
      return { query: q, types };
    }
    if (p.by === "ip" && p.type === undefined) return { query: { type: "rdata_ip", ip: checkIp(p.value) }, types };
  }
  throw badQuery(`unknown lookup: ${printable([p.kind, p.by].join("/"))}`);
}

/** A NAME, with a wildcard (`*.zone`, `+.zone`, `zone.*`, `zone.+`) where `wild` allows one. */
export function checkName(text: string, wild: boolean): string {
  let bare = text;
  if (wild && (text.startsWith("*.") || text.startsWith("+."))) bare = text.slice(2);
  else if (wild && (text.endsWith(".*") || text.endsWith(".+"))) bare = text.slice(0, -2);
  if (bare.length === 0 || bare === "*" || bare === "+" || text.includes("/")) throw badQuery(`bad name: ${printable(text)}`);
  try {
    nameFromString(bare);
  } catch (e) {
    if (isWdnsError(e)) throw badQuery(`bad name: ${printable(text)}: ${e.message}`);
    throw e;
  }
  return text;
}

function checkHex(text: string): string {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(text)) throw badQuery(`bad hex: ${printable(text)}`);
  return text;
}

/** An owner name given as hex of its wire form, as the name text dnstable's query takes. */
function rawName(text: string): string {
  const wire = fromHex(checkHex(text));
  if (wire === null || wireNameEnd(wire) !== wire.length || wire.length > 255) throw badQuery(`bad raw name: ${printable(text)}`);
  let s = nameToString(wire);
  // a first label that is a literal `*` or `+` is a name here, not a wildcard
  if (/^[*+]\./.test(s)) s = `\\${s.charCodeAt(0).toString().padStart(3, "0")}${s.slice(1)}`;
  return s;
}

/** Where a wire name's root label ends (its length in bytes), or -1 when it does not end or a label is too long. */
function wireNameEnd(wire: Uint8Array): number {
  let i = 0;
  while (i < wire.length) {
    const l = wire[i] as number;
    if (l === 0) return i + 1;
    if (l > 63) return -1;
    i += 1 + l;
  }
  return -1;
}

/** ADDR, ADDR,PREFIX or ADDR1-ADDR2, as the `ADDR/PREFIX` or range dnstable's query takes. */
export function checkIp(text: string): string {
  const ip = text.replace(",", "/");
  try {
    parseIpQuery(ip);
  } catch (e) {
    if (isDnstableError(e)) throw badQuery(e.message.replace(ip, text));
    throw e;
  }
  return ip;
}
