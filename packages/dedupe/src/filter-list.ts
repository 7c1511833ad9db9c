/**
 * Filter list: `name` (name and below), `=name` (exact), `~REGEX` (owner presentation form),
 * `ADDRESS` or `ADDRESS/PREFIX` (IPv4/IPv6, matched against A/AAAA rdata where asked), `#` comments.
 */
import { firstBinaryLine } from "@dnsrep/util";
import { nameFromString, nameToString, parseIpv4, parseIpv6 } from "@dnsrep/wdns";

export interface FilterList {
  exact: Set<string>;
  subdomain: Set<string>;
  regexes: RegExp[];
  /** address prefixes: the network bytes and the prefix length in bits */
  prefixes: { net: Uint8Array; bits: number }[];
}

/** `ADDRESS[/BITS]` as a prefix, or null when the text is not an address. */
function parsePrefix(text: string): { net: Uint8Array; bits: number } | null | "bad" {
  const m = /^([0-9a-fA-F:.]+)(?:\/(\d{1,3}))?$/.exec(text);
  if (!m || !(m[1]!.includes(":") || /^\d+\.\d+\.\d+\.\d+$/.test(m[1]!))) return null;
  const net = m[1]!.includes(":") ? parseIpv6(m[1]!) : parseIpv4(m[1]!);
  if (!net) return "bad";
  const bits = m[2] === undefined ? net.length * 8 : Number(m[2]);
  if (bits > net.length * 8) return "bad";
  return { net, bits };
}

export class FilterListError extends Error {
  readonly line: number;
  constructor(message: string, line: number) {
    super(message);
    this.name = "FilterListError";
    this.line = line;
  }
}

function canon(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower : `${lower}.`;
}

/**
 * A list entry's name in the form records are matched in: parsed as a domain name (escapes
 * read, length limits checked) and printed back, so that `Example.COM`, `example.com.` and
 * `\101xample.com` are one entry; a name that cannot exist is an error, not an entry that never
 * matches.
 */
function entryName(text: string, line: number): string {
  let wire: Uint8Array;
  try {
    wire = nameFromString(text, true);
  } catch (e) {
    throw new FilterListError(`line ${line}: ${(e as Error).message.replace(/^[a-z ]+: /, "")}`, line);
  }
  return canon(nameToString(wire));
}

export function parseFilterList(text: string): FilterList {
  const bin = firstBinaryLine(text);
  if (bin > 0) throw new FilterListError(`line ${bin}: not text (a binary file?)`, bin);
  const list: FilterList = { exact: new Set(), subdomain: new Set(), regexes: [], prefixes: [] };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? "";
    const hash = raw.startsWith("~") ? -1 : raw.indexOf("#");
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (line === "") continue;
    if (line.startsWith("~")) {
      try {
        list.regexes.push(new RegExp(line.slice(1), "i"));
      } catch {
        throw new FilterListError(`line ${i + 1}: bad regular expression`, i + 1);
      }
    } else if (line.startsWith("=")) {
      list.exact.add(entryName(line.slice(1), i + 1));
    } else {
      const pre = parsePrefix(line);
      if (pre === "bad") throw new FilterListError(`line ${i + 1}: bad address or prefix ${JSON.stringify(line)}`, i + 1);
      if (pre) list.prefixes.push(pre);
      else list.subdomain.add(entryName(line, i + 1));
    }
  }
  return list;
}

/** Does `name` (presentation form, e.g. "www.example.com.") match the list? */
export function matchFilterList(list: FilterList, name: string): boolean {
  const n = canon(name);
  if (list.exact.has(n)) return true;
  let rest = n;
  for (;;) {
    if (list.subdomain.has(rest)) return true;
    const dot = rest.indexOf(".");
    if (dot < 0 || dot === rest.length - 1) break;
    rest = rest.slice(dot + 1);
  }
  if (list.subdomain.has(".")) return true;
  for (const re of list.regexes) if (re.test(n)) return true;
  return false;
}

/** Does the address (4 or 16 bytes) fall in one of the list's prefixes? */
export function matchFilterAddress(list: FilterList, addr: Uint8Array): boolean {
  outer: for (const { net, bits } of list.prefixes) {
    if (net.length !== addr.length) continue;
    const whole = bits >> 3;
    for (let i = 0; i < whole; i++) if (net[i] !== addr[i]) continue outer;
    const rest = bits & 7;
    if (rest && ((net[whole]! ^ addr[whole]!) & (0xff << (8 - rest)) & 0xff) !== 0) continue;
    return true;
  }
  return false;
}
