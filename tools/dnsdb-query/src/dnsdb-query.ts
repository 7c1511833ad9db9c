import { CliError, type CliIo, OutputWriter, packageVersion, UsageError, versionLine } from "@dnsrep/cli";
import {
  type ClientOptions,
  isClientError,
  type LookupTarget,
  PdnsClient,
  type PdnsRecord,
  type PdnsSummary,
  parseQueryPath,
  type QueryOptions,
  splitLines,
  type Terminator,
  targetPath,
} from "@dnsrep/client";
import { loadConfig } from "./config.js";
import { getopt, type Options, paramOption, parseOptions, type QueryParams, targets, USAGE } from "./options.js";
import { CSV_HEADER, csvRows, dnsText, loadDnsText, rateText, summaryText } from "./present.js";
import { sortRecords } from "./sort.js";

export const VERSION = packageVersion(import.meta.url);

/** How one query (one batch line, or the command line's) ended. */
interface Outcome {
  /** false: an error (printed already unless batch -ff prints it) */
  ok: boolean;
  /** the status message: the server's terminator message, "no results found for query.", an error */
  message: string;
}

/** The output of one answer: a CSV header before its first row, the output limit. */
class Answer {
  printed = 0;
  #csvHeader = false;
  readonly out: OutputWriter;
  readonly o: Options;
  readonly limit: number | null;
  readonly iso: boolean;
  constructor(out: OutputWriter, o: Options, limit: number | null, iso: boolean) {
    this.out = out;
    this.o = o;
    this.limit = limit;
    this.iso = iso;
  }
  get full(): boolean {
    return this.limit !== null && this.printed >= this.limit;
  }
  async record(r: PdnsRecord): Promise<void> {
    this.printed++;
    if (this.o.presentation === "json") await this.out.text(`${JSON.stringify(r)}\n`);
    else if (this.o.presentation === "csv") {
      if (!this.#csvHeader) await this.out.text(CSV_HEADER);
      this.#csvHeader = true;
      await this.out.text(csvRows(r, this.iso));
    } else await this.out.text(dnsText(r));
  }
}

/**
 * dnsdb-query: dnsdbq's command line over @dnsrep/client — lookups (-r -n -i -R -N), summarize
 * (-V), rate limit info (-I), batch mode (-f), flex search (--glob / --regex), sorting (-s -S -k),
 * output as dnstable-lookup's text (-p dns), dnsdbq's JSON lines (-j) or CSV (-p csv).
 */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const o = parseOptions(argv, io.env);
  if (o.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (o.version || o.longVersion) {
    io.stdout.write(o.longVersion ? `${versionLine("dnsdb-query", VERSION)}\n` : `dnsdb-query: version ${VERSION}\n`);
    return 0;
  }
  const client = makeClient(o, io);
  if (o.presentation === "dns" && !o.info) await loadDnsText();
  const out = new OutputWriter(io.stdout);
  const iso = io.env.DNSDBQ_TIME_FORMAT === "iso";
  const warn = (msg: string): void => {
    if (!o.quiet) io.stderr.write(`dnsdb-query: ${msg}\n`);
  };
  try {
    if (o.info) {
      const rate = await client.rateLimit(signalOpt(io));
      await out.text(rateText(rate, o.presentation === "json", iso));
      return 0;
    }
    if (o.batch > 0) return await batch(client, o, io, out, iso);
    // -L defaults to -l's value; 0 (-l 0: the server's maximum) is no output limit, as in dnsdbq
    const answer = new Answer(out, o, o.params.outputLimit ?? (o.params.limit || null), iso);
    const r = await runQuery(client, o, o.params, targets(o), answer, io);
    // SIGINT/SIGTERM: what came is printed (flushed below), the connection closed
    if (io.signal?.aborted) throw new CliError("interrupted by a signal");
    if (!r.ok) throw new CliError(r.message);
    if (r.message !== "no error" && r.message !== "no results found for query.") warn(r.message);
    return 0;
  } catch (e) {
    if (isClientError(e)) throw new CliError(e.message);
    throw e;
  } finally {
    await out.flush();
  }
}

function signalOpt(io: CliIo): { signal?: AbortSignal } {
  return io.signal ? { signal: io.signal } : {};
}

function makeClient(o: Options, io: CliIo): PdnsClient {
  const cfg = loadConfig(io.env);
  const common: Partial<ClientOptions> = { swclient: "dnsdb-query", version: VERSION, ...signalOpt(io) };
  if (o.insecure) common.tls = { rejectUnauthorized: false };
  if (o.timeout !== null) {
    common.connectTimeoutMs = o.timeout * 1000;
    common.idleTimeoutMs = o.timeout * 1000;
  }
  try {
    if (o.system === "circl") {
      if (cfg.circlServer === null) throw new CliError("no CIRCL server given (CIRCL_SERVER in the config file)");
      const auth = cfg.circlAuth;
      const colon = auth?.indexOf(":") ?? -1;
      return new PdnsClient({
        ...common,
        server: cfg.circlServer,
        system: "circl",
        ...(auth && colon > 0 ? { basicAuth: { user: auth.slice(0, colon), password: auth.slice(colon + 1) } } : {}),
      });
    }
    if (cfg.dnsdbApiKey === null) throw new CliError("no API key given (DNSDB_API_KEY, or APIKEY in ~/.dnsdb-query.conf)");
    return new PdnsClient({ ...common, server: cfg.dnsdbServer, apiKey: cfg.dnsdbApiKey });
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) throw new CliError(e.message);
    throw e;
  }
}

