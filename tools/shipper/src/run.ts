/** `dnsrep-shipper run`: the flags and config file → a Shipper, with progress, stats and signals. */
import { CliError, type CliIo, configureProgram, OutputWriter, Progress, packageVersion, UsageError } from "@dnsrep/cli";
import { formatInfo, formatNames } from "@dnsrep/logs";
import { Command } from "commander";
import { buildConfig, type FlagSettings, type InputConfig, type RunConfig, readConfigFile } from "./config.js";
import { isShipperError } from "./errors.js";
import { Shipper, type ShipperOptions } from "./shipper.js";
import { progressLine, serveMetrics, summaryLine, writeStatsFile } from "./stats.js";

interface Flags {
  config?: string;
  server?: string;
  keyFile?: string;
  format?: string;
  logFormat?: string;
  regex?: string;
  timeFormat?: string;
  year?: string;
  utc?: boolean;
  source?: string;
  spool?: string;
  spoolMaxBytes?: string;
  registry?: string;
  output?: string;
  window?: string;
  maxEntries?: string;
  batchSize?: string;
  gzip?: boolean;
  startAt?: string;
  pollMs?: string;
  retryMax?: string;
  metricsListen?: string;
  statsFile?: string;
  name?: string;
  once?: boolean;
  quiet?: boolean;
}

export function runProgram(io: CliIo): Command {
  return configureProgram(new Command("dnsrep-shipper run"), io, packageVersion(import.meta.url))
    .description("tail log files, turn their lines into observations and ship them to dnstable-server's ingest endpoint")
    .argument("[files...]", "files or globs to tail (with --format)")
    .option("-c, --config <file>", "settings and inputs from a TOML (or .json) file; flags override it")
    .option("--server <url>", "dnstable-server base URL (POST <url>/api/v1/ingest)")
    .option("--key-file <file>", "file holding the ingest API key")
    .option("-f, --format <name>", "log format of the FILE arguments")
    .option("--log-format <text>", "the log's own format definition (squid logformat, nginx log_format, Apache LogFormat)")
    .option("--regex <re>", "regular expression with named groups (format regex)")
    .option("--time-format <fmt>", "time format of the regex's time group")
    .option("--year <y>", "year for timestamps without one")
    .option("--utc", "timestamps without a zone (syslog) are UTC, not local time")
    .option("--source <name>", "the observations' source (default: the format name)")
    .option("--spool <dir>", "folder where batches wait until acknowledged (required with --server)")
    .option("--spool-max-bytes <n>", "bound on the spool; past it the oldest batches are dropped (default 1 GiB)")
    .option("--registry <file>", "where read positions are kept (default DIR/registry.json of --spool)")
    .option("-o, --output <kind>", "http (default) or ndjson: observations on stdout instead of a server")
    .option("-w, --window <seconds>", "aggregation window (default 5)")
    .option("--max-entries <n>", "distinct observations per window at most (default 100000)")
    .option("--batch-size <n>", "observations per POST at most (default 5000)")
    .option("--gzip", "compress request bodies")
    .option("--start-at <where>", "files first seen at start-up and not in the registry: beginning (default) or end")
    .option("--poll-ms <ms>", "how often files are looked at (default 250)")
    .option("--retry-max <seconds>", "longest wait between two attempts to send (default 30)")
    .option("--metrics-listen <host:port>", "serve Prometheus /metrics there")
    .option("--stats-file <file>", "write the counters as JSON there (replaced atomically, every stats interval and at exit)")
    .option("--name <name>", "this shipper's name in Idempotency-Keys (default the host name)")
    .option("--once", "stop once every file was read to its end and the spool is empty (or the server is away)")
    .option("-q, --quiet", "no progress line and no summary");
}

const num = (v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(v)) throw new UsageError(`not a number: ${JSON.stringify(v)}`);
  return Number(v);
};

