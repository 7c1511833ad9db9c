import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { CliError, type CliIo, configureProgram, parseIntOption, UsageError } from "@dnsrep/cli";
// the server and the web UI's files are loaded once the arguments are read: --help and a usage
// error do not load fastify, the store and the rest (issue 30)
import type { DnstableServer, NmsgListenSpec, ServerOptions } from "@dnsrep/server";
import { Command } from "commander";

/**
 * dnstable-server: the DNSDB API v2 and CIRCL COF lookup service over dnstable files
 * (@dnsrep/server), with API keys and quotas. `dnstable-server keys …` manages the keys file.
 */
interface Flags {
  listen: string;
  keys?: string;
  users?: string;
  sessionTtl?: string;
  secureCookies?: boolean;
  auth: boolean;
  allowRemoteNoAuth?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  defaultLimit: string;
  maxLimit: string;
  fname?: string[];
  setfile?: string[];
  metricsListen?: string;
  zeroClientIp?: boolean;
  pollInterval: string;
  maxConcurrent?: string;
  grace: string;
  quiet?: boolean;
  store?: string;
  nmsgListen?: string[];
  sync: string;
  memtableMb: string;
  maxBody: string;
  idempotencyWindow: string;
  maxSources: string;
  silentAfter: string;
  geoipDb?: string;
  asnDb?: string;
  enrichPollInterval: string;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** HOST:PORT (IPv6 in brackets); port 0 takes a free one. */
export function parseListen(flag: string, v: string): [string, number] {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(v);
  if (!m) throw new UsageError(`${flag}: expected HOST:PORT, got ${v}`);
  const host = (m[1] ?? m[2]) as string;
  if (isIP(host) === 0 && host !== "localhost") throw new UsageError(`${flag}: not an IP address: ${host}`);
  if (m[1] !== undefined && isIP(host) !== 6) throw new UsageError(`${flag}: not an IPv6 address: ${host}`);
  return [host, parseIntOption(flag, m[3] as string, 0, 65535)];
}

/** Whether a listen address is loopback only. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function readPem(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new CliError(`${flag} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  if (argv[0] === "keys") {
    // the keys subcommands, loaded only when used
    const { runKeys } = await import("./keys.js");
    return runKeys(argv.slice(1), io);
  }
  if (argv[0] === "users") {
    const { runUsers } = await import("./users.js");
    return runUsers(argv.slice(1), io);
  }
  const p = configureProgram(new Command("dnstable-server"), io)
    .description("DNSDB API v2 and CIRCL COF lookups over dnstable files, with API keys and quotas")
    .usage(
      "[options] DATA...\n       dnstable-server keys add|list|revoke --keys FILE ...\n       dnstable-server users add|list|remove|passwd --users FILE ...",
    )
    .argument("[data...]", "dnstable mtbl files and set files (one mtbl path per line)")
    .option("--listen <host:port>", "address to listen on (port 0: a free port)", "127.0.0.1:8080")
    .option("--keys <file>", "the API keys file (see `dnstable-server keys`)")
    .option("--users <file>", "the web UI's users file (see `dnstable-server users`): serves the UI's login routes")
    .option("--session-ttl <seconds>", "how long a web UI login lasts", "43200")
    .option("--secure-cookies", "mark the session cookie Secure without --tls-cert (behind a TLS proxy)")
    .option("--no-auth", "no API keys: every request is allowed (loopback addresses only)")
    .option("--allow-remote-no-auth", "with --no-auth, allow a --listen address that is not loopback")
    .option("--tls-cert <file>", "serve HTTPS with this certificate (PEM)")
    .option("--tls-key <file>", "the certificate's private key (PEM)")
    .option("--default-limit <n>", "results per query when the client gives no limit", "10000")
    .option("--max-limit <n>", "the most results per query, whatever the client asks", "1000000")
    .option("--fname <file>", "a dnstable mtbl file (repeatable)", collect)
    .option("--setfile <file>", "a set file (repeatable)", collect)
    .option("--metrics-listen <host:port>", "serve /metrics on this address instead of the main one")
    .option("--zero-client-ip", "leave client addresses out of the access log")
    .option("--poll-interval <ms>", "how often to check the data files for changes (0: never)", "2000")
    .option("--max-concurrent <n>", "concurrent queries per key before 503", "8")
    .option("--grace <ms>", "how long to let responses in flight finish on SIGTERM/SIGINT", "10000")
    .option("-q, --quiet", "no access log on stdout")
    .option("--store <dir>", "serve a live store in DIR too, fed by POST /api/v1/ingest and --nmsg-listen (created if missing)")
    .option(
      "--nmsg-listen <proto:host:port>",
      "with --store: read SIE dnsdedupe NMSG on tcp:HOST:PORT or udp:HOST:PORT (repeatable)",
      collect,
    )
    .option("--sync <mode>", "with --store: when a write is acknowledged: always, batch (group commit) or none", "batch")
    .option("--memtable-mb <n>", "with --store: flush a store's memtable to files past this many MiB", "64")
    .option("--max-body <bytes>", "with --store: the largest ingest body, uncompressed", String(16 * 1024 * 1024))
    .option("--idempotency-window <seconds>", "with --store: how long an Idempotency-Key is remembered", "86400")
    .option("--max-sources <n>", "with --store: the most log sources (stores under DIR/logs)", "32")
    .option("--silent-after <seconds>", "the dashboard marks a source silent after this long without a batch", "900")
    .option("--geoip-db <file>", "with --store: stamp ingested A/AAAA records with the country from this MaxMind-format database")
    .option(
      "--asn-db <file>",
      "with --store: stamp ingested A/AAAA records with the ASN and AS organisation from this MaxMind-format database",
    )
    .option("--enrich-poll-interval <ms>", "with --geoip-db/--asn-db: stat the database files this often and use a replaced one", "5000");
  p.parse(argv, { from: "user" });
  const { createServer, isEnrichError, isServerError, isUiError, parseNmsgListen } = await import("@dnsrep/server");
  const f = p.opts<Flags>();
  const data = p.args;
  const [host, port] = parseListen("--listen", f.listen);
  if (f.keys === undefined && f.users === undefined && f.auth)
    throw new UsageError("no keys file: give --keys FILE (or --users FILE), or --no-auth to serve without API keys");
  if (f.keys !== undefined && !f.auth) throw new UsageError("--keys and --no-auth exclude each other");
  if (!f.auth && !isLoopback(host) && !f.allowRemoteNoAuth)
    throw new UsageError(`--no-auth listens on loopback only (${host} is not); add --allow-remote-no-auth to serve it anyway`);
  if ((f.tlsCert === undefined) !== (f.tlsKey === undefined)) throw new UsageError("--tls-cert and --tls-key go together");
  const defaultLimit = parseIntOption("--default-limit", f.defaultLimit, 1);
  const maxLimit = parseIntOption("--max-limit", f.maxLimit, 1);
  if (defaultLimit > maxLimit) throw new UsageError("--default-limit is greater than --max-limit");
  const pollMs = parseIntOption("--poll-interval", f.pollInterval, 0, 86_400_000);
  const maxConcurrent = parseIntOption("--max-concurrent", f.maxConcurrent ?? "8", 1, 100000);
  const grace = parseIntOption("--grace", f.grace, 0, 3_600_000);
  const sessionTtl = parseIntOption("--session-ttl", f.sessionTtl ?? "43200", 60, 31_536_000);
  const metricsAt = f.metricsListen === undefined ? null : parseListen("--metrics-listen", f.metricsListen);
  if (data.length === 0 && !f.fname && !f.setfile && f.store === undefined)
    throw new UsageError("no data: give mtbl files or set files (or --fname / --setfile), or --store DIR");
  if (f.nmsgListen !== undefined && f.store === undefined) throw new UsageError("--nmsg-listen needs --store DIR");
  const nmsgSpecs: NmsgListenSpec[] = (f.nmsgListen ?? []).map((t) => {
    const spec = parseNmsgListen(t);
    if (spec === null) throw new UsageError(`--nmsg-listen: expected tcp:HOST:PORT or udp:HOST:PORT, got ${t}`);
    return spec;
  });
  if (!["always", "batch", "none"].includes(f.sync)) throw new UsageError(`--sync: expected always, batch or none, got ${f.sync}`);
  const memtableMb = parseIntOption("--memtable-mb", f.memtableMb, 1, 1 << 20);
  const maxBody = parseIntOption("--max-body", f.maxBody, 1024, 2 ** 30);
  const idemWindow = parseIntOption("--idempotency-window", f.idempotencyWindow, 1, 366 * 86400);
  const maxSources = parseIntOption("--max-sources", f.maxSources, 1, 1000);
  const silentAfter = parseIntOption("--silent-after", f.silentAfter, 1, 366 * 86400);
  if ((f.geoipDb !== undefined || f.asnDb !== undefined) && f.store === undefined)
    throw new UsageError("--geoip-db and --asn-db need --store DIR");
  const enrichPoll = parseIntOption("--enrich-poll-interval", f.enrichPollInterval, 0, 86_400_000);

  const log = (line: string): void => {
    io.stderr.write(`dnstable-server: ${line}\n`);
  };
  const opts: ServerOptions = {
    data,
    auth: !f.auth
      ? { noAuth: true, maxConcurrentPerKey: maxConcurrent }
      : f.keys === undefined
        ? { maxConcurrentPerKey: maxConcurrent }
        : { keysFile: f.keys, maxConcurrentPerKey: maxConcurrent },
    defaultLimit,
    maxLimit,
    pollMs,
    metricsRoute: metricsAt === null,
    zeroClientIp: f.zeroClientIp === true,
    log,
    dashboard: { silentAfterSeconds: silentAfter },
  };
  if (f.users !== undefined) {
    // the web UI's page (@dnsrep/web's built static folder) beside its login routes
    opts.ui = { usersFile: f.users, sessionTtlSeconds: sessionTtl, staticDir: (await import("@dnsrep/web")).webRoot };
    if (f.secureCookies) opts.ui.secureCookies = true;
  }
  if (f.store !== undefined)
    opts.store = {
      dir: f.store,
      storeOptions: { sync: f.sync, memtableBytes: memtableMb * 1024 * 1024 },
      maxBodyBytes: maxBody,
      idempotencyWindowMs: idemWindow * 1000,
      maxSources,
    };
  if (f.geoipDb !== undefined || f.asnDb !== undefined)
    opts.enrich = {
      ...(f.geoipDb !== undefined ? { geoipDb: f.geoipDb } : {}),
      ...(f.asnDb !== undefined ? { asnDb: f.asnDb } : {}),
      pollMs: enrichPoll,
    };
  if (f.fname) opts.fnames = f.fname;
  if (f.setfile) opts.setfiles = f.setfile;
  if (f.tlsCert !== undefined && f.tlsKey !== undefined)
    opts.tls = { cert: readPem("--tls-cert", f.tlsCert), key: readPem("--tls-key", f.tlsKey) };
  if (!f.quiet) opts.accessLog = (line) => io.stdout.write(`${line}\n`);

  let server: DnstableServer;
  try {
    server = await createServer(opts);
  } catch (e) {
    if (isServerError(e) || isUiError(e) || isEnrichError(e)) throw new CliError(e.message);
    throw e;
  }
  let url: string;
  try {
    for (const spec of nmsgSpecs) log(`reading NMSG on ${await server.listenNmsg(spec)}`);
    url = await server.listen(host, port);
    if (metricsAt) log(`metrics on ${await server.listenMetrics(metricsAt[0], metricsAt[1])}/metrics`);
  } catch (e) {
    await server.close(0);
    throw new CliError(`cannot listen: ${(e as Error).message}`);
  }
  log(`listening on ${url}`);

  const onHup = (): void => {
    try {
      server.reload();
      log(`reloaded ${server.files.length} data file${server.files.length === 1 ? "" : "s"} (SIGHUP)`);
    } catch (e) {
      log(`reload failed, keeping the data in use: ${(e as Error).message}`);
    }
  };
  process.on("SIGHUP", onHup);
  try {
    await new Promise<void>((resolve) => {
      if (io.signal?.aborted) resolve();
      io.signal?.addEventListener("abort", () => resolve(), { once: true });
    });
  } finally {
    process.off("SIGHUP", onHup);
  }
  // a second SIGTERM/SIGINT while responses finish cuts them short (still a clean exit); taken from
  // before the line below is written, so a signal sent on seeing it never meets the default action
  const cut = (): void => {
    log("stopping now: cutting the responses still in flight");
    server.app.server.closeAllConnections();
  };
  process.on("SIGTERM", cut);
  process.on("SIGINT", cut);
  log(`stopping: letting the responses in flight finish (up to ${grace} ms)`);
  try {
    await server.close(grace);
  } finally {
    process.off("SIGTERM", cut);
    process.off("SIGINT", cut);
  }
  return 0;
}
