/**
 * Splits a Frame Streams byte stream into data frames and control frames, as chunks arrive.
 * A data frame is a 32-bit big-endian length and that many bytes; a zero length escapes a
 * control frame (its own 32-bit length, then the frame). Lengths are checked before anything is
 * buffered: a length above the maximum is an error at its offset, never an allocation. Memory is
 * one partial frame at most.
 */
import { CONTROL_FRAME_LENGTH_MAX, type ControlFrame, decodeControl } from "./control.js";
import { DnstapError, DnstapErrorCode } from "./errors.js";

/** Default largest data frame accepted (fstrm's readers default to far less; dnstap needs ~130 kB). */
export const DEFAULT_MAX_FRAME_LENGTH = 1 << 20;

export interface FrameHandler {
  /** a data frame: a borrowed view, valid until the handler returns */
  data(frame: Uint8Array, offset: number): void;
  /** a control frame, decoded */
  control(c: ControlFrame, offset: number): void;
}

export class FrameParser {
  readonly #h: FrameHandler;
  readonly #max: number;
  /** the partial frame carried over between chunks */
  #buf = new Uint8Array(0);
  #len = 0;
  /** stream offset of the next unparsed byte (the partial frame's start while one is carried) */
  #pos = 0;

  constructor(handler: FrameHandler, maxFrameLength = DEFAULT_MAX_FRAME_LENGTH) {
    if (!(maxFrameLength >= 1 && maxFrameLength <= 0xffffffff)) throw new RangeError("maxFrameLength must be between 1 and 2^32-1");
    this.#h = handler;
    this.#max = maxFrameLength;
  }

  /** bytes consumed so far (complete frames and a carried partial frame) */
  get offset(): number {
    return this.#pos + this.#len;
  }

  /** whether a partial frame is waiting for more bytes */
  get partial(): boolean {
    return this.#len > 0;
  }

  /** the stream offset of the frame being assembled (or of the next one) */
  get frameOffset(): number {
    return this.#pos;
  }

  /**
   * Size of the frame starting at b[p] (header included), or -1 when its header is not all there.
   * Throws on a length above the limits.
   */
  #size(b: Uint8Array, p: number, end: number): number {
    if (end - p < 4) return -1;
    const l = ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
    if (l !== 0) {
      if (l > this.#max)
        throw new DnstapError(DnstapErrorCode.FRAME_TOO_LARGE, `data frame of ${l} bytes exceeds the maximum of ${this.#max}`, this.#pos);
      return 4 + l;
    }
    if (end - p < 8) return -1;
    const c = ((b[p + 4]! << 24) | (b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!) >>> 0;
    if (c > CONTROL_FRAME_LENGTH_MAX)
      throw new DnstapError(
        DnstapErrorCode.FRAME_TOO_LARGE,
        `control frame of ${c} bytes exceeds the maximum of ${CONTROL_FRAME_LENGTH_MAX}`,
        this.#pos,
      );
    return 8 + c;
  }

  #emit(b: Uint8Array, p: number, size: number): void {
    const at = this.#pos;
    this.#pos += size;
    if (b[p] === 0 && b[p + 1] === 0 && b[p + 2] === 0 && b[p + 3] === 0)
      this.#h.control(decodeControl(b.subarray(p + 8, p + size), at), at);
    else this.#h.data(b.subarray(p + 4, p + size), at);
  }

  #carry(src: Uint8Array, from: number, n: number, want: number): void {
    if (this.#buf.length < want) {
      const nb = new Uint8Array(Math.max(want, Math.min(this.#buf.length * 2, this.#max + 8), 64));
      nb.set(this.#buf.subarray(0, this.#len));
      this.#buf = nb;
    }
    this.#buf.set(src.subarray(from, from + n), this.#len);
    this.#len += n;
  }

  /** Parse a chunk; complete frames go to the handler before this returns. */
  push(chunk: Uint8Array): void {
    // a Node Buffer's subarray makes a Buffer (slow to create): frames are views of a plain Uint8Array
    if (chunk.constructor !== Uint8Array) chunk = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let off = 0;
    const n = chunk.length;
    while (this.#len > 0) {
      if (off >= n) return;
      const size = this.#size(this.#buf, 0, this.#len);
      const want = size >= 0 ? size : this.#len < 4 ? 4 : 8;
      const take = Math.min(want - this.#len, n - off);
      this.#carry(chunk, off, take, want);
      off += take;
      if (this.#len < want) return;
      if (size < 0) continue;
      this.#len = 0;
      this.#emit(this.#buf, 0, size);
    }
    for (;;) {
      const size = this.#size(chunk, off, n);
      if (size < 0 || size > n - off) {
        if (off < n) this.#carry(chunk, off, n - off, Math.max(size, 8));
        return;
      }
      this.#emit(chunk, off, size);
      off += size;
    }
  }
}
