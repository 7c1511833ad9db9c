/**
 * The sorter's spill thread: a worker (spill-worker.ts) sorts a full batch and writes it to its
 * spill file while the sorter's thread goes on filling the next batch. The batch's buffers are
 * transferred, not copied. One spill is in flight at a time: the next one, and the final merge,
 * first wait for it (synchronously, on a shared status word: the sorter's API is synchronous).
 * The worker has no merge function, so its runs keep equal keys unfolded, in insertion order;
 * the final merge folds them.
 */
import { Worker } from "node:worker_threads";
import { MtblError, MtblErrorCode } from "./errors.js";
import type { Batch } from "./sorter-run.js";

/** status word: the worker sets DONE or FAILED and notifies */
export const BUSY = 0;
export const DONE = 1;
export const FAILED = 2;
/** bytes of an error message the worker can hand back */
export const MESSAGE_BYTES = 1024;

export interface SpillRequest {
  path: string;
  arena: Uint8Array;
  off: Uint32Array;
  klen: Uint32Array;
  vlen: Uint32Array;
  n: number;
}

export interface SpillWorkerData {
  /** [status, message length] */
  status: SharedArrayBuffer;
  message: SharedArrayBuffer;
}

/** the compiled worker: beside this module, or in dist/ when this module runs from the TypeScript sources */
function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith(".ts") ? new URL("../dist/spill-worker.js", here) : new URL("./spill-worker.js", here);
}

export class SpillThread {
  readonly #status = new Int32Array(new SharedArrayBuffer(8));
  readonly #message = new SharedArrayBuffer(MESSAGE_BYTES);
  #worker: Worker | null = null;
  #busy = false;
  /** a written batch's buffers, handed back for the next batch to fill */
  #spare: SpillRequest | null = null;

  /** Hand `batch` over (its buffers are transferred: unusable here afterwards) to be written to `path`. */
  start(batch: Batch, path: string): void {
    this.wait();
    if (this.#worker === null) {
      const data: SpillWorkerData = { status: this.#status.buffer as SharedArrayBuffer, message: this.#message };
      this.#worker = new Worker(workerUrl(), { workerData: data, execArgv: [] });
      this.#worker.on("message", (m: SpillRequest) => {
        this.#spare = m;
      });
      // never what keeps the process alive; close() ends it
      this.#worker.unref();
    }
    Atomics.store(this.#status, 0, BUSY);
    this.#busy = true;
    const req: SpillRequest = { path, arena: batch.arena, off: batch.off, klen: batch.klen, vlen: batch.vlen, n: batch.n };
    this.#worker.postMessage(req, [batch.arena.buffer, batch.off.buffer, batch.klen.buffer, batch.vlen.buffer] as ArrayBuffer[]);
  }

  /**
   * The buffers of the last batch written, when they are back (they come by message, so after a
   * turn of the event loop): reusing them keeps two batches' memory in play, where fresh ones
   * would pile up until the worker's collector freed the old.
   */
  takeSpare(): SpillRequest | null {
    const s = this.#spare;
    this.#spare = null;
    return s;
  }

  /** Wait for the spill in flight, if any; its failure is thrown here. */
  wait(): void {
    if (!this.#busy) return;
    Atomics.wait(this.#status, 0, BUSY);
    this.#busy = false;
    if (Atomics.load(this.#status, 0) === FAILED) {
      const n = Atomics.load(this.#status, 1);
      const why = Buffer.from(this.#message, 0, n).toString("utf8");
      throw new MtblError(MtblErrorCode.IO, `sorter spill: ${why}`);
    }
  }

  /** End the worker (a spill in flight is abandoned: its file goes with the sorter's directory). */
  close(): void {
    this.#busy = false;
    this.#spare = null;
    void this.#worker?.terminate();
    this.#worker = null;
  }
}
