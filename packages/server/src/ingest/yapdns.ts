import { IngestError, IngestErrorCode } from "./errors.js";
import { type IngestObservation, MAX_UINT32 } from "./observation.js";
import { parseObservationValue } from "./observation-json.js";

/**
 * YAPDNS clients' own record form, so an existing YAPDNS client (yapdnsbeat) can point at us:
 * `POST /api/v1/dns` with one JSON record, `POST /api/v1/dns/bulk` with a JSON array of them, HTTP
 * basic auth (the client id and secret: here an ingest key's name and the key). A record is
 * `{"domain","rtype","rdata","timestamp","ttl"?,"client":{…}?}`: `timestamp` an ISO 8601 / RFC
 * 3339 time (what yapdnsbeat sends) or epoch seconds; `ttl` and `client` are not kept. Records
 * have no bailiwick: they are log-derived, source "yapdns".
 */
export const YAPDNS_SOURCE = "yapdns";
export const YAPDNS_SINGLE_PATH = "/api/v1/dns";
export const YAPDNS_BULK_PATH = "/api/v1/dns/bulk";

/** A YAPDNS timestamp as epoch seconds, or null when it is not one. */
function epochOf(v: unknown): number | null {
  if (typeof v === "number") return Number.isInteger(v) && v >= 0 && v <= MAX_UINT32 ? v : null;
  if (typeof v !== "string" || !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/i.test(v)) return null;
  const ms = Date.parse(v);
  if (!Number.isFinite(ms)) return null;
  const s = Math.floor(ms / 1000);
  return s >= 0 && s <= MAX_UINT32 ? s : null;
}

/** One YAPDNS record → an observation; `where` names it in errors ("record 3"). */
export function yapdnsObservation(v: unknown, where: string, nowSeconds: number): IngestObservation {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new IngestError(IngestErrorCode.BAD_BATCH, `${where}: not a JSON object`);
  const r = v as Record<string, unknown>;
  for (const f of ["domain", "rtype", "rdata", "timestamp"])
    if (r[f] === undefined || r[f] === null) throw new IngestError(IngestErrorCode.BAD_BATCH, `${where}: ${f}: missing`);
  if (r.ttl !== undefined && (typeof r.ttl !== "number" || !Number.isInteger(r.ttl) || r.ttl < 0))
    throw new IngestError(IngestErrorCode.BAD_BATCH, `${where}: ttl: not an integer ≥ 0`);
  const t = epochOf(r.timestamp);
  if (t === null) throw new IngestError(IngestErrorCode.BAD_BATCH, `${where}: timestamp: not an ISO 8601 time or epoch seconds`);
  return parseObservationValue(
    { rrname: r.domain, rrtype: r.rtype, rdata: r.rdata, time_first: t, time_last: t, count: 1, source: YAPDNS_SOURCE },
    where,
    nowSeconds,
  );
}

/** A YAPDNS body: one record (single) or an array of them (bulk), all checked before any is kept. */
export function parseYapdnsBody(text: string, bulk: boolean, nowSeconds: number): IngestObservation[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new IngestError(IngestErrorCode.BAD_BATCH, "body: not valid JSON");
  }
  if (!bulk) return [yapdnsObservation(doc, "record", nowSeconds)];
  if (!Array.isArray(doc)) throw new IngestError(IngestErrorCode.BAD_BATCH, "body: not a JSON array of records");
  return doc.map((r, i) => yapdnsObservation(r, `record ${i + 1}`, nowSeconds));
}
