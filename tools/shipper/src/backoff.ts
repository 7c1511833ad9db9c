/** Retry timing: exponential backoff with full jitter, never shorter than the server's Retry-After. */

export interface BackoffOptions {
  /** First delay's ceiling (ms, default 250). */
  baseMs?: number;
  /** Largest delay (ms, default 30 000). */
  maxMs?: number;
  /** A number in [0, 1) (tests pass a fixed one). */
  random?: () => number;
}

/** Delay before retry number `attempt` (0 = the first retry). */
export function backoffDelay(attempt: number, retryAfterMs: number | null, o: BackoffOptions = {}): number {
  const base = o.baseMs ?? 250;
  const max = o.maxMs ?? 30_000;
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 30));
  // half fixed, half random: spreads shippers out while still growing every time
  const d = ceiling / 2 + (o.random ?? Math.random)() * (ceiling / 2);
  return Math.round(retryAfterMs === null ? d : Math.max(d, Math.min(retryAfterMs, 3_600_000)));
}
