import { readFileSync } from "node:fs";
import { CliError, type CliIo, configureProgram, packageVersion, parseIntOption, UsageError } from "@dnsrep/cli";
import {
  addrKey,
  DnsCache,
  type DnsCacheStats,
  IANA_ROOT_HINTS,
  nameKey,
  parseRootHints,
  rootServerAddresses,
  ZoneCache,
} from "@dnsrep/dedupe";
import { decodeDnsQR, isNmsgError } from "@dnsrep/nmsg";
import {
  addNmsgInputOptions,
  addNmsgOutputOptions,
  headerStamp,
  type NmsgInputFlags,
  type NmsgOutputFlags,
  openNmsgOutputs,
  PendingWrites,
  runNmsgStream,
  SocketInputStats,
} from "@dnsrep/nmsg-cli";
import { firstBinaryLine } from "@dnsrep/util";
import { nameFromString, parseIpv4, parseIpv6 } from "@dnsrep/wdns";
import { Command } from "commander";

interface Flags extends NmsgInputFlags, NmsgOutputFlags {
  rootHints?: string;
  zones?: string;
  recursive?: string;
  cacheSize?: string;
  cacheMemory?: string;
  tcp?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

function readText(flag: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new CliError(`${flag} ${path}: ${(e as Error).message}`);
  }
}

/** --zones FILE: "ADDRESS ZONE..." lines, a static server → zones seed (as the vectors' model uses). */
function loadZones(z: ZoneCache, text: string, path: string): void {
  const bin = firstBinaryLine(text);
  if (bin > 0) throw new CliError(`${path}:${bin}: not text (a binary file?)`);
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) return;
    const [addr, ...zones] = line.split(/\s+/);
    const a = parseIpv4(addr!) ?? parseIpv6(addr!);
    if (!a || zones.length === 0) throw new CliError(`${path}:${i + 1}: expected ADDRESS ZONE...`);
    for (const zn of zones) {
      let w: Uint8Array;
      try {
        w = nameFromString(zn, true);
      } catch {
        throw new CliError(`${path}:${i + 1}: bad zone name ${JSON.stringify(zn)}`);
      }
      z.addServer(nameKey(w), addrKey(a));
    }
  });
}

function statsLine(s: DnsCacheStats, c: DnsCache, out: number, sockets: string): string {
  const rej = Object.entries(s.rejected)
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${r}=${n}`)
    .join(" ");
  const cs = c.cache.stats;
  return (
    `messages=${s.messages} responses=${s.responses} responses_used=${s.responsesUsed} rrsets=${s.rrsets} accepted=${s.accepted} ` +
    `hits=${cs.hits} inserts=${cs.inserts} expirations=${cs.expirations} cached=${cs.entries} zones=${c.zones.size} payloads=${out}${sockets ? ` ${sockets}` : ""}` +
    (rej ? ` rejected: ${rej}` : " rejected: none")
  );
}

/** nmsg-dns-cache: base/dnsqr in → de-duplicated, bailiwick-checked SIE/dnsdedupe out. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const p = configureProgram(new Command("nmsg-dns-cache"), io, packageVersion(import.meta.url)).description(
    "de-duplicate the RRsets of base/dnsqr responses into SIE/dnsdedupe, with passive bailiwick checks",
  );
  addNmsgInputOptions(p);
  addNmsgOutputOptions(p)
    .option("--root-hints <file>", "root hints in named.root form (default: the IANA root servers)")
    .option("--zones <file>", "static seed: lines of 'ADDRESS ZONE...' (servers known to serve zones)")
    .option("--recursive <mode>", "responses from recursive resolvers (RD set): reject or accept", "reject")
    .option("--cache-size <n>", "most RRsets in the cache", "1000000")
    .option("--cache-memory <mib>", "most MiB of cache keys and entries", "512")
    .option("--no-tcp", "ignore DNS over TCP (by default responses are reassembled from TCP messages)")
    .option("-v, --verbose", "print counters on stderr every 10 seconds, and each UDP socket's receive buffer")
    .option("-q, --quiet", "no progress line and no counters at the end");
  p.parse(argv, { from: "user" });
  if (p.args.length) throw new UsageError(`unexpected argument: ${p.args[0]}`);
  const f = p.opts<Flags>();
  if (f.recursive !== "reject" && f.recursive !== "accept")
    throw new UsageError(`--recursive: expected reject or accept, got ${f.recursive}`);
  const maxEntries = parseIntOption("--cache-size", f.cacheSize ?? "1000000", 1);
  const maxBytes = parseIntOption("--cache-memory", f.cacheMemory ?? "512", 1) * 2 ** 20;
  const zones = new ZoneCache();
  if (f.rootHints !== undefined) {
    try {
      const hints = parseRootHints(readText("--root-hints", f.rootHints));
      // with no root server every response would be rejected (unknown_server) and nothing written
      if (rootServerAddresses(hints) === 0)
        throw new Error('no root server: it needs ". NS" records and A or AAAA records for their targets');
      zones.loadHints(hints);
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw new CliError(`--root-hints ${f.rootHints}: ${(e as Error).message}`);
    }
  } else zones.loadHints(parseRootHints(IANA_ROOT_HINTS));
  if (f.zones !== undefined) loadZones(zones, readText("--zones", f.zones), f.zones);

  const out = await openNmsgOutputs(f, io, "nmsg");
  // records are laid out straight into the output containers as the cache reports them (the
  // cache's raw path: no record objects); an output that pushes back leaves a promise, awaited
  // before the next input payload
  let written = 0;
  const stamp = headerStamp(2, 1);
  const pending = new PendingWrites();
  const cache = new DnsCache(() => {}, {
    zones,
    recursive: f.recursive,
    maxEntries,
    maxBytes,
    tcp: f.tcp !== false,
    raw: (m, sec, nsec) => {
      pending.add(out.writeEncoded(stamp(sec, nsec), m));
      written++;
    },
  });
  /** What the outputs still push back on; a promise only when there is something. */
  const drain = (): Promise<void> | undefined => pending.wait();
  const yes = (): boolean => true;
  // socket inputs: containers received and lost per sender (sequence numbers), in the counters
  const sockets = new SocketInputStats();
  if (f.verbose) sockets.reportListening("nmsg-dns-cache", io.stderr);
  const show = (): string => statsLine(cache.stats, cache, written, sockets.counters());
  await runNmsgStream({
    name: "nmsg-dns-cache",
    io,
    flags: f,
    sockets,
    show,
    handler: (progress) => (pl) => {
      if (pl.vid === 1 && pl.msgtype === 9) {
        // answered UDP queries straight from their bytes; the rest decoded
        if (!cache.dnsqrBytes(pl.payload)) {
          let q: ReturnType<typeof decodeDnsQR> | undefined;
          try {
            q = decodeDnsQR(pl.payload);
          } catch (e) {
            if (!isNmsgError(e) && !(e instanceof Error)) throw e;
            cache.stats.rejected.malformed++;
          }
          if (q) cache.dnsqrAt(q, pl.timeSec);
        }
      } else cache.stats.ignored++;
      const pending = drain();
      progress.tick(show);
      return pending ? pending.then(yes) : true;
    },
    finish: async (failed) => {
      if (failed) {
        // an input error: output files are left as they were (their temporary files removed), as
        // nmsg-tool leaves them; what already went to stdout or a socket stays sent
        await out.abort();
        return;
      }
      // end of input or a signal: every cached RRset is still reported
      cache.flush();
      await drain();
      await out.close();
    },
  });
  return 0;
}
