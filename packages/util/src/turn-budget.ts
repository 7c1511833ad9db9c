/**
 * TurnBudget: a share of each turn of the event loop for long CPU work (a server's ingest), so the
 * short work beside it (lookups) waits for at most about one budget, not for a whole batch.
 *
 * Work done in slices asks `spent()` between slices; once the work of this turn (everyone's
 * together, from the first `spent()` call of the turn) has used the budget, it awaits `yield()`,
 * which resumes it in the next turn's check phase (setImmediate), after the poll phase has run the
 * I/O callbacks that were waiting. Every user of one TurnBudget shares the same allowance.
 */
import { performance } from "node:perf_hooks";

export class TurnBudget {
  readonly budgetMs: number;
  /** when this turn's allowance started (ms, performance.now()); -1: not this turn yet */
  #start = -1;
  #waiters: (() => void)[] = [];
  #scheduled = false;

  constructor(budgetMs: number) {
    if (!(Number.isFinite(budgetMs) && budgetMs > 0)) throw new RangeError(`budgetMs must be a positive number, got ${budgetMs}`);
    this.budgetMs = budgetMs;
  }

  /** Whether the work of this turn has used the budget (the first call of a turn starts the clock). */
  spent(): boolean {
    const now = performance.now();
    if (this.#start < 0) {
      this.#start = now;
      this.#schedule();
      return false;
    }
    return now - this.#start >= this.budgetMs;
  }

  /** Resolves in the next turn of the event loop (after its I/O callbacks), with a fresh allowance. */
  yield(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#waiters.push(resolve);
      this.#schedule();
    });
  }

  /** The end of this turn (the check phase, once): the allowance starts again, waiters go on. */
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#start = -1;
      const w = this.#waiters;
      this.#waiters = [];
      for (const resolve of w) resolve();
    });
  }
}

/** The budget the ingest side of a process shares (the store's memtable inserts, the server's parsing): 2 ms a turn. */
export const ingestTurnBudget = new TurnBudget(2);
