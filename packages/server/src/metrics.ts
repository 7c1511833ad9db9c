import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { STATIC_ROUTES } from "./ui/static-files.js";

/** The endpoints requests are counted under: a small closed set (never a key or a queried name). */
export const ENDPOINTS = [
  "lookup",
  "summarize",
  "flex",
  "ping",
  "rate_limit",
  "pdns",
  "ingest",
  "metrics",
  "ui",
  "static",
  "other",
] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

/** Which endpoint a route URL (fastify's pattern, not the request's path) belongs to. */
export function endpointOf(routeUrl: string | undefined): Endpoint {
  if (routeUrl === undefined) return "other";
  if (routeUrl.startsWith("/dnsdb/v2/lookup/")) return "lookup";
  if (routeUrl.startsWith("/dnsdb/v2/summarize/")) return "summarize";
  if (routeUrl.startsWith("/dnsdb/v2/glob/") || routeUrl.startsWith("/dnsdb/v2/regex/")) return "flex";
  if (routeUrl === "/dnsdb/v2/ping") return "ping";
  if (routeUrl === "/dnsdb/v2/rate_limit") return "rate_limit";
  if (routeUrl.startsWith("/pdns/")) return "pdns";
  if (routeUrl === "/api/v1/ingest" || routeUrl.startsWith("/api/v1/dns")) return "ingest";
  if (routeUrl === "/metrics") return "metrics";
  if (routeUrl.startsWith("/ui/api/")) return "ui";
  if (STATIC_ROUTES.has(routeUrl)) return "static";
  return "other";
}

/** HTTP status as a label: the code for the ones this server sends, else its class. */
function statusLabel(status: number): string {
  return [200, 400, 401, 403, 404, 413, 415, 416, 429, 500, 503, 507].includes(status) ? String(status) : `${Math.floor(status / 100)}xx`;
}

/**
 * The server's Prometheus metrics, in a registry of its own (several servers may share a
 * process). Per-key usage is given in aggregate (how many keys, how many have used up their daily
 * quota, queries counted today): a key name is never a label.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<"endpoint" | "status">;
  readonly #duration: Histogram<"endpoint">;
  readonly #results: Counter<"endpoint">;
  readonly #streams: Gauge;
  readonly #reloads: Counter<"result">;

  constructor(opts: { dataFiles: () => number; usage?: () => { keys: number; usage: { used: number; limit: number | null }[] } }) {
    const registers = [this.registry];
    this.#requests = new Counter({
      name: "dnstable_server_requests_total",
      help: "HTTP requests answered, by endpoint and status",
      labelNames: ["endpoint", "status"],
      registers,
    });
    this.#duration = new Histogram({
      name: "dnstable_server_request_duration_seconds",
      help: "Time from a request's arrival to the end of its response, by endpoint",
      labelNames: ["endpoint"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.#results = new Counter({
      name: "dnstable_server_results_total",
      help: "Result objects streamed to clients, by endpoint",
      labelNames: ["endpoint"],
      registers,
    });
    this.#streams = new Gauge({ name: "dnstable_server_open_streams", help: "Result streams being sent now", registers });
    this.#reloads = new Counter({
      name: "dnstable_server_reloads_total",
      help: "Reloads of the data files, by result (ok, error)",
      labelNames: ["result"],
      registers,
    });
    new Gauge({
      name: "dnstable_server_data_files",
      help: "mtbl files being answered from",
      registers,
      collect() {
        this.set(opts.dataFiles());
      },
    });
    const usage = opts.usage;
    if (usage) {
      new Gauge({
        name: "dnstable_server_keys",
        help: "API keys in the keys file",
        registers,
        collect() {
          this.set(usage().keys);
        },
      });
      new Gauge({
        name: "dnstable_server_keys_quota_exhausted",
        help: "API keys that have used up their daily quota",
        registers,
        collect() {
          this.set(usage().usage.filter((u) => u.limit !== null && u.used >= u.limit).length);
        },
      });
      new Gauge({
        name: "dnstable_server_key_queries_today",
        help: "Queries counted against the keys' daily quotas, summed over the keys",
        registers,
        collect() {
          this.set(usage().usage.reduce((s, u) => s + u.used, 0));
        },
      });
    }
  }

  /** A response ended (or its client left). */
  request(endpoint: Endpoint, status: number, seconds: number, results: number): void {
    this.#requests.inc({ endpoint, status: statusLabel(status) });
    this.#duration.observe({ endpoint }, seconds);
    if (results > 0) this.#results.inc({ endpoint }, results);
  }

  streamOpened(): void {
    this.#streams.inc();
  }

  streamClosed(): void {
    this.#streams.dec();
  }

  reload(ok: boolean): void {
    this.#reloads.inc({ result: ok ? "ok" : "error" });
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
