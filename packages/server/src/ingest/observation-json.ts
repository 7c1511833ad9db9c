import type { TurnBudget } from "@dnsrep/util";
import { downcaseRdata, isSubdomain, isWdnsError, nameFromString, rrtypeFromString, sortRdatas, stringToRdata } from "@dnsrep/wdns";
import { IngestError, IngestErrorCode } from "./errors.js";
import { type IngestObservation, MAX_UINT32, ROOT_NAME, SOURCE_RE } from "./observation.js";

/**
 * The ingest body: JSON lines, each one observation with DNSDB/COF field names —
 * `{"rrname","rrtype","rdata": string or array,"time_first","time_last","count"?,"bailiwick"?,"source"?}`.
 * The whole batch is parsed and checked before anything is stored: the first bad line refuses it
 * with a message naming the line and the field (`line 7: rdata: …`).
 */

/** The most rdatas one observation may carry. */
export const MAX_RDATAS = 1000;
/** The source of a log-derived observation that names none. */
export const DEFAULT_LOG_SOURCE = "logs";

/** rrtypes that are not data (meta and query types): refused. */
const META_TYPES = new Set([0, 41, 249, 250, 251, 252, 253, 254, 255]);

/** Where a field went wrong: the error names the line and the field. */
class FieldError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

const bad = (field: string, message: string): never => {
  throw new FieldError(field, message);
};

/** A short, printable rendering of a client's value for a message. */
function shown(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  s = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

function wireName(field: string, v: unknown): Uint8Array {
  if (typeof v !== "string") return bad(field, `not a string: ${shown(v)}`);
  if (v === "") return bad(field, "empty name");
  try {
    return nameFromString(v, true);
  } catch (e) {
    if (isWdnsError(e)) return bad(field, `not a valid domain name: ${shown(v)}`);
    throw e;
  }
}

/** The rrtype: a mnemonic or TYPEnnn (or a number 1-65535), not a meta type. */
export function parseRRtype(v: unknown, field = "rrtype"): number {
  let t: number | undefined;
  if (typeof v === "string") t = /^[A-Za-z0-9-]{1,20}$/.test(v) ? rrtypeFromString(v) : undefined;
  else if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 65535) t = v;
  if (t === undefined) return bad(field, `unknown rrtype: ${shown(v)}`);
  if (META_TYPES.has(t)) return bad(field, `not a data rrtype: ${shown(v)}`);
  return t;
}

/** Rdata text (one string or an array of them) → wire, downcased names, sorted, no duplicates. */
export function parseRdatas(rrtype: number, v: unknown, field = "rdata"): Uint8Array[] {
  const texts = Array.isArray(v) ? v : [v];
  if (texts.length === 0) return bad(field, "empty array");
  if (texts.length > MAX_RDATAS) return bad(field, `more than ${MAX_RDATAS} values`);
  const out: Uint8Array[] = [];
  for (const t of texts) {
    if (typeof t !== "string") return bad(field, `not a string: ${shown(t)}`);
    let rd: Uint8Array;
    try {
      rd = stringToRdata(rrtype, 1, t);
    } catch (e) {
      if (isWdnsError(e)) return bad(field, `${e.message.split("\n")[0]}: ${shown(t)}`);
      throw e;
    }
    if (rd.length > 65535) return bad(field, `longer than 65535 bytes: ${shown(t)}`);
    out.push(downcaseRdata(rd, rrtype));
  }
  sortRdatas(out);
  // equal rdatas are one value of the set
  let n = 0;
  for (let i = 0; i < out.length; i++) {
    const a = out[i] as Uint8Array;
    const prev = n > 0 ? (out[n - 1] as Uint8Array) : null;
    if (prev === null || !sameBytes(prev, a)) out[n++] = a;
  }
  out.length = n;
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** An epoch second (integer, 0 to 2^32-1); absent or null: `dflt`. */
export function parseTime(field: string, v: unknown, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > MAX_UINT32)
    return bad(field, `not an integer epoch second (0 to ${MAX_UINT32}): ${shown(v)}`);
  return v;
}

/** The fields a line of the body may carry; others are ignored (COF's rrclass, sensor_id …). */
export interface ObservationFields {
  rrname?: unknown;
  rrtype?: unknown;
  rdata?: unknown;
  time_first?: unknown;
  time_last?: unknown;
  count?: unknown;
  bailiwick?: unknown;
  source?: unknown;
}

/**
 * One observation object → an IngestObservation. `nowSeconds` stands in for missing times (a log
 * line without a timestamp). Throws FieldError.
 */
