/** FstrmReceiver over TCP with a hand-made sender: the handshake replies, backpressure, and a READY offering another content type. */
import { connect, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { readVector } from "../../../test/vectors.js";
import { ControlType, DNSTAP_CONTENT_TYPE, decodeControl, encodeControl, FstrmReceiver } from "../src/index.js";

async function until(cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** a connected sender and what the receiver sent back to it */
async function sender(port: number): Promise<{ s: Socket; got: () => Buffer }> {
  const s = connect(port, "127.0.0.1");
  const parts: Buffer[] = [];
  s.on("data", (c: Buffer) => void parts.push(c));
  s.on("error", () => {});
  await new Promise<void>((r) => s.once("connect", () => r()));
  return { s, got: () => Buffer.concat(parts) };
}

describe("FstrmReceiver", () => {
  it("answers READY with ACCEPT and STOP with FINISH; a paused consumer pauses the sender, then everything arrives", async () => {
    // the vector file's frames sent 20 times over (3 MB), after a READY
    const file = readVector("logs/unbound/unbound.dnstap");
    const body = file.subarray(42, file.length - 12);
    let frames = 0;
    const events: string[] = [];
    let release: (() => void) | undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const rx = new FstrmReceiver({
      data: () => {
        frames++;
        // the first frame holds the line until the test lets go
        return frames === 1 ? gate : undefined;
      },
      error: (peer, msg) => {
        throw new Error(`${peer}: ${msg}`);
      },
      connected: () => void events.push("connected"),
      started: () => void events.push(`started after ${frames} frames`),
      closed: (_peer, n, finished) => void events.push(`closed ${n} ${finished}`),
    });
    await rx.listen({ host: "127.0.0.1", port: 0 });
    try {
      const { s, got } = await sender(rx.port);
      s.write(encodeControl(ControlType.READY, ["other", DNSTAP_CONTENT_TYPE]));
      // ACCEPT: escape, length, type, one content-type field: 42 bytes
      await until(() => got().length >= 42);
      expect(decodeControl(got().subarray(8, 42))).toEqual({ type: ControlType.ACCEPT, contentTypes: [DNSTAP_CONTENT_TYPE] });
      s.write(encodeControl(ControlType.START, [DNSTAP_CONTENT_TYPE]));
      for (let i = 0; i < 20; i++) s.write(body);
      s.write(encodeControl(ControlType.STOP));
      await new Promise((r) => setTimeout(r, 300));
      // paused after the first chunk: far from all 20 × 876 frames
      expect(frames).toBeLessThan(20 * 876);
      release!();
      await until(() => frames === 20 * 876);
      // FINISH after it: escape, length, type
      await until(() => got().length >= 54);
      expect(decodeControl(got().subarray(50, 54))).toEqual({ type: ControlType.FINISH, contentTypes: [] });
      s.destroy();
      await until(() => events.length === 3);
      expect(events).toEqual(["connected", "started after 0 frames", `closed ${20 * 876} true`]);
    } finally {
      await rx.close();
    }
  });

  it("a READY offering only other content types is refused with an error naming the peer", async () => {
    const errors: string[] = [];
    const rx = new FstrmReceiver({ data: () => undefined, error: (peer, msg) => void errors.push(`${peer}: ${msg}`) });
    await rx.listen({ host: "127.0.0.1", port: 0 });
    try {
      const { s } = await sender(rx.port);
      s.write(encodeControl(ControlType.READY, ["protobuf:other.Type"]));
      await until(() => errors.length === 1);
      expect(errors[0]).toMatch(/^127\.0\.0\.1:\d+: sender offers "protobuf:other\.Type", not "protobuf:dnstap\.Dnstap" at offset 0$/);
      s.destroy();
    } finally {
      await rx.close();
    }
  });
});
