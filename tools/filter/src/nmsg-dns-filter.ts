import { readFileSync, statSync } from "node:fs";
import { CliError, type CliIo, configureProgram, packageVersion, parseIntOption, UsageError } from "@dnsrep/cli";
import { type FilterList, parseFilterList, RecordFilter } from "@dnsrep/dedupe";
import { decodeDnsDedupe, decodeDnsQR, type NmsgPayload } from "@dnsrep/nmsg";
import {
  addNmsgInputOptions,
  addNmsgOutputOptions,
  type NmsgInputFlags,
  type NmsgOutputFlags,
  type NmsgOutputs,
  openNmsgOutputs,
  runNmsgStream,
  SocketInputStats,
} from "@dnsrep/nmsg-cli";
import { Command } from "commander";

interface Flags extends NmsgInputFlags, NmsgOutputFlags {
  file?: string[];
  rejectOutput?: string;
  rdata?: boolean;
  reloadInterval?: string;
  verbose?: boolean;
  quiet?: boolean;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** Every list file, merged into one list. Throws CliError naming the file and line. */
function loadLists(files: readonly string[]): FilterList {
  const all: FilterList = { exact: new Set(), subdomain: new Set(), regexes: [], prefixes: [] };
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, "utf8");
    } catch (e) {
      throw new CliError(`${f}: ${(e as Error).message}`);
    }
    let l: FilterList;
    try {
      l = parseFilterList(text);
    } catch (e) {
      throw new CliError(`${f}: ${(e as Error).message}`);
    }
    for (const n of l.exact) all.exact.add(n);
    for (const n of l.subdomain) all.subdomain.add(n);
    all.regexes.push(...l.regexes);
    all.prefixes.push(...l.prefixes);
  }
  return all;
}

/** A signature of the list files' state: reload when it changes. */
function fileState(files: readonly string[]): string {
  return files
    .map((f) => {
      try {
        const s = statSync(f);
        return `${s.mtimeMs}:${s.size}:${s.ino}`;
      } catch {
        return "missing";
      }
    })
    .join("|");
}

/** nmsg-dns-filter: drop or divert dnsdedupe/dnsqr records by name, subdomain, regex or address lists. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const p = configureProgram(new Command("nmsg-dns-filter"), io, packageVersion(import.meta.url)).description(
    "drop (or divert) SIE/dnsdedupe and base/dnsqr records that match name, subdomain, regex or address lists",
  );
  addNmsgInputOptions(p);
  addNmsgOutputOptions(p)
    .option("-f, --file <list>", "a filter list (name, =exact, ~regex, address[/bits], # comment); repeatable", collect)
    .option("--reject-output <file>", "write matching records to this nmsg file instead of dropping them")
    .option("--rdata", "also match names and addresses in dnsdedupe rdata")
    .option("--reload-interval <ms>", "how often to check the list files for changes", "1000")
    .option("-v, --verbose", "print counters on stderr every 10 seconds, and each UDP socket's receive buffer")
    .option("-q, --quiet", "no progress line and no counters at the end");
  p.parse(argv, { from: "user" });
  if (p.args.length) throw new UsageError(`unexpected argument: ${p.args[0]}`);
  const f = p.opts<Flags>();
  const files = f.file ?? [];
  if (files.length === 0) throw new UsageError("no filter list: use -f FILE");
  const interval = parseIntOption("--reload-interval", f.reloadInterval ?? "1000", 0);
  const filter = new RecordFilter(loadLists(files), { rdata: f.rdata === true });
  let state = fileState(files);
  let checked = Date.now();
  let hup = false;
  const counts = { in: 0, passed: 0, rejected: 0, reloads: 0, reloadErrors: 0 };
  const reload = (): void => {
    try {
      filter.list = loadLists(files);
      counts.reloads++;
    } catch (e) {
      // keep filtering with the previous list
      counts.reloadErrors++;
      io.stderr.write(`nmsg-dns-filter: reload failed, keeping the previous lists: ${(e as Error).message}\n`);
    }
  };
  const onHup = (): void => {
    hup = true;
  };
  process.on("SIGHUP", onHup);

  const out = await openNmsgOutputs(f, io, "nmsg");
  let rejects: NmsgOutputs | undefined;
  try {
    if (f.rejectOutput !== undefined) rejects = await openNmsgOutputs({ writenmsg: f.rejectOutput }, io, "nmsg");
  } catch (e) {
    await out.abort();
    throw e;
  }
  // socket inputs: containers received and lost per sender (sequence numbers), in the counters
  const sockets = new SocketInputStats();
  if (f.verbose) sockets.reportListening("nmsg-dns-filter", io.stderr);
  const show = (): string => {
    const c = sockets.counters();
    return `in=${counts.in} passed=${counts.passed} rejected=${counts.rejected} reloads=${counts.reloads}${counts.reloadErrors ? ` reload_errors=${counts.reloadErrors}` : ""}${c ? ` ${c}` : ""}`;
  };
  const matches = (pl: NmsgPayload): boolean => {
    try {
      if (pl.vid === 2 && pl.msgtype === 1) return filter.matchDedupe(decodeDnsDedupe(pl.payload));
      if (pl.vid === 1 && pl.msgtype === 9) return filter.matchDnsqr(decodeDnsQR(pl.payload));
    } catch {
      // an undecodable payload is passed through untouched, like any other message type
    }
    return false;
  };
  await runNmsgStream({
    name: "nmsg-dns-filter",
    io,
    flags: f,
    sockets,
    show,
    cleanup: () => process.off("SIGHUP", onHup),
    handler: (progress) => (pl) => {
      // reloads happen between records: each record is judged by exactly one version of the lists
      if (hup || (interval >= 0 && Date.now() - checked >= interval)) {
        checked = Date.now();
        const now = fileState(files);
        if (hup || now !== state) {
          hup = false;
          state = now;
          reload();
        }
      }
      counts.in++;
      let pending: Promise<void> | undefined;
      if (matches(pl)) {
        counts.rejected++;
        if (rejects) pending = rejects.write(pl);
      } else {
        counts.passed++;
        pending = out.write(pl);
      }
      progress.tick(show);
      // a promise only when an output pushes back
      return pending ? pending.then(() => true) : true;
    },
    finish: async (failed) => {
      if (failed) {
        // an input error: output files are left as they were (their temporary files removed)
        await out.abort();
        await rejects?.abort();
      } else {
        await out.close();
        await rejects?.close();
      }
    },
  });
  return 0;
}
