/**
 * The shipper's main loop: tail → parse → aggregate within a window → batches → spool (durable)
 * → registry commit → sender (or NDJSON on stdout). A window ends when it is `windowMs` old or
 * holds `maxEntries` distinct observations; its batches are spooled before the registry moves past
 * the lines they came from, so every line is in exactly one acknowledged-or-spooled batch.
 */
import { hostname } from "node:os";
import { Aggregator, createParser, type FormatOptions, type LogParser } from "@dnsrep/logs";
import { type BatchLimits, type FileRange, makeBatches, observationLine } from "./batch.js";
import { type RegistryState, readRegistry, writeRegistry } from "./registry.js";
import { Sender, type SenderOptions } from "./sender.js";
import { Spool } from "./spool.js";
import { emptyStats, type ShipperStats } from "./stats.js";
import type { TailFile } from "./tail-file.js";
import { type FilePosition, Tailer, type TailerSink } from "./tailer.js";

export interface ShipperInput {
  paths: string[];
  format: string;
  options: FormatOptions;
}

export type ShipperOutput =
  | ({ kind: "http"; spoolDir: string; spoolMaxBytes?: number; spoolSync?: boolean } & SenderOptions)
  /** NDJSON text for stdout; the returned promise (if any) resolves once it was accepted. */
  | { kind: "ndjson"; write: (text: string) => Promise<void> | undefined };

export interface ShipperOptions {
  inputs: ShipperInput[];
  /** Parser factory (default: @dnsrep/logs' format registry). */
  createParser?: (format: string, options: FormatOptions) => LogParser;
  output: ShipperOutput;
  registryPath?: string;
  windowMs?: number;
  maxEntries?: number;
  batch?: Partial<BatchLimits>;
  pollMs?: number;
  startAtEnd?: boolean;
  maxLineBytes?: number;
  closeInactiveMs?: number;
  /** Stop reading while this many batches wait to be sent and the server is up (default 16). */
  maxPendingBatches?: number;
  /** Name in the Idempotency-Keys (default the host name). */
  name?: string;
  /** Stop once every file was read to its end and everything is sent (tests, one-shot runs). */
  once?: boolean;
  /** At exit, how long to keep sending what is spooled (ms, default 10 000). */
  drainMs?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Called after every poll (progress line, stats file). */
  onTick?: (s: ShipperStats) => void;
}

const READ_CHUNK = 1 << 20;

export class Shipper {
  readonly stats: ShipperStats = emptyStats();
  readonly #o: ShipperOptions;
  readonly #aggs: Aggregator[];
  readonly #limits: BatchLimits;
  readonly #spool: Spool | null;
  readonly #sender: Sender | null;
  readonly #tailer: Tailer;
  readonly #scratch = Buffer.allocUnsafe(READ_CHUNK);
  readonly #parsers = new Set<LogParser>();
  /** rejected counts of parsers already closed */
  readonly #closedRejected = new Map<string, number>();
  readonly #readerRejected = new Map<string, number>();
  #registry: RegistryState;
  #windowStart = Date.now();
  /** offsets at the window's start, per file key */
  #rangeStart = new Map<string, { head: string; start: number }>();
  #dirty = false;
  #maxEntries: number;

