/**
 * Web server and proxy access logs read through their format definition: nginx `log_format`
 * (`$host`, `$server_addr`, `$upstream_addr`, `$msec`, `$time_local` …) and Apache `LogFormat`
 * (`%{Host}i`, `%V`, `%A`, `%t` …); squid reuses the same machinery (squid.ts). An association is
 * (host name of the request, the server address it was served from) with A or AAAA from the
 * address family. Nothing is inferred: a line without a DNS-name host (`_`, `-`, an IP literal) or
 * without an address gives nothing; a definition with neither gives no observations at all.
 */
import { LogsError, LogsErrorCode } from "./errors.js";
import type { FormatOptions } from "./formats.js";
import { LineParser, Reject } from "./line-parser.js";
import { type CompiledFormat, compileTokens, type Field, type Token, unwrapDefinition } from "./log-format.js";
import { addressValue, normalizeName } from "./normalize.js";
import type { Association } from "./observation.js";
import { clfTime, epochTime, isoTime } from "./time.js";

const URL_HOST = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/(?:[^/@?#]*@)?(\[[^\]]*\]|[^/:?#]*)/;

/**
 * The host part of a Host header / URL authority / CONNECT target, or null when it is not a DNS
 * name: an IP literal (also percent-encoded `%5B::1%5D`), `_`, `-`, empty.
 */
export function hostName(raw: string): string | null | "invalid" {
  let h = raw;
  if (h.includes("%")) {
    try {
      h = decodeURIComponent(h);
    } catch {
      return "invalid";
    }
  }
  if (h.startsWith("[")) return null; // [IPv6] or [IPv6]:port
  const colon = h.indexOf(":");
  if (colon !== -1) {
    if (h.indexOf(":", colon + 1) !== -1) return null; // bare IPv6
    h = h.slice(0, colon);
  }
  if (h === "" || h === "_" || h === "-" || addressValue(h) !== null) return null;
  return normalizeName(h) ?? "invalid";
}

/** The host of a request URL (`scheme://host…`, or `host:port` for CONNECT), or undefined when it has none. */
export function urlHost(url: string, method: string | undefined): string | undefined {
  if (method === "CONNECT" || (!url.includes("/") && /:\d+$/.test(url))) return url;
  const m = URL_HOST.exec(url);
  return m ? (m[1] as string) : undefined;
}

export abstract class AccessLogParser extends LineParser {
  readonly format: string;
  private readonly re: RegExp;
  private readonly g: Partial<Record<Field, number>>;

  protected constructor(format: string, compiled: CompiledFormat) {
    super();
    this.format = format;
    this.re = compiled.regex;
    this.g = compiled.groups;
  }

  /** Whether a hierarchy code means the address is the host's own (squid overrides it). */
  protected direct(_hier: string): boolean {
    return true;
  }

  protected parse(text: string): Association[] {
    const m = this.re.exec(text);
    if (!m) return this.reject(Reject.UNMATCHED, text);
    const g = this.g;
    const get = (f: Field): string | undefined => {
      const i = g[f];
      return i === undefined ? undefined : m[i];
    };
    // the address
    let addrText = get("server_addr") ?? get("peer_addr");
    if (addrText === undefined) {
      const up = get("upstream_addr");
      if (up !== undefined) addrText = lastUpstream(up);
    }
    if (addrText === undefined || addrText === "-" || addrText === "") return [];
    const hier = get("hier");
    if (hier !== undefined && !this.direct(hier)) return [];
    // the host: URL first (what a proxy resolved), then $host / Host header
    let method = get("method");
    let url = get("url");
    const req = get("request");
    if (req !== undefined && url === undefined) {
      const parts = req.split(" ");
      if (parts.length >= 2) {
        method ??= parts[0];
        url = parts[1];
      }
    }
    let hostRaw = url !== undefined ? urlHost(url, method) : undefined;
    hostRaw ??= get("host") ?? get("host_header");
    if (hostRaw === undefined) return [];
    const host = hostName(hostRaw);
    if (host === null) return [];
    if (host === "invalid") return this.reject(Reject.BAD_NAME, text);
    const addr = addressValue(addrText.startsWith("[") ? addrText.slice(1, addrText.indexOf("]")) : addrText);
    if (addr === null) return this.reject(Reject.BAD_ADDRESS, text);
    const time = this.time(get);
    if (time === undefined) return this.reject(Reject.BAD_TIME, text);
    return [{ rrname: host, rrtype: addr.rrtype, rdata: addr.rdata, time }];
  }

  /** The line's time; null when the format has none; undefined when it has one that does not parse. */
  private time(get: (f: Field) => string | undefined): number | null | undefined {
    let v = get("time_epoch");
    if (v !== undefined) {
      const t = epochTime(v);
      if (t === null) return undefined;
      const ms = get("time_ms");
      return ms !== undefined && /^\d{1,3}$/.test(ms) ? t + Number(ms) / 1000 : t;
    }
    v = get("time_epoch_ms");
    if (v !== undefined) return /^\d{1,15}$/.test(v) ? Number(v) / 1000 : undefined;
    v = get("time_epoch_us");
    if (v !== undefined) return /^\d{1,18}$/.test(v) ? Number(v) / 1e6 : undefined;
    v = get("time_clf") ?? get("time_clf_brackets")?.slice(1, -1);
    if (v !== undefined) return clfTime(v) ?? undefined;
    v = get("time_iso");
    if (v !== undefined) return isoTime(v) ?? undefined;
    return null;
  }
}

/** The address that served: the last of nginx's `addr, addr : addr` list, without its port. */
function lastUpstream(list: string): string | undefined {
  const parts = list.split(/\s*[,:]\s+/);
  const last = (parts[parts.length - 1] as string).trim();
  if (last === "-" || last.startsWith("unix:")) return undefined;
  if (last.startsWith("[")) return last.slice(1, last.indexOf("]"));
  const c = last.lastIndexOf(":");
  return c !== -1 && last.indexOf(":") === c ? last.slice(0, c) : last;
}

// ---------------------------------------------------------------- nginx

/** nginx's predefined format (ngx_http_log_module). */
export const NGINX_FORMATS: Record<string, string> = {
  combined: '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"',
};

const NGINX_VARS: Record<string, Field> = {
  msec: "time_epoch",
  time_local: "time_clf",
  time_iso8601: "time_iso",
  host: "host",
  http_host: "host_header",
  server_addr: "server_addr",
  upstream_addr: "upstream_addr",
  request: "request",
  request_method: "method",
};

export function nginxTokens(def: string): Token[] {
  const out: Token[] = [];
  const re = /\$(?:\{(\w+)\}|(\w+))/g;
  let last = 0;
  for (const m of def.matchAll(re)) {
    if (m.index > last) out.push({ lit: def.slice(last, m.index) });
    const name = (m[1] ?? m[2]) as string;
    out.push({ field: NGINX_VARS[name] ?? null, name: `$${name}` });
    last = m.index + m[0].length;
  }
  if (last < def.length) out.push({ lit: def.slice(last) });
  return out;
}

export class NginxParser extends AccessLogParser {
  constructor(opts: FormatOptions = {}) {
    const def = unwrapDefinition(opts.logFormat ?? "combined");
    super(opts.source ?? "nginx", compileTokens(nginxTokens(NGINX_FORMATS[def] ?? def)));
  }
}

// ---------------------------------------------------------------- Apache

/** Apache's usual named formats (Debian's apache2.conf). */
export const APACHE_FORMATS: Record<string, string> = {
  common: '%h %l %u %t "%r" %>s %O',
  combined: '%h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"',
  vhost_combined: '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"',
};

export function apacheTokens(def: string): Token[] {
  const out: Token[] = [];
  let lit = "";
  let i = 0;
  const d = def.replace(/\\"/g, '"').replace(/\\t/g, "\t");
  while (i < d.length) {
    const c = d[i] as string;
    if (c !== "%") {
      lit += c;
      i++;
      continue;
    }
    if (d[i + 1] === "%") {
      lit += "%";
      i += 2;
      continue;
    }
    const m = /^%[<>]?(?:!?\d+(?:,\d+)*)?(?:\{([^}]*)\})?([a-zA-Z])/.exec(d.slice(i));
    if (!m) throw new LogsError(LogsErrorCode.BAD_OPTION, `Apache LogFormat: cannot read the directive at "${d.slice(i, i + 12)}"`);
    if (lit) out.push({ lit });
    lit = "";
    const arg = m[1];
    const code = m[2] as string;
    let field: Field | null = null;
    if (code === "t") {
      if (arg === undefined) field = "time_clf_brackets";
      else if (arg === "sec") field = "time_epoch";
      else if (arg === "msec") field = "time_epoch_ms";
      else if (arg === "usec") field = "time_epoch_us";
    } else if (code === "i" && arg?.toLowerCase() === "host") field = "host_header";
    else if (code === "V" || code === "v") field = "host";
    else if (code === "A") field = "server_addr";
    else if (code === "r") field = "request";
    else if (code === "m") field = "method";
    out.push({ field, name: m[0] });
    i += m[0].length;
  }
  if (lit) out.push({ lit });
  return out;
}

export class ApacheParser extends AccessLogParser {
  constructor(opts: FormatOptions = {}) {
    const def = unwrapDefinition(opts.logFormat ?? "combined");
    super(opts.source ?? "apache", compileTokens(apacheTokens(APACHE_FORMATS[def] ?? def)));
  }
}

export const createNginxParser = (opts: FormatOptions): NginxParser => new NginxParser(opts);
export const createApacheParser = (opts: FormatOptions): ApacheParser => new ApacheParser(opts);
