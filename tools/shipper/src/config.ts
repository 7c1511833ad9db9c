/**
 * `run`'s configuration: a TOML or JSON file (by extension; `.json` is JSON, anything else TOML)
 * and the command-line flags, which override the file's top-level settings; FILE|GLOB arguments
 * with `--format` make one more input. Every value is checked here, with a message naming it.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { FormatOptions } from "@dnsrep/logs";
import { parse as parseToml } from "smol-toml";
import { ShipperError } from "./errors.js";

export interface InputConfig {
  paths: string[];
  format: string;
  options: FormatOptions;
}

export interface RunConfig {
  inputs: InputConfig[];
  output: "http" | "ndjson";
  server?: string;
  key?: string;
  spool?: string;
  spoolMaxBytes: number;
  spoolSync: boolean;
  registry?: string;
  windowSeconds: number;
  maxEntries: number;
  batchSize: number;
  batchBytes: number;
  gzip: boolean;
  pollMs: number;
  startAt: "beginning" | "end";
  maxLineBytes: number;
  closeInactiveSeconds: number;
  drainSeconds: number;
  maxPendingBatches: number;
  retryMaxSeconds: number;
  name?: string;
  metricsListen?: string;
  statsFile?: string;
  statsIntervalSeconds: number;
}

export const DEFAULTS = {
  spoolMaxBytes: 1 << 30,
  windowSeconds: 5,
  maxEntries: 100_000,
  batchSize: 5000,
  batchBytes: 4 << 20,
  pollMs: 250,
  maxLineBytes: 1 << 20,
  closeInactiveSeconds: 5,
  drainSeconds: 10,
  maxPendingBatches: 16,
  retryMaxSeconds: 30,
  statsIntervalSeconds: 10,
} as const;

/** Keys a config file may hold at the top level (snake_case, as written in the file). */
const TOP_KEYS = new Set([
  "server",
  "key",
  "key_file",
  "spool",
  "spool_max_bytes",
  "spool_sync",
  "registry",
  "window_seconds",
  "max_entries",
  "batch_size",
  "batch_bytes",
  "gzip",
  "poll_ms",
  "start_at",
  "max_line_bytes",
  "close_inactive_seconds",
  "drain_seconds",
  "max_pending_batches",
  "retry_max_seconds",
  "name",
  "metrics_listen",
  "stats_file",
  "stats_interval_seconds",
  "output",
  "input",
]);
const INPUT_KEYS = new Set(["paths", "format", "log_format", "regex", "time_format", "year", "utc", "source"]);

type Table = Record<string, unknown>;

/** Read and check a config file; relative paths in it are taken from the file's folder. */
export function readConfigFile(path: string): Table {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ShipperError("CONFIG", `${path}: ${(e as Error).message.split("\n")[0]}`);
  }
  let t: unknown;
  try {
    t = path.endsWith(".json") ? JSON.parse(text) : parseToml(text);
  } catch (e) {
    throw new ShipperError("CONFIG", `${path}: ${((e as Error).message.split("\n")[0] ?? "").trim()}`);
  }
  if (typeof t !== "object" || t === null || Array.isArray(t)) throw new ShipperError("CONFIG", `${path}: not a table of settings`);
  const table = t as Table;
  for (const k of Object.keys(table)) if (!TOP_KEYS.has(k)) throw new ShipperError("CONFIG", `${path}: unknown setting "${k}"`);
  const base = dirname(resolve(path));
  for (const k of ["key_file", "spool", "registry", "stats_file"])
    if (typeof table[k] === "string") table[k] = resolve(base, table[k] as string);
  if (table.input !== undefined) {
    if (!Array.isArray(table.input)) throw new ShipperError("CONFIG", `${path}: "input" must be an array of tables ([[input]])`);
    table.input.forEach((inp, i) => {
      if (typeof inp !== "object" || inp === null) throw new ShipperError("CONFIG", `${path}: input ${i + 1}: not a table`);
      for (const k of Object.keys(inp))
        if (!INPUT_KEYS.has(k)) throw new ShipperError("CONFIG", `${path}: input ${i + 1}: unknown setting "${k}"`);
      const ps = (inp as Table).paths;
      if (Array.isArray(ps)) (inp as Table).paths = ps.map((p) => (typeof p === "string" ? resolve(base, p) : p));
      else if (typeof ps === "string") (inp as Table).paths = [resolve(base, ps)];
    });
  }
  return table;
}

/** Settings from the flags, in the file's spelling (snake_case); undefined = not given. */
export type FlagSettings = Table;

