/**
 * nmsg-sensor receiving dnstap live: Debian's fstrm_replay sending a vector file to
 * --dnstap-unix, and a real Unbound (loopback only: its root hints name a tiny authoritative
 * stub written here, on a 127.x.y.z address) sending its dnstap while it resolves a handful of
 * names. The run ends with the abort signal SIGTERM fires, and everything received is written.
 * Without fstrm-bin / unbound (or, for Unbound, without the right to bind port 53) these tests
 * are skipped, except on CI (CI=true), where they fail.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { decodeDnsQR, type NmsgPayload, readPayloads } from "@dnsrep/nmsg";
import { ipv4ToString, nameFromString, nameToString, parseMessage } from "@dnsrep/wdns";
import { afterAll, describe, expect, it } from "vitest";
import { vectorPath } from "../../../test/vectors.js";
import { run } from "../src/nmsg-sensor.js";

const have = (b: string): boolean => spawnSync("sh", ["-c", `command -v ${b}`]).status === 0;
const ci = Boolean(process.env.CI);
const dir = mkdtempSync(join(tmpdir(), "nmsg-sensor-live-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function payloadsOf(file: string): Promise<NmsgPayload[]> {
  const out: NmsgPayload[] = [];
  const b = new Uint8Array(readFileSync(file));
  for await (const p of readPayloads(
    (async function* () {
      yield b;
    })(),
  ))
    out.push(p);
  return out;
}

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** the sensor in-process, stopped as SIGTERM stops it (the abort signal main() wires to it) */
function startSensor(argv: string[]): { done: Promise<number>; stop: () => void; err: () => string } {
  const io = memoryIo();
  const ac = new AbortController();
  io.signal = ac.signal;
  const done = runCommand("nmsg-sensor", run, argv, io);
  return { done, stop: () => ac.abort(), err: () => io.err() };
}

function exitOf(p: ChildProcess, ms = 20_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => p.kill("SIGKILL"), ms);
    p.on("error", reject);
    p.on("exit", (code) => {
      clearTimeout(t);
      resolve(code ?? -1);
    });
  });
}

describe.skipIf(!have("fstrm_replay") && !ci)("nmsg-sensor --dnstap-unix with fstrm_replay", () => {
  it("receives a vector file sent over the bidirectional protocol; the signal ends it with everything written", async () => {
    const sock = join(dir, "fstrm.sock");
    const out = join(dir, "replay.nmsg");
    const s = startSensor(["--dnstap-unix", sock, "--socket-mode", "600", "-w", out]);
    await until(() => existsSync(sock));
    const file = vectorPath("logs/unbound/unbound.dnstap");
    const code = await exitOf(
      spawn("fstrm_replay", ["-t", "protobuf:dnstap.Dnstap", "-u", sock, "-r", file, "-r", file], { stdio: "ignore" }),
    );
    expect(code).toBe(0);
    s.stop();
    expect(await s.done).toBe(0);
    expect(s.err()).toMatch(/^nmsg-sensor: frames=1752 payloads=876 bad_frames=0 /m);
    expect(await payloadsOf(out)).toHaveLength(876);
    expect(existsSync(sock)).toBe(false);
  });
});

