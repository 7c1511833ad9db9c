/**
 * `dnsrep-shipper parse`: read logs with one of @dnsrep/logs' parsers and print the aggregated
 * observations as JSON lines with DNSDB's field names, sorted by (rrname, rrtype, rdata); the
 * rejected lines are counted by reason on stderr.
 */
import {
  CliError,
  type CliIo,
  configureProgram,
  EXIT_FAILURE,
  EXIT_OK,
  errorLine,
  OutputWriter,
  openInput,
  parseIntOption,
  UsageError,
} from "@dnsrep/cli";
import { FrameStreamReader } from "@dnsrep/dnstap";
import {
  Aggregator,
  type Association,
  createParser,
  type FormatOptions,
  type FrameLogParser,
  formatInfo,
  formatNames,
  guessFormat,
  isLogsError,
  type LineEvent,
  LineSplitter,
  type LogParser,
  MAX_DOCUMENT,
  type Observation,
  QueryLogParser,
  Reject,
} from "@dnsrep/logs";
import { Command } from "commander";

const CUT = "line cut at end of input (no newline)";

interface ParseFlags {
  format: string;
  logFormat?: string;
  regex?: string;
  timeFormat?: string;
  year?: string;
  source?: string;
  utc?: boolean;
  quiet?: boolean;
}

/** One observation as a JSON line, keys in the documented order. */
export function observationLine(o: Observation): string {
  return `${JSON.stringify({
    rrname: o.rrname,
    rrtype: o.rrtype,
    rdata: o.rdata,
    time_first: o.time_first,
    time_last: o.time_last,
    count: o.count,
    source: o.source,
  })}\n`;
}

interface Totals {
  lines: number;
  /** Frames of binary inputs (dnstap messages), counted apart from text lines. */
  frames: number;
  queries: number;
  rejected: Map<string, number>;
}

export async function runParse(argv: string[], io: CliIo): Promise<number> {
  const program = configureProgram(new Command("dnsrep-shipper parse"), io)
    .description("parse logs into passive DNS observations, printed as JSON lines")
    .usage("--format FORMAT [options] FILE...|-")
    .requiredOption("-f, --format <format>", `the log format: auto, ${formatNames().join(", ")}`)
    .option("--log-format <text>", "the log format definition (squid logformat, nginx log_format, Apache LogFormat)")
    .option("--regex <re>", "regular expression with named groups (regex format)")
    .option("--time-format <fmt>", "time format of the regex format's time group")
    .option("--year <year>", "year of year-less syslog timestamps (default: the one not in the future)")
    .option("--utc", "timestamps without a zone (syslog) are UTC, not this machine's local time")
    .option("--source <name>", "the observations' source (default: the format name)")
    .option("-q, --quiet", "no summary on stderr (rejected lines are still reported)")
    .argument("[files...]", "log files, - for stdin (default)");
  program.parse(argv, { from: "user" });
  const f = program.opts<ParseFlags>();
  const files: string[] = program.args.length ? program.args : ["-"];
  const opts: FormatOptions = {};
  if (f.logFormat !== undefined) opts.logFormat = f.logFormat;
  if (f.regex !== undefined) opts.regex = f.regex;
  if (f.timeFormat !== undefined) opts.timeFormat = f.timeFormat;
  if (f.year !== undefined) opts.year = parseIntOption("--year", f.year, 1970, 9999);
  if (f.source !== undefined) opts.source = f.source;
  if (f.utc) opts.utc = true;
  if (f.format !== "auto" && !formatInfo(f.format)) {
    throw new UsageError(`--format: unknown format "${f.format}" (known: auto, ${formatNames().join(", ")})`);
  }
  // check the options once before reading anything (a bad --log-format is a usage error)
  if (f.format !== "auto") newParser(f.format, opts);

  const out = new OutputWriter(io.stdout);
  const totals: Totals = { lines: 0, frames: 0, queries: 0, rejected: new Map() };
  // one aggregate over every file; its source is the first parser's format unless --source names one
  let agg: Aggregator | undefined;
  const aggregator = (format: string): Aggregator => {
    agg ??= new Aggregator({ source: opts.source ?? format, maxEntries: Number.MAX_SAFE_INTEGER });
    return agg;
  };
  let failed = false;
  for (const file of files) {
    if (io.signal?.aborted) break;
    try {
      await parseFile(file, f.format, opts, io, totals, aggregator);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      io.stderr.write(`dnsrep-shipper parse: ${file === "-" ? "stdin" : file}: ${errorLine(e)}\n`);
      failed = true;
    }
  }
  const obs = agg?.drain() ?? [];
  for (const o of obs) {
    const w = out.text(observationLine(o));
    if (w) await w;
    if (out.closed) break;
  }
  await out.end();
  const rejectedTotal = [...totals.rejected.values()].reduce((s, n) => s + n, 0);
  if (!f.quiet || rejectedTotal > 0) {
    const read = [totals.lines || !totals.frames ? `${totals.lines} lines` : "", totals.frames ? `${totals.frames} dnstap messages` : ""];
    let s = `dnsrep-shipper parse: ${read.filter((x) => x).join(", ")}, ${obs.length} observations, ${rejectedTotal} rejected`;
    if (totals.queries > 0) s += `, ${totals.queries} queries without values`;
    io.stderr.write(`${s}\n`);
    for (const [reason, n] of [...totals.rejected].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
      io.stderr.write(`dnsrep-shipper parse: rejected ${n}: ${reason}\n`);
    }
  }
  return failed ? EXIT_FAILURE : EXIT_OK;
}

