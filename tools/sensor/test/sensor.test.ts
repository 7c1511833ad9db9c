/** nmsg-sensor against nmsgtool's dnsqr vectors (every capture → dnsqr case in cases.jsonl), and its CLI behaviour. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { encodePcap, ethernetFrame, udpDatagram } from "@dnsrep/capture";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { payloadToPres } from "@dnsrep/nmsg";
import { afterAll, describe, expect, it } from "vitest";
import { readVector, readVectorText, vectorCases, vectorPath } from "../../../test/vectors.js";
import { run } from "../src/nmsg-sensor.js";
import { payloadsOf, sensor } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "nmsg-sensor-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Presentation messages, with the timeout of flushed queries masked (it depends on when input ends). */
function messages(pres: string): string[] {
  return pres
    .split(/\n(?=\[\d+\] \[)/)
    .map((m) => m.replace(/^timeout: .*$/m, "timeout: *").trimEnd())
    .filter((m) => m !== "");
}

// every "nmsgtool -p CAPTURE ... -w OUT" case whose OUT has a kept presentation form
const captureCases = vectorCases()
  .map((c) => {
    const m = /^nmsgtool (.*)-p (\S+) (.*)-w (\S+)$/.exec(c.cmd);
    if (!m) return undefined;
    const flags = `${m[1]} ${m[3]}`.split(/\s+/).filter((x) => x && !["-V", "base", "-T", "dnsqr"].includes(x));
    const pres = vectorCases().find((r) => r.cmd === `nmsgtool -r ${m[4]}` && r.stdout)?.stdout;
    return { cmd: c.cmd, pcap: m[2]!, out: m[4]!, flags, pres };
  })
  .filter((c): c is NonNullable<typeof c> => c !== undefined);

describe("nmsgtool's dnsqr vectors", () => {
  it("has capture cases", () => expect(captureCases.length).toBeGreaterThanOrEqual(2));
  for (const c of captureCases) {
    it(`${c.cmd}: same messages as nmsgtool, plus the ICMP ones it cannot emit`, async () => {
      const out = join(dir, `${Math.random()}.nmsg`);
      const r = await sensor(["-q", "-p", vectorPath(c.pcap), ...c.flags, "-w", out]);
      expect(r.err).toBe("");
      expect(r.rc).toBe(0);
      const got = (await payloadsOf(new Uint8Array(readFileSync(out)))).map((p) => payloadToPres(p));
      const mine = messages(got.join(""));
      const expected = messages(readVectorText(c.pres ?? "nmsg/dnsqr.pres.txt"));
      const icmp = mine.filter((m) => /\ntype: ICMP\n/.test(m));
      const rest = mine.filter((m) => !/\ntype: ICMP\n/.test(m));
      expect(rest.sort()).toEqual([...expected].sort());
      // libnmsg skips a too-large ICMP header and never finds the quoted datagram; we report them
      for (const m of icmp) expect(m).toMatch(/proto: ICMP \(1\)/);
    });
    it(`${c.cmd}: byte-identical with --no-icmp`, async () => {
      const out = join(dir, `${Math.random()}.nmsg`);
      const r = await sensor(["-q", "--no-icmp", "-p", vectorPath(c.pcap), ...c.flags, "-w", out]);
      expect(r.rc).toBe(0);
      expect(Buffer.compare(readFileSync(out), Buffer.from(readVector(c.out)))).toBe(0);
    });
  }

  it("emits the two ICMP port-unreachable messages of dns.pcap", async () => {
    const r = await sensor(["-q", "-p", vectorPath("pcap/dns.pcap"), "-o", "-"]);
    expect(r.rc).toBe(0);
    expect(
      Buffer.from(r.out)
        .toString()
        .match(/^type: ICMP$/gm),
    ).toHaveLength(2);
  });

  it("reads the capture from stdin and writes nmsg to stdout by default", async () => {
    const r = await sensor(["-q", "--no-icmp", "-p", "-"], readVector("pcap/dns.pcap"));
    expect(r.rc).toBe(0);
    expect(Buffer.compare(Buffer.from(r.out), Buffer.from(readVector("nmsg/dnsqr.nmsg")))).toBe(0);
  });

  it("prints counters on stderr", async () => {
    const r = await sensor(["-p", vectorPath("pcap/dns.pcap"), "-o", "/dev/null"]);
    expect(r.err).toBe(
      "nmsg-sensor: packets=1070 payloads=562 query_response=508 unanswered=2 unsolicited=0 tcp=50 tcp_dns=10 icmp=2 pending=0 filtered=0 not_dns=0 not_ip=0 bad_ip=0 bad_dns=0 snaplen_cut=0\n",
    );
  });

  it("-c stops after N payloads", async () => {
    const r = await sensor(["-q", "-c", "7", "-p", vectorPath("pcap/dns.pcap")]);
    expect(await payloadsOf(r.out)).toHaveLength(7);
  });

  it("honours the dnsqr module's environment filters", async () => {
    const all = await sensor(["-q", "-p", vectorPath("pcap/dns.pcap"), "-o", "-"]);
    const some = await sensor(["-q", "-p", vectorPath("pcap/dns.pcap"), "-o", "-"], "", { DNSQR_FILTER_QNAMES_INCLUDE: "example.test" });
    const n = (b: Uint8Array): number =>
      (
        Buffer.from(b)
          .toString()
          .match(/^qname: /gm) ?? []
      ).length;
    const names =
      Buffer.from(some.out)
        .toString()
        .match(/^qname: .*$/gm) ?? [];
    expect(names.length).toBeGreaterThan(0);
    expect(names.length).toBeLessThan(n(all.out));
    for (const q of names) expect(q.toLowerCase()).toMatch(/(^qname: |\.)example\.test\.$/);
  });
});

/**
 * dns.pcap rewritten as pcapng: a section header, one interface block of link type `linktype`, and
 * an enhanced packet block per record naming `ifaceOf(i)` (0, the one described, by default).
 */
function pcapngOf(pcap: Uint8Array, linktype = 1, ifaceOf: (i: number) => number = () => 0): Uint8Array {
  const src = new DataView(pcap.buffer, pcap.byteOffset, pcap.byteLength);
  const blocks: Uint8Array[] = [];
  const block = (type: number, body: Uint8Array): void => {
    const len = 12 + ((body.length + 3) & ~3);
    const b = new Uint8Array(len);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, type, true);
    dv.setUint32(4, len, true);
    b.set(body, 8);
    dv.setUint32(len - 4, len, true);
    blocks.push(b);
  };
  block(0x0a0d0d0a, Uint8Array.from([0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255]));
  block(1, Uint8Array.from([linktype & 0xff, linktype >> 8, 0, 0, 0, 0, 4, 0]));
  for (let off = 24, i = 0; off + 16 <= pcap.length; i++) {
    const caplen = src.getUint32(off + 8, true);
    const body = new Uint8Array(20 + caplen);
    const dv = new DataView(body.buffer);
    const usec = src.getUint32(off, true) * 1e6 + src.getUint32(off + 4, true);
    dv.setUint32(0, ifaceOf(i), true);
    dv.setUint32(4, Math.floor(usec / 2 ** 32), true);
    dv.setUint32(8, usec >>> 0, true);
    dv.setUint32(12, caplen, true);
    dv.setUint32(16, src.getUint32(off + 12, true), true);
    body.set(pcap.subarray(off + 16, off + 16 + caplen), 20);
    block(6, body);
    off += 16 + caplen;
  }
  return Buffer.concat(blocks);
}

