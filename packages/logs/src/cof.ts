import { PassiveExportParser } from "./dnsdb-json.js";

/**
 * CIRCL Passive DNS Common Output Format (draft-dulaunoy-dnsop-passive-dns-cof) as JSON lines:
 * `rrname`, `rrtype`, `rdata` (string or array), `time_first`, `time_last`, `count`, optional
 * `zone_time_first`/`zone_time_last`, `bailiwick`, `sensor_id` … The members are DNSDB's, so the
 * parsing is PassiveExportParser's; counts and first/last times are kept.
 */
export function createCofParser(source = "cof"): PassiveExportParser {
  return new PassiveExportParser(source);
}
