/**
 * UDP loss accounting and pacing over 127.0.0.1: a paced -s loses nothing and the listener says
 * so; containers dropped on purpose by a test sender are counted exactly, per sender; reordered
 * and restarted sequences are counted as libnmsg counts them; bad ,RATE,FREQ forms are usage errors.
 */
import { spawn } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { memoryIo, runCommand } from "@dnsrep/cli";
import {
  containerHeader,
  encodeNmsg,
  encodePayload,
  type NmsgPayload,
  NmsgWriter,
  payloadCrc,
  RateLimiter,
  readPayloads,
} from "@dnsrep/nmsg";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../../test/run-tool.js";
import { readVector, vectorsDir } from "../../../test/vectors.js";
import { run } from "../src/nmsg-tool.js";

const dir = mkdtempSync(join(tmpdir(), "nmsg-tool-udp-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function tool(argv: string[]): Promise<{ rc: number; err: string; ms: number }> {
  const prev = process.cwd();
  process.chdir(vectorsDir);
  const t0 = performance.now();
  try {
    const io = memoryIo();
    const rc = await runCommand("nmsg-tool", run, argv, io);
    return { rc, err: io.err(), ms: performance.now() - t0 };
  } finally {
    process.chdir(prev);
  }
}

async function udpSocket(): Promise<Socket> {
  const s = createSocket("udp4");
  await new Promise<void>((res) => s.bind(0, "127.0.0.1", res));
  return s;
}

/** a port free on 127.0.0.1 right now (bound and released) */
async function freePort(): Promise<number> {
  const s = await udpSocket();
  const { port } = s.address();
  await new Promise<void>((res) => s.close(() => res()));
  return port;
}

const sendTo = (s: Socket, port: number, b: Uint8Array): Promise<void> =>
  new Promise((res, rej) => s.send(b, port, "127.0.0.1", (e) => (e ? rej(e) : res())));

async function vectorPayloads(): Promise<NmsgPayload[]> {
  const out: NmsgPayload[] = [];
  for await (const p of readPayloads(Readable.from([readVector("nmsg/dnsqr.nmsg")]))) out.push(p);
  return out;
}

async function payloadsIn(file: string): Promise<number> {
  let n = 0;
  for await (const _ of readPayloads(Readable.from([readFileSync(file)]))) n++;
  return n;
}

/** start a listener that stops after `count` payloads (or 20 s), and let it bind; `done` is its end */
async function listen(
  port: number,
  count: number,
  out: string,
  extra: string[] = [],
): Promise<{ done: Promise<{ rc: number; err: string }> }> {
  const done = tool(["-l", `127.0.0.1/${port}`, "-c", String(count), "-t", "20", "-w", out, ...extra]).then(({ rc, err }) => ({ rc, err }));
  await new Promise((r) => setTimeout(r, 300));
  return { done };
}

describe("paced UDP output (-s ADDR/PORT,RATE,FREQ)", () => {
  it("a paced send over loopback loses nothing, and the listener's counters say so", async () => {
    const port = await freePort();
    const out = join(dir, "paced.nmsg");
    const recv = await listen(port, 560, out);
    // 560 datagrams (one payload each) at 2000 a second
    const sent = await tool(["-r", "nmsg/dnsqr.nmsg", "-s", `127.0.0.1/${port},2000,10`, "--unbuffered"]);
    expect(sent.rc).toBe(0);
    // pacing held it back: about 559 ticks of 0.5 ms at least (a lower bound only, a busy machine is
    // slower; less 20 % for the rate correction, which may run above 2000/s for a while after a slow start)
    expect(sent.ms).toBeGreaterThanOrEqual(559 * 0.5 * 0.8);
    const got = await recv.done;
    expect(got.rc).toBe(0);
    expect(got.err).toBe("nmsg-tool: in=560 payloads=560 container_recvs=560 container_drops=0\n");
    expect(await payloadsIn(out)).toBe(560);
  }, 30_000);

  it("buffered containers fragmented by a small --mtu arrive whole: one sequence number per container", async () => {
    const port = await freePort();
    const out = join(dir, "paced-frag.nmsg");
    const recv = await listen(port, 560, out);
    const sent = await tool(["-r", "nmsg/dnsqr.nmsg", "-s", `127.0.0.1/${port},4000`, "--mtu", "512"]);
    expect(sent.rc).toBe(0);
    const got = await recv.done;
    expect(got.rc).toBe(0);
    expect(got.err).toMatch(/^nmsg-tool: in=560 payloads=560 container_recvs=\d+ container_drops=0\n$/);
    expect(await payloadsIn(out)).toBe(560);
  }, 30_000);

  it("--writetcp takes the same suffix", async () => {
    const port = await freePort();
    const out = join(dir, "paced-tcp.nmsg");
    const recv = tool(["--readtcp", `127.0.0.1/${port}`, "-c", "560", "-t", "20", "-w", out]);
    await new Promise((r) => setTimeout(r, 300));
    const sent = await tool(["-r", "nmsg/dnsqr.nmsg", "--writetcp", `127.0.0.1/${port},5000,20`, "--unbuffered"]);
    expect(sent.rc).toBe(0);
    expect(sent.ms).toBeGreaterThanOrEqual(559 * 0.2 * 0.8);
    const got = await recv;
    expect(got.rc).toBe(0);
    expect(got.err).toBe("nmsg-tool: in=560 payloads=560 container_recvs=560 container_drops=0\n");
  }, 30_000);

  it("bad ,RATE,FREQ forms are one-line usage errors, exit 2", async () => {
    for (const [flag, spec, msg] of [
      ["-s", "127.0.0.1/8430,0", /^nmsg-tool: -s RATE: must be between 1 and 4294967295\n$/],
      ["-s", "127.0.0.1/8430,fast", /^nmsg-tool: -s RATE: not an integer: "fast"\n$/],
      ["-s", "127.0.0.1/8430,100,0", /^nmsg-tool: -s FREQ: must be between 1 and 4294967295\n$/],
      ["-s", "127.0.0.1/8430,100,10,5", /^nmsg-tool: -s: expected ADDR\/PORT\[,RATE\[,FREQ\]\], got 127\.0\.0\.1\/8430,100,10,5\n$/],
      ["--writetcp", "127.0.0.1/8430,", /^nmsg-tool: --writetcp RATE: not an integer: ""\n$/],
    ] as const) {
      const r = await tool(["-r", "nmsg/dnsqr.nmsg", flag, spec]);
      expect(r.rc, spec).toBe(2);
      expect(r.err, spec).toMatch(msg);
    }
  });
});

describe("lost containers counted per sender from sequence numbers (libnmsg's seqsrc)", () => {
  it("containers a sender drops on purpose are reported exactly: counters line and a line for the sender", async () => {
    const port = await freePort();
    const out = join(dir, "lossy.nmsg");
    const pls = await vectorPayloads();
    const drop = new Set([5, 17, 18, 300, 301, 302, 303]);
    const recv = await listen(port, pls.length - drop.size, out);
    const s = await udpSocket();
    const sport = s.address().port;
    // the sender is paced so the kernel drops nothing: every loss is one of ours
    const pace = new RateLimiter(3000, 10);
    let k = 0;
    const w = new NmsgWriter(
      async (c) => {
        if (!drop.has(k++)) await sendTo(s, port, c);
        await pace.wait();
      },
      { unbuffered: true, bufsz: 1280, sequence: true },
    );
    for (const p of pls) await w.write(p);
    await w.close();
    s.close();
    const got = await recv.done;
    expect(got.rc).toBe(0);
    const lines = got.err.split("\n");
    expect(lines[0]).toBe(`nmsg-tool: in=553 payloads=553 container_recvs=553 container_drops=7`);
    expect(lines[1]).toMatch(
      new RegExp(`^nmsg-tool: 127\\.0\\.0\\.1/${sport} \\(sequence id [0-9a-f]{16}\\): 7 containers lost, 553 received$`),
    );
    expect(lines.slice(2)).toEqual([""]);
    expect(await payloadsIn(out)).toBe(553);
  }, 30_000);

  it("-q keeps the counters and loss lines off stderr; -v adds the receive buffer granted", async () => {
    const port = await freePort();
    const recv = await listen(port, 3, join(dir, "quiet.nmsg"), ["-q"]);
    const s = await udpSocket();
    const pls = (await vectorPayloads()).slice(0, 3);
    for (const [i, seq] of [0, 2, 3].entries()) await sendTo(s, port, container(pls[i] as NmsgPayload, seq, 7n));
    expect(await recv.done).toEqual({ rc: 0, err: "" });
    const port2 = await freePort();
    const recv2 = await listen(port2, 1, join(dir, "verbose.nmsg"), ["-v"]);
    await sendTo(s, port2, container(pls[0] as NmsgPayload, 0, 7n));
    s.close();
    const got = await recv2.done;
    expect(got.rc).toBe(0);
    expect(got.err).toMatch(
      new RegExp(
        `^nmsg-tool: -l 127\\.0\\.0\\.1/${port2}: receive buffer \\d+ bytes \\(asked 16777216; net\\.core\\.rmem_max caps it\\)\\n` +
          "nmsg-tool: in=1 payloads=1 container_recvs=1 container_drops=0\\n$",
      ),
    );
  }, 30_000);

  it("reordered, restarted and interleaved senders are counted as libnmsg counts them", async () => {
    const port = await freePort();
    const pls = (await vectorPayloads()).slice(0, 20);
    // [sender, sequence id, sequence]
    const plan: [number, bigint, number][] = [
      // sender 0: a swapped pair (4 before 3): 4 skips 3 (1 lost), 3 is behind (a restart, nothing
      // counted), 5 skips 4 (1 lost)
      [0, 0xan, 0],
      [0, 0xan, 1],
      [0, 0xan, 2],
      [0, 0xan, 4],
      [0, 0xan, 3],
      [0, 0xan, 5],
      // sender 0 restarts: a new random sequence id is a new source, nothing lost
      [0, 0xbn, 0],
      [0, 0xbn, 1],
      // sender 1 (another port) with the same sequence id: its own source, starting anywhere
      [1, 0xbn, 1000],
      [1, 0xbn, 1001],
      // sender 0, the first sequence again (still known): 6 and 7 lost
      [0, 0xan, 8],
      // a duplicate: a restart, nothing lost
      [0, 0xan, 8],
      // sender 1 skips 1002..1004
      [1, 0xbn, 1005],
      // sender 0, the second sequence id: an unbroken run
      [0, 0xbn, 2],
      // wraparound is no gap; a jump past 2^20 restarts, counting nothing
      [1, 0xcn, 0xffffffff],
      [1, 0xcn, 0],
      [1, 0xcn, 2_000_000],
      [1, 0xcn, 2_000_001],
    ];
    const out = join(dir, "reorder.nmsg");
    const recv = await listen(port, plan.length, out);
    const socks = [await udpSocket(), await udpSocket()];
    for (const [i, [sender, id, seq]] of plan.entries()) {
      await sendTo(socks[sender] as Socket, port, container(pls[i] as NmsgPayload, seq, id));
      // loopback keeps order; a short pause keeps the receive buffer from overflowing
      await new Promise((r) => setTimeout(r, 2));
    }
    const [p0, p1] = socks.map((s) => s.address().port);
    for (const s of socks) s.close();
    const got = await recv.done;
    expect(got.rc).toBe(0);
    expect(got.err.split("\n")).toEqual([
      `nmsg-tool: in=${plan.length} payloads=${plan.length} container_recvs=${plan.length} container_drops=7`,
      `nmsg-tool: 127.0.0.1/${p0} (sequence id 000000000000000a): 4 containers lost, 8 received, 2 restarts (reordered, duplicated or jumped)`,
      `nmsg-tool: 127.0.0.1/${p1} (sequence id 000000000000000b): 3 containers lost, 3 received`,
      "",
    ]);
  }, 30_000);
});

describe("real loss in the kernel (the built binary, stopped while a sender floods it)", () => {
  it("every container sent is either received or counted lost: container_recvs + container_drops = sent", async () => {
    const port = await freePort();
    const child = spawn(
      join(repoRoot, "node_modules", ".bin", "nmsg-tool"),
      ["-l", `127.0.0.1/${port}`, "-w", "/dev/null", "-t", "120", "-v"],
      {
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let err = "";
    child.stderr.on("data", (b: Buffer) => {
      err += b.toString();
    });
    const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
    try {
      // -v says when the socket is bound
      for (let i = 0; i < 200 && !err.includes("receive buffer"); i++) await new Promise((r) => setTimeout(r, 50));
      expect(err).toMatch(/receive buffer \d+ bytes/);
      const granted = Number(/receive buffer (\d+) bytes/.exec(err)?.[1]);
      const pls = await vectorPayloads();
      const s = await udpSocket();
      const sport = s.address().port;
      let sent = 0;
      const w = new NmsgWriter(
        async (c) => {
          sent++;
          await sendTo(s, port, c);
        },
        { unbuffered: true, bufsz: 1280, sequence: true },
      );
      // the listener cannot read while stopped: more than its receive buffer holds is dropped by the kernel
      child.kill("SIGSTOP");
      let bytes = 0;
      for (let i = 0; bytes < 4 * granted + (8 << 20); i++) {
        const p = pls[i % pls.length] as NmsgPayload;
        bytes += p.payload.length + 64;
        await w.write(p);
      }
      child.kill("SIGCONT");
      await new Promise((r) => setTimeout(r, 500));
      // a paced tail after the flood, so the gap before it is seen (a loss after a sender's last container cannot be)
      for (let i = 0; i < 3; i++) {
        await w.write(pls[i] as NmsgPayload);
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 500));
      s.close();
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      const m = /container_recvs=(\d+) container_drops=(\d+)\n/.exec(err);
      expect(m).not.toBeNull();
      const [recvs, drops] = [Number(m?.[1]), Number(m?.[2])];
      expect(recvs + drops).toBe(sent);
      expect(drops).toBeGreaterThan(0);
      expect(err).toContain(`127.0.0.1/${sport} (sequence id `);
      expect(err).toContain(`: ${drops} containers lost, ${recvs} received`);
    } finally {
      child.kill("SIGKILL");
    }
  }, 60_000);
});

/** one container holding payload `p`, stamped with a sequence number and id as a socket output stamps it */
function container(p: NmsgPayload, sequence: number, sequenceId: bigint): Uint8Array {
  const body = encodeNmsg([encodePayload(p)], [payloadCrc(p.payload)], { sequence, sequenceId });
  const c = new Uint8Array(10 + body.length);
  c.set(containerHeader(0, body.length));
  c.set(body, 10);
  return c;
}
