import { aboutFile, CliError, type CliIo, configureProgram, OutputWriter, UsageError } from "@dnsrep/cli";
import {
  decodeRdataKey,
  decodeRRsetKey,
  decodeRRtypeUnion,
  decodeTimeRange,
  decodeTriplet,
  decodeVersion,
  EntryType,
  entryProblem,
  isDnstableError,
  reverseWireName,
} from "@dnsrep/dnstable";
import { isMtblError } from "@dnsrep/mtbl";
import { encodeVarint, toHex, utcDateTime } from "@dnsrep/util";
import { isWdnsError, nameToString, rdataToString, rrtypeToString } from "@dnsrep/wdns";
import { Command } from "commander";
import { CorruptTally, openMtbl } from "./inputs.js";

const VERSION_NAMES: Record<number, string> = { 0: "rrset", 1: "rrset_name", 2: "rdata", 3: "rdata_name" };

/** dnstable's text time format: "YYYY-MM-DD HH:MM:SS -0000" (UTC, for any time in a triplet a double holds). */
export function formatTime(epoch: number): string {
  return `${utcDateTime(epoch)} -0000`;
}

function typesText(val: Uint8Array): string {
  return decodeRRtypeUnion(val)
    .map((t) => rrtypeToString(t))
    .join(" ");
}

/**
 * dnstable-dump: print the entries of one kind from a dnstable data file (dnstable_dump). An entry
 * that does not decode is skipped, as dnstable_dump skips it, but not silently: the run ends with
 * one line naming the file, the number skipped and the first one, and exits 1.
 */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const p = configureProgram(new Command("dnstable-dump"), io)
    .description("Dump the entries of one kind from a dnstable data file (dnstable_dump)")
    .usage("[-j] [-R] (-r | -d | --rrset_names | --rdata_names | -t | -v | -s) FILE")
    .option("-r, --rrset", "dump RRSET entries")
    .option("-d, --rdata", "dump RDATA entries")
    .option("--rrset_names", "dump RRSET_NAME_FWD entries")
    .option("--rdata_names", "dump RDATA_NAME_REV entries")
    .option("-t, --time_range", "dump the TIME_RANGE entry")
    .option("-v, --version", "dump VERSION entries")
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
    version?: boolean;
    source_info?: boolean;
    json?: boolean;
    raw?: boolean;
  }>();
  const modes = [o.rrset, o.rdata, o.rrset_names, o.rdata_names, o.time_range, o.version, o.source_info].filter(Boolean).length;
  if (modes !== 1) throw new UsageError("exactly one of -r, -d, --rrset_names, --rdata_names, -t, -v, -s is required");
  // libdnstable has no JSON form for these entries (its formatter returns nothing and dnstable_dump
  // aborts): refused, rather than text lines under -j
  if (o.json && (o.rrset_names || o.rdata_names || o.source_info))
    throw new UsageError("-j: --rrset_names, --rdata_names and -s entries have no JSON form (use it with -r, -d, -t or -v)");
  const file = p.args[0] as string;
  const reader = openMtbl(file);
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
            : o.version
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

/** A value triplet as libdnstable presents it: count 0 shows as 1, time_last 0 as time_first. */
function displayTriplet(val: Uint8Array): ReturnType<typeof decodeTriplet> {
  const t = decodeTriplet(val);
  if (t === null) return null;
  return { timeFirst: t.timeFirst, timeLast: t.timeLast === 0 ? t.timeFirst : t.timeLast, count: t.count === 0 ? 1 : t.count };
}

/** The leading fields of an entry's JSON object, in libdnstable's order. */
function jsonHead(t: NonNullable<ReturnType<typeof decodeTriplet>>, rrname: string, rrtype: string): Record<string, unknown> {
  return { count: t.count, time_first: t.timeFirst, time_last: t.timeLast, rrname, rrtype };
}

export function formatEntry(prefix: number, key: Uint8Array, val: Uint8Array, json: boolean, raw = false): string | null {
  switch (prefix) {
    case EntryType.RDATA: {
      const k = decodeRdataKey(key);
      const t = displayTriplet(val);
      if (k === null || t === null) return null;
      const owner = nameToString(k.rrname);
      const type = rrtypeToString(k.rrtype);
      const rd = rdataToString(k.rrtype, 1, k.rdata);
      if (json) {
        const obj = jsonHead(t, owner, type);
        obj.rdata = rd;
        if (raw) obj.rdata_raw = toHex(k.rdata);
        return `${JSON.stringify(obj)}\n`;
      }
      return `${owner} IN ${type} ${rd}\n`;
    }
    case EntryType.RRSET: {
      const k = decodeRRsetKey(key);
      const t = displayTriplet(val);
      if (t === null) return null;
      const owner = nameToString(k.rrname);
      const type = rrtypeToString(k.rrtype);
      const rd = k.rdatas.map((r) => rdataToString(k.rrtype, 1, r));
      if (json) {
        const obj = jsonHead(t, owner, type);
        obj.bailiwick = nameToString(k.bailiwick);
        obj.rdata = rd;
        // libdnstable appends the rrtype as a varint to each raw rdata of an RRSET entry
        if (raw) {
          const v = new Uint8Array(5);
          const tail = toHex(v.subarray(0, encodeVarint(v, 0, k.rrtype)));
          obj.rdata_raw = k.rdatas.map((r) => toHex(r) + tail);
        }
        return `${JSON.stringify(obj)}\n`;
      }
      let s = `;;  bailiwick: ${nameToString(k.bailiwick)}\n;;      count: ${t.count}\n;; first seen: ${formatTime(t.timeFirst)}\n;;  last seen: ${formatTime(t.timeLast)}\n`;
      for (const r of rd) s += `${owner} IN ${type} ${r}\n`;
      return `${s}\n`;
    }
    case EntryType.RRSET_NAME_FWD:
      return `${nameToString(key.subarray(1))} RRtypes=[${typesText(val)}]  ;; rrset name fwd\n\n`;
    case EntryType.RDATA_NAME_REV:
      return `${nameToString(reverseWireName(key.subarray(1)))} RRtypes=[${typesText(val)}]  ;; rdata name rev\n\n`;
    case EntryType.TIME_RANGE: {
      const r = decodeTimeRange(val);
      if (r === null) return null;
      if (json) return `${JSON.stringify({ time_first: r.first, time_last: r.last })}\n`;
      return `;; Earliest time_first: ${formatTime(r.first)}\n;; Latest time_last: ${formatTime(r.last)}\n\n`;
    }
    case EntryType.VERSION: {
      const v = decodeVersion(val);
      const name = VERSION_NAMES[key[1] ?? -1];
      if (v === null || name === undefined || key.length !== 2) return null;
      if (json) return `${JSON.stringify({ entry_type: name, version: v })}\n`;
      return `;; Version type ${name}: ${v}\n\n`;
    }
    default: {
      let end = key.length;
      if (end > 1 && key[end - 1] === 0) end--;
      return `;; source info: ${new TextDecoder().decode(key.subarray(1, end))}\n\n`;
    }
  }
}
