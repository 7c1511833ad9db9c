import { lstatSync, unlinkSync } from "node:fs";
import { resolve } from "node:path";
import { aboutFile, CliError, type CliIo, configureProgram, Progress, packageVersion, parseIntOption, UsageError } from "@dnsrep/cli";
import { type DnstableFile, dnstableMerge, EntryConverter } from "@dnsrep/dnstable";
import { isMtblError, Sorter, Writer } from "@dnsrep/mtbl";
import { addCodecOptions, parseBlockSize, parseCodecFlags } from "@dnsrep/mtbl-tools";
import { decodeDnsDedupe, isNmsgError, MSGTYPE_DNSDEDUPE, type ReadOptions, rawPayloadAt, readRawBatches, VENDOR_SIE } from "@dnsrep/nmsg";
import { abortable, crcDropped } from "@dnsrep/nmsg-cli";
import { outputTarget } from "@dnsrep/util";
import { Command } from "commander";
import { stdinChunks } from "./inputs.js";

interface FileState {
  sorter: Sorter;
  entries: number;
  rrsets: number;
  first: number;
  last: number;
}

/** dnstable-import: SIE/dnsdedupe nmsg → dnstable DNS and DNSSEC files (dnstable_convert's job). */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const p = configureProgram(new Command("dnstable-import"), io, packageVersion(import.meta.url))
    .description("Convert SIE/dnsdedupe nmsg into dnstable DNS and DNSSEC files (dnstable_convert)")
    .usage("[options] INPUT DNS_FILE DNSSEC_FILE");
  addCodecOptions(p)
    .option("-b <sizes>", "block sizes DNS,DNSSEC in bytes", "8192,65536")
    .option("-m <megabytes>", "memory for sorting, in MiB (runs beyond it spill to temp files)", "128")
    .option("-D", "also write CDS, CDNSKEY and TA RRsets to the DNS file")
    .option("-p", "keep an output file even when it has no RRsets")
    .option("-r", "also index the SOA RNAME (RDATA and RDATA_NAME_REV entries; their versions become 2)")
    .option("-S", "write a SOURCE_INFO entry (with -s)")
    .option("-s <name>", "source name for the SOURCE_INFO entry")
    .option("-q", "quiet: no progress line or summary")
    .option("-T <dir>", "directory for temporary sort files")
    .argument("<input>", "dnsdedupe nmsg file ('-' = stdin)")
    .argument("<dns>", "DNS output file")
    .argument("<dnssec>", "DNSSEC output file");
  p.parse(argv, { from: "user" });
  const o = p.opts<{
    c: string;
    l?: string;
    b: string;
    m: string;
    D?: boolean;
    p?: boolean;
    r?: boolean;
    S?: boolean;
    s?: string;
    q?: boolean;
    T?: string;
  }>();
  const [input, dnsPath, dnssecPath] = p.args as [string, string, string];
  // the two outputs are mtbl files (written whole, renamed into place): not stdout, not each other, not the input
  if (dnsPath === "-" || dnssecPath === "-") throw new UsageError("the outputs are mtbl files and cannot be stdout ('-')");
  const where = (f: string): { path: string; inPlace: boolean } => {
    try {
      return outputTarget(f);
    } catch {
      return { path: resolve(f), inPlace: false };
    }
  };
  const dnsAt = where(dnsPath);
  const dnssecAt = where(dnssecPath);
  if (dnsAt.path === dnssecAt.path && !dnsAt.inPlace) throw new UsageError("the DNS and DNSSEC outputs are the same file");
  if (input !== "-") {
    const inAt = where(input);
    if (!inAt.inPlace && (inAt.path === dnsAt.path || inAt.path === dnssecAt.path))
      throw new UsageError("an output would overwrite the input");
  }
  const codec = parseCodecFlags(o.c, o.l);
  const sizes = o.b.split(",");
  if (sizes.length !== 2) throw new UsageError("-b: expected DNS,DNSSEC block sizes");
  const blockDns = parseBlockSize(sizes[0] as string, 1024);
  const blockDnssec = parseBlockSize(sizes[1] as string, 1024);
  const mem = parseIntOption("-m", o.m, 16, 1 << 20) * 1024 * 1024;
  if (o.S && !o.s) throw new UsageError("-S needs -s NAME");
  const rname = o.r === true;

  // DNSREP_SPILL_THREAD=1: runs sorted and written on a second thread while the next batch fills
  // (each batch then gets half the memory). Off by default: on 2 busy cores (load 6) it cost
  // 0.8 s more CPU and 1.1 s more wall on the 100 MB dedupe file (docs/BENCHMARKS.md)
  const spillThread = io.env.DNSREP_SPILL_THREAD === "1";
  const newState = (): FileState => ({
    sorter: new Sorter({ merge: dnstableMerge, maxMemory: mem / 2, spillThread, ...(o.T ? { tempDir: o.T } : {}) }),
    entries: 0,
    rrsets: 0,
    first: Number.POSITIVE_INFINITY,
    last: 0,
  });
  const dns = newState();
  const dnssec = newState();
  const progress = new Progress(io, { quiet: o.q === true });
  const t0 = Date.now();
  let payloads = 0;
  let skipped = 0;

  // keys and values go to the sorters as bytes, copied from the converter's key buffer into the
  // sorter's arena: no string, view or array per entry
  const files = [dns, dnssec] as const;
  const converter = new EntryConverter({ dualTypes: o.D === true, rname });
  const add = (f: DnstableFile, k: Uint8Array, kl: number, v: Uint8Array): void => {
    const s = files[f];
    s.sorter.add(k, v, kl);
    s.entries++;
  };

  try {
    const onCrcError = (n: number, at: number | undefined): void => {
      io.stderr.write(`dnstable-import: ${input}: ${crcDropped(n)} (container at offset ${at ?? 0})\n`);
    };
    // a signal ends the reading (a stdin waiting for data included, the container it cut dropped);
    // what was read is then written and committed, as at the end of the input
    // containers read into one reused buffer (no copy, no worker thread); each payload is decoded
    // and turned into sorter strings before the next container is read
    const ro: ReadOptions = { onCrcError };
    if (io.signal) ro.stopped = io.signal;
    const src = input === "-" ? (io.signal ? abortable(stdinChunks(io), io.signal) : stdinChunks(io)) : input;
    for await (const batch of readRawBatches(src, ro)) {
      if (io.signal?.aborted) break;
      for (let i = 0; i < batch.n; i++) {
        const pl = rawPayloadAt(batch, i);
        if (pl.vid !== VENDOR_SIE || pl.msgtype !== MSGTYPE_DNSDEDUPE) {
          skipped++;
          continue;
        }
        payloads++;
        const d = decodeDnsDedupe(pl.payload);
        if (!d.rrname || d.rrname.length >= 256 || d.rrtype === undefined || !d.bailiwick || d.rdata.length === 0) {
          skipped++;
          continue;
        }
        const type = d.type ?? 0;
        const auth = type === 3 || type === 5;
        const rr = {
          rrname: d.rrname,
          rrtype: d.rrtype,
          bailiwick: d.bailiwick,
          rdata: d.rdata,
          timeFirst: (auth ? d.zone_time_first : d.time_first) ?? 0,
          timeLast: (auth ? d.zone_time_last : d.time_last) ?? 0,
          count: type === 0 ? 0 : (d.count ?? 0),
        };
        for (const f of converter.files(rr.rrtype)) {
          const s = files[f];
          s.rrsets++;
          if (rr.timeFirst < s.first) s.first = rr.timeFirst;
          if (rr.timeLast > s.last) s.last = rr.timeLast;
        }
        converter.entryBytes(rr, add);
      }
      progress.tick(
        () => `dnstable-import: ${payloads} payloads, ${dns.entries + dnssec.entries} entries, ${((Date.now() - t0) / 1000).toFixed(0)} s`,
      );
    }
  } catch (e) {
    dns.sorter.close();
    dnssec.sorter.close();
    if (isNmsgError(e)) throw new CliError(`${input}: ${e.message}`);
    throw e;
  }
  progress.done();

  // Both files are completed under temporary names, then both renamed into place: a failure leaves
  // both old files as they were. A signal does not stop the writing: what was read is written whole.
  const turn = (): Promise<void> => new Promise<void>((r) => setImmediate(r));
  const done: Writer[] = [];
  const empty: string[] = [];
  const write = async (f: FileState, path: string, blockSize: number): Promise<number> => {
    if (f.rrsets === 0 && !o.p) {
      f.sorter.close();
      empty.push(path);
      return 0;
    }
    const range = f.rrsets > 0 ? { first: f.first, last: f.last } : null;
    for (const [k, v] of converter.trailer(range, o.S ? o.s : undefined)) f.sorter.add(k, v);
    const w = Writer.create(path, { ...codec, blockSize });
    done.push(w);
    try {
      // a turn of the event loop every 64Ki entries (stdout and signal handlers run)
      const n = await f.sorter.writeToPausing(w, turn);
      w.finish();
      return n;
    } catch (e) {
      // the writer names its file in its I/O errors already: named once
      if (isMtblError(e)) throw new CliError(aboutFile(path, e.message));
      throw e;
    } finally {
      f.sorter.close();
    }
  };
  let nDns: number;
  let nDnssec: number;
  try {
    nDns = await write(dns, dnsPath, blockDns);
    nDnssec = await write(dnssec, dnssecPath, blockDnssec);
  } catch (e) {
    dns.sorter.close();
    dnssec.sorter.close();
    for (const w of done) w.abort();
    throw e;
  }
  for (const w of done) w.commit();
  // no RRsets, no file: an old regular file of that name is removed; a device, FIFO or symlink
  // (/dev/null included) is never unlinked, and is left as it is
  for (const path of empty) if (lstatSync(path, { throwIfNoEntry: false })?.isFile()) unlinkSync(path);
  if (!o.q) {
    io.stderr.write(
      `dnstable-import: ${payloads} payloads (${skipped} skipped) → ${nDns} DNS entries, ${nDnssec} DNSSEC entries in ${((Date.now() - t0) / 1000).toFixed(2)} s\n`,
    );
  }
  return 0;
}
