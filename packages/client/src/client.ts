import { ClientError, ClientErrorCode } from "./errors.js";
import { type Exchange, errorOf, open, sleep, type Timeouts, type TlsOptions } from "./http.js";
import { DEFAULT_MAX_LINE_BYTES, splitLineBatches, splitLines } from "./lines.js";
import { circlValue, dnsdbPath, type FlexKey, type FlexMethod, type LookupTarget, segment } from "./query.js";
import {
  checkFlex,
  checkRecord,
  checkSummary,
  type FlexRecord,
  type PdnsRecord,
  type PdnsSummary,
  parseCofLine,
  parseSafLine,
  type RecordCheck,
  type Terminator,
} from "./records.js";
import { ResultStream } from "./result-stream.js";
import { type FenceTime, fenceValue } from "./time.js";

export type PdnsSystem = "dnsdb2" | "circl";

export interface ClientOptions {
  /** the server's base URL: `https://api.dnsdb.info`, `http://127.0.0.1:8080`; for circl the query URL (`…/pdns/query` is added to a bare host) */
  server: string;
  /** DNSDB API key (sent as X-API-Key) */
  apiKey?: string;
  /** HTTP basic credentials (CIRCL) */
  basicAuth?: { user: string; password: string };
  /** the API the server speaks (default dnsdb2) */
  system?: PdnsSystem;
  /** ms from a request to its response headers (default 30000) */
  connectTimeoutMs?: number;
  /** ms the body may go without data (default 60000) */
  idleTimeoutMs?: number;
  /** retries after a 429 or 503 that says Retry-After (default 2) */
  retries?: number;
  /** the longest Retry-After waited for (ms, default 60000); a longer one is thrown at once */
  maxRetryWaitMs?: number;
  /** told of each retry before its wait */
  onRetry?: (error: ClientError, waitMs: number) => void;
  /** the longest response line taken (bytes, default 1 MiB) */
  maxLineBytes?: number;
  /** the client name and version sent as swclient / version (default "dnsrep-client", the package version) */
  swclient?: string;
  version?: string;
  /** aborts every request of this client */
  signal?: AbortSignal;
  /** https: the CA certificates to trust, or `rejectUnauthorized: false` to check none (unsafe) */
  tls?: TlsOptions;
}

/** Paging: ask in pages with increasing offsets until the answer is whole, the limit reached, or the offset past maxOffset. */
export interface Paging {
  /** results asked for per request (default: all that remain; the server caps it) */
  pageSize?: number;
  /** the key's offset_max: no page starts beyond it (default: asked of rate_limit before the second page) */
  maxOffset?: number;
}

export interface QueryOptions {
  /** results wanted (0: the server's maximum); with paging, the total over the pages (default: all) */
  limit?: number;
  /** results to skip */
  offset?: number;
  /** only records first seen after / before, last seen after / before */
  timeFirstAfter?: FenceTime;
  timeFirstBefore?: FenceTime;
  timeLastAfter?: FenceTime;
  timeLastBefore?: FenceTime;
  /** false: unaggregated results ("gravel") */
  aggr?: boolean;
  /** page with offset when one response is not the whole answer (true: default paging) */
  paging?: boolean | Paging;
  signal?: AbortSignal;
}

export interface SummarizeOptions extends Omit<QueryOptions, "paging"> {
  /** stop summarizing once the count passes this */
  maxCount?: number;
}

export interface FlexOptions extends QueryOptions {
  /** a pattern of the same method whose matches are left out */
  exclude?: string;
  /** only this rrtype */
  type?: string;
}

/** The `rate` object of /dnsdb/v2/rate_limit: numbers, or "n/a" / "unlimited". */
export type RateLimit = Record<string, number | string>;

const FENCES = [
  ["timeFirstAfter", "time_first_after"],
  ["timeFirstBefore", "time_first_before"],
  ["timeLastAfter", "time_last_after"],
  ["timeLastBefore", "time_last_before"],
] as const;

