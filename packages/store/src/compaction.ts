/**
 * Compaction into time tiers (see tiers.ts): which files to merge (planCompaction, a pure
 * function of the live files and the time) and the merging itself, on a worker thread
 * (compaction-worker.ts) so lookups never wait on it. The store swaps the manifest when a merge is
 * done and deletes the inputs once no snapshot holds them.
 *
 * The rules, for each kind (DNS, DNSSEC) separately:
 * - the files of tier i whose tier-(i+1) period is over are merged into one tier-(i+1) file
 *   labelled with that period (a lone file is carried up without rewriting: a hard link);
 * - files of one tier and one period of the next tier are merged early, into one file of their
 *   own tier, once there are `fanIn` of them (so a busy hour does not pile up minute files);
 * - in the last tier, files of the same period are merged.
 */
import { Worker } from "node:worker_threads";
import type { CompressionName } from "@dnsrep/mtbl";
import { StoreError, StoreErrorCode } from "./errors.js";
import type { FileKind, StoreFileName } from "./manifest.js";
import { periodStart, type Tier } from "./tiers.js";

export interface CompactionJob {
  kind: FileKind;
  inputs: StoreFileName[];
  /** the output's tier, period and sequence (its id is given when it runs) */
  tier: string;
  period: number;
  seq: number;
  /** one input carried up a tier: linked, not rewritten */
  link: boolean;
}

/** Files of one tier and one next-tier period that are merged before the period ends. */
export const DEFAULT_FAN_IN = 8;

/** The next compaction due, or null. */
export function planCompaction(
  files: readonly StoreFileName[],
  tiers: readonly Tier[],
  nowSec: number,
  fanIn = DEFAULT_FAN_IN,
): CompactionJob | null {
  const tierIndex = (name: string): number => {
    const i = tiers.findIndex((t) => t.name === name);
    return Math.max(i, 0); // a tier no longer configured (-1): start it over at the finest
  };
  const groups = new Map<string, { tier: number; start: number; kind: FileKind; files: StoreFileName[] }>();
  for (const f of files) {
    const i = tierIndex(f.tier);
    const last = i === tiers.length - 1;
    const span = (tiers[last ? i : i + 1] as Tier).spanSeconds;
    const start = periodStart(f.period, span);
    const key = `${f.kind}/${i}/${start}`;
    let g = groups.get(key);
    if (!g) {
      g = { tier: i, start, kind: f.kind, files: [] };
      groups.set(key, g);
    }
    g.files.push(f);
  }
  // finest tier first, oldest period first: what is due longest goes first
  const ordered = [...groups.values()].sort((a, b) => a.tier - b.tier || a.start - b.start || a.kind.localeCompare(b.kind));
  for (const g of ordered) {
    const last = g.tier === tiers.length - 1;
    const inputs = g.files.sort((a, b) => a.id - b.id);
    const seq = Math.max(...inputs.map((f) => f.seq));
    if (!last) {
      const next = tiers[g.tier + 1] as Tier;
      if (nowSec >= g.start + next.spanSeconds) {
        return { kind: g.kind, inputs, tier: next.name, period: g.start, seq, link: inputs.length === 1 };
      }
    }
    if (inputs.length >= (last ? 2 : fanIn)) {
      const tier = tiers[g.tier] as Tier;
      return { kind: g.kind, inputs, tier: tier.name, period: Math.min(...inputs.map((f) => f.period)), seq, link: false };
    }
  }
  return null;
}

/** What the worker is asked to do: merge `inputs` into `output` (written to a temporary file, synced, renamed). */
export interface MergeRequest {
  inputs: string[];
  output: string;
  compression: CompressionName;
  level?: number;
  blockSize: number;
}

export type MergeReply = { ok: true; entries: number; bytes: number } | { ok: false; message: string; code?: string };

/** the compiled worker: beside this module, or in dist/ when this module runs from the TypeScript sources */
function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith(".ts") ? new URL("../dist/compaction-worker.js", here) : new URL("./compaction-worker.js", here);
}

/** The compaction thread: one merge at a time. */
export class MergeThread {
  #worker: Worker | null = null;
  #pending: { resolve: (r: MergeReply) => void; reject: (e: Error) => void } | null = null;

  #start(): Worker {
    // no inherited execArgv: a host run with export conditions (a test runner's dnsrep-source) would point the
    // compiled worker's imports at TypeScript sources
    const w = new Worker(workerUrl(), { execArgv: [] });
    w.unref();
    w.on("message", (m: MergeReply) => {
      const p = this.#pending;
      this.#pending = null;
      p?.resolve(m);
    });
    const fail = (e: Error): void => {
      this.#worker = null;
      const p = this.#pending;
      this.#pending = null;
      p?.reject(e);
    };
    w.on("error", fail);
    w.on("exit", (code) => fail(new StoreError(StoreErrorCode.IO, `compaction worker exited (code ${code})`)));
    this.#worker = w;
    return w;
  }

  merge(req: MergeRequest): Promise<MergeReply> {
    if (this.#pending) return Promise.reject(new Error("a merge is already running"));
    const w = this.#worker ?? this.#start();
    return new Promise<MergeReply>((resolve, reject) => {
      this.#pending = { resolve, reject };
      w.postMessage(req);
    });
  }

  /** Stop the thread (a merge in progress is abandoned: its temporary file is the caller's to remove). */
  async stop(): Promise<void> {
    const w = this.#worker;
    this.#worker = null;
    if (w) await w.terminate();
  }
}
