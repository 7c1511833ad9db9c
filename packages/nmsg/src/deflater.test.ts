import fc from "fast-check";
import pako from "pako";
import { describe, expect, it } from "vitest";
import { Deflater, deflateRoom, nativeDeflate } from "./deflater.js";

describe("zlib containers through the system zlib", () => {
  // setup.sh builds the binding; on CI a missing build must not pass unnoticed
  it.runIf(process.env.CI && process.env.DNSREP_NMSG_ZLIB !== "pako")(
    "is built and loaded on CI, and opens the system zlib (not Node's own)",
    () => {
      const n = nativeDeflate();
      expect(n).not.toBeNull();
      // Node's binary carries Chromium's zlib (its own version number); the binding must not bind to it
      expect(n?.version()).not.toBe(process.versions.zlib);
      expect(n?.version()).toMatch(/^1\.\d+\.\d+/);
    },
  );

  const bodies = fc.oneof(
    fc.uint8Array({ maxLength: 70000 }),
    // container-like data: repeated names and fields with small differences
    fc
      .array(fc.string({ maxLength: 60 }), { maxLength: 800 })
      .map((a) => new TextEncoder().encode(a.map((x, i) => `${x}${i % 17}`).join("\u0000"))),
  );

  it("deflates to exactly pako.deflate's bytes (libnmsg's zlib at its default level), stream after stream", () => {
    const d = new Deflater();
    fc.assert(
      fc.property(bodies, fc.nat(16), (raw, at) => {
        const out = new Uint8Array(at + deflateRoom(raw.length));
        const end = d.deflateInto(raw, out, at);
        expect(Buffer.from(out.subarray(at, end)).equals(Buffer.from(pako.deflate(raw)))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("too little room is an error, not a short stream", () => {
    const raw = new Uint8Array(5000).map((_, i) => (i * 7919) % 251);
    expect(() => new Deflater().deflateInto(raw, new Uint8Array(100), 0)).toThrow(/did not finish/);
  });
});
