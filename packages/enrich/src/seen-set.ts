/**
 * A bounded set of recently seen keys without per-hit bookkeeping: two generations; a hit in the
 * old one moves the key to the young one; when the young one is full it becomes the old one (the
 * old one forgotten). Holds at most `max` keys; a key seen within the last max/2 insertions is held.
 */
export class SeenSet {
  readonly #half: number;
  #young = new Set<string>();
  #old = new Set<string>();

  constructor(max: number) {
    this.#half = Math.max(1, max >> 1);
  }

  get size(): number {
    return this.#young.size + this.#old.size;
  }

  has(k: string): boolean {
    if (this.#young.has(k)) return true;
    if (!this.#old.has(k)) return false;
    this.add(k);
    return true;
  }

  add(k: string): void {
    if (this.#young.size >= this.#half) {
      this.#old = this.#young;
      this.#young = new Set();
    }
    this.#young.add(k);
  }
}
