/**
 * The unidirectional Frame Streams format (files, pipes, fstrm_capture output): a START control
 * frame with the content type, data frames, a STOP control frame. Another START may follow a STOP
 * (concatenated files); anything else after STOP, data before START, or a bidirectional control
 * frame is a protocol error; an input that ends inside a frame or before STOP is truncated.
 */
import { type ControlFrame, ControlType, controlName, DNSTAP_CONTENT_TYPE } from "./control.js";
import { DnstapError, DnstapErrorCode } from "./errors.js";
import { FrameParser } from "./frame-parser.js";

export interface FrameStreamReaderOptions {
  /** the content type START must name (default dnstap's); null accepts any; a START without one is accepted */
  contentType?: string | null;
  /** largest data frame accepted (default 1 MiB) */
  maxFrameLength?: number;
}

/** Receives each data frame as a borrowed view (valid until the call returns) and its stream offset. */
export type DataFrameHandler = (frame: Uint8Array, offset: number) => void;

export class FrameStreamReader {
  readonly #parser: FrameParser;
  readonly #want: string | null;
  #state: "init" | "started" | "stopped" = "init";
  /** the content type of the current START (undefined when it named none) */
  contentType: string | undefined;
  /** data frames read */
  frames = 0;

  constructor(onData: DataFrameHandler, opts: FrameStreamReaderOptions = {}) {
    this.#want = opts.contentType === undefined ? DNSTAP_CONTENT_TYPE : opts.contentType;
    this.#parser = new FrameParser(
      {
        data: (f, at) => {
          if (this.#state !== "started")
            throw new DnstapError(
              DnstapErrorCode.PROTOCOL,
              this.#state === "init" ? "not a Frame Streams file: data before the START frame" : "data frame after the STOP frame",
              at,
            );
          this.frames++;
          onData(f, at);
        },
        control: (c, at) => this.#control(c, at),
      },
      opts.maxFrameLength,
    );
  }

  #control(c: ControlFrame, at: number): void {
    if (c.type === ControlType.START && this.#state !== "started") {
      const ct = c.contentTypes[0];
      if (ct !== undefined && this.#want !== null && ct !== this.#want)
        throw new DnstapError(
          DnstapErrorCode.CONTENT_TYPE,
          `content type ${JSON.stringify(ct)}, expected ${JSON.stringify(this.#want)}`,
          at,
        );
      this.contentType = ct;
      this.#state = "started";
      return;
    }
    if (c.type === ControlType.STOP && this.#state === "started") {
      this.#state = "stopped";
      return;
    }
    throw new DnstapError(DnstapErrorCode.PROTOCOL, `unexpected ${controlName(c.type)} control frame in a Frame Streams file`, at);
  }

  /** bytes read so far */
  get offset(): number {
    return this.#parser.offset;
  }

  /** whether the last START has had its STOP */
  get stopped(): boolean {
    return this.#state === "stopped";
  }

  push(chunk: Uint8Array): void {
    this.#parser.push(chunk);
  }

  /** The input has ended: a truncated stream (inside a frame, or before STOP) is an error. */
  end(): void {
    if (this.#parser.partial)
      throw new DnstapError(DnstapErrorCode.TRUNCATED, "truncated Frame Streams input: it ends inside a frame", this.#parser.frameOffset);
    if (this.#state === "init") throw new DnstapError(DnstapErrorCode.TRUNCATED, "empty Frame Streams input: no START frame", this.offset);
    if (this.#state === "started")
      throw new DnstapError(DnstapErrorCode.TRUNCATED, "truncated Frame Streams input: no STOP frame", this.offset);
  }
}

/** Read every data frame of a Frame Streams byte stream (views valid until the handler returns). */
export async function readFrameStream(
  src: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  onData: DataFrameHandler,
  opts: FrameStreamReaderOptions = {},
): Promise<FrameStreamReader> {
  const r = new FrameStreamReader(onData, opts);
  for await (const chunk of src) r.push(chunk);
  r.end();
  return r;
}
