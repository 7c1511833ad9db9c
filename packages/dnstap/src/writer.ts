/**
 * Writing the unidirectional Frame Streams format: START with a content type, length-prefixed
 * data frames, STOP. Frames go to a sink as byte chunks; a sink that returns a promise is awaited
 * (backpressure). Files are written by the caller (temp file + rename).
 */
import { ControlType, DNSTAP_CONTENT_TYPE, encodeControl } from "./control.js";

export type ChunkSink = (chunk: Uint8Array) => void | Promise<void>;

/** How many bytes of frames are gathered before they go to the sink. */
const BATCH = 64 * 1024;

export class FrameStreamWriter {
  readonly #sink: ChunkSink;
  #parts: Uint8Array[] = [];
  #size = 0;
  #state: "new" | "open" | "closed" = "new";
  readonly #contentType: string;

  constructor(sink: ChunkSink, contentType = DNSTAP_CONTENT_TYPE) {
    this.#sink = sink;
    this.#contentType = contentType;
  }

  #add(b: Uint8Array): void {
    this.#parts.push(b);
    this.#size += b.length;
  }

  async #flush(): Promise<void> {
    if (!this.#size) return;
    const out = new Uint8Array(this.#size);
    let p = 0;
    for (const b of this.#parts) {
      out.set(b, p);
      p += b.length;
    }
    this.#parts = [];
    this.#size = 0;
    await this.#sink(out);
  }

  /** Write one data frame (copied: the caller may reuse `frame`). */
  async write(frame: Uint8Array): Promise<void> {
    if (this.#state === "closed") throw new Error("FrameStreamWriter: write after close");
    if (frame.length === 0) throw new RangeError("a data frame cannot be empty (a zero length is the escape)");
    if (frame.length > 0xffffffff) throw new RangeError("a data frame is at most 2^32-1 bytes");
    if (this.#state === "new") {
      this.#add(encodeControl(ControlType.START, [this.#contentType]));
      this.#state = "open";
    }
    const h = new Uint8Array(4 + frame.length);
    new DataView(h.buffer).setUint32(0, frame.length);
    h.set(frame, 4);
    this.#add(h);
    if (this.#size >= BATCH) await this.#flush();
  }

  /** Write STOP (and START first, for a stream with no frames) and hand everything to the sink. */
  async close(): Promise<void> {
    if (this.#state === "closed") return;
    if (this.#state === "new") this.#add(encodeControl(ControlType.START, [this.#contentType]));
    this.#add(encodeControl(ControlType.STOP));
    this.#state = "closed";
    await this.#flush();
  }
}

/** A whole Frame Streams file in memory. */
export function encodeFrameStream(frames: Iterable<Uint8Array>, contentType = DNSTAP_CONTENT_TYPE): Uint8Array {
  const parts = [encodeControl(ControlType.START, [contentType])];
  for (const f of frames) {
    if (f.length === 0) throw new RangeError("a data frame cannot be empty (a zero length is the escape)");
    const h = new Uint8Array(4);
    new DataView(h.buffer).setUint32(0, f.length);
    parts.push(h, f);
  }
  parts.push(encodeControl(ControlType.STOP));
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  n = 0;
  for (const p of parts) {
    out.set(p, n);
    n += p.length;
  }
  return out;
}
