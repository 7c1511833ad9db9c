import { UsageError } from "@dnsrep/cli";
import type { DnstableQuery, TimeFence } from "@dnsrep/dnstable";

/** dnstable-lookup's options, as its flags set them. */
export interface LookupOptions {
  json: boolean;
  rfc3339: boolean;
  raw: boolean;
  count: boolean;
  unaggregated: boolean;
  caseSensitive: boolean;
  /** results to skip, in each query */
  offset: number;
  strict: boolean;
  fence: TimeFence;
  /** seconds each query may take (-t), 0 for no limit */
  timeout: number;
  /** queries on stdin, one a line (-f) */
  batch: boolean;
}

/** One query: an rrset or rdata search, or a time_range / version query (the version entry types it names). */
export type LookupRequest =
  | { kind: "search"; query: DnstableQuery }
  | { kind: "time_range" }
  | { kind: "version"; types: readonly (readonly [string, number])[] };

const VERSION_TYPES: readonly (readonly [string, number])[] = [
  ["rrset", 0],
  ["rrset_name", 1],
  ["rdata", 2],
  ["rdata_name", 3],
];

/**
 * The query the words name (the command line's positional arguments, or a line of a batch), checked
 * as far as words can be without the data: a UsageError says what is wrong.
 */
export function parseRequest(pos: readonly string[], o: LookupOptions): LookupRequest {
  if (pos[0] === "time_range" || pos[0] === "version") {
    if (o.offset || o.raw) throw new UsageError(`${o.offset ? "offset" : "raw"} option makes no sense with version or time_range commands`);
    if (pos[0] === "version" && pos[1] !== undefined) {
      const types = VERSION_TYPES.filter(([n]) => n === pos[1]);
      if (types.length === 0 || pos.length > 2) throw new UsageError(`unknown version type: ${pos[1]}`);
      return { kind: "version", types };
    }
    if (pos.length > 1) throw new UsageError(`unexpected argument: ${pos[1]}`);
    return pos[0] === "version" ? { kind: "version", types: VERSION_TYPES } : { kind: "time_range" };
  }
  if (pos[0] === "rrset") {
    if (pos.length < 2 || pos.length > 4) throw new UsageError("usage: dnstable-lookup [options] rrset NAME [TYPE [BAILIWICK]]");
    const q: DnstableQuery = { type: "rrset", name: pos[1] as string };
    if (pos[2] !== undefined) q.rrtype = pos[2];
    if (pos[3] !== undefined) q.bailiwick = pos[3];
    return { kind: "search", query: q };
  }
  if (pos[0] === "rdata") {
    if (pos[1] === "ip" && pos.length === 3) return { kind: "search", query: { type: "rdata_ip", ip: pos[2] as string } };
    if ((pos[1] === "name" || pos[1] === "raw") && (pos.length === 3 || pos.length === 4)) {
      const q: DnstableQuery =
        pos[1] === "name" ? { type: "rdata_name", name: pos[2] as string } : { type: "rdata_raw", hex: pos[2] as string };
      if (pos[3] !== undefined) q.rrtype = pos[3];
      return { kind: "search", query: q };
    }
  }
  throw new UsageError("usage: dnstable-lookup [options] rrset|rdata|time_range|version ... (see -h)");
}
