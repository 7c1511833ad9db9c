/**
 * Normal forms shared by every parser: names (lower case, IDNA A-labels, no trailing dot, DNS
 * length limits) and values checked against their RR type, in the presentation DNSDB prints.
 * Every function returns null for input it rejects; none throws on any string.
 */
import { domainToASCII } from "node:url";
import { ipv6ToString, nameFromString, nameToString, parseIpv4, parseIpv6 } from "@dnsrep/wdns";

const MAX_NAME_TEXT = 1024; // longer text cannot be a ≤255-byte name, even with \DDD escapes

/** Byte classes for the ASCII fast path: 1 = kept as is, 2 = upper case, 0 = needs the slow path. */
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f || c === 0x2a || c === 0x2f) {
    CLASS[c] = 1;
  } else if (c >= 0x41 && c <= 0x5a) CLASS[c] = 2;
}

/**
 * A domain name in the form every Association carries: lower case, IDNA A-labels for non-ASCII
 * labels, no trailing dot, labels of 1–63 bytes, at most 255 bytes in wire form; "." for the root.
 * Letters, digits, `-`, `_`, `*` and `/` pass as they are; `\X` and `\DDD` escapes are read as
 * libwdns reads them and printed back in its canonical form. Anything else (spaces, `:`, `%`,
 * `[`, quotes, control characters, an IPv4 address written as a name) gives null.
 */
export function normalizeName(text: string): string | null {
  const n = text.length;
  if (n === 0 || n > MAX_NAME_TEXT) return null;
  if (text === ".") return ".";
  let fast = true;
  let upper = false;
  let label = 0;
  let wire = 1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (label === 0) {
        if (i === n - 1 && i > 0) break; // one trailing dot
        return null;
      }
      label = 0;
      continue;
    }
    const k = c < 128 ? CLASS[c] : 0;
    if (k === 0) {
      fast = false;
      break;
    }
    if (k === 2) upper = true;
    if (++label > 63) return null;
    wire++;
    if (label === 1) wire++;
  }
  if (fast) {
    if (wire > 255) return null;
    let s = text.charCodeAt(n - 1) === 0x2e ? text.slice(0, n - 1) : text;
    if (upper) s = s.toLowerCase();
    return isDottedNumbers(s) ? null : s;
  }
  return slowName(text);
}

function isDottedNumbers(s: string): boolean {
  return /^[0-9.]+$/.test(s) && parseIpv4(s) !== null;
}

function slowName(text: string): string | null {
  let t = text;
  if (/[^\x21-\x7e]/.test(t)) {
    // non-ASCII: UTS #46 ToASCII (lower-cases, maps, punycodes); ASCII control/space is never a name
    if (/[\x00-\x20\x7f]/.test(t)) return null;
    if (t.includes("\\")) return null;
    t = domainToASCII(t.endsWith(".") ? t.slice(0, -1) : t);
    if (t === "") return null;
    return normalizeName(t);
  }
  if (!t.includes("\\")) return null; // printable ASCII outside the name alphabet, unescaped
  if (!/^[A-Za-z0-9\-_*/.]*$/.test(t.replace(/\\./g, ""))) return null;
  try {
    const wire = nameFromString(t, true);
    const s = nameToString(wire);
    // escapes may only spell what needs escaping (`\.`, `\\`, \DDD): `\:` gives a bare ":"
    if (!/^[a-z0-9\-_*/.]*$/.test(s.replace(/\\(?:\d{3}|.)/g, ""))) return null;
    return s === "." ? null : s.slice(0, -1);
  } catch {
    return null;
  }
}

/**
 * A name printed raw by its log (dnsmasq prints label bytes as they are): a backslash and bytes
 * outside `!`..`~` (space, control characters) are escaped the way libwdns prints them, then the
 * result goes through normalizeName.
 */
export function normalizeRawName(text: string): string | null {
  if (!/[\\\x00-\x20\x7f]/.test(text)) return normalizeName(text);
  const esc = text.replace(/[\\\x00-\x20\x7f]/g, (c) => (c === "\\" ? "\\\\" : `\\${String(c.charCodeAt(0)).padStart(3, "0")}`));
  return normalizeName(esc);
}

/** Canonical dotted quad (leading zeros dropped), or null. */
export function normalizeIpv4(text: string): string | null {
  const b = parseIpv4(text);
  return b ? `${b[0]}.${b[1]}.${b[2]}.${b[3]}` : null;
}

/** RFC 5952 text of an IPv6 address (as glibc's inet_ntop prints it), or null. */
export function normalizeIpv6(text: string): string | null {
  if (text.length > 45) return null;
  const b = parseIpv6(text);
  return b ? ipv6ToString(b) : null;
}

