/**
 * The shipper's counters, and the three ways they are shown: the progress line (stderr, TTY),
 * the stats JSON file (replaced atomically) and Prometheus text for `/metrics`.
 */
import { createServer, type Server } from "node:http";
import { writeFileAtomic } from "@dnsrep/util";

export interface ShipperStats {
  lines: number;
  bytes: number;
  associations: number;
  /** Observations handed to the output (after aggregation). */
  observations: number;
  /** Lines rejected, by reason (the reader's and the parsers'). */
  rejected: Record<string, number>;
  batchesSpooled: number;
  batchesSent: number;
  observationsSent: number;
  duplicates: number;
  retries: number;
  batchesRejected: number;
  observationsRejected: number;
  droppedBatches: number;
  droppedObservations: number;
  spoolBatches: number;
  spoolBytes: number;
  truncations: number;
  filesOpen: number;
  /** Bytes in the tailed files not read yet. */
  lagBytes: number;
  serverFailing: boolean;
}

export function emptyStats(): ShipperStats {
  return {
    lines: 0,
    bytes: 0,
    associations: 0,
    observations: 0,
    rejected: {},
    batchesSpooled: 0,
    batchesSent: 0,
    observationsSent: 0,
    duplicates: 0,
    retries: 0,
    batchesRejected: 0,
    observationsRejected: 0,
    droppedBatches: 0,
    droppedObservations: 0,
    spoolBatches: 0,
    spoolBytes: 0,
    truncations: 0,
    filesOpen: 0,
    lagBytes: 0,
    serverFailing: false,
  };
}

export function rejectedTotal(s: ShipperStats): number {
  let n = 0;
  for (const v of Object.values(s.rejected)) n += v;
  return n;
}

export function progressLine(s: ShipperStats): string {
  return (
    `lines ${s.lines}  obs ${s.observations}  rejected ${rejectedTotal(s)}  sent ${s.batchesSent}  ` +
    `spooled ${s.spoolBatches}${s.droppedBatches ? `  dropped ${s.droppedBatches}` : ""}  lag ${humanBytes(s.lagBytes)}` +
    (s.serverFailing ? "  (server away)" : "")
  );
}

/** The closing summary (stderr, unless -q). */
export function summaryLine(s: ShipperStats): string {
  const reasons = Object.entries(s.rejected)
    .sort()
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ");
  return (
    `${s.lines} lines, ${s.observations} observations, ${rejectedTotal(s)} lines rejected${reasons ? ` (${reasons})` : ""}; ` +
    `${s.batchesSent} batches sent (${s.duplicates} already seen), ${s.batchesRejected} rejected, ` +
    `${s.spoolBatches} left in the spool, ${s.droppedBatches} dropped (${s.droppedObservations} observations)`
  );
}

function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1 << 20)).toFixed(1)} MiB`;
}

export function writeStatsFile(path: string, s: ShipperStats): void {
  writeFileAtomic(path, `${JSON.stringify({ time: Math.floor(Date.now() / 1000), ...s })}\n`, {
    mode: 0o600,
    sync: false,
  });
}

/** Prometheus text exposition. */
export function metricsText(s: ShipperStats): string {
  const out: string[] = [];
  const m = (name: string, type: "counter" | "gauge", help: string, v: number | [string, number][]): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    if (typeof v === "number") out.push(`${name} ${v}`);
    else for (const [labels, x] of v) out.push(`${name}{${labels}} ${x}`);
  };
  m("dnsrep_shipper_lines_total", "counter", "Log lines read.", s.lines);
  m("dnsrep_shipper_bytes_total", "counter", "Bytes read from the tailed files.", s.bytes);
  m(
    "dnsrep_shipper_rejected_lines_total",
    "counter",
    "Lines rejected, by reason.",
    Object.entries(s.rejected).map(([k, v]) => [`reason="${k.replace(/["\\\n]/g, "_")}"`, v]),
  );
  m("dnsrep_shipper_observations_total", "counter", "Aggregated observations put in batches.", s.observations);
  m("dnsrep_shipper_batches_sent_total", "counter", "Batches acknowledged by the server.", s.batchesSent);
  m("dnsrep_shipper_observations_sent_total", "counter", "Observations acknowledged by the server.", s.observationsSent);
  m("dnsrep_shipper_batches_duplicate_total", "counter", "Batches the server had seen already (same Idempotency-Key).", s.duplicates);
  m("dnsrep_shipper_retries_total", "counter", "Failed attempts that will be retried.", s.retries);
  m("dnsrep_shipper_batches_rejected_total", "counter", "Batches refused for good (set aside in rejected/).", s.batchesRejected);
  m("dnsrep_shipper_spool_dropped_batches_total", "counter", "Batches dropped past the spool bound.", s.droppedBatches);
  m("dnsrep_shipper_truncations_total", "counter", "Files truncated under the reader.", s.truncations);
  m("dnsrep_shipper_spool_batches", "gauge", "Batches waiting in the spool.", s.spoolBatches);
  m("dnsrep_shipper_spool_bytes", "gauge", "Bytes waiting in the spool.", s.spoolBytes);
  m("dnsrep_shipper_lag_bytes", "gauge", "Bytes in the tailed files not read yet.", s.lagBytes);
  m("dnsrep_shipper_files_open", "gauge", "Files being tailed.", s.filesOpen);
  m("dnsrep_shipper_server_up", "gauge", "1 when the last attempt to send reached the server.", s.serverFailing ? 0 : 1);
  return `${out.join("\n")}\n`;
}

/** Serve `/metrics` on HOST:PORT; resolves once listening. */
export async function serveMetrics(listen: string, stats: () => ShipperStats): Promise<Server> {
  const m = /^(.*):(\d+)$/.exec(listen);
  if (!m) throw new RangeError(`not HOST:PORT: ${JSON.stringify(listen)}`);
  const host = (m[1] as string).replace(/^\[(.*)\]$/, "$1") || "127.0.0.1";
  const server = createServer((req, res) => {
    if (req.method === "GET" && (req.url === "/metrics" || req.url?.startsWith("/metrics?"))) {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(metricsText(stats()));
    } else {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(m[2]), host, () => resolve());
  });
  server.unref();
  return server;
}
