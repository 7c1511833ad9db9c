/**
 * What dnstable-lookup does once its arguments are read: open the data the environment names, answer
 * a query into an OutputWriter, report. Loaded by dnstable-lookup.ts only when there is a query to
 * answer (`--help` and usage errors load none of the libraries).
 */
import { aboutFile, CliError, type CliIo, OutputWriter, UsageError } from "@dnsrep/cli";
import {
  type DnstableQuery,
  DnstableReader,
  type DnstableResult,
  decodeTimeRange,
  decodeVersion,
  EntryType,
  entryProblem,
  formatEntry,
  formatTime,
  isDnstableError,
} from "@dnsrep/dnstable";
import { isMtblError, type MtblError } from "@dnsrep/mtbl";
import { isWdnsError } from "@dnsrep/wdns";
import { CorruptTally, notDirectory } from "./inputs.js";
import type { LookupOptions, LookupRequest } from "./lookup-request.js";

/** The data queries run against: the reader and the name to give in messages (the file or the set file). */
export interface LookupSource {
  reader: DnstableReader;
  fname: string;
}

/** What one query printed: the entries counted (after the offset), and whether its time limit ran out. */
export interface Answered {
  n: number;
  timedOut: boolean;
}

/**
 * Answer one query from `src` into `out`, counting entries that do not decode in `corrupt`. A
 * query the data cannot take (a bad name, type or address) is a UsageError; an mtbl error is a
 * CliError naming the data.
 */
export async function answer(
  req: LookupRequest,
  src: LookupSource,
  o: LookupOptions,
  out: OutputWriter,
  corrupt: CorruptTally,
): Promise<Answered> {
  try {
    return req.kind === "search" ? await search(req.query, src.reader, o, out, corrupt) : await meta(req, src.reader, o, out, corrupt);
  } catch (e) {
    if (isMtblError(e)) throw new CliError(aboutFile(src.fname, e.message));
    throw e;
  }
}

/** One query on the command line: open, answer, close; then the closing lines and the exit status. */
export async function lookupOnce(req: LookupRequest, io: CliIo, o: LookupOptions): Promise<number> {
  const src = openSource(io, o.unaggregated);
  const out = new OutputWriter(io.stdout);
  const corrupt = new CorruptTally();
  let r: Answered;
  let file: string;
  try {
    r = await answer(req, src, o, out, corrupt);
    file = corruptFile(src, corrupt);
  } catch (e) {
    if (isMtblError(e)) throw new CliError(aboutFile(src.fname, e.message));
    throw e;
  } finally {
    src.reader.close();
  }
  // everything accepted by stdout first: a failed write (a full disk) ends the run before the "Dumped" line
  await out.end();
  dumped(io, o, r);
  return corrupt.finish(io, "dnstable-lookup", file);
}

/** The lines dnstable_lookup ends a text query with, on stderr. */
export function dumped(io: CliIo, o: LookupOptions, r: Answered): void {
  if (o.json) return;
  if (r.timedOut) io.stderr.write(";;; timed out\n");
  io.stderr.write(`;;; Dumped ${r.n} entries.\n`);
}

async function search(
  q: DnstableQuery,
  reader: DnstableReader,
  o: LookupOptions,
  out: OutputWriter,
  corrupt: CorruptTally,
): Promise<Answered> {
  const deadline = o.timeout > 0 ? Date.now() + o.timeout * 1000 : 0;
  const r: Answered = { n: 0, timedOut: false };
  let skip = o.offset;
  let results: Iterable<DnstableResult>;
  try {
    results = reader.query(q, {
      caseSensitive: o.caseSensitive,
      fence: o.fence,
      strict: o.strict,
      stop: () => {
        if (deadline && Date.now() > deadline) r.timedOut = true;
        return r.timedOut;
      },
      onCorrupt: (c) => corrupt.add(c.key, c.reason),
    });
  } catch (e) {
    // the query itself (a name, type, address or hex the user gave); nothing has been read yet
    if (isDnstableError(e) && e.code === "ERR_INVALID") throw new UsageError(e.message);
    throw e;
  }
  for (const res of results) {
    let line: string | null;
    try {
      line = formatEntry(res.entryType, res.key, res.value, o.json, o.raw);
    } catch (e) {
      if (!isDnstableError(e) && !isWdnsError(e)) throw e;
      corrupt.add(res.key, e.message);
      continue;
    }
    if (line === null) continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    r.n++;
    if (o.count) continue;
    if (o.rfc3339) line = line.replace(/"time_(first|last)":(\d+)/g, (_m, w: string, d: string) => `"time_${w}":"${iso(Number(d))}"`);
    await out.text(line);
  }
  return r;
}

