/** readNmsgInputs on a stdin that a signal stops mid-container: a stop, not a truncated input. */
import { PassThrough, Readable } from "node:stream";
import { CliError, memoryIo } from "@dnsrep/cli";
import { type NmsgPayload, readPayloadBatches } from "@dnsrep/nmsg";
import { describe, expect, it } from "vitest";
import { readVector } from "../../../test/vectors.js";
import { readNmsgInputs } from "./index.js";

const seed = readVector("nmsg/dnsqr.bufsz4096.nmsg");

/** Payloads in the containers that end at or before `cut` (each container read on its own). */
async function payloadsBefore(cut: number): Promise<number> {
  let n = 0;
  for (let at = 0; at < seed.length; ) {
    const end = at + 10 + new DataView(seed.buffer, seed.byteOffset + at + 6, 4).getUint32(0);
    if (end > cut) break;
    for await (const b of readPayloadBatches(Readable.from([seed.subarray(at, end)]))) n += b.length;
    at = end;
  }
  return n;
}

describe("readNmsgInputs stopped by a signal", () => {
  it("a stdin cut inside a container and left open: the whole containers are handed over, then it ends without an error", async () => {
    const cut = Math.floor(seed.length * 0.6);
    const stdin = new PassThrough();
    stdin.write(seed.subarray(0, cut)); // then nothing more, and no end
    const io = memoryIo();
    io.stdin = stdin;
    const ac = new AbortController();
    io.signal = ac.signal;
    const got: NmsgPayload[] = [];
    const done = readNmsgInputs({ readnmsg: ["-"] }, io, "t", (p) => {
      got.push(p);
      return true;
    });
    setTimeout(() => ac.abort(), 100);
    await done;
    expect(io.err()).toBe("");
    expect(got.length).toBe(await payloadsBefore(cut));
    expect(got.length).toBeGreaterThan(0);
  });

  it("a signal that came before the reading started (while the tool opened its outputs) still stops a stdin left open", async () => {
    const stdin = new PassThrough();
    stdin.write(seed);
    const io = memoryIo();
    io.stdin = stdin;
    io.signal = AbortSignal.abort();
    let n = 0;
    await readNmsgInputs({ readnmsg: ["-"] }, io, "t", () => {
      n++;
      return true;
    });
    expect(n).toBe(0);
    expect(io.err()).toBe("");
  });

  it("the same cut at the end of the input, with no signal, is a truncated input", async () => {
    const cut = Math.floor(seed.length * 0.6);
    const io = memoryIo(seed.subarray(0, cut));
    const err = await readNmsgInputs({ readnmsg: ["-"] }, io, "t", () => true).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as Error).message).toMatch(/^-: truncated container \(\d+ bytes left over\) at offset \d+$/);
  });
});
