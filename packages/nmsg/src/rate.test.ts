import { describe, expect, it } from "vitest";
import { nextTick, type RateClock, RateLimiter, realClock } from "./rate.js";

/** a clock that only moves when slept on (plus `cost` ns per event, the sender's own work) */
function fakeClock(start: number): RateClock & { t: number; sleeps: number } {
  const c = {
    t: start,
    sleeps: 0,
    now: () => c.t,
    sleepUntil: async (ns: number) => {
      c.sleeps++;
      if (ns > c.t) c.t = ns;
    },
  };
  return c;
}

async function events(r: RateLimiter, n: number, clock: { t: number }, costNs = 0): Promise<number[]> {
  const at: number[] = [];
  for (let i = 0; i < n; i++) {
    at.push(clock.t);
    clock.t += costNs;
    await r.wait();
  }
  return at;
}

describe("nextTick (libmy calc_next_tick)", () => {
  it("rounds up to the next multiple of the period within the second", () => {
    expect(nextTick(5_000_000_000 + 250_000_000, 100_000_000)).toBe(5_300_000_000);
    expect(nextTick(5_000_000_000 + 300_000_000, 100_000_000)).toBe(5_400_000_000);
    // a period that does not divide a second restarts at each second
    expect(nextTick(7_000_000_000 + 999_000_000, 300_000_000)).toBe(8_200_000_000);
    // a period of whole seconds: the next multiple of them, nanoseconds zeroed
    expect(nextTick(7_500_000_000, 1_000_000_000)).toBe(8_000_000_000);
    expect(nextTick(7_500_000_000, 2_000_000_000)).toBe(8_000_000_000);
  });
});

describe("RateLimiter (libnmsg nmsg_rate / my_rate)", () => {
  it("rejects a rate below 1 and a negative freq", () => {
    expect(() => new RateLimiter(0)).toThrow(RangeError);
    expect(() => new RateLimiter(1.5)).toThrow(RangeError);
    expect(() => new RateLimiter(10, -1)).toThrow(RangeError);
  });

  it("each event waits for the next tick of a rate-per-second clock", async () => {
    const clock = fakeClock(3_000_000_000 + 40_000_000);
    const r = new RateLimiter(10, 0, clock);
    const at = await events(r, 6, clock);
    // the first event happens at once; each then waits for the next 100 ms tick
    expect(at).toEqual([3_040_000_000, 3_100_000_000, 3_200_000_000, 3_300_000_000, 3_400_000_000, 3_500_000_000]);
    expect(clock.t).toBe(3_600_000_000);
  });

  it("a late event is not made up: the next tick is counted from when it ended", async () => {
    const clock = fakeClock(0);
    const r = new RateLimiter(10, 0, clock);
    await r.wait(); // t=0 → sleeps to 100 ms
    clock.t += 350_000_000; // the sender was busy: 450 ms
    const before = clock.sleeps;
    expect(r.wait()).toBeUndefined(); // the 200 ms tick has passed: no wait, no promise
    expect(clock.sleeps).toBe(before);
    await r.wait(); // waits for 500 ms, not 300
    expect(clock.t).toBe(500_000_000);
  });

  it("every freq events after the first freq, the rate is nudged by at most 1 % toward the nominal average", async () => {
    const clock = fakeClock(0);
    // each event costs 150 ms of work at a nominal 10/s: the average falls behind, so the
    // working rate rises 1 % at each check (events 20, 30, …)
    const r = new RateLimiter(10, 10, clock);
    await events(r, 19, clock, 150_000_000);
    expect(r.adjustedRate).toBe(10);
    await events(r, 1, clock, 150_000_000);
    expect(r.adjustedRate).toBeCloseTo(10.1, 10);
    await events(r, 10, clock, 150_000_000);
    expect(r.adjustedRate).toBeCloseTo(10.201, 10);
  });

  it("a sender ahead of the nominal rate has its working rate lowered, never below 99 % a step", async () => {
    const clock = fakeClock(0);
    const r = new RateLimiter(1000, 5, clock);
    // events cost nothing and sleeping is exact, so the first event (no wait before it) keeps the
    // lifetime average above 1000/s: at the first check (event 10: 10 events in 9 ms, 1111/s)
    // the working rate falls by the clamp's 1 %, and it only falls, at most 1 % a check (19 checks)
    await events(r, 10, clock);
    expect(r.adjustedRate).toBeCloseTo(990, 10);
    await events(r, 90, clock);
    expect(r.adjustedRate).toBeLessThan(990);
    expect(r.adjustedRate).toBeGreaterThanOrEqual(1000 * 0.99 ** 19 - 1e-9);
  });

  it("above 1000 a second, events within 1 ms of their tick run ahead and sleep a whole millisecond together", async () => {
    const clock = fakeClock(0);
    const r = new RateLimiter(10000, 0, clock);
    const at = await events(r, 1000, clock);
    // ticks every 100 µs: ten events, then one sleep to the tick 1 ms ahead
    expect(clock.sleeps).toBe(100);
    expect(clock.t).toBe(100_000_000);
    expect(at.slice(0, 12)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1_000_000, 1_000_000]);
  });

  it("with minSleepNs 0 every event waits for its own tick, as libnmsg's clock_nanosleep does", async () => {
    const clock = fakeClock(0);
    const r = new RateLimiter(10000, 0, clock, 0);
    const at = await events(r, 5, clock);
    expect(clock.sleeps).toBe(5);
    expect(at).toEqual([0, 100_000, 200_000, 300_000, 400_000]);
  });

  it("holds a real sender to the rate: n events take at least about (n - 1) / rate seconds", async () => {
    for (const [rate, n] of [
      [200, 40],
      [20000, 2000],
    ] as const) {
      // no rate correction (freq 0): the schedule alone, which never runs more than 1 ms ahead
      const r = new RateLimiter(rate, 0, realClock);
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await r.wait();
      // a lower bound only (sleeps cannot be shorter; at most 1 ms runs ahead); a busy machine makes it longer
      expect(performance.now() - t0).toBeGreaterThanOrEqual(((n - 1) / rate) * 1000 - 1.5);
    }
  }, 10_000);
});
