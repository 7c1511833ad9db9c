import { statSync } from "node:fs";
import { decodeRRsetKey, decodeTriplet, dnstableMerge, EntryType } from "@dnsrep/dnstable";
import { Merger, Reader } from "@dnsrep/mtbl";
import { nameToString } from "@dnsrep/wdns";
import { type AggregateLimits, Aggregates, registeredDomain } from "./aggregates.js";

/** The source name the DATA files' observations are counted under. */
export const FILES_SOURCE = "files";

export interface FileScan {
  aggs: Aggregates;
  rrsets: number;
  /** the scan stopped at `maxEntries` */
  partial: boolean;
}

/** What identifies a set of files for the cache: path, size, mtime and inode of each. */
export function filesIdentity(files: readonly string[]): string {
  return files
    .map((f) => {
      const st = statSync(f);
      return `${f}\0${st.size}\0${st.mtimeMs}\0${st.ino}`;
    })
    .join("\n");
}

/**
 * Count the RRSET entries of `files` (merged as a set file merges them) into fresh aggregates, at
 * most `maxEntries` of them (bounded cost), yielding to the event loop every `chunk` entries.
 * Entries come in reversed-name order, so a name's entries (and a registered domain's names) are
 * neighbours: a new name is counted once, at its earliest time_first, and every registered domain
 * once, without a filter.
 */
export async function scanFiles(
  files: readonly string[],
  opts: { maxEntries: number; chunk?: number; limits?: AggregateLimits; verifyChecksums?: boolean },
): Promise<FileScan> {
  const aggs = new Aggregates({ ...opts.limits, nameFilterBytes: 8, domainFilterBytes: 8 });
  const readers = files.map((f) => Reader.open(f, { verifyChecksums: opts.verifyChecksums ?? true }));
  const chunk = opts.chunk ?? 2000;
  let rrsets = 0;
  let partial = false;
  let name = "";
  let nameFirst = 0;
  let domain: string | null = null;
  let domainFirst = 0;
  const endName = (): void => {
    if (name !== "") aggs.newName(FILES_SOURCE, nameFirst);
  };
  const endDomain = (): void => {
    if (domain !== null) aggs.newDomain({ domain, first: domainFirst, source: FILES_SOURCE });
  };
  try {
    const it = new Merger(readers, dnstableMerge).getPrefix(Uint8Array.of(EntryType.RRSET));
    while (it.next()) {
      if (rrsets >= opts.maxEntries) {
        partial = true;
        break;
      }
      const k = decodeRRsetKey(it.key);
      const t = decodeTriplet(it.value);
      if (t === null) continue;
      rrsets++;
      aggs.observe({ rrname: k.rrname, rrtype: k.rrtype, rdata: k.rdatas, ...t }, FILES_SOURCE, false);
      const n = nameToString(k.rrname);
      if (n !== name) {
        endName();
        name = n;
        nameFirst = t.timeFirst;
        const d = registeredDomain(n);
        if (d !== domain) {
          endDomain();
          domain = d;
          domainFirst = t.timeFirst;
        } else if (t.timeFirst < domainFirst) domainFirst = t.timeFirst;
      } else {
        if (t.timeFirst < nameFirst) nameFirst = t.timeFirst;
        if (t.timeFirst < domainFirst) domainFirst = t.timeFirst;
      }
      if (rrsets % chunk === 0) await new Promise((r) => setImmediate(r));
    }
    endName();
    endDomain();
  } finally {
    for (const r of readers) r.close();
  }
  return { aggs, rrsets, partial };
}
