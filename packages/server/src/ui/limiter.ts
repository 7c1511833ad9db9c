/**
 * At most `max` tasks at a time, at most `queue` more waiting: bounds the memory and CPU the
 * password hashing of logins can take (scrypt needs 32 MiB and tens of ms per attempt).
 */
export class Limiter {
  readonly #max: number;
  readonly #queueMax: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(max: number, queue: number) {
    this.#max = max;
    this.#queueMax = queue;
  }

  /** Run `fn` when a slot is free; null (nothing run) when the queue is full. */
  run<T>(fn: () => Promise<T>): Promise<T> | null {
    if (this.#running >= this.#max && this.#waiting.length >= this.#queueMax) return null;
    return this.#slot().then(async () => {
      try {
        return await fn();
      } finally {
        this.#running--;
        this.#waiting.shift()?.();
      }
    });
  }

  #slot(): Promise<void> {
    if (this.#running < this.#max) {
      this.#running++;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.#waiting.push(() => {
        this.#running++;
        resolve();
      }),
    );
  }
}