function count(name: string, v: number | undefined): number | undefined {
  if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) throw new RangeError(`${name} must be a non-negative integer`);
  return v;
}

/**
 * A client for passive DNS servers: DNSDB API v2 (Farsight's DNSDB, dnstable-server) and CIRCL's
 * COF. Every lookup returns a ResultStream of typed records as they arrive; errors are
 * ClientErrors (HTTP status, the server's one-line message, Retry-After). Built on node:http(s)
 * (no runtime dependencies): fetch's URL parsing would drop a root-name (`.`) path segment.
 */
export class PdnsClient {
  readonly system: PdnsSystem;
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #timeouts: Timeouts;
  readonly #retries: number;
  readonly #maxRetryWaitMs: number;
  readonly #maxLine: number;
  readonly #opts: ClientOptions;

  constructor(opts: ClientOptions) {
    let u: URL;
    try {
      u = new URL(opts.server);
    } catch {
      throw new TypeError(`server: not a URL: ${JSON.stringify(opts.server)}`);
    }
    if (u.protocol !== "http:" && u.protocol !== "https:")
      throw new TypeError(`server: not an http(s) URL: ${JSON.stringify(opts.server)}`);
    if (u.search !== "" || u.hash !== "") throw new TypeError("server: a base URL takes no query or fragment");
    this.system = opts.system ?? "dnsdb2";
    if (this.system !== "dnsdb2" && this.system !== "circl")
      throw new TypeError(`system: expected dnsdb2 or circl, got ${JSON.stringify(this.system)}`);
    let base = u.href.replace(/\/+$/, "");
    if (this.system === "circl" && (u.pathname === "/" || u.pathname === "")) base += "/pdns/query";
    this.#base = base;
    this.#opts = opts;
    this.#headers = { "user-agent": `${opts.swclient ?? "dnsrep-client"}/${opts.version ?? "0.1.0"}` };
    if (this.system === "dnsdb2") {
      this.#headers.accept = "application/x-ndjson";
      if (opts.apiKey !== undefined) this.#headers["x-api-key"] = opts.apiKey;
    } else this.#headers.accept = "application/json";
    if (opts.basicAuth !== undefined)
      this.#headers.authorization = `Basic ${Buffer.from(`${opts.basicAuth.user}:${opts.basicAuth.password}`).toString("base64")}`;
    const ms = (name: string, v: number | undefined, d: number): number => {
      if (v === undefined) return d;
      if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be a positive number of ms`);
      return v;
    };
    this.#timeouts = {
      connectMs: ms("connectTimeoutMs", opts.connectTimeoutMs, 30000),
      idleMs: ms("idleTimeoutMs", opts.idleTimeoutMs, 60000),
    };
    if (opts.tls !== undefined) this.#timeouts.tls = opts.tls;
    this.#retries = count("retries", opts.retries) ?? 2;
    this.#maxRetryWaitMs = count("maxRetryWaitMs", opts.maxRetryWaitMs) ?? 60000;
    this.#maxLine = ms("maxLineBytes", opts.maxLineBytes, DEFAULT_MAX_LINE_BYTES);
  }

  /** A lookup of any kind. */
  lookup(target: LookupTarget, opts: QueryOptions = {}): ResultStream<PdnsRecord> {
    if (this.system === "circl") {
      const value = circlValue(target);
      return this.#stream(opts, (params) => `${this.#base}/${value}${params}`, null);
    }
    const path = dnsdbPath(target);
    return this.#stream(opts, (params) => `${this.#base}/dnsdb/v2/lookup/${path}${params}`, checkRecord);
  }

  /** RRsets owned by a name (wildcards `*.zone`, `zone.*`), optionally of one type and bailiwick. */
  lookupRRset(name: string, opts: QueryOptions & { type?: string; bailiwick?: string } = {}): ResultStream<PdnsRecord> {
    return this.lookup({ kind: "rrset", name, ...pick(opts) }, opts);
  }

  /** RRsets whose owner name is the wire form given in hex. */
  lookupRRsetRaw(hex: string, opts: QueryOptions & { type?: string; bailiwick?: string } = {}): ResultStream<PdnsRecord> {
    return this.lookup({ kind: "rrset_raw", hex, ...pick(opts) }, opts);
  }

  /** Records whose rdata names a name (NS, CNAME, MX … targets). */
  lookupRdataName(name: string, opts: QueryOptions & { type?: string } = {}): ResultStream<PdnsRecord> {
    return this.lookup({ kind: "rdata_name", name, ...pick({ type: opts.type }) }, opts);
  }

  /** A and AAAA records with an address, in a prefix (`ADDR/LEN`) or a range (`ADDR-ADDR`). */
  lookupRdataIp(ip: string, opts: QueryOptions = {}): ResultStream<PdnsRecord> {
    return this.lookup({ kind: "rdata_ip", ip }, opts);
  }

  /** Records whose rdata is the bytes given in hex. */
  lookupRdataRaw(hex: string, opts: QueryOptions & { type?: string } = {}): ResultStream<PdnsRecord> {
    return this.lookup({ kind: "rdata_raw", hex, ...pick({ type: opts.type }) }, opts);
  }

  /** A summary (count, first and last seen, number of results) of what a lookup would give: zero or one object. */
  summarize(target: LookupTarget, opts: SummarizeOptions = {}): ResultStream<PdnsSummary> {
    this.#dnsdbOnly("summarize");
    const path = dnsdbPath(target);
    const maxCount = count("maxCount", opts.maxCount);
    return this.#stream(
      opts,
      (params) => `${this.#base}/dnsdb/v2/summarize/${path}${params}`,
      checkSummary,
      maxCount === undefined ? {} : { max_count: String(maxCount) },
    );
  }

