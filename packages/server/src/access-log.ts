/** One request as the access log records it. */
export interface AccessRecord {
  /** when the request arrived */
  time: Date;
  /** the client's address (omitted with zeroClientIp) */
  client: string;
  /** the key's name ("-" without auth or before auth): never the key */
  key: string;
  endpoint: string;
  method: string;
  /** the request target as received (percent-encoded: no spaces or control characters) */
  url: string;
  status: number;
  /** result objects sent */
  results: number;
  ms: number;
  /** the client's swclient and version parameters */
  swclient: string | null;
  version: string | null;
  /** "succeeded", "limited", "failed", "aborted" for streamed results; "-" otherwise */
  end: string;
}

/** Text for a log field: as is when it is plain, else JSON-quoted (no spaces or newlines can split a line). */
function field(s: string): string {
  return /^[\x21-\x7e]+$/.test(s) && !s.includes('"') ? s : JSON.stringify(s);
}

/**
 * One access log line: `TIME CLIENT KEY METHOD URL STATUS results=N ms=N endpoint=E end=E
 * client=SW/VER`, space-separated, each field one token. With zeroClientIp the client is `-`.
 */
export function accessLine(r: AccessRecord, zeroClientIp: boolean): string {
  const sw = r.swclient === null ? "-" : `${r.swclient}/${r.version ?? "-"}`;
  return [
    r.time.toISOString(),
    zeroClientIp ? "-" : field(r.client),
    field(r.key),
    field(r.method),
    field(r.url.length > 2048 ? `${r.url.slice(0, 2048)}…` : r.url),
    String(r.status),
    `results=${r.results}`,
    `ms=${r.ms.toFixed(1)}`,
    `endpoint=${r.endpoint}`,
    `end=${r.end}`,
    `sw=${field(sw)}`,
  ].join(" ");
}