describe("link types and pcapng interfaces", () => {
  const pcap = readVector("pcap/dns.pcap");
  it("dns.pcap as pcapng gives the same bytes", async () => {
    const r = await sensor(["-q", "--no-icmp", "-p", "-"], pcapngOf(pcap));
    expect(r.rc).toBe(0);
    expect(Buffer.compare(Buffer.from(r.out), Buffer.from(readVector("nmsg/dnsqr.nmsg")))).toBe(0);
  });
  it("a pcap of an unsupported link type is one line naming file and link type, exit 1 (as tcpdump refuses it)", async () => {
    const bad = Buffer.from(pcap);
    bad.writeUInt32LE(999, 20);
    const f = join(dir, "badlt.pcap");
    writeFileSync(f, bad);
    for (const quiet of [["-q"], []]) {
      const r = await sensor([...quiet, "-p", f, "-J", "-"]);
      expect(r.rc).toBe(1);
      expect(r.err).toBe(`nmsg-sensor: ${f}: unsupported link type 999\n`);
      expect(r.out.length).toBe(0);
    }
  });
  it("a pcapng interface of an unsupported link type carrying packets: the same", async () => {
    const r = await sensor(["-p", "-", "-J", "-"], pcapngOf(pcap, 999));
    expect(r.rc).toBe(1);
    expect(r.err).toBe("nmsg-sensor: -: unsupported link type 999 (pcapng interface 0)\n");
    expect(r.out.length).toBe(0);
  });
  it("a packet naming an undescribed interface is corrupt framing: what came before is written, exit 1", async () => {
    const r = await sensor(
      ["-p", "-", "-J", "-"],
      pcapngOf(pcap, 1, (i) => (i === 600 ? 7 : 0)),
    );
    expect(r.rc).toBe(1);
    const lines = r.err.split("\n");
    expect(lines[0]).toMatch(/^nmsg-sensor: packets=600 payloads=\d+ /);
    expect(lines[1]).toMatch(
      /^nmsg-sensor: -: pcapng packet on interface 7, which no interface description block describes at offset \d+$/,
    );
    expect(lines.slice(2)).toEqual([""]);
    expect(Buffer.from(r.out).toString()).toMatch(/"type":"UDP_QUERY_RESPONSE"/);
  });
});

