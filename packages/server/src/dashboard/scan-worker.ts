/**
 * The DATA files' dashboard scan, off the event loop: a worker thread runs `scanFiles` over the
 * files in `workerData` and posts back the aggregates encoded as the saved file encodes them (one
 * transferred buffer), so a scan of millions of entries never delays a lookup.
 */
import { parentPort, workerData } from "node:worker_threads";
import { scanFiles } from "./file-aggregates.js";
import { encodeAggregates } from "./persist.js";
import type { ScanReply, ScanRequest } from "./scan-thread.js";

const req = workerData as ScanRequest;
let reply: ScanReply;
try {
  // nothing else runs on this thread: no need to yield
  const r = await scanFiles(req.files, {
    maxEntries: req.maxEntries,
    chunk: Number.MAX_SAFE_INTEGER,
    ...(req.limits ? { limits: req.limits } : {}),
  });
  reply = { ok: true, aggs: encodeAggregates(r.aggs), rrsets: r.rrsets, partial: r.partial };
} catch (e) {
  reply = { ok: false, message: (e as Error).message };
}
parentPort?.postMessage(reply, reply.ok ? [reply.aggs.buffer as ArrayBuffer] : []);