/** `time_range` and `version [TYPE]` queries. */
async function meta(
  req: LookupRequest & { kind: "time_range" | "version" },
  reader: DnstableReader,
  o: LookupOptions,
  out: OutputWriter,
  corrupt: CorruptTally,
): Promise<Answered> {
  const { json, rfc3339 } = o;
  const lines: string[] = [];
  /** Whether an entry decodes (one that does not is counted as corrupt). */
  const sound = (key: Uint8Array, value: Uint8Array): boolean => {
    const bad = entryProblem(key, value);
    if (bad !== null) corrupt.add(key, bad);
    return bad === null;
  };
  if (req.kind === "time_range") {
    const it = reader.source.get(Uint8Array.of(EntryType.TIME_RANGE));
    while (it.next()) {
      if (!sound(it.key, it.value)) continue;
      const t = decodeTimeRange(it.value);
      if (t === null) continue;
      if (json) {
        lines.push(
          `${JSON.stringify(rfc3339 ? { time_first: iso(t.first), time_last: iso(t.last) } : { time_first: t.first, time_last: t.last })}\n`,
        );
      } else lines.push(`;; Earliest time_first: ${formatTime(t.first)}\n;; Latest time_last: ${formatTime(t.last)}\n`);
    }
  } else {
    for (const [name, t] of req.types) {
      const it = reader.source.get(Uint8Array.of(EntryType.VERSION, t));
      while (it.next()) {
        if (!sound(it.key, it.value)) continue;
        const v = decodeVersion(it.value);
        if (v === null) continue;
        lines.push(json ? `${JSON.stringify({ entry_type: name, version: v })}\n` : `;; Version type ${name}: ${v}\n`);
      }
    }
  }
  // the whole answer read before any of it is written: a damaged block fails the query with nothing printed
  for (const l of lines) await out.text(l);
  return { n: lines.length, timedOut: false };
}

/** The file(s) to name for the corrupt entries skipped: those holding the first, else the data named by the environment. */
export function corruptFile(src: LookupSource, corrupt: CorruptTally): string {
  const key = corrupt.firstKey;
  if (key === null) return src.fname;
  const files = src.reader.locate(key);
  return files.length > 0 ? files.join(", ") : src.fname;
}

function iso(epoch: number): string {
  return `${new Date(epoch * 1000).toISOString().slice(0, 19)}Z`;
}

/**
 * DNSTABLE_FNAME (one file) or DNSTABLE_SETFILE (a set file; -u: unaggregated). dnstable_lookup
 * answers from whatever members libmtbl could open and says nothing of the others; here a member
 * that cannot be opened is named on stderr (and left out), a set file that cannot be read or names
 * no file, a member that is not an mtbl file, or a set none of whose members opens, exits 1.
 * Data blocks are checked against their CRC32C as they are read (libmtbl's readers do not check
 * by default, so dnstable_lookup prints whatever a damaged block holds): a damaged block exits 1.
 */
export function openSource(io: CliIo, unaggregated: boolean): LookupSource {
  // an empty value names no file: it counts as unset (dnstable_lookup would try to open "")
  const fname = io.env.DNSTABLE_FNAME || undefined;
  const setfile = io.env.DNSTABLE_SETFILE || undefined;
  if ((fname === undefined) === (setfile === undefined)) {
    const empty = ["DNSTABLE_FNAME", "DNSTABLE_SETFILE"].filter((v) => io.env[v] === "");
    const note = fname === undefined && empty.length > 0 ? ` (${empty.join(" and ")} ${empty.length > 1 ? "are" : "is"} empty)` : "";
    throw new UsageError(`exactly one of DNSTABLE_FNAME, DNSTABLE_SETFILE must be set${note}`);
  }
  if (fname !== undefined) {
    if (unaggregated) throw new CliError("-u flag not valid with a single input mtbl file; it is only valid with a setfile");
    notDirectory(fname);
    try {
      return { reader: DnstableReader.open(fname, { verifyChecksums: true }), fname };
    } catch (e) {
      if (isMtblError(e)) throw new CliError(aboutFile(fname, e.message));
      throw e;
    }
  }
  const set = setfile as string;
  let skipped = 0;
  const onError = (e: MtblError): void => {
    skipped++;
    io.stderr.write(`dnstable-lookup: ${e.message}\n`);
  };
  let reader: DnstableReader;
  try {
    reader = DnstableReader.openSetFile(set, { aggregated: !unaggregated, onError, verifyChecksums: true });
  } catch (e) {
    // the set file's and members' messages name the file they are about
    if (isMtblError(e)) throw new CliError(e.message);
    throw e;
  }
  if (reader.files.length === 0) {
    reader.close();
    throw new CliError(skipped > 0 ? `no member of set file ${set} could be opened` : `set file ${set} names no files`);
  }
  return { reader, fname: set };
}
