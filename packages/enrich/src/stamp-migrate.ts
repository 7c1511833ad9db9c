import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { decodeRRsetKey, decodeTriplet } from "@dnsrep/dnstable";
import { MANIFEST, Store } from "@dnsrep/store";
import { syncDir } from "@dnsrep/util";
import { decodeStamp, earlier, type Stamp } from "./stamp.js";
import { BlockBuilder } from "./stamp-block.js";
import { createStampLog } from "./stamp-log.js";
import { STAMP_RRTYPE, splitStampName } from "./stamp-name.js";

/**
 * Stamp stores written before the stamp log were an @dnsrep/store in the same directory (one
 * dnstable record per stamp, stamp-name.ts); these are its files. After a migration they go.
 */
const OLD_FILE = /^(?:MANIFEST.*|LOCK|TAGS-\d+|wal-\d{16}\.log|.*\.mtbl)$/;

/** The directory holds a stamp store of the old kind. */
export function hasOldStampStore(dir: string): boolean {
  return existsSync(join(dir, MANIFEST));
}

/** Remove the old store's files (after its stamps are in a durable log). */
export function removeOldStampStore(dir: string): void {
  let gone = false;
  for (const f of readdirSync(dir))
    if (OLD_FILE.test(f)) {
      rmSync(join(dir, f), { force: true });
      gone = true;
    }
  if (gone) syncDir(dir);
}

interface Winner {
  time: number;
  stamp: Stamp;
  bytes: Uint8Array;
  rrname: Uint8Array;
  address: Uint8Array;
}

/**
 * Convert the old stamp store in `dir` into a stamp log at `logPath`: every (rrname, address)'s
 * first stamp (the least time_first; in one second, the older databases — the old readers' rule),
 * written as one block per second into a temporary file renamed into place; then the old files
 * are removed. A crash before the rename leaves the old store as it was; after it, the next open
 * finds the log and only removes what is left of the old files. Returns the pairs converted.
 */
export async function migrateOldStampStore(dir: string, logPath: string): Promise<number> {
  const store = await Store.open(dir, { compaction: false, sync: "none" });
  const best = new Map<string, Winner>();
  try {
    const snap = store.snapshot();
    try {
      const it = snap.reader(true).source.getPrefix(Uint8Array.of(0));
      while (it.next()) {
        let k: ReturnType<typeof decodeRRsetKey>;
        try {
          k = decodeRRsetKey(it.key);
        } catch {
          continue;
        }
        if (k.rrtype !== STAMP_RRTYPE) continue;
        const t = decodeTriplet(it.value);
        const rd = k.rdatas.at(-1);
        const s = rd === undefined ? null : decodeStamp(rd);
        const pair = splitStampName(k.rrname);
        if (t === null || s === null || pair === null || rd === undefined) continue;
        const key = String.fromCharCode.apply(null, k.rrname as unknown as number[]);
        const had = best.get(key);
        if (had === undefined || earlier(t.timeFirst, s, had.time, had.stamp))
          best.set(key, { time: t.timeFirst, stamp: s, bytes: rd.slice(), rrname: pair.rrname, address: pair.address });
      }
    } finally {
      snap.release();
    }
  } finally {
    await store.close();
  }
  const winners = [...best.values()].sort((a, b) => a.time - b.time);
  const ids = new Map<string, number>();
  const blocks: Uint8Array[] = [];
  const b = new BlockBuilder();
  let defined = new Set<number>();
  for (let i = 0; i < winners.length; i++) {
    const w = winners[i] as Winner;
    if (i === 0 || w.time !== (winners[i - 1] as Winner).time) {
      if (i > 0) blocks.push(b.seal());
      b.begin(w.time);
      defined = new Set();
    }
    const bk = String.fromCharCode.apply(null, w.bytes as unknown as number[]);
    let id = ids.get(bk);
    if (id === undefined) {
      id = ids.size;
      ids.set(bk, id);
    }
    if (!defined.has(id)) {
      b.stamp(id, w.bytes);
      defined.add(id);
    }
    b.pair(id, w.rrname, w.address);
  }
  if (winners.length > 0) blocks.push(b.seal());
  createStampLog(logPath, blocks);
  removeOldStampStore(dir);
  return winners.length;
}
