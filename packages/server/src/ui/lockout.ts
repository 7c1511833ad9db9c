/** What a login attempt for an account may do: go ahead, or wait `retryAfter` seconds (a 429). */
export type LockDecision = { ok: true } | { ok: false; retryAfter: number };

export interface LockoutOptions {
  /** wrong passwords in a row before the account is slowed down (default 5) */
  threshold?: number;
  /** the first wait (seconds); each further wrong password doubles it (default 10) */
  baseSeconds?: number;
  /** the longest wait (seconds, default 900) */
  maxSeconds?: number;
  /** accounts remembered at most; the least recently failed go first (default 10000) */
  maxEntries?: number;
  now: () => number;
}

interface Entry {
  failures: number;
  /** epoch ms before which logins are refused */
  until: number;
  /** attempts being checked now (their password is being hashed) */
  pending: number;
}

/**
 * Login throttling per account name (existing or not, so it tells nothing about which names
 * exist). After `threshold` wrong passwords in a row the account refuses logins for
 * `baseSeconds`, doubling with each further wrong password up to `maxSeconds`; a right password
 * clears it. Attempts still being checked count as possible failures, so a burst of parallel
 * guesses cannot slip past the threshold before the first of them fails.
 */
export class Lockout {
  readonly #entries = new Map<string, Entry>();
  readonly #threshold: number;
  readonly #base: number;
  readonly #max: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(o: LockoutOptions) {
    this.#threshold = o.threshold ?? 5;
    this.#base = o.baseSeconds ?? 10;
    this.#max = o.maxSeconds ?? 900;
    this.#maxEntries = o.maxEntries ?? 10_000;
    this.#now = o.now;
  }

  /** Start an attempt for `name`: refused while the account waits; else counted as pending until `end`. */
  begin(name: string): LockDecision {
    const e = this.#entries.get(name);
    const t = this.#now();
    if (e !== undefined) {
      if (t < e.until) return { ok: false, retryAfter: Math.max(1, Math.ceil((e.until - t) / 1000)) };
      if (e.failures + e.pending >= this.#threshold && e.pending > 0) return { ok: false, retryAfter: 1 };
    }
    this.#touch(name, e).pending++;
    return { ok: true };
  }

  /**
   * End an attempt begun with `begin`: a right password clears the account, a wrong one counts.
   * Returns the seconds the account now waits when this wrong password made it wait, else null.
   */
  end(name: string, ok: boolean): number | null {
    const e = this.#entries.get(name);
    if (e === undefined) return null; // evicted meanwhile
    e.pending = Math.max(0, e.pending - 1);
    if (ok) {
      if (e.pending === 0) this.#entries.delete(name);
      else {
        e.failures = 0;
        e.until = 0;
      }
      return null;
    }
    e.failures++;
    this.#touch(name, e);
    if (e.failures < this.#threshold) return null;
    const wait = Math.min(this.#max, this.#base * 2 ** Math.min(30, e.failures - this.#threshold));
    e.until = this.#now() + wait * 1000;
    return wait;
  }

  /** End an attempt begun with `begin` that was not checked at all (the server was too busy): counts nothing. */
  abandon(name: string): void {
    const e = this.#entries.get(name);
    if (e !== undefined) e.pending = Math.max(0, e.pending - 1);
  }

  /** Accounts remembered now. */
  get size(): number {
    return this.#entries.size;
  }

  /** Move the entry of `name` to the back (most recent), making it if needed, and bound the map. */
  #touch(name: string, e: Entry | undefined): Entry {
    const entry = e ?? { failures: 0, until: 0, pending: 0 };
    this.#entries.delete(name);
    this.#entries.set(name, entry);
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    return entry;
  }
}
