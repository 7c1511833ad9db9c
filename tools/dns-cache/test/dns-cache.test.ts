/** nmsg-dns-cache as a command: the vectors' dnsqr stream, seeds, shutdown, bad input. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { decodeDnsDedupe, type NmsgPayload, readPayloads } from "@dnsrep/nmsg";
import { afterAll, describe, expect, it } from "vitest";
import { readVector, vectorPath } from "../../../test/vectors.js";
import { run } from "../src/nmsg-dns-cache.js";

const dir = mkdtempSync(join(tmpdir(), "nmsg-dns-cache-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function payloads(bytes: Uint8Array): Promise<NmsgPayload[]> {
  const out: NmsgPayload[] = [];
  for await (const p of readPayloads(Readable.from([Buffer.from(bytes)]))) out.push(p);
  return out;
}

const types = (ps: NmsgPayload[]): Record<number, number> => {
  const t: Record<number, number> = {};
  for (const p of ps) {
    const d = decodeDnsDedupe(p.payload);
    t[d.type!] = (t[d.type!] ?? 0) + 1;
  }
  return t;
};

describe("nmsg-dns-cache", () => {
  it("turns the vectors' dnsqr stream (stdin) into dnsdedupe with counters on stderr", async () => {
    const io = memoryIo(readVector("nmsg/dnsqr.nmsg"));
    const rc = await runCommand("nmsg-dns-cache", run, ["--root-hints", vectorPath("inputs/zones/root.hints")], io);
    expect(rc).toBe(0);
    const out = await payloads(io.outBytes());
    expect(out.every((p) => p.vid === 2 && p.msgtype === 1)).toBe(true);
    expect(types(out)).toEqual({ 0: 169, 1: 169, 3: 7 });
    expect(io.err()).toMatch(
      /^nmsg-dns-cache: messages=560 responses=513 .*inserts=169 expirations=169 .*rejected: recursive=325 out_of_bailiwick=13\n$/,
    );
  });

  it("with the IANA root hints, the lab's private root is unknown: everything is rejected, nothing is lost", async () => {
    const io = memoryIo(readVector("nmsg/dnsqr.nmsg"));
    expect(await runCommand("nmsg-dns-cache", run, [], io)).toBe(0);
    expect(await payloads(io.outBytes())).toHaveLength(0);
    expect(io.err()).toMatch(/unknown_server=\d+/);
  });

  it("a static --zones seed stands in for root hints", async () => {
    const zones = join(dir, "zones.txt");
    writeFileSync(
      zones,
      "# server zones\n127.0.0.10 .\n127.0.0.11 test\n127.0.0.12 example.test another.test 2.0.192.in-addr.arpa 8.b.d.0.1.0.0.2.ip6.arpa\n127.0.0.13 example.test another.test 2.0.192.in-addr.arpa 8.b.d.0.1.0.0.2.ip6.arpa\n127.0.0.14 sub.example.test\n",
    );
    const io = memoryIo(readVector("nmsg/dnsqr.nmsg"));
    expect(await runCommand("nmsg-dns-cache", run, ["--zones", zones, "--no-tcp"], io)).toBe(0);
    expect(types(await payloads(io.outBytes()))).toEqual({ 0: 169, 1: 169, 3: 7 });
  });

  it("a small cache expires early but reports every sighting", async () => {
    const io = memoryIo(readVector("nmsg/dnsqr.nmsg"));
    expect(
      await runCommand("nmsg-dns-cache", run, ["-q", "--cache-size", "10", "--root-hints", vectorPath("inputs/zones/root.hints")], io),
    ).toBe(0);
    const out = (await payloads(io.outBytes())).map((p) => decodeDnsDedupe(p.payload));
    const ins = out.filter((d) => d.type === 0).length;
    const exp = out.filter((d) => d.type === 1);
    expect(ins).toBeGreaterThan(169);
    expect(exp).toHaveLength(ins);
    // every accepted sighting is counted in exactly one EXPIRATION
    expect(exp.reduce((n, d) => n + d.count!, 0)).toBe(697);
  });

  it("on shutdown (abort signal) flushes what it has counted", async () => {
    const ac = new AbortController();
    const io = memoryIo();
    io.signal = ac.signal;
    const bytes = readVector("nmsg/dnsqr.nmsg");
    io.stdin = (async function* () {
      yield Buffer.from(bytes);
      ac.abort();
      await new Promise(() => {}); // a stream that never ends by itself
    })() as unknown as Readable;
    const rc = await runCommand("nmsg-dns-cache", run, ["-q", "--root-hints", vectorPath("inputs/zones/root.hints")], io);
    expect(rc).toBe(0);
    expect(types(await payloads(io.outBytes()))).toEqual({ 0: 169, 1: 169, 3: 7 });
  });

  it.each([
    [["--recursive", "maybe"], /--recursive/, 2],
    [["--cache-size", "0"], /--cache-size/, 2],
    [["--root-hints", "/nonexistent"], /--root-hints \/nonexistent/, 1],
    [["-r", "/nonexistent.nmsg"], /nonexistent\.nmsg/, 1],
  ])("bad usage %j", async (argv, msg, code) => {
    const io = memoryIo();
    const rc = await runCommand("nmsg-dns-cache", run, argv as string[], io);
    expect(rc).toBe(code);
    expect(io.err()).toMatch(msg);
  });

  it("rejects a malformed root hints or zones file with its line", async () => {
    const f = join(dir, "bad.hints");
    writeFileSync(f, ". 3600 NS\n");
    const io = memoryIo();
    expect(await runCommand("nmsg-dns-cache", run, ["--root-hints", f], io)).toBe(1);
    expect(io.err()).toMatch(/line 1/);
    const z = join(dir, "bad.zones");
    writeFileSync(z, "not-an-address example.test\n");
    const io2 = memoryIo();
    expect(await runCommand("nmsg-dns-cache", run, ["--zones", z], io2)).toBe(1);
    expect(io2.err()).toMatch(/bad\.zones:1: expected ADDRESS ZONE/);
  });

  it("an input that fails halfway leaves the old output file as it was, and no temporary file", async () => {
    const good = readFileSync(vectorPath("nmsg/dnsqr.nmsg"));
    const cut = join(dir, "cut.nmsg");
    writeFileSync(cut, Buffer.concat([good, good.subarray(0, good.length - 7)]));
    const out = join(dir, "kept.nmsg");
    writeFileSync(out, "old");
    const io = memoryIo();
    const argv = ["-q", "--root-hints", vectorPath("inputs/zones/root.hints"), "-r", cut, "-w", out];
    expect(await runCommand("nmsg-dns-cache", run, argv, io)).toBe(1);
    expect(io.err()).toMatch(/cut\.nmsg/);
    expect(readFileSync(out, "utf8")).toBe("old");
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("refuses root hints that name no root server address, and binary files, in one line", async () => {
    const cases: [string, string, RegExp][] = [
      ["empty.hints", "", /: no root server: /],
      ["ns-only.hints", ".  3600000  NS  a.root-servers.test.\n", /: no root server: /],
      ["other-zone.hints", "test.  3600 NS  ns.test.\nns.test.  3600 A  127.0.0.1\n", /: no root server: /],
      ["binary.hints", "\u0000\u0001\u00ff garbage", /binary\.hints: line 1: not text \(a binary file\?\)$/],
    ];
    for (const [name, text, msg] of cases) {
      const f = join(dir, name);
      writeFileSync(f, text);
      const io = memoryIo();
      expect(await runCommand("nmsg-dns-cache", run, ["--root-hints", f], io)).toBe(1);
      expect(io.err().trim()).toMatch(msg);
      expect(io.err().trim().split("\n")).toHaveLength(1);
    }
    const z = join(dir, "binary.zones");
    writeFileSync(z, "127.0.0.1 test.\n\u0000\u0000");
    const io = memoryIo();
    expect(await runCommand("nmsg-dns-cache", run, ["--zones", z], io)).toBe(1);
    expect(io.err()).toMatch(/binary\.zones:2: not text/);
  });
});
