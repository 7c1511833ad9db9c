// Quotas against a model: random queries, refunds and clock steps; the decisions, Retry-After
// values and counts must match a plain list of accepted start times filtered by the window.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Quotas } from "../src/auth/quota.js";

type Step = { kind: "query" } | { kind: "refund" } | { kind: "wait"; ms: number };
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: "query" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "refund" as const }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 5000 }).map((ms) => ({ kind: "wait" as const, ms })) },
);

describe("Quotas against a model", () => {
  it("burst and daily decisions match a list of accepted start times", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 10 }),
        fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
        fc.array(step, { maxLength: 300 }),
        (size, window, dailyLimit, steps) => {
          const q = new Quotas();
          let now = Date.parse("2026-12-07T23:59:00Z"); // the day turns during some runs
          const accepted: number[] = []; // model: start times in the burst window
          let used = 0; // model: today's count
          let day = Math.floor(now / 86_400_000);
          let last: number | null = null;
          for (const s of steps) {
            if (s.kind === "wait") {
              now += s.ms;
              continue;
            }
            const today = Math.floor(now / 86_400_000);
            if (today !== day) {
              day = today;
              used = 0;
            }
            const inWindow = accepted.filter((t) => t > now - window * 1000);
            if (s.kind === "refund") {
              if (last !== null) {
                q.refund("k", last);
                if (Math.floor(last / 86_400_000) === day && used > 0) used--;
                const i = accepted.lastIndexOf(last);
                if (i >= 0 && (accepted[i] ?? 0) > now - window * 1000) accepted.splice(i, 1);
                last = null;
              }
              continue;
            }
            const d = q.consume("k", dailyLimit, { size, window }, now);
            if (dailyLimit !== null && used >= dailyLimit) {
              expect(d.ok).toBe(false);
            } else if (inWindow.length >= size) {
              expect(d).toEqual({
                ok: false,
                retryAfter: Math.max(1, Math.ceil(((inWindow[0] ?? 0) + window * 1000 - now) / 1000)),
                reason: "burst limit reached",
              });
            } else {
              expect(d.ok).toBe(true);
              accepted.push(now);
              used++;
              last = now;
            }
            expect(q.usedToday("k", now)).toBe(used);
            expect(q.burstUsed("k", { size, window }, now)).toBe(accepted.filter((t) => t > now - window * 1000).length);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps a large burst window exact (and linear: the head moves, the array is not shifted)", () => {
    const q = new Quotas();
    const burst = { size: 100_000, window: 10 };
    const t0 = 1_000_000_000_000;
    const run = (from: number, n: number, stepMs: number): number => {
      let ok = 0;
      for (let i = 0; i < n; i++) if (q.consume("k", null, burst, from + i * stepMs).ok) ok++;
      return ok;
    };
    // 300000 queries in 3 s: the first 100000 pass
    expect(run(t0, 300_000, 0.01)).toBe(100_000);
    // 10 s after the first: they leave the window one by one as new ones come
    expect(run(t0 + 10_000, 200_000, 0.01)).toBe(100_000);
    expect(q.burstUsed("k", burst, t0 + 10_000 + 2000)).toBe(100_000);
    expect(q.burstUsed("k", burst, t0 + 30_000)).toBe(0);
  });
});
