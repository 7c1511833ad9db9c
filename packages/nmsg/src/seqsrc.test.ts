import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SEQSRC_MAX_DELTA, SequenceTracker } from "./seqsrc.js";

const A = "127.0.0.1/40000";
const ID = 0x0123456789abcdefn;

/** feed `seqs` from one source; returns the per-container drop counts */
function feed(t: SequenceTracker, seqs: number[], peer = A, id = ID): number[] {
  return seqs.map((s) => t.container(peer, s, id));
}

describe("SequenceTracker (libnmsg input_seqsrc.c)", () => {
  it("an unbroken run loses nothing", () => {
    const t = new SequenceTracker();
    expect(feed(t, [0, 1, 2, 3, 4])).toEqual([0, 0, 0, 0, 0]);
    expect([t.received, t.lost]).toEqual([5, 0]);
  });

  it("a gap counts the containers skipped", () => {
    const t = new SequenceTracker();
    expect(feed(t, [0, 1, 5, 6, 10])).toEqual([0, 0, 3, 0, 3]);
    expect(t.lost).toBe(6);
    expect(t.sources()[0]).toMatchObject({ peer: A, sequenceId: ID, received: 5, lost: 6, restarts: 0, expected: 11 });
  });

  it("a new source starts anywhere without loss", () => {
    const t = new SequenceTracker();
    expect(feed(t, [1000, 1001])).toEqual([0, 0]);
    expect(t.lost).toBe(0);
  });

  it("a swapped pair counts 2 lost and one restart, as libnmsg counts it", () => {
    // 4 skips 3 (1 lost); 3 is behind (a wrap to ~2^32: restart, nothing counted); 5 skips 4 (1 lost)
    const t = new SequenceTracker();
    expect(feed(t, [0, 1, 2, 4, 3, 5, 6])).toEqual([0, 0, 0, 1, 0, 1, 0]);
    expect(t.lost).toBe(2);
    expect(t.sources()[0]?.restarts).toBe(1);
  });

  it("a duplicate counts nothing lost (a restart at the same place)", () => {
    const t = new SequenceTracker();
    expect(feed(t, [0, 1, 1, 2, 3])).toEqual([0, 0, 0, 0, 0]);
    expect(t.lost).toBe(0);
    expect(t.sources()[0]?.restarts).toBe(1);
  });

  it("a sender that restarts with a new sequence id is a new source, nothing lost", () => {
    const t = new SequenceTracker();
    feed(t, [0, 1, 2, 3]);
    expect(feed(t, [0, 1, 2], A, 0xfeedn)).toEqual([0, 0, 0]);
    expect(t.lost).toBe(0);
    expect(t.sources().map((s) => s.sequenceId)).toEqual([ID, 0xfeedn]);
  });

  it("the same sequence id from another port is another source", () => {
    const t = new SequenceTracker();
    feed(t, [0, 1, 2]);
    expect(feed(t, [50, 51], "127.0.0.1/40001")).toEqual([0, 0]);
    expect(feed(t, [3])).toEqual([0]);
    expect(t.sources()).toHaveLength(2);
  });

  it("the sequence wraps at 2^32", () => {
    const t = new SequenceTracker();
    expect(feed(t, [0xfffffffe, 0xffffffff, 0, 1])).toEqual([0, 0, 0, 0]);
    expect(feed(t, [3])).toEqual([1]);
    expect(new SequenceTracker().container(A, 0xffffffff, ID)).toBe(0);
    const w = new SequenceTracker();
    feed(w, [0xfffffffe]);
    expect(w.container(A, 1, ID)).toBe(2); // 0xffffffff and 0 skipped
  });

  it("a gap up to 1048576 is loss; a larger jump restarts the source", () => {
    const t = new SequenceTracker();
    expect(feed(t, [0, 1 + SEQSRC_MAX_DELTA])).toEqual([0, SEQSRC_MAX_DELTA]);
    const u = new SequenceTracker();
    expect(feed(u, [0, 2 + SEQSRC_MAX_DELTA, 3 + SEQSRC_MAX_DELTA])).toEqual([0, 0, 0]);
    expect(u.sources()[0]?.restarts).toBe(1);
  });

  it("containers without sequence fields are received, nothing more", () => {
    const t = new SequenceTracker();
    expect(t.container(A)).toBe(0);
    expect(t.container(A, 5)).toBe(0);
    expect([t.received, t.lost, t.sources().length]).toEqual([2, 0, 0]);
  });

  it("forgets a source silent for 120 s (the gap after it is not counted)", () => {
    let now = 1000;
    const t = new SequenceTracker({ now: () => now });
    feed(t, [0, 1]);
    now += 100;
    expect(feed(t, [5])).toEqual([3]); // still known after 100 s
    now += 121;
    expect(feed(t, [9], "10.0.0.1/1")).toEqual([0]); // the sweep drops A
    expect(feed(t, [20])).toEqual([0]); // A is new again
    expect(t.expired).toBe(1);
    expect(t.lost).toBe(3);
  });

  it("keeps at most maxSources, the least recently seen evicted", () => {
    const t = new SequenceTracker({ maxSources: 2 });
    t.container("a/1", 0, 1n);
    t.container("b/1", 0, 1n);
    t.container("a/1", 1, 1n); // a is now the most recent
    t.container("c/1", 0, 1n); // evicts b
    expect(t.sources().map((s) => s.peer)).toEqual(["a/1", "c/1"]);
    expect(t.expired).toBe(1);
  });

  it("property: in-order delivery with containers dropped counts exactly the ones dropped before the last kept", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.array(fc.boolean(), { minLength: 1, maxLength: 300 }), (start, keep) => {
        const t = new SequenceTracker();
        let kept = 0;
        let first = -1;
        let last = -1;
        keep.forEach((k, i) => {
          if (!k) return;
          t.container(A, (start + i) >>> 0, ID);
          kept++;
          if (first < 0) first = i;
          last = i;
        });
        const expected = kept ? last - first + 1 - kept : 0;
        expect(t.lost).toBe(expected);
        expect(t.received).toBe(kept);
      }),
    );
  });

  it("property: any sequence of containers keeps the counters consistent", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 3 }))),
        (xs) => {
          const t = new SequenceTracker();
          let sum = 0;
          for (const [p, s, id] of xs) sum += t.container(`p/${p}`, s, BigInt(id));
          expect(t.lost).toBe(sum);
          expect(t.received).toBe(xs.length);
          expect(t.sources().reduce((a, s) => a + s.lost, 0)).toBe(sum);
          expect(t.sources().reduce((a, s) => a + s.received, 0)).toBe(xs.length);
        },
      ),
    );
  });
});