function observationOf(o: ObservationFields, nowSeconds: number): IngestObservation {
  if (o.rrname === undefined) bad("rrname", "missing");
  const rrname = wireName("rrname", o.rrname);
  if (o.rrtype === undefined) bad("rrtype", "missing");
  const rrtype = parseRRtype(o.rrtype);
  if (o.rdata === undefined || o.rdata === null) bad("rdata", "missing");
  const rdata = parseRdatas(rrtype, o.rdata);
  // a missing time: the other one, or (neither given) the time the batch arrived
  const first = parseTime("time_first", o.time_first, -1);
  const last = parseTime("time_last", o.time_last, -1);
  const timeFirst = first >= 0 ? first : last >= 0 ? last : nowSeconds;
  const timeLast = last >= 0 ? last : timeFirst;
  if (timeLast < timeFirst) bad("time_last", `before time_first (${timeLast} < ${timeFirst})`);
  let count = 1;
  if (o.count !== undefined && o.count !== null) {
    if (typeof o.count !== "number" || !Number.isInteger(o.count) || o.count < 1 || o.count > MAX_UINT32)
      bad("count", `not an integer from 1 to ${MAX_UINT32}: ${shown(o.count)}`);
    count = o.count as number;
  }
  let source: string | null = null;
  if (o.source !== undefined && o.source !== null) {
    if (typeof o.source !== "string" || !SOURCE_RE.test(o.source))
      bad("source", `not 1 to 64 letters, digits or ._- (starting with a letter or digit): ${shown(o.source)}`);
    source = o.source as string;
  }
  let bailiwick: Uint8Array;
  if (o.bailiwick === undefined || o.bailiwick === null) {
    bailiwick = ROOT_NAME;
    source ??= DEFAULT_LOG_SOURCE;
  } else {
    bailiwick = wireName("bailiwick", o.bailiwick);
    if (!isSubdomain(rrname, bailiwick)) bad("bailiwick", `${shown(o.bailiwick)} does not enclose the rrname`);
    // sensor data: its bailiwick is real, it goes with the sensor files whatever source it names
    source = null;
  }
  return { rrname, rrtype, bailiwick, rdata, timeFirst, timeLast, count, source };
}

/** One JSON value (a parsed line, or a YAPDNS record) → an observation, or an IngestError naming `where`. */
export function parseObservationValue(v: unknown, where: string, nowSeconds: number): IngestObservation {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new IngestError(IngestErrorCode.BAD_BATCH, `${where}: not a JSON object`);
  try {
    return observationOf(v as ObservationFields, nowSeconds);
  } catch (e) {
    if (e instanceof FieldError) throw new IngestError(IngestErrorCode.BAD_BATCH, `${where}: ${e.field}: ${e.message}`);
    throw e;
  }
}

/** Where parsing an NDJSON body has got to (parseLines goes on from it). */
interface NdjsonCursor {
  start: number;
  lineNo: number;
  out: IngestObservation[];
}

/** Parse up to `maxLines` more lines of `body` into `c.out`; true once the body is all parsed. */
function parseLines(body: string, nowSeconds: number, c: NdjsonCursor, maxLines: number): boolean {
  for (let n = 0; n < maxLines; n++) {
    if (c.start >= body.length) return true;
    let end = body.indexOf("\n", c.start);
    if (end < 0) end = body.length;
    const lineNo = ++c.lineNo;
    let text = body.slice(c.start, end);
    c.start = end + 1;
    if (text.endsWith("\r")) text = text.slice(0, -1);
    if (text.trim() === "") continue;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw new IngestError(IngestErrorCode.BAD_BATCH, `line ${lineNo}: not valid JSON`);
    }
    c.out.push(parseObservationValue(v, `line ${lineNo}`, nowSeconds));
  }
  return c.start >= body.length;
}

/**
 * Parse a whole NDJSON body (already decompressed) into observations. Blank lines are skipped
 * (they still count for the line numbers); a last line without its newline is taken. Throws
 * IngestError BAD_BATCH naming the first bad line and field; nothing is returned for a bad batch.
 */
export function parseNdjsonBatch(body: string, nowSeconds: number): IngestObservation[] {
  const c: NdjsonCursor = { start: 0, lineNo: 0, out: [] };
  parseLines(body, nowSeconds, c, Number.POSITIVE_INFINITY);
  return c.out;
}

/** Lines parsed between two looks at the turn budget. */
const PARSE_SLICE = 64;

/**
 * parseNdjsonBatch in slices within `budget`: the event loop turns (lookups run) between them.
 * The same observations, or the same error.
 */
export async function parseNdjsonBatchSliced(body: string, nowSeconds: number, budget: TurnBudget): Promise<IngestObservation[]> {
  const c: NdjsonCursor = { start: 0, lineNo: 0, out: [] };
  for (;;) {
    if (budget.spent()) await budget.yield();
    if (parseLines(body, nowSeconds, c, PARSE_SLICE)) return c.out;
  }
}
