// A store for route tests: StoreLike over an in-memory sorted map of dnstable entries, made by the
// same EntryConverter the real store uses (DNS-file entries only: these tests put no DNSSEC types),
// and able to refuse puts the way @dnsrep/store does (BUSY, NOSPACE) when a test asks it to.
import { DnstableReader, dnstableMerge, EntryConverter } from "@dnsrep/dnstable";
import type { MtblIterator, MtblSource } from "@dnsrep/mtbl";
import { compareBytes } from "@dnsrep/util";
import type { StoreLike, StoreObservation } from "../src/ingest/store-like.js";

const bytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "latin1"));

function arraySource(entries: [Uint8Array, Uint8Array][]): MtblSource {
  const from = (lo: Uint8Array, ok: (k: Uint8Array) => boolean): MtblIterator => {
    let i = entries.findIndex(([k]) => compareBytes(k, lo) >= 0);
    if (i < 0) i = entries.length;
    const it: { key: Uint8Array; value: Uint8Array; next(): boolean } = {
      key: new Uint8Array(0),
      value: new Uint8Array(0),
      next(): boolean {
        const e = entries[i];
        if (e === undefined || !ok(e[0])) return false;
        i++;
        it.key = e[0];
        it.value = e[1];
        return true;
      },
    };
    return it;
  };
  const starts = (k: Uint8Array, p: Uint8Array): boolean => k.length >= p.length && compareBytes(k.subarray(0, p.length), p) === 0;
  return {
    iter: () => from(new Uint8Array(0), () => true),
    get: (key) => from(key, (k) => compareBytes(k, key) === 0),
    getPrefix: (p) => from(p, (k) => starts(k, p)),
    getRange: (lo, hi) => from(lo, (k) => compareBytes(k, hi) <= 0),
  };
}

export class MemoryStore implements StoreLike {
  readonly map = new Map<string, string>();
  /** the code the next puts reject with ("BUSY", "NOSPACE"), or null */
  refuse: string | null = null;
  puts = 0;
  observations = 0;
  readonly #conv = new EntryConverter();

  async put(batch: readonly StoreObservation[]): Promise<void> {
    if (this.refuse !== null) throw Object.assign(new Error(`refused (${this.refuse})`), { code: this.refuse });
    this.puts++;
    for (const o of batch) {
      this.observations++;
      this.#conv.entries(o, (_f, k, v) => {
        const old = this.map.get(k);
        this.map.set(k, old === undefined ? v : Buffer.from(dnstableMerge(bytes(k), bytes(old), bytes(v))).toString("latin1"));
      });
    }
  }

  snapshot() {
    const entries = [...this.map].map(([k, v]): [Uint8Array, Uint8Array] => [bytes(k), bytes(v)]).sort((a, b) => compareBytes(a[0], b[0]));
    const source = arraySource(entries);
    return { reader: (aggregated: boolean) => DnstableReader.fromSources([source], { aggregated }), release: () => {} };
  }

  async flush(): Promise<void> {}
  stats(): object {
    return {
      walBytes: 0,
      memtableBytes: this.map.size * 64,
      memtableEntries: this.map.size,
      pendingFlushes: 0,
      filesPerTier: { minute: 0 },
    };
  }
  async close(): Promise<void> {}
}
