/**
 * The log vectors' EXPECTED rows (../shared/vectors/logs, §5 of its README) mapped to the DNSDB form
 * `dnsrep-shipper parse` prints, and the parse options each log needs (format from the folder, the
 * access-log definitions from the captured nginx/squid configs).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { reverseName } from "@dnsrep/logs";
import { ipv6ToString, parseIpv6 } from "@dnsrep/wdns";

export interface Expect {
  time_first: number | null;
  time_last: number | null;
  count: number;
}

interface Row {
  domain: string;
  rrtype: string;
  value: string;
  first_seen: number | null;
  last_seen: number | null;
  count: number;
  source: string;
}

/** Types whose rdata the vectors and DNSDB print the same way (names without the trailing dot). */
const SAME_TEXT = new Set(["A", "AAAA", "CNAME", "DNAME", "NS", "PTR", "MX", "SRV", "TXT"]);

/**
 * The comparison key. Other types' rdata are compared without spaces and quotes, lower-cased:
 * the vectors print them as dnspython does (base64 in 32-character chunks, SVCB values quoted),
 * dnsrep as libwdns does; the fields are the same.
 */
export function key(rrname: string, rrtype: string, rdata: string): string {
  let r = rdata;
  if (rrtype === "AAAA") {
    // python's ipaddress prints ::ffff:c000:201 where inet_ntop (and DNSDB) print ::ffff:192.0.2.1
    const b = parseIpv6(rdata);
    if (b) r = ipv6ToString(b);
  } else if (rrtype === "RRSIG") {
    // dnspython prints the validity times as YYYYMMDDHHMMSS, libwdns as epoch seconds
    r = rdata
      .split(" ")
      .map((t, i) => ((i === 4 || i === 5) && /^\d{14}$/.test(t) ? String(yyyymmdd(t)) : t))
      .join(" ");
  } else if (rrtype === "SSHFP" && /^\d+ \d+ [0-9a-fA-F ]+$/.test(rdata)) {
    // libwdns has no SSHFP descriptor and prints the generic \# form: "1 1 ab…" is \# n 01 01 ab…
    const [alg, fp, ...hex] = rdata.split(" ");
    const h = hex.join("").toLowerCase();
    r = `\\# ${2 + h.length / 2} ${Number(alg).toString(16).padStart(2, "0")}${Number(fp).toString(16).padStart(2, "0")}${h}`;
  }
  if (!SAME_TEXT.has(rrtype)) r = r.replace(/[\s"]/g, "").toLowerCase();
  return `${rrname}\t${rrtype}\t${r}`;
}

function yyyymmdd(t: string): number {
  const n = (a: number, b: number): number => Number(t.slice(a, b));
  return Date.UTC(n(0, 4), n(4, 6) - 1, n(6, 8), n(8, 10), n(10, 12), n(12, 14)) / 1000;
}

/**
 * Rows whose rdata libwdns prints in the generic `\# LEN HEX` form (types it has no descriptor for,
 * e.g. LOC) while the vectors print dnspython's type-specific text: for each (rrname, rrtype) with
 * only generic rows on our side and as many missing rows on the other, they are paired in order of
 * (count, first, last) so those are still compared. Returns the pairs (missing key, our key).
 */
export function pairGeneric(
  missing: string[],
  extra: string[],
  stats: (k: string, ours: boolean) => Expect | undefined,
): [string, string][] {
  const owner = (k: string): string => k.split("\t").slice(0, 2).join("\t");
  const order =
    (ours: boolean) =>
    (a: string, b: string): number => {
      const x = stats(a, ours);
      const y = stats(b, ours);
      return (x?.count ?? 0) - (y?.count ?? 0) || (x?.time_first ?? 0) - (y?.time_first ?? 0) || (x?.time_last ?? 0) - (y?.time_last ?? 0);
    };
  const pairs: [string, string][] = [];
  for (const o of new Set(extra.map(owner))) {
    const ours = extra.filter((x) => owner(x) === o);
    if (!ours.every((x) => x.split("\t")[2]?.startsWith("\\#"))) continue;
    const theirs = missing.filter((m) => owner(m) === o);
    if (theirs.length !== ours.length) continue;
    ours.sort(order(true));
    theirs.sort(order(false));
    ours.forEach((x, i) => {
      pairs.push([theirs[i] as string, x]);
    });
  }
  return pairs;
}

/** A dnsmasq TXT string as logged → DNSDB's quoted character-string (written independently of quoteTxt). */
function quoted(s: string): string {
  let o = '"';
  for (const b of Buffer.from(s, "utf8")) {
    if (b === 0x22 || b === 0x5c) o += `\\${String.fromCharCode(b)}`;
    else if (b < 0x20 || b > 0x7e) o += `\\${b.toString().padStart(3, "0")}`;
    else o += String.fromCharCode(b);
  }
  return `${o}"`;
}

/** A raw name in libwdns presentation: `\\` doubled, space and control bytes as \\DDD. */
function escaped(name: string): string {
  return name.replace(/[\\\x00-\x20\x7f]/g, (c) => (c === "\\" ? "\\\\" : `\\${String(c.charCodeAt(0)).padStart(3, "0")}`));
}

/** EXPECTED rows → key → (first, last, count) in DNSDB form; dnstap rows of both message types merged. */
export function expected(path: string): Map<string, Expect> {
  const out = new Map<string, Expect>();
  const text = readFileSync(path, "utf8");
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const r = JSON.parse(line) as Row;
    let rrname = r.domain;
    let rdata = r.value;
    if (r.source.startsWith("dnsmasq")) {
      // dnsmasq prints label bytes raw ("sp ace"): DNSDB's presentation escapes them ("sp\032ace")
      rrname = escaped(r.domain);
      if (r.rrtype === "PTR") {
        // dnsmasq rows are (host name, PTR, address); DNSDB stores (reverse name, PTR, host name)
        rrname = reverseName(r.value) as string;
        rdata = escaped(r.domain);
      } else if (r.rrtype === "TXT") rdata = quoted(r.value);
      else if (r.rrtype === "CNAME") rdata = escaped(r.value);
    }
    const k = key(rrname, r.rrtype, rdata);
    const e = out.get(k);
    if (!e) {
      out.set(k, { time_first: r.first_seen, time_last: r.last_seen, count: r.count });
      continue;
    }
    e.count += r.count;
    if (r.first_seen !== null && (e.time_first === null || r.first_seen < e.time_first)) e.time_first = r.first_seen;
    if (r.last_seen !== null && (e.time_last === null || r.last_seen > e.time_last)) e.time_last = r.last_seen;
  }
  return out;
}

/** Every log of a vector folder that has an EXPECTED file, relative paths (`squid/access.log`). */
export function expectedLogs(root: string): string[] {
  const out: string[] = [];
  for (const dir of readdirSync(root, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(join(root, dir.name))) {
      if (f.endsWith(".EXPECTED.jsonl")) out.push(`${dir.name}/${f.slice(0, -".EXPECTED.jsonl".length)}`);
    }
  }
  return out.sort();
}

/** The access-log definition that wrote `log` (its file name), from an nginx or squid config. */
function definitionFor(conf: string, log: string, kind: "nginx" | "squid"): string | undefined {
  if (kind === "nginx") {
    const use = new RegExp(`access_log\\s+\\S*/${log.replace(/\./g, "\\.")}\\s+(\\S+?);`).exec(conf);
    const name = use?.[1] ?? "combined";
    const def = new RegExp(`log_format\\s+${name}\\s+((?:'[^']*'\\s*)+);`).exec(conf);
    return def ? [...(def[1] as string).matchAll(/'([^']*)'/g)].map((m) => m[1]).join("") : name;
  }
  const use = new RegExp(`access_log\\s+(?:stdio:)?\\S*/${log.replace(/\./g, "\\.")}\\s+(\\S+)`).exec(conf);
  const name = use?.[1] ?? "squid";
  const def = new RegExp(`^logformat\\s+${name}\\s+(.+)$`, "m").exec(conf);
  return def ? (def[1] as string) : name;
}

/** `dnsrep-shipper parse` arguments for a vector log (`squid/access_pdns.log`), or null when unknown. */
export function parseArgs(root: string, rel: string): string[] | null {
  const [dir, file] = rel.split("/") as [string, string];
  if (file.endsWith(".dnstap")) return ["--format", "dnstap"];
  const conf = (name: string): string => {
    const p = join(root, "config", name);
    return existsSync(p) ? readFileSync(p, "utf8") : "";
  };
  switch (dir) {
    case "dnsmasq":
      return ["--format", "dnsmasq", "--year", "2026", "--utc"]; // README: captured in 2026, TZ=UTC
    case "kresd":
      return ["--format", "kresd"];
    case "unbound":
      return ["--format", "unbound"];
    case "named":
      return file.endsWith("querylog") ? ["--format", "bind-querylog"] : null;
    case "squid":
      return ["--format", "squid", "--log-format", definitionFor(conf("squid.conf"), file, "squid") ?? "squid"];
    case "nginx":
      return ["--format", "nginx", "--log-format", definitionFor(conf("nginx.conf"), file, "nginx") ?? "combined"];
    default:
      return null;
  }
}
