/**
 * What to look up, and the URL path each server system gives it. DNSDB API v2 paths:
 * `{lookup,summarize}/rrset/{name,raw}/VALUE[/TYPE[/BAILIWICK]]`, `…/rdata/{name,raw}/VALUE[/TYPE]`,
 * `…/rdata/ip/ADDR[,PREFIX]`, and flex search `{glob,regex}/{rrnames,rdata}/VALUE[/TYPE]`. A CIRCL
 * COF server takes a name or an address after its base URL.
 */
export type LookupTarget =
  | { kind: "rrset"; name: string; type?: string; bailiwick?: string }
  | { kind: "rrset_raw"; hex: string; type?: string; bailiwick?: string }
  | { kind: "rdata_name"; name: string; type?: string }
  | { kind: "rdata_ip"; ip: string }
  | { kind: "rdata_raw"; hex: string; type?: string };

export type FlexMethod = "glob" | "regex";
export type FlexKey = "rrnames" | "rdata";

/** A path segment: percent-encoded, but `,` `:` `*` kept as they are (an IPv6 address, a prefix, a wildcard). */
export function segment(s: string): string {
  if (s.length === 0) throw new RangeError("empty query value");
  return encodeURIComponent(s).replace(/%2C/gi, ",").replace(/%3A/gi, ":");
}

function checkHex(hex: string): string {
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) throw new RangeError(`bad hex: ${JSON.stringify(hex)}`);
  return hex;
}

/** An address, a prefix (`ADDR/LEN` or `ADDR,LEN`) or a range, with a prefix's `/` as `,` as DNSDB wants. */
export function ipValue(ip: string): string {
  if (!/^[0-9A-Fa-f:.]+([/,]\d{1,3}|-[0-9A-Fa-f:.]+)?$/.test(ip)) throw new RangeError(`bad address: ${JSON.stringify(ip)}`);
  return ip.replace("/", ",");
}

/** The DNSDB API v2 path after `/dnsdb/v2/{lookup,summarize}/`. */
export function dnsdbPath(t: LookupTarget): string {
  const tail = (type: string | undefined, bailiwick?: string): string => {
    if (bailiwick !== undefined) return `/${segment(type ?? "ANY")}/${segment(bailiwick)}`;
    return type !== undefined ? `/${segment(type)}` : "";
  };
  switch (t.kind) {
    case "rrset":
      return `rrset/name/${segment(t.name)}${tail(t.type, t.bailiwick)}`;
    case "rrset_raw":
      return `rrset/raw/${checkHex(t.hex)}${tail(t.type, t.bailiwick)}`;
    case "rdata_name":
      return `rdata/name/${segment(t.name)}${tail(t.type)}`;
    case "rdata_raw":
      return `rdata/raw/${checkHex(t.hex)}${tail(t.type)}`;
    case "rdata_ip":
      return `rdata/ip/${segment(ipValue(t.ip))}`;
  }
}

/** The value a CIRCL server takes for a target: a name (rrset and rdata alike) or an address. */
export function circlValue(t: LookupTarget): string {
  if (t.kind === "rrset" || t.kind === "rdata_name") {
    if (t.type !== undefined || ("bailiwick" in t && t.bailiwick !== undefined))
      throw new RangeError("a CIRCL server takes no rrtype or bailiwick");
    return segment(t.name);
  }
  if (t.kind === "rdata_ip") return segment(ipValue(t.ip));
  throw new RangeError(`a CIRCL server has no ${t.kind} lookup`);
}

function decode(s: string, path: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new RangeError(`bad percent-encoding in ${JSON.stringify(path)}`);
  }
}

/**
 * A DNSDB API v2 query path as dnsdbq's batch files write it (`rrset/name/NAME[/TYPE[/BAILIWICK]]`,
 * `rrset/raw/HEX…`, `rdata/name/NAME[/TYPE]`, `rdata/ip/ADDR[,PREFIX]`, `rdata/raw/HEX[/TYPE]`;
 * a `/` or `,` inside a name percent-encoded) as a target. Throws RangeError naming the problem.
 */
export function parseQueryPath(path: string): LookupTarget {
  const parts = path.split("/");
  const [kind, by, value, type, bailiwick, ...extra] = parts;
  const bad = (why: string): RangeError => new RangeError(`${why}: ${JSON.stringify(path)}`);
  if (value === undefined || value === "")
    throw bad("expected rrset/name/NAME, rrset/raw/HEX, rdata/name/NAME, rdata/ip/ADDR or rdata/raw/HEX");
  if (extra.length > 0 || type === "" || bailiwick === "") throw bad("too many or empty path parts");
  const v = decode(value, path);
  const ty = type === undefined ? undefined : decode(type, path);
  const bw = bailiwick === undefined ? undefined : decode(bailiwick, path);
  const opt = <K extends string>(k: K, x: string | undefined): { [P in K]?: string } =>
    x === undefined ? {} : ({ [k]: x } as { [P in K]?: string });
  if (kind === "rrset" && by === "name") return { kind: "rrset", name: v, ...opt("type", ty), ...opt("bailiwick", bw) };
  if (kind === "rrset" && by === "raw") return { kind: "rrset_raw", hex: checkHex(v), ...opt("type", ty), ...opt("bailiwick", bw) };
  if (bw !== undefined) throw bad("only rrset queries take a bailiwick");
  if (kind === "rdata" && by === "name") return { kind: "rdata_name", name: v, ...opt("type", ty) };
  if (kind === "rdata" && by === "raw") return { kind: "rdata_raw", hex: checkHex(v), ...opt("type", ty) };
  if (kind === "rdata" && by === "ip") {
    if (ty !== undefined) return { kind: "rdata_ip", ip: ipValue(`${v}/${ty}`) };
    return { kind: "rdata_ip", ip: ipValue(v) };
  }
  throw bad("unknown query kind");
}

/** A target as its query path (the inverse of parseQueryPath). */
export function targetPath(t: LookupTarget): string {
  return dnsdbPath(t);
}
