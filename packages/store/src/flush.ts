/**
 * Flush: an immutable memtable written out as a dnstable file pair (DNS and DNSSEC, each only
 * when it holds RRsets), entry for entry what dnstable-import writes for the same observations:
 * the tables' entries in key order, then the trailer (TIME_RANGE, VERSION). Each file is written under a
 * temporary name, fsynced, and renamed into place once both are complete; the directory is synced.
 * The caller then names them in the manifest. The event loop gets a turn once the turn budget
 * (the store's, shared with its puts) is spent, or without one every few thousand entries, so
 * lookups and puts go on while a memtable is written.
 */
import { rmSync, statSync } from "node:fs";
import type { EntryConverter } from "@dnsrep/dnstable";
import { type CompressionName, Writer } from "@dnsrep/mtbl";
import { syncDir, type TurnBudget } from "@dnsrep/util";
import { fromSystemError } from "./errors.js";
import type { StoreIo } from "./io.js";
import type { Memtable } from "./memtable.js";

/** How store files are written (dnstable-import's defaults: zlib, 8 KiB DNS and 64 KiB DNSSEC blocks). */
export interface FileFormat {
  compression: CompressionName;
  level?: number;
  blockSizes: [dns: number, dnssec: number];
}

/** Entries between two turns without a budget; with one, between two looks at it. */
const YIELD_EVERY = 4096;
const LOOK_EVERY = 128;
export const turn = (): Promise<void> => new Promise<void>((r) => setImmediate(r));

export interface FlushOutput {
  /** [DNS path, DNSSEC path]: null where that table was empty */
  paths: [string | null, string | null];
  entries: number;
  bytes: number;
}

/**
 * Write `mem` to `paths` (null: skip that file), within `budget` when given. Throws StoreError (NOSPACE or IO) with nothing
 * left behind: temporary files are removed, no file is renamed into place unless both are.
 */
export async function writeMemtable(
  mem: Memtable,
  paths: [string, string],
  conv: EntryConverter,
  format: FileFormat,
  io: StoreIo,
  dir: string,
  budget: TurnBudget | null = null,
): Promise<FlushOutput> {
  const writers: Writer[] = [];
  const out: FlushOutput = { paths: [null, null], entries: 0, bytes: 0 };
  const committed: string[] = [];
  let current = "";
  try {
    for (const f of [0, 1] as const) {
      const table = mem.tables[f];
      const range = mem.ranges[f];
      if (range.rrsets === 0) continue;
      const path = paths[f];
      current = path;
      io.beforeFileWrite(path);
      const w = Writer.create(path, {
        compression: format.compression,
        blockSize: format.blockSizes[f],
        ...(format.level !== undefined ? { level: format.level } : {}),
      });
      writers.push(w);
      let n = 0;
      const it = table.view().iterator();
      while (it.next()) {
        w.addLatin1(it.k, it.v);
        n++;
        if (budget === null) {
          if (n % YIELD_EVERY === 0) await turn();
        } else if (n % LOOK_EVERY === 0 && budget.spent()) await budget.yield();
      }
      for (const [k, v] of conv.trailer({ first: range.first, last: range.last })) w.add(k, v);
      w.finish();
      out.entries += w.countEntries;
      out.paths[f] = path;
    }
    for (const w of writers) {
      w.commit();
      committed.push(w.path);
      out.bytes += statSync(w.path).size;
    }
    syncDir(dir);
    return out;
  } catch (e) {
    for (const w of writers) w.abort();
    for (const p of committed) rmSync(p, { force: true });
    throw fromSystemError(e, `cannot write ${current}`);
  }
}
