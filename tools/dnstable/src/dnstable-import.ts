import { lstatSync, unlinkSync } from "node:fs";
import { resolve } from "node:path";
import { aboutFile, CliError, type CliIo, configureProgram, Progress, packageVersion, parseIntOption, UsageError } from "@dnsrep/cli";
import {
  DNSSEC_TYPES,
  DUAL_TYPES,
  dnstableMerge,
  EntryType,
  encodeRRtypeSingle,
  encodeTimeRange,
  encodeTriplet,
  encodeVarintValue,
  latin1Keys,
  sourceInfoKey,
  TIME_RANGE_KEY,
  versionKey,
} from "@dnsrep/dnstable";
import { isMtblError, Sorter, Writer } from "@dnsrep/mtbl";
import { addCodecOptions, parseBlockSize, parseCodecFlags } from "@dnsrep/mtbl-tools";
import { decodeDnsDedupe, isNmsgError, MSGTYPE_DNSDEDUPE, VENDOR_SIE } from "@dnsrep/nmsg";
import { crcDropped, nmsgSourceBatches } from "@dnsrep/nmsg-cli";
import { latin1String, outputTarget } from "@dnsrep/util";
import { downcaseName, nameLength } from "@dnsrep/wdns";
import { Command } from "commander";

interface FileState {
  sorter: Sorter;
  entries: number;
  rrsets: number;
  first: number;
  last: number;
}

const latin1 = (b: Uint8Array): string => latin1String(b);

/** Name at `off` of an rdata (uncompressed), or null if none is there. */
function nameAt(rdata: Uint8Array, off: number): Uint8Array | null {
  const n = nameLength(rdata, off);
  return n > 0 ? rdata.subarray(off, off + n) : null;
}

/** dnstable-import: SIE/dnsdedupe nmsg → dnstable DNS and DNSSEC files (dnstable_convert's job). */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const p = configureProgram(new Command("dnstable-import"), io, packageVersion(import.meta.url))
    .description("Convert SIE/dnsdedupe nmsg into dnstable DNS and DNSSEC files (dnstable_convert)")
    .usage("[options] INPUT DNS_FILE DNSSEC_FILE");
  addCodecOptions(p)
    .option("-b <sizes>", "block sizes DNS,DNSSEC in bytes", "8192,65536")
    .option("-m <megabytes>", "memory for sorting, in MiB (runs beyond it spill to temp files)", "1024")
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

  const newState = (): FileState => ({
    sorter: new Sorter({ merge: dnstableMerge, maxMemory: mem / 2, ...(o.T ? { tempDir: o.T } : {}) }),
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

  // keys and values go to the sorters as latin1 strings (its storage form): built once, no copies
  const add = (f: FileState, k: string, v: string): void => {
    f.sorter.addLatin1(k, v);
    f.entries++;
  };
  const unions = new Map<number, string>();

  try {
    const onCrcError = (n: number, at: number | undefined): void => {
      io.stderr.write(`dnstable-import: ${input}: ${crcDropped(n)} (container at offset ${at ?? 0})\n`);
    };
    // a signal ends the reading (a stdin waiting for data included, the container it cut dropped);
    // what was read is then written and committed, as at the end of the input
    for await (const batch of nmsgSourceBatches(input, io, { onCrcError }, io.signal)) {
      if (io.signal?.aborted) break;
      for (const pl of batch) {
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
        const first = (auth ? d.zone_time_first : d.time_first) ?? 0;
        const last = (auth ? d.zone_time_last : d.time_last) ?? 0;
        const count = type === 0 ? 0 : (d.count ?? 0);
        const triplet = latin1(encodeTriplet({ timeFirst: first, timeLast: last, count }));
        const targets: FileState[] = [];
        if (DNSSEC_TYPES.has(d.rrtype)) {
          targets.push(dnssec);
          if (o.D && DUAL_TYPES.has(d.rrtype)) targets.push(dns);
        } else targets.push(dns);
        const rrtype = d.rrtype;
        let union = unions.get(rrtype);
        if (union === undefined) {
          union = latin1(encodeRRtypeSingle(rrtype));
          unions.set(rrtype, union);
        }
        for (const f of targets) {
          f.rrsets++;
          if (first < f.first) f.first = first;
          if (last > f.last) f.last = last;
          add(f, latin1Keys.rrset(d.rrname, rrtype, d.bailiwick, d.rdata), triplet);
          add(f, latin1Keys.rrsetNameFwd(d.rrname), union);
          for (const rd of d.rdata) {
            add(f, latin1Keys.rdata(rd, rrtype, d.rrname), triplet);
            // sliced RDATA entries and names found in rdata
            let sliceOff = -1;
            let sliced: Uint8Array | null = null;
            let revName: Uint8Array | null = null;
            switch (rrtype) {
              case 2: // NS
              case 5: // CNAME
              case 12: // PTR
              case 39: // DNAME
                revName = nameAt(rd, 0);
                break;
              case 15: // MX
                sliceOff = 2;
                sliced = rd.subarray(2);
                revName = nameAt(rd, 2);
                break;
              case 33: // SRV
                sliceOff = 6;
                sliced = rd.subarray(6);
                revName = nameAt(rd, 6);
                break;
              case 64: // SVCB
              case 65: {
                // HTTPS
                const n = nameAt(rd, 2);
                if (n) {
                  sliceOff = 2;
                  const dn = downcaseName(n);
                  const rest = rd.subarray(2 + n.length);
                  sliced = new Uint8Array(dn.length + rest.length);
                  sliced.set(dn);
                  sliced.set(rest, dn.length);
                  revName = dn;
                }
                break;
              }
              case 6: {
                // SOA: MNAME always; RNAME with -r
                const mname = nameAt(rd, 0);
                if (mname) add(f, latin1Keys.rdataNameRev(mname), union);
                if (rname && mname) {
                  const rn = nameAt(rd, mname.length);
                  if (rn) {
                    const dn = downcaseName(rn);
                    const rest = rd.subarray(mname.length + rn.length);
                    const s = new Uint8Array(dn.length + rest.length);
                    s.set(dn);
                    s.set(rest, dn.length);
                    add(f, latin1Keys.rdataSliced(rd, mname.length, s, rrtype, d.rrname), triplet);
                    add(f, latin1Keys.rdataNameRev(dn), union);
                  }
                }
                break;
              }
            }
            if (sliced && sliceOff >= 0) add(f, latin1Keys.rdataSliced(rd, sliceOff, sliced, rrtype, d.rrname), triplet);
            if (revName) add(f, latin1Keys.rdataNameRev(revName), union);
          }
        }
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
    if (o.S && o.s) f.sorter.add(sourceInfoKey(o.s), new Uint8Array(0));
    if (f.rrsets > 0) f.sorter.add(TIME_RANGE_KEY, encodeTimeRange(f.first, f.last));
    f.sorter.add(versionKey(EntryType.RRSET), encodeVarintValue(0));
    f.sorter.add(versionKey(EntryType.RRSET_NAME_FWD), encodeVarintValue(1));
    f.sorter.add(versionKey(EntryType.RDATA), encodeVarintValue(rname ? 2 : 1));
    f.sorter.add(versionKey(EntryType.RDATA_NAME_REV), encodeVarintValue(rname ? 2 : 1));
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
