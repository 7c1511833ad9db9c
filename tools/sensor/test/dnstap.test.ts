/** nmsg-sensor --dnstap: Frame Streams files and stdin into base/dnsqr, and every kind of bad input as a one-line error. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { ControlType, encodeControl, encodeDnstap, encodeFrameStream, MessageType } from "@dnsrep/dnstap";
import { afterAll, describe, expect, it } from "vitest";
import { readVector, vectorPath } from "../../../test/vectors.js";
import { run } from "../src/nmsg-sensor.js";
import { payloadsOf, sensor } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "nmsg-sensor-dnstap-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const UNBOUND = vectorPath("logs/unbound/unbound.dnstap");

/** a file with a few good frames around damage */
function file(name: string, b: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, b);
  return p;
}

describe("nmsg-sensor --dnstap", () => {
  it("turns every response of a real Unbound dnstap file into a dnsqr payload, with a counters line", async () => {
    const r = await sensor(["--dnstap", UNBOUND]);
    expect(r.rc).toBe(0);
    expect(r.err).toBe(
      "nmsg-sensor: frames=876 payloads=438 bad_frames=0 not_message=0 skipped_type=438 no_response=0 truncated=0 tc=0 no_address=0 oversize=0\n",
    );
    const ps = await payloadsOf(r.out);
    expect(ps).toHaveLength(438);
    expect(ps.every((p) => p.vid === 1 && p.msgtype === 9)).toBe(true);
    // stamped with the response times, which Unbound writes in order
    expect(ps[0]!.timeSec).toBe(1795345673);
  });

  it("reads stdin with '-', and --dnstap-types narrows the types", async () => {
    const r = await sensor(["-q", "--dnstap", "-", "--dnstap-types", "resolver_response"], readVector("logs/unbound/unbound.dnstap"));
    expect([r.rc, r.err]).toEqual([0, ""]);
    expect(await payloadsOf(r.out)).toHaveLength(232);
    const c = await sensor(["-q", "--dnstap", UNBOUND, "-c", "5"]);
    expect(await payloadsOf(c.out)).toHaveLength(5);
  });

  it("refuses bad option combinations with exit 2", async () => {
    for (const argv of [
      ["--dnstap", UNBOUND, "--dnstap-types", "CLIENT_QUERY"],
      ["--dnstap", UNBOUND, "--dnstap-types", "NOPE"],
      ["--dnstap", UNBOUND, "-p", "x.pcap"],
      ["--dnstap", UNBOUND, "--dnstap-unix", "/tmp/x"],
      ["--dnstap", UNBOUND, "--socket-mode", "660"],
      ["--dnstap-unix", "/tmp/x", "--socket-mode", "999"],
      ["--dnstap-tcp", "localhost"],
    ]) {
      const r = await sensor(argv);
      expect(r.rc, argv.join(" ")).toBe(2);
      expect(r.err.split("\n").filter(Boolean), argv.join(" ")).toHaveLength(1);
    }
  });

  const good = (i: number): Uint8Array =>
    encodeDnstap({
      type: 1,
      message: {
        type: MessageType.AUTH_RESPONSE,
        socket_family: 1,
        query_address: Uint8Array.of(10, 0, 0, 1),
        response_address: Uint8Array.of(10, 0, 0, 2),
        response_time_sec: 1000 + i,
        response_message: Uint8Array.of(0, i, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1),
      },
    });

  it("a truncated file: what came before is written, one error line with the offset, exit 1", async () => {
    const whole = encodeFrameStream([good(1), good(2), good(3)]);
    const cut = whole.subarray(0, whole.length - 20);
    const r = await sensor(["--dnstap", file("cut.dnstap", cut)]);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/cut\.dnstap: truncated Frame Streams input: it ends inside a frame at offset \d+\n/);
    expect(r.err).toMatch(/payloads=2 /);
    expect(await payloadsOf(r.out)).toHaveLength(2);
  });

  it("a 4 GB length claim, another content type, garbage: one line each, exit 1, no crash", async () => {
    const start = encodeControl(ControlType.START, ["protobuf:dnstap.Dnstap"]);
    const huge = Uint8Array.from([...start, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]);
    let r = await sensor(["--dnstap", file("huge.dnstap", huge)]);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/huge\.dnstap: data frame of 4294967295 bytes exceeds the maximum of 1048576 at offset 42\n/);
    r = await sensor(["--dnstap", file("other.fstrm", encodeFrameStream([good(1)], "protobuf:other.Type"))]);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/other\.fstrm: content type "protobuf:other\.Type", expected "protobuf:dnstap\.Dnstap" at offset 0/);
    r = await sensor(["--dnstap", file("garbage", new TextEncoder().encode("this is not a frame stream at all\n"))]);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/garbage: .* at offset 0\n/);
  });

  it("a frame that is not a dnstap protobuf is named with its offset; the others are converted", async () => {
    const b = encodeFrameStream([good(1), Uint8Array.of(0x0a, 0x50, 1), good(2)]);
    const r = await sensor(["--dnstap", file("badpb.dnstap", b)]);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/badpb\.dnstap: dnstap protobuf does not decode: a field of 80 bytes runs past the end at offset \d+\n/);
    expect(r.err).toMatch(/frames=3 payloads=2 bad_frames=1 /);
    expect(await payloadsOf(r.out)).toHaveLength(2);
  });

  it("a missing file is one line, exit 1", async () => {
    const r = await sensor(["--dnstap", join(dir, "nope.dnstap")]);
    expect(r.rc).toBe(1);
    expect(r.err).toBe(`nmsg-sensor: ${join(dir, "nope.dnstap")}: no such file\n`);
  });

  it("--stats prints the counters line every SECONDS while a socket listens", async () => {
    const io = memoryIo();
    const ac = new AbortController();
    io.signal = ac.signal;
    const done = runCommand("nmsg-sensor", run, ["--dnstap-unix", join(dir, "stats.sock"), "--stats", "1"], io);
    await new Promise((r) => setTimeout(r, 2300));
    ac.abort();
    expect(await done).toBe(0);
    const lines = io
      .err()
      .split("\n")
      .filter((l) => l);
    // two ticks and the final line
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const l of lines) expect(l).toMatch(/^nmsg-sensor: frames=0 payloads=0 /);
  });

  it("--dnstap-tcp: garbage from one peer is one line naming it, while another sender's frames are all written", async () => {
    const io = memoryIo();
    const ac = new AbortController();
    io.signal = ac.signal;
    const out = join(dir, "tcp.nmsg");
    const done = runCommand("nmsg-sensor", run, ["-v", "--dnstap-tcp", "127.0.0.1:0", "-w", out], io);
    const end = Date.now() + 10_000;
    while (!/listening on/.test(io.err()) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(io.err())![1]);
    // flowing, so that the receiver's FINISH and close are read
    const closed = (s: Socket): Promise<void> => new Promise((r) => s.resume().on("close", () => r()));
    const bad = connect(port, "127.0.0.1");
    bad.on("error", () => {});
    const badClosed = closed(bad);
    bad.write("garbage, not Frame Streams\n");
    const good = connect(port, "127.0.0.1");
    const goodClosed = closed(good);
    const file = readVector("logs/named/named.dnstap");
    good.write(encodeControl(ControlType.READY, ["protobuf:dnstap.Dnstap"]));
    // START, the frames and STOP: the file as it is
    good.write(file);
    await Promise.all([badClosed, goodClosed]);
    ac.abort();
    expect(await done).toBe(0);
    const lines = io
      .err()
      .split("\n")
      .filter((l) => l);
    expect(lines.filter((l) => /^nmsg-sensor: 127\.0\.0\.1:\d+: .* at offset 0$/.test(l))).toHaveLength(1);
    expect(io.err()).toMatch(/frames=544 payloads=272 bad_frames=0 /);
    expect(await payloadsOf(new Uint8Array(readFileSync(out)))).toHaveLength(272);
  });

  it("writes what -w names, same bytes as stdout", async () => {
    const out = join(dir, "u.nmsg");
    const a = await sensor(["-q", "--dnstap", UNBOUND, "-w", out]);
    const b = await sensor(["-q", "--dnstap", UNBOUND]);
    expect(a.rc).toBe(0);
    expect(Buffer.compare(readFileSync(out), b.out)).toBe(0);
  });
});
