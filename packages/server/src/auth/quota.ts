import { BurstWindow } from "./burst-window.js";
import type { Burst } from "./keys-file.js";
import type { DayUsage } from "./state-file.js";
import { nextUtcMidnight, utcDay } from "./time.js";

/** What a query may do under its key's quota: go ahead, or wait `retryAfter` seconds (a 429). */
export type QuotaDecision = { ok: true } | { ok: false; retryAfter: number; reason: string };

/**
 * The per-key counters: queries used today (reset at 00:00 UTC, kept in the state file), the
 * burst windows (queries in the last `window` seconds, in memory) and the requests in flight.
 */
export class Quotas {
  readonly usage: Map<string, DayUsage>;
  /** set when `usage` changed since the last save */
  dirty = false;
  /** per key, start times (ms) of the queries inside the current burst window, oldest first */
  readonly #burst = new Map<string, BurstWindow>();
  readonly #inFlight = new Map<string, number>();

  constructor(usage: Map<string, DayUsage> = new Map()) {
    this.usage = usage;
  }

  /** Queries `name` used on the UTC day of `nowMs`. */
  usedToday(name: string, nowMs: number): number {
    const u = this.usage.get(name);
    return u !== undefined && u.day === utcDay(nowMs) ? u.used : 0;
  }

  /**
   * Count one query for `name` if both its daily limit and its burst allow it; otherwise count
   * nothing and say how long to wait.
   */
  consume(name: string, dailyLimit: number | null, burst: Burst | null, nowMs: number): QuotaDecision {
    const used = this.usedToday(name, nowMs);
    if (dailyLimit !== null && used >= dailyLimit)
      return { ok: false, retryAfter: Math.max(1, nextUtcMidnight(nowMs) - Math.floor(nowMs / 1000)), reason: "daily quota exhausted" };
    if (burst !== null) {
      const times = this.#window(name, burst, nowMs);
      if (times.size >= burst.size) {
        const oldest = times.oldest ?? nowMs;
        return {
          ok: false,
          retryAfter: Math.max(1, Math.ceil((oldest + burst.window * 1000 - nowMs) / 1000)),
          reason: "burst limit reached",
        };
      }
      times.push(nowMs);
    }
    this.usage.set(name, { day: utcDay(nowMs), used: used + 1 });
    this.dirty = true;
    return { ok: true };
  }

  /**
   * Take back a query counted at `atMs` (the route refused it: a bad query is not charged).
   * Undoes the daily count if the day has not turned, and the query's place in the burst window.
   */
  refund(name: string, atMs: number): void {
    const u = this.usage.get(name);
    if (u !== undefined && u.day === utcDay(atMs) && u.used > 0) {
      this.usage.set(name, { day: u.day, used: u.used - 1 });
      this.dirty = true;
    }
    this.#burst.get(name)?.remove(atMs);
  }

  /** The burst window of `name` with the queries older than `window` seconds dropped. */
  #window(name: string, burst: Burst, nowMs: number): BurstWindow {
    let times = this.#burst.get(name);
    if (times === undefined) {
      times = new BurstWindow();
      this.#burst.set(name, times);
    }
    times.expire(nowMs - burst.window * 1000);
    return times;
  }

  /** Queries of `name` in its burst window now (for rate_limit). */
  burstUsed(name: string, burst: Burst, nowMs: number): number {
    return this.#window(name, burst, nowMs).size;
  }

  /** Requests of `name` in flight. */
  inFlight(name: string): number {
    return this.#inFlight.get(name) ?? 0;
  }

  /** Start a request of `name`; the returned function ends it (calling it again does nothing). */
  enter(name: string): () => void {
    this.#inFlight.set(name, this.inFlight(name) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const n = this.inFlight(name) - 1;
      if (n > 0) this.#inFlight.set(name, n);
      else this.#inFlight.delete(name);
    };
  }
}