export async function runRun(argv: string[], io: CliIo): Promise<number> {
  const p = runProgram(io);
  p.parse(argv, { from: "user" });
  const f = p.opts<Flags>();
  const files = p.args;
  if (files.length && f.format === undefined)
    throw new UsageError(`--format is required with FILE arguments (formats: ${formatNames().join(", ") || "none"})`);
  if (!files.length && f.format !== undefined && f.config === undefined) throw new UsageError("--format given without FILE arguments");
  const flagInput: InputConfig | null = files.length
    ? {
        paths: files,
        format: f.format as string,
        options: {
          ...(f.logFormat !== undefined ? { logFormat: f.logFormat } : {}),
          ...(f.regex !== undefined ? { regex: f.regex } : {}),
          ...(f.timeFormat !== undefined ? { timeFormat: f.timeFormat } : {}),
          ...(f.source !== undefined ? { source: f.source } : {}),
          ...(f.year !== undefined ? { year: num(f.year) as number } : {}),
          ...(f.utc ? { utc: true } : {}),
        },
      }
    : null;
  const settings: FlagSettings = {
    server: f.server,
    key_file: f.keyFile,
    spool: f.spool,
    spool_max_bytes: num(f.spoolMaxBytes),
    registry: f.registry,
    output: f.output,
    window_seconds: num(f.window),
    max_entries: num(f.maxEntries),
    batch_size: num(f.batchSize),
    gzip: f.gzip,
    start_at: f.startAt,
    poll_ms: num(f.pollMs),
    retry_max_seconds: num(f.retryMax),
    metrics_listen: f.metricsListen,
    stats_file: f.statsFile,
    name: f.name,
  };
  let cfg: RunConfig;
  try {
    cfg = buildConfig(f.config !== undefined ? readConfigFile(f.config) : {}, settings, flagInput);
  } catch (e) {
    if (isShipperError(e)) throw new UsageError(e.message);
    throw e;
  }
  for (const inp of cfg.inputs) {
    const info = formatInfo(inp.format);
    if (!info) throw new UsageError(`unknown format "${inp.format}" (formats: ${formatNames().join(", ")})`);
    if (info.binary)
      throw new UsageError(
        `format ${inp.format} is binary, not line-based: run tails text logs (use \`dnsrep-shipper parse\` for whole files)`,
      );
  }
  return ship(cfg, io, { once: f.once === true, quiet: f.quiet === true });
}

async function ship(cfg: RunConfig, io: CliIo, o: { once: boolean; quiet: boolean }): Promise<number> {
  const progress = new Progress(io, { quiet: o.quiet });
  const stdout = cfg.output === "ndjson" ? new OutputWriter(io.stdout) : null;
  const log = (line: string): void => {
    progress.done();
    io.stderr.write(`dnsrep-shipper: ${line}\n`);
  };
  let lastStats = 0;
  const opts: ShipperOptions = {
    inputs: cfg.inputs,
    output:
      cfg.output === "ndjson"
        ? {
            kind: "ndjson",
            // each window goes out whole, at once: a reader downstream sees it when it is cut
            write: (text) => {
              const w = stdout as OutputWriter;
              return w.text(text) ?? w.flush();
            },
          }
        : {
            kind: "http",
            server: cfg.server as string,
            key: cfg.key as string,
            gzip: cfg.gzip,
            spoolDir: cfg.spool as string,
            spoolMaxBytes: cfg.spoolMaxBytes,
            spoolSync: cfg.spoolSync,
            backoff: { maxMs: cfg.retryMaxSeconds * 1000 },
          },
    windowMs: cfg.windowSeconds * 1000,
    maxEntries: cfg.maxEntries,
    batch: { maxLines: cfg.batchSize, maxBytes: cfg.batchBytes },
    pollMs: cfg.pollMs,
    startAtEnd: cfg.startAt === "end",
    maxLineBytes: cfg.maxLineBytes,
    closeInactiveMs: cfg.closeInactiveSeconds * 1000,
    drainMs: cfg.drainSeconds * 1000,
    maxPendingBatches: cfg.maxPendingBatches,
    once: o.once,
    log,
    onTick: (s) => {
      progress.tick(() => progressLine(s));
      if (cfg.statsFile !== undefined && Date.now() - lastStats >= cfg.statsIntervalSeconds * 1000) {
        lastStats = Date.now();
        writeStatsFile(cfg.statsFile, s);
      }
    },
  };
  if (cfg.registry !== undefined) opts.registryPath = cfg.registry;
  if (cfg.name !== undefined) opts.name = cfg.name;
  if (io.signal) opts.signal = io.signal;
  let shipper: Shipper;
  try {
    shipper = new Shipper(opts);
  } catch (e) {
    if (isShipperError(e) || (e as { name?: string }).name === "LogsError") throw new CliError((e as Error).message);
    throw e;
  }
  const metrics =
    cfg.metricsListen !== undefined
      ? await serveMetrics(cfg.metricsListen, () => shipper.stats).catch((e: Error) => {
          throw new CliError(`--metrics-listen ${cfg.metricsListen}: ${e.message}`);
        })
      : null;
  try {
    await shipper.run();
  } catch (e) {
    if (isShipperError(e)) throw new CliError(e.message);
    throw e;
  } finally {
    progress.done();
    metrics?.close();
    if (cfg.statsFile !== undefined) writeStatsFile(cfg.statsFile, shipper.stats);
  }
  await stdout?.end();
  if (!o.quiet) io.stderr.write(`dnsrep-shipper: ${summaryLine(shipper.stats)}\n`);
  return 0;
}