describe.skipIf(!have("fstrm_replay") && !ci)("the built nmsg-sensor --dnstap-tcp and SIGTERM", () => {
  it("ends on SIGTERM with exit 0 and every payload received written", async () => {
    const bin = join(import.meta.dirname, "../bin/nmsg-sensor.js");
    const out = join(dir, "tcp.nmsg");
    const port = 20000 + Math.floor(Math.random() * 20000);
    const p = spawn(process.execPath, [bin, "-v", "--dnstap-tcp", `127.0.0.1:${port}`, "-w", out], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr!.on("data", (c: Buffer) => {
      err += c.toString();
    });
    const exited = exitOf(p, 30_000);
    await until(() => /listening on 127\.0\.0\.1:/.test(err));
    const file = vectorPath("logs/named/named.dnstap");
    const code = await exitOf(
      spawn("fstrm_replay", ["-t", "protobuf:dnstap.Dnstap", "-a", "127.0.0.1", "-p", String(port), "-r", file], { stdio: "ignore" }),
    );
    expect(code).toBe(0);
    p.kill("SIGTERM");
    expect(await exited, err).toBe(0);
    expect(err).toMatch(/nmsg-sensor: frames=544 payloads=272 bad_frames=0 /);
    expect(await payloadsOf(out)).toHaveLength(272);
  });
});

// ---- a real Unbound against a stub root on loopback ----

const oct = (): number => 1 + Math.floor(Math.random() * 250);
/** addresses of this run, away from 127.0.0.1 (other servers on the machine) */
const net = `127.${100 + Math.floor(Math.random() * 100)}.${oct()}`;
const STUB = `${net}.10`;
const RESOLVER = `${net}.1`;
const NAMES: Record<string, string> = {
  "www.dnstap.test.": "192.0.2.1",
  "mail.dnstap.test.": "192.0.2.2",
  "a.b.dnstap.test.": "192.0.2.3",
  "ns.root.": STUB,
  "example.net.": "198.51.100.7",
};

const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const u32 = (n: number): number[] => [...u16(n >>> 16), ...u16(n & 0xffff)];
const a4 = (s: string): number[] => s.split(".").map(Number);

/** the stub root: authoritative for everything, A answers from NAMES, the root's NS with glue */
function stubAnswer(q: Uint8Array): Uint8Array | undefined {
  if (q.length < 17 || q[2]! & 0x80) return undefined;
  let p = 12;
  while (p < q.length && q[p] !== 0) p += q[p]! + 1;
  if (p + 5 > q.length) return undefined;
  const qname = q.subarray(12, p + 1);
  const qtype = (q[p + 1]! << 8) | q[p + 2]!;
  const question = Array.from(q.subarray(12, p + 5));
  const name = nameToString(qname).toLowerCase();
  const ans: number[][] = [];
  const add: number[][] = [];
  const ptr = [0xc0, 12];
  if (name === "." && qtype === 2) {
    const ns = Array.from(nameFromString("ns.root."));
    ans.push([...ptr, ...u16(2), ...u16(1), ...u32(3600), ...u16(ns.length), ...ns]);
    add.push([...ns, ...u16(1), ...u16(1), ...u32(3600), ...u16(4), ...a4(STUB)]);
  } else if (qtype === 1 && NAMES[name]) ans.push([...ptr, ...u16(1), ...u16(1), ...u32(300), ...u16(4), ...a4(NAMES[name]!)]);
  const known = NAMES[name] !== undefined || name === "." || name.endsWith("dnstap.test.") || name === "dnstap.test.";
  const flags = 0x8400 | (q[2]! & 0x01 ? 0x0100 : 0) | (known ? 0 : 3);
  return Uint8Array.from([
    ...q.subarray(0, 2),
    ...u16(flags),
    ...u16(1),
    ...u16(ans.length),
    ...u16(0),
    ...u16(add.length),
    ...question,
    ...ans.flat(),
    ...add.flat(),
  ]);
}

function query(id: number, name: string): Uint8Array {
  return Uint8Array.from([...u16(id), 0x01, 0x00, ...u16(1), 0, 0, 0, 0, 0, 0, ...nameFromString(name), ...u16(1), ...u16(1)]);
}

async function bindStub(): Promise<Socket | undefined> {
  const s = createSocket("udp4");
  s.on("message", (m, r) => {
    const a = stubAnswer(new Uint8Array(m));
    if (a && r.address.startsWith("127.")) s.send(a, r.port, r.address);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.bind(53, STUB, () => resolve());
    });
    return s;
  } catch {
    s.close();
    return undefined;
  }
}

