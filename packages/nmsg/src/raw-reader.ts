/**
 * Reading an NMSG stream into one reused buffer, a RawBatch per container (raw-batch.ts): no copy
 * of a container, no array or object per payload, and memory bounded by the largest container
 * (plus fragment sets being reassembled). A file is read with positioned reads straight into the
 * buffer; any other byte stream (stdin, a socket) is copied into it chunk by chunk. The framing,
 * errors (with their stream offsets), stats and callbacks are readPayloadBatches'.
 */
import { open } from "node:fs/promises";
import { fileReader } from "@dnsrep/util";
import { NmsgError, NmsgErrorCode } from "./errors.js";
import { newRawBatch, type RawBatch } from "./raw-batch.js";
import { ContainerDecoder, parseHeader, type ReadOptions } from "./reader.js";

/** the buffer's first size: a libnmsg file container (1 MiB) and the next one's start */
const FIRST = 2 << 20;

/** Fills buf from `at` (at most to its end); resolves to the bytes read, 0 at the end of input. */
type Fill = (buf: Uint8Array, at: number) => Promise<number>;

/** A fill from a byte stream: chunks copied in, a chunk larger than the room left kept for the next fill. */
function streamFill(chunks: AsyncIterable<Uint8Array>): { fill: Fill; close: () => void } {
  const it = chunks[Symbol.asyncIterator]();
  let left: Uint8Array | null = null;
  return {
    fill: async (buf, at) => {
      let c = left;
      left = null;
      while (c === null || c.length === 0) {
        const r = await it.next();
        if (r.done) return 0;
        const v = r.value as Uint8Array | ArrayBuffer;
        c = v instanceof Uint8Array ? v : new Uint8Array(v);
      }
      const room = buf.length - at;
      if (c.length <= room) {
        buf.set(c, at);
        return c.length;
      }
      buf.set(c.subarray(0, room), at);
      left = c.subarray(room);
      return room;
    },
    close: () => void it.return?.()?.catch(() => {}),
  };
}

/**
 * The payloads of an NMSG stream (a file path, or a byte stream such as stdin), one borrowed
 * RawBatch per container: the batch and its buffer are reused, so each is valid until the next
 * step of the loop. Breaking out of the loop closes the file.
 */
export async function* readRawBatches(input: string | AsyncIterable<Uint8Array>, opts: ReadOptions = {}): AsyncGenerator<RawBatch> {
  const dec = new ContainerDecoder(opts);
  const batch = newRawBatch();
  let fill: Fill;
  let close: () => Promise<void> | void;
  if (typeof input === "string") {
    const fh = await open(input, "r");
    try {
      const read = await fileReader(fh);
      fill = (buf, at) => read(buf, at, buf.length - at);
    } catch (e) {
      await fh.close();
      throw e;
    }
    close = () => fh.close();
  } else ({ fill, close } = streamFill(input));
  let buf = allocate(FIRST);
  let lo = 0; // the next container's first byte
  let hi = 0; // the end of the bytes read
  let offset = 0; // stream offset of buf[lo]
  try {
    for (;;) {
      let need = 0; // bytes the container at lo takes, when they are not all here
      while (hi > lo) {
        const h = parseHeader(buf.subarray(lo, Math.min(hi, lo + 10)), offset);
        if (h === null) break;
        const size = h[1] + h[2];
        if (hi - lo < size) {
          need = size;
          break;
        }
        const at = offset;
        const body = buf.subarray(lo + h[1], lo + size);
        lo += size;
        offset += size;
        const b = dec.decodeRaw(h[0], body, batch, at);
        if (b !== null && b.n > 0) yield b;
        if (opts.stopped?.aborted) return;
      }
      // keep the partial container: at the buffer's start, in a larger buffer if it does not fit
      if (need > buf.length) {
        const nb = allocate(Math.max(need, 2 * buf.length));
        nb.set(buf.subarray(lo, hi));
        buf = nb;
      } else if (lo > 0) buf.copyWithin(0, lo, hi);
      hi -= lo;
      lo = 0;
      const n = await fill(buf, hi);
      if (opts.stopped?.aborted) return;
      if (n === 0) break;
      hi += n;
      dec.stats.bytes += n;
    }
    if (hi > lo) throw new NmsgError(NmsgErrorCode.TRUNCATED, `truncated container (${hi - lo} bytes left over)`, offset);
    if (dec.pendingFragments > 0) {
      dec.stats.fragmentsDropped += dec.pendingFragments;
      throw new NmsgError(NmsgErrorCode.FRAGMENT, `${dec.pendingFragments} fragmented container(s) never completed`, offset);
    }
  } finally {
    await close();
  }
}

/** n bytes, not zeroed (every byte used is read in first) */
function allocate(n: number): Uint8Array {
  const u = Buffer.allocUnsafeSlow(n);
  return new Uint8Array(u.buffer, u.byteOffset, n);
}