/** Merge a file's settings and the flags' (flags win) into a checked RunConfig. */
export function buildConfig(file: Table, flags: FlagSettings, flagInput: InputConfig | null): RunConfig {
  const t: Table = { ...file };
  for (const [k, v] of Object.entries(flags)) if (v !== undefined) t[k] = v;
  const where = (k: string): string => `setting "${k}"`;
  const str = (k: string): string | undefined => {
    const v = t[k];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || v === "") throw new ShipperError("CONFIG", `${where(k)}: must be a non-empty string`);
    return v;
  };
  const num = (k: string, def: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const v = t[k];
    if (v === undefined) return def;
    const n = typeof v === "bigint" ? Number(v) : v;
    if (typeof n !== "number" || !Number.isFinite(n) || n < min || n > max)
      throw new ShipperError("CONFIG", `${where(k)}: must be a number between ${min} and ${max}`);
    return n;
  };
  const bool = (k: string, def: boolean): boolean => {
    const v = t[k];
    if (v === undefined) return def;
    if (typeof v !== "boolean") throw new ShipperError("CONFIG", `${where(k)}: must be true or false`);
    return v;
  };
  const inputs: InputConfig[] = [];
  const list = (t.input as Table[] | undefined) ?? [];
  list.forEach((inp, i) => {
    const paths = inp.paths;
    if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === "string" && p !== ""))
      throw new ShipperError("CONFIG", `input ${i + 1}: "paths" must be a non-empty list of files or globs`);
    if (typeof inp.format !== "string" || inp.format === "") throw new ShipperError("CONFIG", `input ${i + 1}: "format" is required`);
    inputs.push({ paths: paths as string[], format: inp.format, options: formatOptions(inp, `input ${i + 1}`) });
  });
  if (flagInput) inputs.push(flagInput);
  if (inputs.length === 0)
    throw new ShipperError("CONFIG", "no input: give FILE|GLOB arguments with --format, or [[input]] sections in --config");
  const output = str("output") ?? "http";
  if (output !== "http" && output !== "ndjson") throw new ShipperError("CONFIG", `${where("output")}: must be "http" or "ndjson"`);
  const startAt = str("start_at") ?? "beginning";
  if (startAt !== "beginning" && startAt !== "end") throw new ShipperError("CONFIG", `${where("start_at")}: must be "beginning" or "end"`);
  let key = str("key");
  const keyFile = str("key_file");
  if (key === undefined && keyFile !== undefined) {
    try {
      key = readFileSync(keyFile, "utf8").trim();
    } catch (e) {
      throw new ShipperError("CONFIG", `key file ${keyFile}: ${(e as Error).message.split("\n")[0]}`);
    }
    if (key === "" || /\s/.test(key)) throw new ShipperError("CONFIG", `key file ${keyFile}: must hold one key on one line`);
  }
  const c: RunConfig = {
    inputs,
    output,
    spoolMaxBytes: num("spool_max_bytes", DEFAULTS.spoolMaxBytes, 1024),
    spoolSync: bool("spool_sync", true),
    windowSeconds: num("window_seconds", DEFAULTS.windowSeconds, 0, 86_400),
    maxEntries: num("max_entries", DEFAULTS.maxEntries, 1, 10_000_000),
    batchSize: num("batch_size", DEFAULTS.batchSize, 1, 1_000_000),
    batchBytes: num("batch_bytes", DEFAULTS.batchBytes, 1024, 16 << 20),
    gzip: bool("gzip", false),
    pollMs: num("poll_ms", DEFAULTS.pollMs, 10, 60_000),
    startAt,
    maxLineBytes: num("max_line_bytes", DEFAULTS.maxLineBytes, 64, 64 << 20),
    closeInactiveSeconds: num("close_inactive_seconds", DEFAULTS.closeInactiveSeconds, 0, 86_400 * 7),
    drainSeconds: num("drain_seconds", DEFAULTS.drainSeconds, 0, 3600),
    maxPendingBatches: num("max_pending_batches", DEFAULTS.maxPendingBatches, 1, 1_000_000),
    retryMaxSeconds: num("retry_max_seconds", DEFAULTS.retryMaxSeconds, 0.1, 3600),
    statsIntervalSeconds: num("stats_interval_seconds", DEFAULTS.statsIntervalSeconds, 1, 86_400),
  };
  const opt = (k: keyof RunConfig, v: string | undefined): void => {
    if (v !== undefined) (c as unknown as Table)[k] = v;
  };
  opt("server", str("server"));
  opt("key", key);
  opt("spool", str("spool"));
  opt("registry", str("registry"));
  opt("name", str("name"));
  opt("metricsListen", str("metrics_listen"));
  opt("statsFile", str("stats_file"));
  if (c.output === "http") {
    if (c.server === undefined) throw new ShipperError("CONFIG", "no server: give --server URL (or --output ndjson)");
    try {
      const u = new URL(c.server);
      if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("not http(s)");
    } catch {
      throw new ShipperError("CONFIG", `server: not an http(s) URL: ${JSON.stringify(c.server)}`);
    }
    if (c.key === undefined) throw new ShipperError("CONFIG", "no ingest key: give --key-file FILE (or key_file in the config)");
    if (c.spool === undefined)
      throw new ShipperError("CONFIG", "no spool folder: give --spool DIR (batches wait there until the server acknowledges them)");
    c.registry ??= resolve(c.spool, "registry.json");
  }
  return c;
}

function formatOptions(inp: Table, where: string): FormatOptions {
  const o: FormatOptions = {};
  const s = (k: string): string | undefined => {
    const v = inp[k];
    if (v === undefined) return undefined;
    if (typeof v !== "string") throw new ShipperError("CONFIG", `${where}: "${k}" must be a string`);
    return v;
  };
  const lf = s("log_format");
  if (lf !== undefined) o.logFormat = lf;
  const re = s("regex");
  if (re !== undefined) o.regex = re;
  const tf = s("time_format");
  if (tf !== undefined) o.timeFormat = tf;
  const src = s("source");
  if (src !== undefined) o.source = src;
  if (inp.utc !== undefined) {
    if (typeof inp.utc !== "boolean") throw new ShipperError("CONFIG", `${where}: "utc" must be true or false`);
    o.utc = inp.utc;
  }
  if (inp.year !== undefined) {
    const y = Number(inp.year);
    if (!Number.isInteger(y) || y < 1970 || y > 9999) throw new ShipperError("CONFIG", `${where}: "year" must be a year`);
    o.year = y;
  }
  return o;
}