function queryOptions(p: QueryParams, io: CliIo): QueryOptions {
  const q: QueryOptions = { ...signalOpt(io) };
  if (p.limit !== null) q.limit = p.limit;
  if (p.offset > 0) q.offset = p.offset;
  if (p.gravel) q.aggr = false;
  if (p.after !== null) q[p.complete ? "timeFirstAfter" : "timeLastAfter"] = p.after;
  if (p.before !== null) q[p.complete ? "timeLastBefore" : "timeFirstBefore"] = p.before;
  return q;
}

/** Run the lookups of one query (one a type) into one answer; sorted when asked. */
async function runQuery(client: PdnsClient, o: Options, p: QueryParams, ts: LookupTarget[], answer: Answer, io: CliIo): Promise<Outcome> {
  const qo = queryOptions(p, io);
  const sorted: { record: PdnsRecord; line: string }[] = [];
  let results = 0;
  let message = "no error";
  try {
    const streams: AsyncIterable<PdnsRecord | PdnsSummary>[] & { terminator: Terminator | null }[] = [];
    if (o.flex !== null) {
      const f = o.flex;
      const type = o.types?.[0];
      streams.push(
        client.flex(f.method, f.key, f.pattern, {
          ...qo,
          ...(f.exclude === null ? {} : { exclude: f.exclude }),
          ...(type === undefined ? {} : { type }),
        }) as never,
      );
    } else
      for (const t of ts)
        streams.push(
          o.verb === "summarize"
            ? client.summarize(t, { ...qo, ...(o.maxCount === null ? {} : { maxCount: o.maxCount }) })
            : client.lookup(t, qo),
        );
    for (const s of streams) {
      if (answer.full && o.sort === null) break;
      for await (const r of s) {
        results++;
        if (o.verb === "summarize") await answer.out.text(summaryText(r as PdnsSummary, o.presentation, answer.iso));
        else if (o.flex !== null) await answer.out.text(flexText(r as unknown as Record<string, unknown>, o));
        else if (o.sort !== null) sorted.push({ record: r as PdnsRecord, line: JSON.stringify(r) });
        else {
          await answer.record(r as PdnsRecord);
          // leaving the loop hangs up: the server stops producing what would not be printed
          if (answer.full) break;
        }
      }
      const t = s.terminator;
      if (t !== null && t.cond === "failed") return { ok: false, message: `query failed: ${t.msg || "no message"}` };
      if (t !== null && t.cond === "limited") message = t.msg || "limited";
    }
  } catch (e) {
    if (isClientError(e)) return { ok: false, message: e.message };
    if (e instanceof RangeError || e instanceof TypeError) return { ok: false, message: e.message };
    throw e;
  }
  if (o.sort !== null)
    for (const r of sortRecords(sorted, o.sort.keys, o.sort.reverse)) {
      if (answer.full) break;
      await answer.record(r);
    }
  if (results === 0 && message === "no error") message = "no results found for query.";
  return { ok: true, message };
}

function flexText(r: Record<string, unknown>, o: Options): string {
  if (o.presentation === "json") return `${JSON.stringify(r)}\n`;
  const value = String(r.rrname ?? r.rdata ?? "");
  if (o.presentation === "csv") return `"${value}","${String(r.rrtype)}"\n`;
  return `${value} ;; ${String(r.rrtype)}\n`;
}

/** Batch mode (-f / -ff): one query path a line on stdin, `#` comments, `$OPTIONS` lines. */
async function batch(client: PdnsClient, o: Options, io: CliIo, out: OutputWriter, iso: boolean): Promise<number> {
  const defaults = o.params;
  let params: QueryParams = { ...defaults };
  let failed = false;
  for await (const raw of splitLines(io.stdin as AsyncIterable<Uint8Array>)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (/^\$options\b/i.test(line)) {
      const words = line.split(/[ \t]+/).slice(1);
      if (words.length === 0) params = { ...defaults };
      else {
        const next = { ...params };
        try {
          getopt(words, (c, v) => {
            if (!paramOption(c, v, next)) throw new UsageError(`-${c} cannot be changed in $OPTIONS`);
          });
          params = next;
        } catch (e) {
          io.stderr.write(`dnsdb-query: warning: batch option parse error: ${(e as Error).message}\n`);
        }
      }
      continue;
    }
    if (o.batch === 2) await out.text(`++ ${line}\n`);
    const answer = new Answer(out, o, params.outputLimit, iso);
    let r: Outcome;
    try {
      const t = parseQueryPath(line);
      if (o.system === "circl" && t.kind !== "rrset" && t.kind !== "rdata_name" && t.kind !== "rdata_ip")
        throw new RangeError(`unsupported type of query for CIRCL pDNS: ${targetPath(t)}`);
      r = await runQuery(client, o, params, [t], answer, io);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      r = { ok: false, message: `batch entry parse error: ${e.message}` };
    }
    if (!r.ok) {
      failed = true;
      io.stderr.write(`dnsdb-query: ${line}: ${r.message}\n`);
    }
    await out.text(o.batch === 2 ? `-- ${r.ok ? "NOERROR" : "ERROR"} (${r.message})\n` : "--\n");
    if (io.signal?.aborted) throw new CliError("interrupted by a signal");
  }
  return failed ? 1 : 0;
}