/** "A" or "AAAA" with the canonical address for an IP literal (either family), or null. */
export function addressValue(text: string): { rrtype: "A" | "AAAA"; rdata: string } | null {
  if (text.includes(":")) {
    const v6 = normalizeIpv6(text);
    return v6 === null ? null : { rrtype: "AAAA", rdata: v6 };
  }
  const v4 = normalizeIpv4(text);
  return v4 === null ? null : { rrtype: "A", rdata: v4 };
}

const NAME_TYPES = new Set(["CNAME", "NS", "PTR", "DNAME", "ANAME"]);

/**
 * A value checked against its RR type, in DNSDB's presentation with names without the trailing
 * dot: A a dotted quad, AAAA RFC 5952, CNAME/NS/PTR/DNAME a name (normalizeName), MX
 * `pref name`, SRV `prio weight port name`, TXT quoted character-strings (raw text is quoted and
 * escaped as libwdns prints it; text already in quotes is checked). Other types: the trimmed text
 * when it is non-empty and printable. null = not a value of that type.
 */
export function normalizeValue(rrtype: string, text: string): string | null {
  switch (rrtype) {
    case "A":
      return normalizeIpv4(text);
    case "AAAA":
      return normalizeIpv6(text);
    case "MX": {
      const m = /^\s*(\d{1,5})\s+(\S+)\s*$/.exec(text);
      if (!m || Number(m[1]) > 65535) return null;
      const name = normalizeName(m[2] as string);
      return name === null ? null : `${Number(m[1])} ${name}`;
    }
    case "SRV": {
      const m = /^\s*(\d{1,5})\s+(\d{1,5})\s+(\d{1,5})\s+(\S+)\s*$/.exec(text);
      if (!m || Number(m[1]) > 65535 || Number(m[2]) > 65535 || Number(m[3]) > 65535) return null;
      const name = normalizeName(m[4] as string);
      return name === null ? null : `${Number(m[1])} ${Number(m[2])} ${Number(m[3])} ${name}`;
    }
    case "TXT":
      return text.startsWith('"') ? checkQuotedStrings(text) : quoteTxt(text);
    default:
      if (NAME_TYPES.has(rrtype)) return normalizeName(text);
      return otherValue(text);
  }
}

function otherValue(text: string): string | null {
  const t = text.trim();
  if (t === "" || t.length > 65535 * 4 || /[\x00-\x1f\x7f]/.test(t)) return null;
  return t;
}

const encoder = new TextEncoder();

/**
 * One character-string as libwdns prints TXT: in double quotes, `"` and `\` escaped with a
 * backslash, bytes outside 0x20–0x7e as `\DDD` (UTF-8 bytes of non-ASCII text). Text longer
 * than 255 bytes is split into several strings, as it would be on the wire.
 */
export function quoteTxt(text: string): string | null {
  const bytes = encoder.encode(text);
  if (bytes.length > 65535) return null;
  const parts: string[] = [];
  for (let start = 0; start < bytes.length || start === 0; start += 255) {
    let s = '"';
    const end = Math.min(bytes.length, start + 255);
    for (let i = start; i < end; i++) {
      const c = bytes[i] as number;
      if (c === 0x22 || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
      else if (c >= 0x20 && c <= 0x7e) s += String.fromCharCode(c);
      else s += `\\${String(c).padStart(3, "0")}`;
    }
    parts.push(`${s}"`);
    if (bytes.length === 0) break;
  }
  return parts.join(" ");
}

function checkQuotedStrings(text: string): string | null {
  const re = /"((?:[^"\\\x00-\x1f\x7f]|\\(?:\d{3}|[^\d\x00-\x1f]))*)"/y;
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === " ") {
      i++;
      continue;
    }
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) return null;
    out.push(m[0]);
    i = re.lastIndex;
  }
  return out.length ? out.join(" ") : null;
}

/**
 * The PTR owner name of an address: `d.c.b.a.in-addr.arpa` for IPv4, 32 nibbles under
 * `ip6.arpa` for IPv6; null when the text is not an address.
 */
export { Aggregator, type AggregatorOptions } from "./aggregate.js";

export function reverseName(address: string): string | null {
  if (!address.includes(":")) {
    const b = parseIpv4(address);
    return b ? `${b[3]}.${b[2]}.${b[1]}.${b[0]}.in-addr.arpa` : null;
  }
  const b = address.length <= 45 ? parseIpv6(address) : null;
  if (!b) return null;
  let s = "";
  for (let i = 15; i >= 0; i--) {
    const v = b[i] as number;
    s += `${(v & 15).toString(16)}.${(v >> 4).toString(16)}.`;
  }
  return `${s}ip6.arpa`;
}
