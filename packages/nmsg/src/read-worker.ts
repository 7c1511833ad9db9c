/**
 * The worker behind readNmsgFileBatches (thread-reader.ts): reads an NMSG file, frames, inflates,
 * reassembles and CRC-checks its containers with the same code as readPayloadBatches, and posts
 * each container's payloads as one buffer plus a table of their header fields. At most `ahead`
 * batches are in flight: it waits for the reader's acknowledgements before reading further, so
 * memory stays bounded by a few containers on each side.
 */
import { createReadStream } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { isNmsgError } from "./errors.js";
import type { NmsgPayload } from "./payload.js";
import { newStats, type ReadOptions, readPayloadBatches } from "./reader.js";
import { type BatchMessage, FIELDS, type ReadWorkerData, type WorkerReply } from "./thread-proto.js";

const port = parentPort;
if (!port) throw new Error("read-worker runs as a worker thread");
const data = workerData as ReadWorkerData;
const stats = newStats();
let credit = data.ahead;
let wake: (() => void) | null = null;
// each "ack" is a batch the reader has taken (a reader that stops early terminates this thread)
port.on("message", () => {
  credit++;
  const w = wake;
  wake = null;
  w?.();
});

const post = (m: WorkerReply, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer);

/** The payloads as one transferable buffer and their fields (NaN: absent); views share one buffer when they can. */
function pack(batch: NmsgPayload[], copy: boolean): BatchMessage {
  const n = batch.length;
  const table = new Float64Array(n * FIELDS);
  const first = batch[0]?.payload;
  const shared =
    !copy && first !== undefined && first.buffer instanceof ArrayBuffer && batch.every((p) => p.payload.buffer === first.buffer);
  let buf: ArrayBuffer;
  let copyAt = 0;
  if (shared) buf = first.buffer as ArrayBuffer;
  else {
    let total = 0;
    for (const p of batch) total += p.payload.length;
    buf = new ArrayBuffer(total);
  }
  const bytes = new Uint8Array(buf);
  for (let i = 0; i < n; i++) {
    const p = batch[i] as NmsgPayload;
    const t = i * FIELDS;
    table[t] = p.vid;
    table[t + 1] = p.msgtype;
    table[t + 2] = p.timeSec;
    table[t + 3] = p.timeNsec;
    if (shared) table[t + 4] = p.payload.byteOffset;
    else {
      bytes.set(p.payload, copyAt);
      table[t + 4] = copyAt;
      copyAt += p.payload.length;
    }
    table[t + 5] = p.payload.length;
    table[t + 6] = p.source ?? Number.NaN;
    table[t + 7] = p.operator ?? Number.NaN;
    table[t + 8] = p.group ?? Number.NaN;
  }
  return { kind: "batch", buf, table, stats: { ...stats } };
}

async function main(): Promise<void> {
  try {
    const src = createReadStream(data.path, { highWaterMark: 1 << 20 });
    const onCrcError = (dropped: number, offset: number | undefined): void => post({ kind: "crc", dropped, offset });
    try {
      const ro: ReadOptions = { stats, onCrcError };
      if (data.maxFragmentSets !== undefined) ro.maxFragmentSets = data.maxFragmentSets;
      for await (const batch of readPayloadBatches(src, ro)) {
        while (credit <= 0) await new Promise<void>((r) => (wake = r));
        credit--;
        let m = pack(batch, false);
        try {
          post(m, [m.buf]);
        } catch {
          // a buffer that cannot be handed over (a pooled one): copy the payloads out
          m = pack(batch, true);
          post(m, [m.buf]);
        }
      }
    } finally {
      src.destroy();
    }
    post({ kind: "done", stats: { ...stats } });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (isNmsgError(e)) post({ kind: "error", nmsg: { code: e.code, detail: e.detail, offset: e.offset }, stats: { ...stats } });
    else
      post({
        kind: "error",
        sys: { message: err.message ?? String(e), code: err.code, syscall: err.syscall, path: err.path, errno: err.errno },
        stats: { ...stats },
      });
  }
}

await main();
port.close();