  /** Flex search: owner names (`rrnames`) or rdata (`rdata`) matching a glob or a regular expression. */
  flex(method: FlexMethod, key: FlexKey, pattern: string, opts: FlexOptions = {}): ResultStream<FlexRecord> {
    this.#dnsdbOnly("flex search");
    if (method !== "glob" && method !== "regex") throw new RangeError(`flex method: expected glob or regex, got ${JSON.stringify(method)}`);
    if (key !== "rrnames" && key !== "rdata") throw new RangeError(`flex key: expected rrnames or rdata, got ${JSON.stringify(key)}`);
    const path = `${method}/${key}/${segment(pattern)}${opts.type !== undefined ? `/${segment(opts.type)}` : ""}`;
    return this.#stream(
      opts,
      (params) => `${this.#base}/dnsdb/v2/${path}${params}`,
      checkFlex,
      opts.exclude === undefined ? {} : { exclude: opts.exclude },
    );
  }

  /** The key's limits and use (`GET /dnsdb/v2/rate_limit`). */
  async rateLimit(opts: { signal?: AbortSignal } = {}): Promise<RateLimit> {
    this.#dnsdbOnly("rate_limit");
    const v = await this.#json(`${this.#base}/dnsdb/v2/rate_limit${this.#params({})}`, opts.signal);
    const rate = (v as { rate?: unknown }).rate;
    if (typeof rate !== "object" || rate === null || Array.isArray(rate))
      throw new ClientError(ClientErrorCode.PROTOCOL, "rate_limit: no rate object in the answer");
    return rate as RateLimit;
  }

  /** Whether the server answers (`GET /dnsdb/v2/ping`); throws a ClientError when it does not. */
  async ping(opts: { signal?: AbortSignal } = {}): Promise<true> {
    this.#dnsdbOnly("ping");
    const v = await this.#json(`${this.#base}/dnsdb/v2/ping${this.#params({})}`, opts.signal);
    if ((v as { ping?: unknown }).ping !== "ok") throw new ClientError(ClientErrorCode.PROTOCOL, 'ping: the answer is not {"ping":"ok"}');
    return true;
  }

  /**
   * The key's offset_max from rate_limit, for paging: a number, or null when there is none or it
   * cannot be had (a COF server, an error, "n/a"): then a 416 ends the paging instead.
   */
  async #offsetMax(signal: AbortSignal | undefined): Promise<number | null> {
    if (this.system !== "dnsdb2") return null;
    try {
      const v = (await this.rateLimit(signal ? { signal } : {})).offset_max;
      return typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : null;
    } catch (e) {
      if (e instanceof ClientError && e.code === ClientErrorCode.ABORTED) throw e;
      return null;
    }
  }

  #dnsdbOnly(what: string): void {
    if (this.system !== "dnsdb2") throw new RangeError(`a CIRCL server has no ${what}`);
  }

  #params(extra: Record<string, string>, opts: Omit<QueryOptions, "paging"> = {}, offset?: number, limit?: number): string {
    const p = new URLSearchParams();
    p.set("swclient", this.#opts.swclient ?? "dnsrep-client");
    p.set("version", this.#opts.version ?? "0.1.0");
    if (limit !== undefined) p.set("limit", String(limit));
    if (offset !== undefined && offset > 0) p.set("offset", String(offset));
    for (const [opt, name] of FENCES) {
      const v = opts[opt];
      if (v !== undefined) p.set(name, String(fenceValue(v)));
    }
    if (opts.aggr === false) p.set("aggr", "f");
    for (const [k, v] of Object.entries(extra)) p.set(k, v);
    return `?${p.toString()}`;
  }

  #signal(opts: { signal?: AbortSignal }): AbortSignal | undefined {
    const s = [this.#opts.signal, opts.signal].filter((x): x is AbortSignal => x !== undefined);
    return s.length === 0 ? undefined : s.length === 1 ? s[0] : AbortSignal.any(s);
  }

  /** Open a request, retrying a 429/503 that says Retry-After; any other non-200 is thrown as its ClientError. */
  async #open(url: string, signal: AbortSignal | undefined): Promise<Exchange> {
    for (let attempt = 0; ; attempt++) {
      const ex = await open(url, this.#headers, this.#timeouts, signal);
      if (ex.status === 200) return ex;
      const err = await errorOf(ex);
      const wait = err.retryAfter === null ? null : err.retryAfter * 1000;
      if ((err.status === 429 || err.status === 503) && wait !== null && attempt < this.#retries && wait <= this.#maxRetryWaitMs) {
        this.#opts.onRetry?.(err, wait);
        await sleep(wait, signal);
        continue;
      }
      throw err;
    }
  }

  async #json(url: string, s?: AbortSignal): Promise<unknown> {
    const signal = this.#signal({ ...(s ? { signal: s } : {}) });
    const ex = await this.#open(url, signal);
    let text = "";
    for await (const line of splitLines(ex.chunks(), this.#maxLine)) text += line;
    try {
      const v: unknown = JSON.parse(text);
      if (typeof v === "object" && v !== null) return v;
    } catch {}
    throw new ClientError(ClientErrorCode.PROTOCOL, "the answer is not a JSON object");
  }

  /** One response's records (SAF with `check`, COF when null); its terminator goes to `end` before the generator returns. */
  async *#page<T>(
    url: string,
    check: RecordCheck<T> | null,
    signal: AbortSignal | undefined,
    end: (t: Terminator) => void,
  ): AsyncGenerator<T, void, undefined> {
    const ex = await this.#open(url, signal);
    let lineNo = 0;
    let terminator: Terminator | null = null;
    let records = 0;
    try {
      for await (const batch of splitLineBatches(ex.chunks(), this.#maxLine)) {
        for (const line of batch) {
          lineNo++;
          if (line.trim() === "") continue;
          if (terminator !== null) throw new ClientError(ClientErrorCode.PROTOCOL, `response line ${lineNo}: data after the terminator`);
          if (check === null) {
            records++;
            yield parseCofLine(line, lineNo) as T;
            continue;
          }
          const l = parseSafLine(line, lineNo, check);
          if (l.kind === "record") {
            records++;
            yield l.record;
          } else if (l.kind === "end") terminator = l.terminator;
        }
      }
    } catch (e) {
      if (e instanceof ClientError && e.code === ClientErrorCode.TRUNCATED && check !== null)
        throw new ClientError(
          ClientErrorCode.TRUNCATED,
          `${e.message} (after ${records} record${records === 1 ? "" : "s"}, no terminator)`,
          { cause: e },
        );
      throw e;
    } finally {
      ex.close();
    }
    if (check === null) terminator = { cond: "succeeded" };
    if (terminator === null)
      throw new ClientError(
        ClientErrorCode.TRUNCATED,
        `the response ended without a terminator (after ${records} record${records === 1 ? "" : "s"})`,
      );
    end(terminator);
  }

  #stream<T>(
    opts: QueryOptions,
    url: (params: string) => string,
    check: RecordCheck<T> | null,
    extra: Record<string, string> = {},
  ): ResultStream<T> {
    const limit = count("limit", opts.limit);
    const offset0 = count("offset", opts.offset) ?? 0;
    const paging: Paging | null = opts.paging === true ? {} : opts.paging === false || opts.paging === undefined ? null : opts.paging;
    if (paging !== null) {
      count("pageSize", paging.pageSize);
      count("maxOffset", paging.maxOffset);
      if (paging.pageSize === 0) throw new RangeError("pageSize must be positive");
    }
    // check the fences now, not when iterating
    this.#params(extra, opts);
    const signal = this.#signal(opts);
    if (paging === null)
      return new ResultStream<T>((end) => this.#page(url(this.#params(extra, opts, offset0, limit)), check, signal, end));
    const self = this;
    return new ResultStream<T>(async function* (end) {
      const want = limit === undefined || limit === 0 ? null : limit;
      let offset = offset0;
      let total = 0;
      /** the key's offset_max: given, or asked of rate_limit before a second page (undefined: not known) */
      let maxOffset: number | null | undefined = paging.maxOffset;
      for (;;) {
        const remaining = want === null ? undefined : want - total;
        const size =
          paging.pageSize === undefined ? remaining : remaining === undefined ? paging.pageSize : Math.min(paging.pageSize, remaining);
        let n = 0;
        let term: Terminator | null = null;
        try {
          for await (const r of self.#page(url(self.#params(extra, opts, offset, size)), check, signal, (t) => {
            term = t;
          })) {
            n++;
            yield r;
          }
        } catch (e) {
          // a later page beyond the key's offset_max: the answer so far, cut
          if (e instanceof ClientError && e.code === ClientErrorCode.OFFSET_RANGE && total > 0) {
            end({ cond: "limited", msg: e.message });
            return;
          }
          throw e;
        }
        const t = term as unknown as Terminator;
        total += n;
        if (t.cond === "limited" && n > 0 && maxOffset === undefined) maxOffset = await self.#offsetMax(signal);
        if (
          t.cond !== "limited" ||
          n === 0 ||
          (want !== null && total >= want) ||
          (maxOffset !== undefined && maxOffset !== null && offset + n > maxOffset)
        ) {
          end(t);
          return;
        }
        offset += n;
      }
    });
  }
}

function pick(o: { type?: string | undefined; bailiwick?: string | undefined }): { type?: string; bailiwick?: string } {
  const r: { type?: string; bailiwick?: string } = {};
  if (o.type !== undefined) r.type = o.type;
  if (o.bailiwick !== undefined) r.bailiwick = o.bailiwick;
  return r;
}
