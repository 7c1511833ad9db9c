/**
 * The spool: every batch is written here (durably) before the registry moves past its lines, and
 * removed once the server acknowledged it. So a batch survives a server outage and a shipper crash,
 * and is re-sent with the Idempotency-Key it was born with (the server counts it once).
 *
 * Layout: `DIR/pending/SEQ.batch` (SEQ: 16 digits, the order of sending), `DIR/rejected/SEQ.batch`
 * plus `SEQ.reason` for batches the server refused for good. A batch file is one header line
 * (JSON: key, lines, and the positions its window ended at, on the last batch of a window) then
 * the NDJSON body as posted. The pending folder is bounded: past `maxBytes` the oldest batches
 * not being sent are dropped (and counted).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { syncDir, writeFileAtomic } from "@dnsrep/util";
import { ShipperError } from "./errors.js";
import type { RegistryState } from "./registry.js";

export interface BatchHeader {
  key: string;
  /** Observations (body lines). */
  lines: number;
  /** Positions of every file once this batch (and those before it) are durable; null mid-window. */
  checkpoint: RegistryState | null;
}

export interface SpooledBatch {
  seq: number;
  header: BatchHeader;
  body: Buffer;
}

export interface SpoolOptions {
  /** Bound on the pending folder (bytes, default 1 GiB). */
  maxBytes?: number;
  /** fsync each batch (default true). */
  sync?: boolean;
}

export class Spool {
  readonly dir: string;
  readonly #pending: string;
  readonly #rejected: string;
  readonly #maxBytes: number;
  readonly #sync: boolean;
  /** seq → size of pending batch files, in order */
  readonly #sizes = new Map<number, number>();
  #bytes = 0;
  #nextSeq = 1;
  /** The batch being sent (never dropped). */
  inFlight = -1;
  dropped = { batches: 0, lines: 0 };
  rejected = 0;

  constructor(dir: string, o: SpoolOptions = {}) {
    this.dir = dir;
    this.#pending = join(dir, "pending");
    this.#rejected = join(dir, "rejected");
    this.#maxBytes = o.maxBytes ?? 1 << 30;
    this.#sync = o.sync ?? true;
    try {
      mkdirSync(this.#pending, { recursive: true });
      mkdirSync(this.#rejected, { recursive: true });
    } catch (e) {
      throw new ShipperError("SPOOL", `${dir}: ${(e as Error).message}`);
    }
    const seqs: number[] = [];
    for (const n of readdirSync(this.#pending)) {
      const m = /^(\d{16})\.batch$/.exec(n);
      if (!m) {
        // a temp file left by a crash mid-write (`.SEQ.batch.….tmp`; `SEQ.batch.tmp-PID` from older
        // versions): never acknowledged to anyone
        if (n.endsWith(".tmp") || n.includes(".tmp-")) unlinkSync(join(this.#pending, n));
        continue;
      }
      seqs.push(Number(m[1]));
    }
    seqs.sort((a, b) => a - b);
    for (const s of seqs) {
      const size = statSync(this.#path(s)).size;
      this.#sizes.set(s, size);
      this.#bytes += size;
    }
    let max = seqs.at(-1) ?? 0;
    for (const n of readdirSync(this.#rejected)) {
      const m = /^(\d{16})\.batch$/.exec(n);
      if (m) max = Math.max(max, Number(m[1]));
    }
    this.#nextSeq = max + 1;
  }

  get count(): number {
    return this.#sizes.size;
  }
  get bytes(): number {
    return this.#bytes;
  }
  /** Sequence numbers of pending batches, oldest first. */
  seqs(): number[] {
    return [...this.#sizes.keys()];
  }
  /** The sequence number the next batch will get. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  #path(seq: number, dir = this.#pending, ext = "batch"): string {
    return join(dir, `${String(seq).padStart(16, "0")}.${ext}`);
  }

  /** Write a batch durably; returns its sequence number. Drops the oldest past the bound. */
  add(header: BatchHeader, body: Buffer): number {
    const seq = this.#nextSeq++;
    const head = Buffer.from(`${JSON.stringify(header)}\n`);
    const p = this.#path(seq);
    try {
      // the folder is synced once for a group of batches (syncDir below)
      writeFileAtomic(p, [head, body], { mode: 0o600, sync: this.#sync, syncDir: false });
    } catch (e) {
      throw new ShipperError("SPOOL", `${this.dir}: ${(e as Error).message}`);
    }
    const size = head.length + body.length;
    this.#sizes.set(seq, size);
    this.#bytes += size;
    this.#enforceBound();
    return seq;
  }

  /** fsync the pending folder (after a group of add()s, before the registry names them). */
  syncDir(): void {
    if (!this.#sync) return;
    try {
      syncDir(this.#pending);
    } catch (e) {
      throw new ShipperError("SPOOL", `${this.#pending}: ${(e as Error).message}`);
    }
  }

  #enforceBound(): void {
    while (this.#bytes > this.#maxBytes && this.#sizes.size > 1) {
      const oldest = [...this.#sizes.keys()].find((s) => s !== this.inFlight);
      if (oldest === undefined) return;
      let lines = 0;
      try {
        lines = this.read(oldest).header.lines;
      } catch {}
      this.#remove(oldest);
      this.dropped.batches++;
      this.dropped.lines += lines;
    }
  }

  read(seq: number): SpooledBatch {
    const b = readFileSync(this.#path(seq));
    const nl = b.indexOf(10);
    if (nl < 0) throw new ShipperError("SPOOL", `${this.#path(seq)}: no header line`);
    const header = JSON.parse(b.toString("utf8", 0, nl)) as BatchHeader;
    return { seq, header, body: b.subarray(nl + 1) };
  }

  /** The oldest pending batch, or null. A file that cannot be read is moved to rejected/. */
  oldest(): SpooledBatch | null {
    for (const seq of this.#sizes.keys()) {
      try {
        return this.read(seq);
      } catch (e) {
        this.reject(seq, `unreadable spool file: ${(e as Error).message}`);
      }
    }
    return null;
  }

  /** The server acknowledged it. */
  done(seq: number): void {
    this.#remove(seq);
  }

  /** Set aside for good (a permanent refusal): moved to rejected/ with the reason beside it. */
  reject(seq: number, reason: string): void {
    try {
      renameSync(this.#path(seq), this.#path(seq, this.#rejected));
      writeFileSync(this.#path(seq, this.#rejected, "reason"), `${reason}\n`);
    } catch {
      this.#remove(seq);
    }
    const size = this.#sizes.get(seq) ?? 0;
    this.#sizes.delete(seq);
    this.#bytes -= size;
    this.rejected++;
  }

  /** The checkpoint of the newest pending batch that carries one (start-up recovery). */
  latestCheckpoint(): { seq: number; checkpoint: RegistryState } | null {
    const seqs = this.seqs();
    for (let i = seqs.length - 1; i >= 0; i--) {
      const seq = seqs[i] as number;
      try {
        const h = this.read(seq).header;
        if (h.checkpoint) return { seq, checkpoint: h.checkpoint };
      } catch {}
    }
    return null;
  }

  #remove(seq: number): void {
    try {
      unlinkSync(this.#path(seq));
    } catch {}
    const size = this.#sizes.get(seq) ?? 0;
    this.#sizes.delete(seq);
    this.#bytes -= size;
  }
}