describe.skipIf(!have("unbound") && !ci)("nmsg-sensor --dnstap-unix with a real Unbound", () => {
  it("the dnsqr output holds the names Unbound resolved", async () => {
    const stub = await bindStub();
    if (!stub) {
      // binding port 53 needs root (CI runs as root)
      if (ci) throw new Error(`cannot bind ${STUB}:53 for the stub root`);
      console.warn("dnstap-live.test: cannot bind port 53; skipping the Unbound test");
      return;
    }
    const sock = join(dir, "unbound-dnstap.sock");
    const out = join(dir, "unbound.nmsg");
    const port = 20000 + Math.floor(Math.random() * 20000);
    writeFileSync(join(dir, "root.hints"), `.  3600000 NS ns.root.\nns.root. 3600000 A ${STUB}\n`);
    writeFileSync(
      join(dir, "unbound.conf"),
      `server:
  username: ""
  chroot: ""
  directory: "${dir}"
  pidfile: "${dir}/unbound.pid"
  use-syslog: no
  logfile: "${dir}/unbound.log"
  verbosity: 1
  interface: ${RESOLVER}
  port: ${port}
  outgoing-interface: ${RESOLVER}
  do-ip6: no
  do-tcp: no
  num-threads: 1
  so-reuseport: no
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  root-hints: "${dir}/root.hints"
  module-config: "iterator"
  qname-minimisation: no
  harden-referral-path: no
  target-fetch-policy: "0 0 0 0 0"
  # test. is a special-use domain Unbound answers NXDOMAIN for itself unless told not to
  local-zone: "test." nodefault
dnstap:
  dnstap-enable: yes
  dnstap-socket-path: "${sock}"
  dnstap-send-identity: yes
  dnstap-send-version: yes
  dnstap-log-resolver-query-messages: yes
  dnstap-log-resolver-response-messages: yes
  dnstap-log-client-query-messages: yes
  dnstap-log-client-response-messages: yes
remote-control:
  control-enable: no
`,
    );
    const s = startSensor(["-v", "--stats", "1", "--dnstap-unix", sock, "-w", out]);
    let unbound: ChildProcess | undefined;
    const client = createSocket("udp4");
    try {
      await until(() => existsSync(sock));
      unbound = spawn("unbound", ["-d", "-c", join(dir, "unbound.conf")], { stdio: "ignore" });
      // Unbound's dnstap connection up (its handshake done) before the first query, so none of its
      // messages is dropped; a connection it opens and drops at start-up does not count
      await until(() => /: started$/m.test(s.err()));
      const answers = new Map<number, Uint8Array>();
      client.on("message", (m) => void answers.set(m.readUInt16BE(0), new Uint8Array(m)));
      await new Promise<void>((r) => client.bind(0, RESOLVER, () => r()));
      const names = ["www.dnstap.test.", "mail.dnstap.test.", "a.b.dnstap.test.", "example.net."];
      // ask until each has an answer (Unbound takes a moment to start and to connect its dnstap)
      await until(() => {
        names.forEach((n, i) => {
          if (!answers.has(i + 1)) client.send(query(i + 1, n), port, RESOLVER);
        });
        return answers.size === names.length;
      }, 20_000);
      for (const [id, a] of answers) expect(ipv4ToString(parseMessage(a).rrs[0][0]!.rdata), `answer ${id}`).toBe(NAMES[names[id - 1]!]);
      // Unbound's dnstap thread sends its messages a little later: wait (bounded) until the sensor's
      // counters (--stats 1) show a client and a resolver response for each name before stopping it
      const payloads = (): number => Number([...s.err().matchAll(/ payloads=(\d+) /g)].at(-1)?.[1] ?? 0);
      await until(() => payloads() >= 2 * names.length).catch(() => undefined);
    } finally {
      // Unbound sends what its dnstap thread still holds and STOP as it exits
      unbound?.kill("SIGTERM");
      if (unbound) await exitOf(unbound);
      client.close();
      stub.close();
      // every frame Unbound sent handled: its connection closed on the sensor's side
      await until(() => /: closed after \d+ data frames/.test(s.err())).catch(() => undefined);
      s.stop();
    }
    expect(await s.done).toBe(0);
    const seen = new Map<string, Set<string>>();
    for (const p of await payloadsOf(out)) {
      const qr = decodeDnsQR(p.payload as Uint8Array);
      const pkt = qr.response_packet[0]!;
      // IPv4 and UDP headers, then the DNS message
      const m = parseMessage(pkt.subarray(28));
      for (const rr of m.rrs[0]) {
        if (rr.rrtype !== 1) continue;
        const n = nameToString(rr.name).toLowerCase();
        const kind = ipv4ToString(qr.response_ip) === STUB ? "resolver" : "client";
        if (!seen.has(n)) seen.set(n, new Set());
        seen.get(n)!.add(`${kind} ${ipv4ToString(rr.rdata)}`);
      }
    }
    for (const n of ["www.dnstap.test.", "mail.dnstap.test.", "a.b.dnstap.test.", "example.net."])
      expect([...(seen.get(n) ?? [])].sort(), n).toEqual([`client ${NAMES[n]}`, `resolver ${NAMES[n]}`]);
  });
});
