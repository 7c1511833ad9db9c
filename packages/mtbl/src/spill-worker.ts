/**
 * The worker behind SpillThread (spill-thread.ts): sorts each batch it is handed (equal keys kept
 * apart, in insertion order) and writes it to its spill file, then sets the shared status word
 * (DONE, or FAILED with the error's message) and wakes the sorter's thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import { sortedRun, writeRunFile } from "./sorter-run.js";
import { DONE, FAILED, MESSAGE_BYTES, type SpillRequest, type SpillWorkerData } from "./spill-thread.js";

const port = parentPort;
if (!port) throw new Error("spill-worker runs as a worker thread");
const data = workerData as SpillWorkerData;
const status = new Int32Array(data.status);
const message = new Uint8Array(data.message);

port.on("message", (req: SpillRequest) => {
  let result = DONE;
  try {
    writeRunFile(req.path, sortedRun(req, null));
  } catch (e) {
    const { written } = new TextEncoder().encodeInto((e as Error).message ?? String(e), message.subarray(0, MESSAGE_BYTES));
    Atomics.store(status, 1, written);
    result = FAILED;
  }
  Atomics.store(status, 0, result);
  Atomics.notify(status, 0);
  // the buffers go back, for the sorter's next batch
  port.postMessage(req, [req.arena.buffer, req.off.buffer, req.klen.buffer, req.vlen.buffer] as ArrayBuffer[]);
});
