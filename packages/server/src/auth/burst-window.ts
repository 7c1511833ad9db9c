/**
 * The start times (ms) of a key's queries inside its burst window, oldest first: a queue that
 * drops from the front by moving a head index (compacted once half of it is dropped), so each
 * query costs O(1) amortized even for a burst of a million.
 */
export class BurstWindow {
  #times: number[] = [];
  #head = 0;

  /** Queries in the window. */
  get size(): number {
    return this.#times.length - this.#head;
  }

  /** The oldest start time in the window (undefined when empty). */
  get oldest(): number | undefined {
    return this.#times[this.#head];
  }

  /** Drop the start times at or before `since`. */
  expire(since: number): void {
    const t = this.#times;
    while (this.#head < t.length && (t[this.#head] ?? 0) <= since) this.#head++;
    if (this.#head === t.length) {
      this.#times = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > t.length) {
      this.#times = t.slice(this.#head);
      this.#head = 0;
    }
  }

  push(ms: number): void {
    this.#times.push(ms);
  }

  /** Remove the latest start time equal to `ms`, if it is still in the window. */
  remove(ms: number): void {
    const t = this.#times;
    for (let i = t.length - 1; i >= this.#head; i--) {
      if (t[i] === ms) {
        t.splice(i, 1);
        return;
      }
    }
  }
}