function newParser(format: string, opts: FormatOptions): LogParser {
  try {
    return createParser(format, opts);
  } catch (e) {
    if (isLogsError(e) || e instanceof RangeError || e instanceof SyntaxError) throw new UsageError(errorLine(e));
    throw e;
  }
}

async function parseFile(
  file: string,
  format: string,
  opts: FormatOptions,
  io: CliIo,
  totals: Totals,
  aggregator: (format: string) => Aggregator,
): Promise<void> {
  const input = openInput(file, io)[Symbol.asyncIterator]();
  let first = await input.next();
  let name = format;
  if (format === "auto") {
    const head = first.done ? new Uint8Array(0) : first.value;
    const g = guessFormat(head, opts.logFormat);
    if (g === null) throw new CliError("cannot guess the log format from its first lines: give --format");
    name = g;
  }
  const parser = newParser(name, opts);
  const binary = formatInfo(name)?.binary === true;
  const agg = aggregator(parser.format);
  const push = (list: readonly Association[]): void => {
    for (let i = 0; i < list.length; i++) agg.add(list[i] as Association);
  };
  try {
    if (binary) {
      const fp = parser as FrameLogParser;
      const reader = new FrameStreamReader((frame) => push(fp.frame(frame)));
      try {
        for (; !first.done; first = await input.next()) {
          reader.push(first.value);
          if (io.signal?.aborted) break;
        }
        reader.end();
      } catch (e) {
        fp.rejectUnit(errorLine(e).replace(/ at offset \d+.*$/, ""));
      }
    } else {
      const document = formatInfo(name)?.document === true;
      const split = new LineSplitter(document ? MAX_DOCUMENT : undefined);
      const events: LineEvent[] = [];
      for (; !first.done; first = await input.next()) {
        events.length = 0;
        split.push(first.value, events);
        for (const ev of events) {
          if ("line" in ev) push(parser.line(ev.line));
          else count(totals, Reject.TOO_LONG);
        }
        if (io.signal?.aborted) break;
      }
      const last = split.end();
      if (last.tooLong !== undefined) count(totals, Reject.TOO_LONG);
      // an unterminated last line may have been cut mid-way (a log being written): "192.0.2.1" of
      // "192.0.2.10" would be a wrong value, so it is never parsed
      // (a whole-document format checks completeness itself: its last line is the document's end)
      if (last.cut !== undefined) {
        if (document) push(parser.line(last.cut));
        else count(totals, CUT);
      }
      push(parser.end());
    }
  } finally {
    if (binary) totals.frames += parser.lines;
    else totals.lines += parser.lines;
    if (parser instanceof QueryLogParser) totals.queries += parser.queries;
    for (const [r, n] of parser.rejected) totals.rejected.set(r, (totals.rejected.get(r) ?? 0) + n);
  }
}

function count(totals: Totals, reason: string): void {
  totals.lines++;
  totals.rejected.set(reason, (totals.rejected.get(reason) ?? 0) + 1);
}
