import { ClientError, ClientErrorCode, printableLine } from "./errors.js";

/**
 * A passive DNS record as DNSDB API v2 and COF give it: an RRset (rdata an array) from an rrset
 * lookup, or one record (rdata a string) from an rdata lookup or a COF server. The object is the
 * server's, fields in its order (unknown fields kept), after its shape was checked.
 */
export interface PdnsRecord {
  count: number;
  /** first and last seen by sensors (epoch seconds) */
  time_first?: number;
  time_last?: number;
  /** first and last seen in zone files (epoch seconds) */
  zone_time_first?: number;
  zone_time_last?: number;
  rrname: string;
  rrtype: string;
  /** RRsets only */
  bailiwick?: string;
  rdata: string | string[];
  [field: string]: unknown;
}

/** A summarize answer: the records' summed count, their number, the earliest and latest times. */
export interface PdnsSummary {
  count: number;
  num_results: number;
  time_first?: number;
  time_last?: number;
  zone_time_first?: number;
  zone_time_last?: number;
  [field: string]: unknown;
}

/** A flex search (glob / regex) result: an owner name (rrnames) or an rdata (rdata), with its type. */
export interface FlexRecord {
  rrtype: string;
  rrname?: string;
  raw_rrname?: string;
  rdata?: string;
  raw_rdata?: string;
  [field: string]: unknown;
}

/** How a SAF response ended. `limited`: a limit cut the results; `failed`: the server could not finish. */
export type Terminator = { cond: "succeeded"; msg?: string } | { cond: "limited"; msg: string } | { cond: "failed"; msg: string };

/** One SAF line, understood. */
export type SafLine<T> =
  | { kind: "begin" }
  | { kind: "record"; record: T }
  | { kind: "keepalive" }
  | { kind: "end"; terminator: Terminator };

/** Checks a parsed `obj` and returns it typed, or a message saying what is wrong. */
export type RecordCheck<T> = (obj: Record<string, unknown>) => T | string;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function badTime(o: Record<string, unknown>): string | null {
  for (const f of ["time_first", "time_last", "zone_time_first", "zone_time_last"])
    if (o[f] !== undefined && typeof o[f] !== "number") return `${f} is not a number`;
  return null;
}

export const checkRecord: RecordCheck<PdnsRecord> = (o) => {
  if (typeof o.rrname !== "string") return "rrname is not a string";
  if (typeof o.rrtype !== "string") return "rrtype is not a string";
  if (typeof o.count !== "number") return "count is not a number";
  const r = o.rdata;
  if (typeof r !== "string" && !(Array.isArray(r) && r.every((x) => typeof x === "string")))
    return "rdata is not a string or a list of strings";
  if (o.bailiwick !== undefined && typeof o.bailiwick !== "string") return "bailiwick is not a string";
  return badTime(o) ?? (o as PdnsRecord);
};

export const checkSummary: RecordCheck<PdnsSummary> = (o) => {
  if (typeof o.count !== "number") return "count is not a number";
  if (typeof o.num_results !== "number") return "num_results is not a number";
  return badTime(o) ?? (o as PdnsSummary);
};

export const checkFlex: RecordCheck<FlexRecord> = (o) => {
  if (typeof o.rrtype !== "string") return "rrtype is not a string";
  if (typeof o.rrname !== "string" && typeof o.rdata !== "string") return "neither rrname nor rdata is a string";
  return o as FlexRecord;
};

function protocol(lineNo: number, what: string, line: string): ClientError {
  return new ClientError(ClientErrorCode.PROTOCOL, `response line ${lineNo}: ${what}: ${printableLine(line.slice(0, 120))}`);
}

function parseJson(line: string, lineNo: number): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw protocol(lineNo, "not JSON", line);
  }
  if (!isObject(v)) throw protocol(lineNo, "not a JSON object", line);
  return v;
}

/** One line of a SAF (Streaming API Framing) response. Throws ERR_PROTOCOL for a line that is not one. */
export function parseSafLine<T>(line: string, lineNo: number, check: RecordCheck<T>): SafLine<T> {
  const v = parseJson(line, lineNo);
  const cond = v.cond;
  const msg = typeof v.msg === "string" ? v.msg : undefined;
  if (cond !== undefined && cond !== "ongoing") {
    if (cond === "begin") return { kind: "begin" };
    if (cond === "succeeded") return { kind: "end", terminator: msg === undefined ? { cond } : { cond, msg } };
    if (cond === "limited" || cond === "failed") return { kind: "end", terminator: { cond, msg: msg ?? "" } };
    throw protocol(lineNo, "unknown cond", line);
  }
  if (v.obj === undefined) return { kind: "keepalive" };
  if (!isObject(v.obj)) throw protocol(lineNo, "obj is not an object", line);
  const r = check(v.obj);
  if (typeof r === "string") throw protocol(lineNo, r, line);
  return { kind: "record", record: r };
}

/** One line of a COF (Common Output Format) response: a record object. Throws ERR_PROTOCOL otherwise. */
export function parseCofLine(line: string, lineNo: number): PdnsRecord {
  const v = parseJson(line, lineNo);
  const r = checkRecord(v);
  if (typeof r === "string") throw protocol(lineNo, r, line);
  return r;
}