  constructor(o: ShipperOptions) {
    this.#o = o;
    this.#maxEntries = o.maxEntries ?? 100_000;
    this.#limits = { maxLines: o.batch?.maxLines ?? 5000, maxBytes: o.batch?.maxBytes ?? 4 << 20 };
    // room above the window bound: a window is cut before the aggregator would ever evict
    this.#aggs = o.inputs.map((i) => new Aggregator({ source: i.options.source ?? i.format, maxEntries: this.#maxEntries + 10_000 }));
    this.#registry = o.registryPath ? readRegistry(o.registryPath) : { seq: 0, files: [] };
    if (o.output.kind === "http") {
      const spool = new Spool(o.output.spoolDir, {
        ...(o.output.spoolMaxBytes !== undefined ? { maxBytes: o.output.spoolMaxBytes } : {}),
        ...(o.output.spoolSync !== undefined ? { sync: o.output.spoolSync } : {}),
      });
      // stopped between spooling a window and committing the registry: the spool's positions win
      const cp = spool.latestCheckpoint();
      if (cp && cp.checkpoint.seq > this.#registry.seq) this.#registry = cp.checkpoint;
      this.#spool = spool;
      this.#sender = new Sender(spool, { ...o.output, log: (l) => o.log?.(l) });
    } else {
      this.#spool = null;
      this.#sender = null;
    }
    this.#tailer = new Tailer({
      inputs: o.inputs.map((i) => i.paths),
      parser: (i) => {
        const inp = o.inputs[i] as ShipperInput;
        const p = (o.createParser ?? createParser)(inp.format, inp.options);
        this.#parsers.add(p);
        return p;
      },
      known: this.#registry.files,
      ...(o.startAtEnd !== undefined ? { startAtEnd: o.startAtEnd } : {}),
      ...(o.maxLineBytes !== undefined ? { maxLineBytes: o.maxLineBytes } : {}),
      ...(o.closeInactiveMs !== undefined ? { closeInactiveMs: o.closeInactiveMs } : {}),
    });
  }

  readonly #sink: TailerSink = {
    line: (f: TailFile, text: string) => {
      this.stats.lines++;
      this.#dirty = true;
      const as = f.parser.line(text);
      if (as.length) {
        const agg = this.#aggs[f.input] as Aggregator;
        for (const a of as) agg.add(a);
        this.stats.associations += as.length;
      }
    },
    bad: (_f: TailFile, reason: string) => {
      this.stats.lines++;
      this.#dirty = true;
      this.#readerRejected.set(reason, (this.#readerRejected.get(reason) ?? 0) + 1);
    },
    truncated: (f: TailFile) => {
      this.stats.truncations++;
      this.#dirty = true;
      this.#rangeStart.set(f.key, { head: "", start: 0 });
      this.#o.log?.(`${f.path}: file truncated; reading it again from the start`);
    },
    closed: (f: TailFile) => {
      this.#dirty = true;
      const agg = this.#aggs[f.input] as Aggregator;
      for (const a of f.parser.end()) agg.add(a);
      for (const [k, v] of f.parser.rejected) this.#closedRejected.set(k, (this.#closedRejected.get(k) ?? 0) + v);
      this.#parsers.delete(f.parser);
    },
    error: (path: string, message: string) => {
      this.#o.log?.(`${path}: ${message}`);
    },
  };

  #pendingEntries(): number {
    let n = 0;
    for (const a of this.#aggs) n += a.size;
    return n;
  }

  #backpressured(): boolean {
    if (!this.#spool || !this.#sender) return false;
    return this.#spool.count >= (this.#o.maxPendingBatches ?? 16) && !this.#sender.stats.failing;
  }

  /** Run until the signal fires (or, with `once`, until everything was read and sent). */
  async run(): Promise<void> {
    const pollMs = this.#o.pollMs ?? 250;
    const windowMs = this.#o.windowMs ?? 5000;
    this.#sender?.start();
    try {
      while (!this.#o.signal?.aborted) {
        this.#tailer.scan(this.#sink);
        let read = 0;
        // read in slices, yielding to the event loop (sender, signals) between them
        while (!this.#o.signal?.aborted && !this.#backpressured()) {
          const n = this.#tailer.read(this.#scratch, 8 * READ_CHUNK, this.#sink);
          read += n;
          this.stats.bytes += n;
          if (this.#pendingEntries() >= this.#maxEntries || (this.#dirty && Date.now() - this.#windowStart >= windowMs)) await this.#cut();
          if (n === 0) break;
          await new Promise<void>((r) => setImmediate(r));
        }
        if (this.#dirty && (Date.now() - this.#windowStart >= windowMs || this.#o.once)) await this.#cut();
        this.#tick();
        if (this.#o.once && read === 0 && this.#tailer.behind === 0 && !this.#dirty) {
          if (!this.#spool || this.#spool.count === 0) break;
          if (this.#sender?.stats.failing) break;
        }
        if (read === 0 || this.#backpressured()) await sleep(pollMs, this.#o.signal);
      }
      // the end: what parsers hold back is theirs to give now; one last window; send what can be
      for (const f of this.#tailer.files) for (const a of f.parser.end()) (this.#aggs[f.input] as Aggregator).add(a);
      this.#dirty = true;
      await this.#cut();
      if (this.#sender) await this.#sender.drain(Date.now() + (this.#o.drainMs ?? 10_000));
    } finally {
      await this.#sender?.stop();
      this.#tailer.closeAll();
      this.#tick();
    }
  }

  /** End the window: its observations to batches, spooled (or written), then the registry committed. */
  async #cut(): Promise<void> {
    const now = Date.now();
    const ws = Math.floor(this.#windowStart / 1000);
    const we = Math.floor(now / 1000);
    const positions = this.#tailer.positions();
    const lines: string[] = [];
    for (const a of this.#aggs) for (const o of a.drain()) lines.push(observationLine(o, ws, we));
    this.stats.observations += lines.length;
    const ranges: FileRange[] = positions.map((p) => {
      const key = `${p.dev}:${p.ino}`;
      const r = this.#rangeStart.get(key);
      return { key, head: p.head, start: r?.start ?? this.#startOf(p), end: p.offset };
    });
    const out = this.#o.output;
    if (out.kind === "ndjson") {
      if (lines.length) await out.write(`${lines.join("\n")}\n`);
      this.#commit({ seq: this.#registry.seq, files: positions });
    } else if (this.#spool) {
      const batches = makeBatches(lines, ranges, this.#o.name ?? hostname(), this.#limits);
      let seq = this.#registry.seq;
      batches.forEach((b, i) => {
        const last = i === batches.length - 1;
        const spool = this.#spool as Spool;
        const s = spool.nextSeq;
        spool.add({ key: b.key, lines: b.lines, checkpoint: last ? { seq: s, files: positions } : null }, b.body);
        seq = s;
        this.stats.batchesSpooled++;
      });
      this.#spool.syncDir();
      this.#commit({ seq, files: positions });
      this.#sender?.notify();
    }
    this.#rangeStart = new Map(positions.map((p) => [`${p.dev}:${p.ino}`, { head: p.head, start: p.offset }]));
    this.#windowStart = now;
    this.#dirty = false;
  }

  #startOf(p: FilePosition): number {
    const k = this.#registry.files.find((f) => f.dev === p.dev && f.ino === p.ino);
    return k ? k.offset : 0;
  }

  #commit(state: RegistryState): void {
    this.#registry = state;
    if (this.#o.registryPath) writeRegistry(this.#o.registryPath, state);
  }

  #tick(): void {
    const s = this.stats;
    const rej: Record<string, number> = {};
    const add = (k: string, v: number): void => {
      rej[k] = (rej[k] ?? 0) + v;
    };
    for (const [k, v] of this.#readerRejected) add(k, v);
    for (const [k, v] of this.#closedRejected) add(k, v);
    for (const p of this.#parsers) for (const [k, v] of p.rejected) add(k, v);
    s.rejected = rej;
    s.lagBytes = this.#tailer.behind;
    s.filesOpen = this.#tailer.files.length;
    if (this.#spool && this.#sender) {
      const t = this.#sender.stats;
      s.batchesSent = t.batchesSent;
      s.observationsSent = t.observationsSent;
      s.duplicates = t.duplicates;
      s.retries = t.retries;
      s.batchesRejected = t.rejectedBatches;
      s.observationsRejected = t.rejectedObservations;
      s.serverFailing = t.failing;
      s.spoolBatches = this.#spool.count;
      s.spoolBytes = this.#spool.bytes;
      s.droppedBatches = this.#spool.dropped.batches;
      s.droppedObservations = this.#spool.dropped.lines;
    }
    this.#o.onTick?.(s);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
