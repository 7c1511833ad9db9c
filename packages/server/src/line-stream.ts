import { Readable } from "node:stream";

/**
 * A response body pulled from a generator of text lines, with backpressure: lines are asked for
 * only while the socket takes them, gathered into chunks of up to 64 KiB, and after a few chunks
 * (or a few thousand steps of a generator that yields "" while it works without output) the
 * event loop gets a turn, so one large query neither holds memory nor starves other requests.
 * Destroying the stream (fastify does when the client hangs up) returns the generator at once:
 * its `finally` blocks run and nothing keeps reading for a gone client.
 */
export class LineStream extends Readable {
  readonly #lines: Generator<string, void, undefined>;
  readonly #onEnd: (aborted: boolean) => void;
  #scheduled = false;
  #done = false;

  /**
   * `onEnd` is called once: when the last line was pushed (false) or the stream was destroyed
   * before (true). `head`: lines already taken from the generator, sent first.
   */
  constructor(lines: Generator<string, void, undefined>, onEnd: (aborted: boolean) => void, head = "") {
    super({ highWaterMark: 64 * 1024 });
    this.#lines = lines;
    this.#onEnd = onEnd;
    if (head.length > 0) this.push(head);
  }

  override _read(): void {
    if (!this.#scheduled) this.#pump();
  }

  #pump(): void {
    let chunks = 0;
    let steps = 0;
    let buf = "";
    while (!this.destroyed) {
      let r: IteratorResult<string, void>;
      try {
        r = this.#lines.next();
      } catch (e) {
        this.#finish(true);
        this.destroy(e as Error);
        return;
      }
      if (r.done) {
        if (buf.length > 0) this.push(buf);
        this.push(null);
        this.#finish(false);
        return;
      }
      buf += r.value;
      steps++;
      if (buf.length >= 64 * 1024) {
        const more = this.push(buf);
        buf = "";
        chunks++;
        if (!more) return; // _read comes again when the socket drained
      }
      if (chunks >= 4 || steps >= 4096) break;
    }
    if (this.destroyed) return;
    if (buf.length > 0 && !this.push(buf)) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (!this.destroyed) this.#pump();
    });
  }

  #finish(aborted: boolean): void {
    if (this.#done) return;
    this.#done = true;
    this.#onEnd(aborted);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    try {
      this.#lines.return();
    } finally {
      this.#finish(true);
      cb(err);
    }
  }
}
