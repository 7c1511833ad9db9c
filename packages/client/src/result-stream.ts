import type { Terminator } from "./records.js";

/**
 * The records of a query as they stream, and how the answer ended. Iterate it once (`for await`);
 * the request is sent when the iteration starts, and leaving the loop early (break, return, a
 * throw) aborts the HTTP request, closing its connection. After the loop ran to its end,
 * `terminator` says whether the answer was whole (`succeeded`), cut by a limit (`limited`, with
 * the server's message) or broken off by the server (`failed`). A response that ends without a
 * terminator is a ClientError ERR_TRUNCATED, thrown from the loop after the records that came.
 */
export class ResultStream<T> implements AsyncIterable<T> {
  readonly #source: (end: (t: Terminator) => void) => AsyncGenerator<T, void, undefined>;
  #used = false;
  #terminator: Terminator | null = null;

  /** `source` yields the records and tells `end` the terminator before it returns. */
  constructor(source: (end: (t: Terminator) => void) => AsyncGenerator<T, void, undefined>) {
    this.#source = source;
  }

  /** How the answer ended; null until the iteration has run to its end. */
  get terminator(): Terminator | null {
    return this.#terminator;
  }

  /** The source's own generator (no wrapper: one async step per record, not one per layer). */
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    if (this.#used) throw new TypeError("a ResultStream can be iterated only once");
    this.#used = true;
    return this.#source((t) => {
      this.#terminator = t;
    });
  }

  /** Read the whole answer: its records (in memory: mind the limit) and its terminator. */
  async collect(): Promise<{ records: T[]; terminator: Terminator }> {
    const records: T[] = [];
    for await (const r of this) records.push(r);
    return { records, terminator: this.#terminator as Terminator };
  }
}
