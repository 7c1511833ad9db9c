import { describe, expect, it } from "vitest";
import { BindQuerylogParser } from "./bind-querylog.js";
import { UnboundParser } from "./unbound.js";

describe("query logs (no values)", () => {
  it("Unbound: queries and replies counted, never an association", () => {
    const p = new UnboundParser({});
    const lines = [
      "Nov 22 11:07:53 unbound[30501:0] info: 127.0.0.1 example.test. A IN",
      "Nov 22 11:07:53 unbound[30501:0] info: 127.0.0.1 example.test. A IN NOERROR 0.001346 0 57",
      "Nov 22 11:07:50 unbound[30501:0] notice: init module 0: iterator",
      "[1795345673] unbound[30501:0] info: reply: 127.0.0.1 example.test. A IN NOERROR 0.001346 0 57",
      "garbage",
    ];
    expect(lines.flatMap((l) => p.line(l))).toEqual([]);
    expect([p.queries, p.replies, p.rejected.get("unmatched")]).toEqual([1, 2, 1]);
  });

  it("BIND querylog", () => {
    const p = new BindQuerylogParser({});
    p.line("22-Nov-2026 11:08:02.277 client @0x7f79ee4fd098 127.0.0.2#45566 (example.test): query: example.test IN A +E(0)K (127.0.0.2)");
    p.line(
      "22-Nov-2026 11:08:02.277 queries: info: client @0x7f 192.0.2.1#53 (weird\\.dot.test): query: weird\\.dot.test IN A + (192.0.2.53)",
    );
    p.line("nonsense");
    expect([p.queries, p.rejected.get("unmatched")]).toEqual([2, 1]);
  });
});
