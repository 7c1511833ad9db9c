import { aboutFile, CliError, type CliIo, configureProgram, OutputWriter, packageVersion, UsageError } from "@dnsrep/cli";
import { EntryType, entryProblem, formatEntry, isDnstableError } from "@dnsrep/dnstable";
import { isMtblError } from "@dnsrep/mtbl";
import { isWdnsError } from "@dnsrep/wdns";
import { Command } from "commander";
import { CorruptTally, openMtbl } from "./inputs.js";

/**
 * dnstable-dump: print the entries of one kind from a dnstable data file (dnstable_dump). An entry
 * that does not decode is skipped, as dnstable_dump skips it, but not silently: the run ends with
 * one line naming the file, the number skipped and the first one, and exits 1.
 */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const p = configureProgram(new Command("dnstable-dump"), io, packageVersion(import.meta.url))
    .description("Dump the entries of one kind from a dnstable data file (dnstable_dump)")
    .usage("[-j] [-R] (-r | -d | --rrset_names | --rdata_names | -t | -v | -s) FILE")
    .option("-r, --rrset", "dump RRSET entries")
    .option("-d, --rdata", "dump RDATA entries")
    .option("--rrset_names", "dump RRSET_NAME_FWD entries")
    .option("--rdata_names", "dump RDATA_NAME_REV entries")
    .option("-t, --time_range", "dump the TIME_RANGE entry")
    .option("-v, --version_entries", "dump VERSION entries (dnstable_dump's -v; --version prints the tool's version)")
    .option("-s, --source_info", "dump SOURCE_INFO entries")
    .option("-j, --json", "JSON lines output")
    .option("-R, --raw", "with -j -d, add rdata_raw (hex)")
    .argument("<file>", "dnstable data file");
  p.parse(argv, { from: "user" });
  const o = p.opts<{
    rrset?: boolean;
    rdata?: boolean;
    rrset_names?: boolean;
    rdata_names?: boolean;
    time_range?: boolean;
    version_entries?: boolean;
    source_info?: boolean;
    json?: boolean;
    raw?: boolean;
  }>();
  const modes = [o.rrset, o.rdata, o.rrset_names, o.rdata_names, o.time_range, o.version_entries, o.source_info].filter(Boolean).length;
  if (modes !== 1) throw new UsageError("exactly one of -r, -d, --rrset_names, --rdata_names, -t, -v, -s is required");
  // libdnstable has no JSON form for these entries (its formatter returns nothing and dnstable_dump
  // aborts): refused, rather than text lines under -j
  if (o.json && (o.rrset_names || o.rdata_names || o.source_info))
    throw new UsageError("-j: --rrset_names, --rdata_names and -s entries have no JSON form (use it with -r, -d, -t or -v)");
  const file = p.args[0] as string;
  // each block's CRC32C checked, as the other tools check it: damage is reported as a bad CRC32C,
  // not as whatever the codec makes of the damaged bytes
  const reader = openMtbl(file, { verifyChecksums: true });
  const corrupt = new CorruptTally();
  const out = new OutputWriter(io.stdout);
  const json = o.json === true;
  const prefix = o.rrset
    ? EntryType.RRSET
    : o.rdata
      ? EntryType.RDATA
      : o.rrset_names
        ? EntryType.RRSET_NAME_FWD
        : o.rdata_names
          ? EntryType.RDATA_NAME_REV
          : o.time_range
            ? EntryType.TIME_RANGE
            : o.version_entries
              ? EntryType.VERSION
              : EntryType.SOURCE_INFO;
  try {
    const it = reader.getPrefix(Uint8Array.of(prefix));
    while (it.next()) {
      const key = it.key;
      const val = it.value;
      const bad = entryProblem(key, val);
      if (bad !== null) {
        corrupt.add(key, bad);
        continue;
      }
      let line: string | null = null;
      try {
        line = formatEntry(prefix, key, val, json, o.raw === true);
      } catch (e) {
        if (!isDnstableError(e) && !isWdnsError(e)) throw e;
        corrupt.add(key, e.message);
      }
      if (line !== null) await out.text(line);
    }
  } catch (e) {
    if (isMtblError(e)) throw new CliError(aboutFile(file, e.message));
    throw e;
  } finally {
    reader.close();
  }
  await out.flush();
  return corrupt.finish(io, "dnstable-dump", file);
}