describe("a signal", () => {
  it("before the reading started (while the outputs opened) still stops -p - on a stdin left open: exit 0, empty output", async () => {
    const stdin = new PassThrough();
    stdin.write(readVector("pcap/dns.pcap"));
    const io = memoryIo();
    io.stdin = stdin;
    io.signal = AbortSignal.abort();
    const out = join(dir, "early.nmsg");
    expect(await runCommand("nmsg-sensor", run, ["-q", "-p", "-", "-w", out], io)).toBe(0);
    expect(io.err()).toBe("");
    expect(readFileSync(out).length).toBe(0);
  });
});

describe("bad input", () => {
  it("a file that is not a capture exits 1 with one line", async () => {
    const f = join(dir, "not.pcap");
    writeFileSync(f, "hello world, this is not a capture file");
    const r = await sensor(["-q", "-p", f, "-o", "/dev/null"]);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/^nmsg-sensor: .*not a pcap or pcapng file.*\n$/);
  });

  it("a missing file exits 1", async () => {
    const r = await sensor(["-q", "-p", join(dir, "nope.pcap"), "-o", "/dev/null"]);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/no such file/);
  });

  it("a directory given as the capture is named in its one-line error, exit 1", async () => {
    const r = await sensor(["-q", "-p", dir, "-o", "/dev/null"]);
    expect(r.rc).toBe(1);
    expect(r.err).toBe(`nmsg-sensor: ${dir}: EISDIR: illegal operation on a directory, read\n`);
  });

  it("a capture cut inside a record keeps what came before, says so and exits 1", async () => {
    const full = readVector("pcap/dns.pcap");
    const r = await sensor(["-p", "-", "-o", "-"], full.subarray(0, Math.floor(full.length / 2)));
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/^nmsg-sensor: -: truncated capture: it ends inside a packet record/m);
    expect(Buffer.from(r.out).toString()).toMatch(/type: UDP_QUERY_RESPONSE/);
  });

  it("garbage packets are counted, never fatal", async () => {
    const pkts = [];
    for (let i = 0; i < 200; i++) {
      const data = new Uint8Array(20 + ((i * 37) % 90));
      for (let j = 0; j < data.length; j++) data[j] = (i * 131 + j * 17) & 0xff;
      pkts.push({ data, sec: 1000 + i });
    }
    const good = ethernetFrame(
      udpDatagram({ src: Uint8Array.of(10, 0, 0, 1), dst: Uint8Array.of(10, 0, 0, 2), sport: 5000, dport: 53, payload: new Uint8Array(5) }),
    );
    pkts.push({ data: good, sec: 2000 });
    const r = await sensor(["-p", "-", "-o", "/dev/null"], encodePcap(pkts));
    expect(r.rc).toBe(0);
    expect(r.err).toMatch(/packets=201 /);
    expect(r.err).toMatch(/bad_dns=1 /);
  });

  it.each([
    [["-p"], /argument missing/],
    [[], /no input/],
    [["-p", "x", "-i", "lo"], /either -p or -i/],
    [["-p", "x", "-b", "udp"], /-b filters live capture only/],
    [["-p", "x", "-V", "SIE"], /base\/dnsqr only/],
    [["-p", "x", "--ports", "0"], /--ports/],
    [["-p", "x", "-c", "zero"], /-c/],
    [["-i", "lo,abc"], /bad interface spec/],
    [["-i", "lo,99999999999"], /snap length/],
  ])("usage error %j exits 2", async (argv, msg) => {
    const r = await sensor(argv);
    expect(r.rc).toBe(2);
    expect(r.err).toMatch(msg);
  });
});
