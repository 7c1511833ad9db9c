/**
 * Root hints: named.root zone-file form ("NAME TTL [CLASS] NS|A|AAAA DATA", ';' comments), and the
 * IANA root servers built in.
 */
import { firstBinaryLine } from "@dnsrep/util";
import { nameFromString, nameToString, parseIpv4, parseIpv6 } from "@dnsrep/wdns";

export interface HintRecord {
  name: Uint8Array;
  type: "NS" | "A" | "AAAA";
  /** NS: the target name; A/AAAA: the address bytes */
  data: Uint8Array;
}

export class RootHintsError extends Error {
  override readonly name = "RootHintsError";
  readonly line: number;
  constructor(message: string, line: number) {
    super(`line ${line}: ${message}`);
    this.line = line;
  }
}

/** Parse named.root text. Record types other than NS, A and AAAA are ignored. */
export function parseRootHints(text: string): HintRecord[] {
  const bin = firstBinaryLine(text);
  if (bin > 0) throw new RootHintsError("not text (a binary file?)", bin);
  const out: HintRecord[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").replace(/;.*$/, "").trim();
    if (line === "" || line.startsWith("$")) continue;
    const f = line.split(/\s+/);
    // NAME [TTL] [CLASS] TYPE DATA
    let j = 1;
    if (/^\d+$/.test(f[j] ?? "")) j++;
    if (/^(IN|CH|HS)$/i.test(f[j] ?? "")) j++;
    const type = (f[j] ?? "").toUpperCase();
    const data = f[j + 1];
    if (data === undefined || f.length > j + 2)
      throw new RootHintsError(`expected NAME TTL [CLASS] TYPE DATA, got ${JSON.stringify(line)}`, i + 1);
    let name: Uint8Array;
    try {
      name = nameFromString(f[0]!, true);
    } catch {
      throw new RootHintsError(`bad name ${JSON.stringify(f[0])}`, i + 1);
    }
    if (type === "NS") {
      try {
        out.push({ name, type, data: nameFromString(data, true) });
      } catch {
        throw new RootHintsError(`bad NS target ${JSON.stringify(data)}`, i + 1);
      }
    } else if (type === "A" || type === "AAAA") {
      const addr = type === "A" ? parseIpv4(data) : parseIpv6(data);
      if (!addr) throw new RootHintsError(`bad ${type} address ${JSON.stringify(data)}`, i + 1);
      out.push({ name, type, data: addr });
    }
  }
  return out;
}

/** How many addresses the hints give for the root's name servers (a "." NS record's target with an A or AAAA record). */
export function rootServerAddresses(records: readonly HintRecord[]): number {
  const key = (n: Uint8Array): string => nameToString(n).toLowerCase();
  const targets = new Set(records.filter((r) => r.type === "NS" && r.name.length === 1 && r.name[0] === 0).map((r) => key(r.data)));
  return records.filter((r) => r.type !== "NS" && targets.has(key(r.name))).length;
}

const servers: [string, string, string][] = [
  ["a", "198.41.0.4", "2001:503:ba3e::2:30"],
  ["b", "170.247.170.2", "2801:1b8:10::b"],
  ["c", "192.33.4.12", "2001:500:2::c"],
  ["d", "199.7.91.13", "2001:500:2d::d"],
  ["e", "192.203.230.10", "2001:500:a8::e"],
  ["f", "192.5.5.241", "2001:500:2f::f"],
  ["g", "192.112.36.4", "2001:500:12::d0d"],
  ["h", "198.97.190.53", "2001:500:1::53"],
  ["i", "192.36.148.17", "2001:7fe::53"],
  ["j", "192.58.128.30", "2001:503:c27::2:30"],
  ["k", "193.0.14.129", "2001:7fd::1"],
  ["l", "199.7.83.42", "2001:500:9f::42"],
  ["m", "202.12.27.33", "2001:dc3::35"],
];

/** The IANA root servers (a.root-servers.net … m.root-servers.net) in named.root form. */
export const IANA_ROOT_HINTS: string = servers
  .map(
    ([l, v4, v6]) =>
      `.  3600000  NS  ${l}.root-servers.net.\n${l}.root-servers.net.  3600000  A  ${v4}\n${l}.root-servers.net.  3600000  AAAA  ${v6}\n`,
  )
  .join("");
