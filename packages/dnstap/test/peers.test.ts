/**
 * Against Debian's real dnstap tools: the Go reader (`dnstap -j -r`, golang-github-dnstap-golang-dnstap-cli)
 * prints our JSON form for the vectors and reads files our writer wrote as it reads the originals;
 * fstrm_dump (fstrm-bin) walks our files frame by frame; fstrm_replay (fstrm-bin) sends the vector
 * files to our receiver over UNIX and TCP sockets with the bidirectional handshake, several at
 * once, beside senders that send garbage or hang up mid-frame. Without the tools these tests
 * are skipped, except on CI (CI=true), where they fail.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readVector, vectorPath } from "../../../test/vectors.js";
import {
  ControlType,
  DNSTAP_CONTENT_TYPE,
  decodeDnstap,
  dnstapToJson,
  encodeControl,
  encodeDnstap,
  FrameStreamReader,
  FrameStreamWriter,
  FstrmReceiver,
} from "../src/index.js";

const have = (b: string): boolean => spawnSync("sh", ["-c", `command -v ${b}`]).status === 0;
const ci = Boolean(process.env.CI);
const goDnstap = have("dnstap");
const fstrm = have("fstrm_dump") && have("fstrm_replay");
if (!goDnstap || !fstrm)
  console.warn("peers.test: install golang-github-dnstap-golang-dnstap-cli and fstrm-bin for the dnstap cross-checks");
const dir = mkdtempSync(join(tmpdir(), "dnstap-peers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FILES = ["unbound/unbound.dnstap", "named/named.dnstap"];

function framesOf(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const r = new FrameStreamReader((f) => out.push(f.slice()));
  r.push(b);
  r.end();
  return out;
}

function goJson(file: string): Record<string, any>[] {
  const r = spawnSync("dnstap", ["-j", "-r", file], { encoding: "utf8", timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout
    .split("\n")
    .filter((l) => l)
    .map((l) => JSON.parse(l));
}

describe.skipIf(!goDnstap && !ci)("Go dnstap -j -r", () => {
  it.each(FILES)("%s: every message's fields as we print them (DNS message texts aside)", (rel) => {
    const theirs = goJson(vectorPath(`logs/${rel}`));
    const ours = framesOf(readVector(`logs/${rel}`)).map((f) => dnstapToJson(decodeDnstap(f)));
    expect(ours.length).toBe(theirs.length);
    const strip = (o: Record<string, any>): Record<string, any> => {
      const m = { ...o.message };
      delete m.query_message;
      delete m.response_message;
      return { ...o, message: m, texts: Object.keys(o.message).filter((k) => k.endsWith("_message")) };
    };
    for (const [i, o] of ours.entries()) expect(strip(o), `message ${i}`).toEqual(strip(theirs[i]!));
  });

  it.each(FILES)("%s: re-encoded by our encoder and writer, reads the same", async (rel) => {
    const out = join(dir, `${rel.replace("/", "-")}.rewritten`);
    const parts: Uint8Array[] = [];
    const w = new FrameStreamWriter((c) => void parts.push(c));
    for (const f of framesOf(readVector(`logs/${rel}`))) await w.write(encodeDnstap(decodeDnstap(f)));
    await w.close();
    writeFileSync(out, Buffer.concat(parts));
    expect(goJson(out)).toEqual(goJson(vectorPath(`logs/${rel}`)));
  });
});

describe.skipIf(!fstrm && !ci)("fstrm-bin", () => {
  it("fstrm_dump walks a file our writer wrote: START with the content type, every frame, STOP", async () => {
    const frames = framesOf(readVector("logs/named/named.dnstap"));
    const parts: Uint8Array[] = [];
    const w = new FrameStreamWriter((c) => void parts.push(c));
    for (const f of frames) await w.write(f);
    await w.close();
    const out = join(dir, "ours.fstrm");
    writeFileSync(out, Buffer.concat(parts));
    const r = spawnSync("fstrm_dump", [out], { encoding: "latin1", timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    // the frame headers go to stderr, the frames' bytes to stdout
    const text = r.stderr;
    expect(r.stdout.split("\n").filter((l) => l)).toHaveLength(frames.length);
    expect(text).toMatch(/^FSTRM_CONTROL_START\.\nFSTRM_CONTROL_FIELD_CONTENT_TYPE \(22 bytes\)\.\n "protobuf:dnstap\.Dnstap"\n/);
    expect(text.match(/^Data frame \(\d+\) bytes\.$/gm)!.map((l) => Number(/\d+/.exec(l)![0]))).toEqual(frames.map((f) => f.length));
    expect(text).toMatch(/FSTRM_CONTROL_STOP\.\n$/);
  });

  /** run fstrm_replay; resolves with its exit status */
  function replay(args: string[]): Promise<number> {
    return new Promise((resolve, reject) => {
      const p: ChildProcess = spawn("fstrm_replay", ["-t", DNSTAP_CONTENT_TYPE, ...args], { stdio: "ignore" });
      const t = setTimeout(() => p.kill(), 20_000);
      p.on("error", reject);
      p.on("exit", (code) => {
        clearTimeout(t);
        resolve(code ?? -1);
      });
    });
  }

  /** a receiver collecting frames and error lines per peer */
  function receiver(): { rx: FstrmReceiver; frames: Uint8Array[]; errors: string[]; closed: () => number } {
    const frames: Uint8Array[] = [];
    const errors: string[] = [];
    let closed = 0;
    const rx = new FstrmReceiver({
      data: (f) => void frames.push(f.slice()),
      error: (peer, msg) => void errors.push(`${peer}: ${msg}`),
      closed: () => void closed++,
    });
    return { rx, frames, errors, closed: () => closed };
  }

  async function until(cond: () => boolean, ms = 15_000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error("timed out");
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it("fstrm_replay → our UNIX socket receiver (with --socket-mode): every frame of the file", async () => {
    const { rx, frames, errors, closed } = receiver();
    const path = join(dir, "dnstap.sock");
    await rx.listen({ path, mode: 0o660 });
    expect(statSync(path).mode & 0o777).toBe(0o660);
    try {
      expect(await replay(["-u", path, "-r", vectorPath("logs/unbound/unbound.dnstap")])).toBe(0);
      await until(() => closed() === 1);
      expect(errors).toEqual([]);
      expect(frames.map((f) => Buffer.from(f).toString("hex"))).toEqual(
        framesOf(readVector("logs/unbound/unbound.dnstap")).map((f) => Buffer.from(f).toString("hex")),
      );
    } finally {
      await rx.close();
    }
  });

  it("many senders at once over TCP, beside garbage and a sender that hangs up mid-frame: the good ones all arrive", async () => {
    const { rx, frames, errors, closed } = receiver();
    await rx.listen({ host: "127.0.0.1", port: 0 });
    const port = String(rx.port);
    try {
      // garbage: not a control frame
      const g = connect(rx.port, "127.0.0.1");
      g.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
      // a proper handshake, START, then half a frame and a hang-up
      const h = connect(rx.port, "127.0.0.1");
      h.write(encodeControl(ControlType.READY, [DNSTAP_CONTENT_TYPE]));
      h.write(encodeControl(ControlType.START, [DNSTAP_CONTENT_TYPE]));
      h.write(Uint8Array.of(0, 0, 0, 50, 1, 2, 3));
      setTimeout(() => h.end(), 200);
      const u = vectorPath("logs/unbound/unbound.dnstap");
      const n = vectorPath("logs/named/named.dnstap");
      const codes = await Promise.all([
        replay(["-a", "127.0.0.1", "-p", port, "-r", u]),
        replay(["-a", "127.0.0.1", "-p", port, "-r", n]),
        replay(["-a", "127.0.0.1", "-p", port, "-r", u]),
      ]);
      expect(codes).toEqual([0, 0, 0]);
      await until(() => closed() === 5);
      const want = 2 * framesOf(readVector("logs/unbound/unbound.dnstap")).length + framesOf(readVector("logs/named/named.dnstap")).length;
      expect(frames.length).toBe(want);
      expect(errors).toHaveLength(2);
      expect(errors.some((e) => /^127\.0\.0\.1:\d+: .*at offset 0$/.test(e))).toBe(true);
      expect(errors.some((e) => /^127\.0\.0\.1:\d+: connection closed inside a frame at offset \d+$/.test(e))).toBe(true);
    } finally {
      await rx.close();
    }
  });
});
