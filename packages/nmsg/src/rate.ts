/**
 * Output pacing as libnmsg's nmsg_rate does it (nmsg/rate.c over libmy/my_rate.c). An output
 * calls `wait()` after each write it sends (libnmsg: after every datagram, a whole container or
 * one fragment of one, in send_buffer); each event then waits for the next tick of a clock that
 * ticks `rate` times a second. Ticks fall on multiples of the period within each second
 * (calc_next_tick), and the next tick is taken from the time the event ends, so a late event is
 * not made up by a burst. To correct what sleeping loses (timer granularity: Node's timers are
 * whole milliseconds), every `freq` events after the first `freq` the limiter compares the
 * average rate kept since the first event with the nominal one and scales its working rate by
 * that ratio clamped to [0.99, 1.01] (adjust_rate).
 *
 * Two deliberate differences. libnmsg sleeps (clock_nanosleep) for every event whose tick is
 * still ahead, however close; Node's timers cannot sleep less than a millisecond, so a sleep
 * per event would cap the rate near 1000 a second whatever was asked. Here an event whose tick
 * is less than `minSleepNs` (default 1 ms) away does not sleep: the tick after it is counted
 * from that tick rather than from now, so the schedule runs ahead and the sleep comes, whole,
 * once it is `minSleepNs` ahead. The average rate is the same; bursts last at most `minSleepNs`.
 * With `minSleepNs` 0 the schedule is libnmsg's exactly. And libnmsg keeps the working rate in
 * an unsigned integer, so below 100 per second a 1 % step truncates away (it can only fall, and
 * at 1 per second it falls to 0); here it is a real number.
 */

export interface RateClock {
  /** monotonic time in nanoseconds */
  now(): number;
  /** resolve once `now()` has reached `ns` */
  sleepUntil(ns: number): Promise<void>;
}

const NS = 1e9;

export const realClock: RateClock = {
  now: () => performance.now() * 1e6,
  sleepUntil(ns) {
    return new Promise((resolve) => {
      const step = (): void => {
        const left = ns - performance.now() * 1e6;
        // setTimeout sleeps whole milliseconds at least; it may wake a little early on a busy loop
        if (left <= 0) resolve();
        else setTimeout(step, Math.max(1, Math.ceil(left / 1e6)));
      };
      step();
    });
  },
};

/** libnmsg's default scheduling frequency (nmsgtool's DEFAULT_FREQ) */
export const DEFAULT_RATE_FREQ = 10;

/** the shortest sleep worth asking a Node timer for */
export const MIN_SLEEP_NS = 1_000_000;

export class RateLimiter {
  readonly rate: number;
  readonly freq: number;
  /** events so far */
  count = 0;
  #adjRate: number;
  #periodNs: number;
  #start = 0;
  #nextTick = 0;
  readonly #clock: RateClock;
  readonly #minSleep: number;

  /** `rate` events per second, re-checked every `freq` events (0: never re-checked). */
  constructor(rate: number, freq: number = DEFAULT_RATE_FREQ, clock: RateClock = realClock, minSleepNs = MIN_SLEEP_NS) {
    if (!Number.isInteger(rate) || rate < 1) throw new RangeError("rate must be a positive integer");
    if (!Number.isInteger(freq) || freq < 0) throw new RangeError("freq must be a non-negative integer");
    this.rate = rate;
    this.freq = freq;
    this.#adjRate = rate;
    this.#periodNs = periodOf(rate);
    this.#clock = clock;
    if (!(minSleepNs >= 0)) throw new RangeError("minSleepNs must be non-negative");
    this.#minSleep = minSleepNs;
  }

  /** the working rate (events per second) after the adjustments so far */
  get adjustedRate(): number {
    return this.#adjRate;
  }

  /**
   * Count one event and wait for the next tick. Undefined when the tick has already passed
   * (nothing to wait for), so a caller behind schedule pays no promise.
   */
  wait(): Promise<void> | undefined {
    this.count++;
    const now = this.#clock.now();
    if (this.count === 1) {
      this.#start = now;
      this.#nextTick = nextTick(now, this.#periodNs);
    }
    if (this.freq !== 0 && this.count % this.freq === 0 && this.count > this.freq) this.#adjust(now);
    const ahead = this.#nextTick - now;
    if (ahead > 0 && ahead >= this.#minSleep) {
      const until = this.#nextTick;
      return this.#clock.sleepUntil(until).then(() => {
        this.#nextTick = nextTick(this.#clock.now(), this.#periodNs);
      });
    }
    // too close to sleep for: run ahead of the clock by one period; already past: not made up
    this.#nextTick = ahead > 0 ? nextTick(this.#nextTick, this.#periodNs) : nextTick(now, this.#periodNs);
    return undefined;
  }

  #adjust(now: number): void {
    const elapsed = (now - this.#start) / NS;
    // libnmsg truncates the average rate to an unsigned integer
    const actual = elapsed > 0 ? Math.trunc(this.count / elapsed) : Number.POSITIVE_INFINITY;
    let ratio = actual > 0 ? this.rate / actual : 1.01;
    if (ratio < 0.99) ratio = 0.99;
    if (ratio > 1.01) ratio = 1.01;
    this.#adjRate *= ratio;
    this.#periodNs = periodOf(this.#adjRate);
  }
}

/** the tick period in whole nanoseconds (my_timespec_from_double truncates) */
function periodOf(rate: number): number {
  return Math.max(1, Math.trunc(NS / rate));
}

/**
 * The tick after `ns`: for a period of a second or more, the next multiple of its whole
 * seconds (nanoseconds zeroed); under a second, the next multiple of the period counted from
 * the start of the current second (calc_next_tick, on a timespec).
 */
export function nextTick(ns: number, periodNs: number): number {
  let sec = Math.floor(ns / NS);
  let nsec = ns - sec * NS;
  const pSec = Math.floor(periodNs / NS);
  const pNsec = periodNs - pSec * NS;
  if (pSec > 0) sec = sec - (sec % pSec) + pSec;
  if (pNsec > 0) nsec = nsec - (nsec % pNsec) + pNsec;
  else nsec = 0;
  return sec * NS + nsec;
}
