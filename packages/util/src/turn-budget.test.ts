import { describe, expect, it } from "vitest";
import { TurnBudget } from "./turn-budget.js";

const busy = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
};

describe("TurnBudget", () => {
  it("refuses a budget that is not a positive number", () => {
    for (const b of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => new TurnBudget(b)).toThrow(RangeError);
  });

  it("is not spent at a turn's first look, is once the work passed the budget, and fresh again after yield()", async () => {
    const b = new TurnBudget(5);
    expect(b.spent()).toBe(false);
    busy(6);
    expect(b.spent()).toBe(true);
    await b.yield();
    expect(b.spent()).toBe(false);
  });

  it("lets I/O and timers that were due run between the slices of work sharing it", async () => {
    const b = new TurnBudget(1);
    const order: string[] = [];
    const work = async (name: string): Promise<void> => {
      for (let i = 0; i < 5; i++) {
        if (b.spent()) await b.yield();
        busy(2);
        order.push(name);
      }
    };
    // a timer due at once: with one unbroken loop of work it would fire only after all 20 slices
    let firedAfter = -1;
    setTimeout(() => {
      firedAfter = order.length;
    }, 0);
    await Promise.all([work("a"), work("b"), work("c"), work("d")]);
    expect(order).toHaveLength(20);
    expect(firedAfter).toBeGreaterThanOrEqual(0);
    expect(firedAfter).toBeLessThan(20);
    // the four shared the budget: none ran all its slices before another began
    expect(order.slice(0, 5).every((n) => n === order[0])).toBe(false);
  });
});
