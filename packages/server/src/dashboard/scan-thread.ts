import { Worker } from "node:worker_threads";
import type { AggregateLimits } from "./aggregates.js";
import type { FileScan } from "./file-aggregates.js";
import { decodeAggregates } from "./persist.js";

export interface ScanRequest {
  files: readonly string[];
  maxEntries: number;
  limits?: AggregateLimits;
}

export type ScanReply = { ok: true; aggs: Uint8Array; rrsets: number; partial: boolean } | { ok: false; message: string };

/** A files scan running on a worker thread; `stop()` ends it (its promise then rejects). */
export interface ThreadScan {
  promise: Promise<FileScan>;
  stop(): void;
}

/** The worker's compiled module (from TypeScript sources under a test runner: the built one). */
function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith(".ts") ? new URL("../../dist/dashboard/scan-worker.js", here) : new URL("./scan-worker.js", here);
}

/** Run `scanFiles` on a worker thread (scan-worker.js) and decode what it posts back. */
export function scanFilesInThread(req: ScanRequest): ThreadScan {
  // no inherited execArgv: a test runner's export conditions would point the worker at sources
  const worker = new Worker(workerUrl(), { workerData: req, execArgv: [] });
  // a scan must not keep a closing server alive
  worker.unref();
  const promise = new Promise<FileScan>((resolve, reject) => {
    let settled = false;
    worker.once("message", (m: ScanReply) => {
      settled = true;
      if (!m.ok) reject(new Error(m.message));
      else {
        try {
          resolve({ aggs: decodeAggregates(m.aggs, {}), rrsets: m.rrsets, partial: m.partial });
        } catch (e) {
          reject(e);
        }
      }
    });
    worker.once("error", (e) => {
      settled = true;
      reject(e);
    });
    worker.once("exit", (code) => {
      if (!settled) reject(new Error(code === 1 ? "the scan was stopped" : `the scan's thread exited (${code})`));
    });
  });
  return {
    promise,
    stop: () => {
      void worker.terminate();
    },
  };
}
