/**
 * The receiving side of one bidirectional Frame Streams connection (fstrm's reader over a
 * socket): the sender offers content types in READY, the receiver answers ACCEPT with the one it
 * takes, the sender sends START, data frames and STOP, and the receiver answers FINISH. Bytes in,
 * frames and replies out; no I/O here (the socket server wires it to a connection).
 */
import { type ControlFrame, ControlType, controlName, DNSTAP_CONTENT_TYPE, encodeControl } from "./control.js";
import { DnstapError, DnstapErrorCode } from "./errors.js";
import { FrameParser } from "./frame-parser.js";

export interface SessionHandler {
  /** a data frame: a borrowed view, valid until the call returns */
  data(frame: Uint8Array, offset: number): void;
  /** bytes to send back to the sender (ACCEPT, FINISH) */
  reply(bytes: Uint8Array): void;
  /** the handshake is done: the sender's START named the content type, data frames follow */
  started?(): void;
}

export class FstrmSession {
  readonly #parser: FrameParser;
  readonly #h: SessionHandler;
  readonly #want: string;
  #state: "ready" | "accepted" | "started" | "finished" = "ready";
  /** data frames received */
  frames = 0;

  constructor(handler: SessionHandler, contentType = DNSTAP_CONTENT_TYPE, maxFrameLength?: number) {
    this.#h = handler;
    this.#want = contentType;
    this.#parser = new FrameParser(
      {
        data: (f, at) => {
          if (this.#state !== "started") throw new DnstapError(DnstapErrorCode.PROTOCOL, `data frame before START`, at);
          this.frames++;
          handler.data(f, at);
        },
        control: (c, at) => this.#control(c, at),
      },
      maxFrameLength,
    );
  }

  #control(c: ControlFrame, at: number): void {
    const unexpected = (): DnstapError =>
      new DnstapError(DnstapErrorCode.PROTOCOL, `unexpected ${controlName(c.type)} control frame (state ${this.#state})`, at);
    switch (c.type) {
      case ControlType.READY: {
        if (this.#state !== "ready") throw unexpected();
        if (c.contentTypes.length > 0 && !c.contentTypes.includes(this.#want))
          throw new DnstapError(
            DnstapErrorCode.CONTENT_TYPE,
            `sender offers ${c.contentTypes.map((t) => JSON.stringify(t)).join(", ")}, not ${JSON.stringify(this.#want)}`,
            at,
          );
        this.#state = "accepted";
        this.#h.reply(encodeControl(ControlType.ACCEPT, [this.#want]));
        return;
      }
      case ControlType.START: {
        if (this.#state !== "accepted") throw unexpected();
        const ct = c.contentTypes[0];
        if (ct !== undefined && ct !== this.#want)
          throw new DnstapError(DnstapErrorCode.CONTENT_TYPE, `START names ${JSON.stringify(ct)}, not ${JSON.stringify(this.#want)}`, at);
        this.#state = "started";
        this.#h.started?.();
        return;
      }
      case ControlType.STOP:
        if (this.#state !== "started") throw unexpected();
        this.#state = "finished";
        this.#h.reply(encodeControl(ControlType.FINISH));
        return;
      default:
        throw unexpected();
    }
  }

  /** whether the sender has sent STOP (and been answered FINISH) */
  get finished(): boolean {
    return this.#state === "finished";
  }

  /** bytes received */
  get offset(): number {
    return this.#parser.offset;
  }

  push(chunk: Uint8Array): void {
    if (this.#state === "finished" && chunk.length > 0)
      throw new DnstapError(DnstapErrorCode.PROTOCOL, "bytes after STOP", this.#parser.offset);
    this.#parser.push(chunk);
  }

  /** The connection closed: an error when it ends inside a frame (frames before it were delivered). */
  end(): void {
    if (this.#parser.partial)
      throw new DnstapError(DnstapErrorCode.TRUNCATED, "connection closed inside a frame", this.#parser.frameOffset);
  }
}
