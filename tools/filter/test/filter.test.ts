/** nmsg-dns-filter on the vectors' dedupe stream: lists, diversion, reloads without restart or loss. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { decodeDnsDedupe, type NmsgPayload, NmsgWriter, readPayloads } from "@dnsrep/nmsg";
import { nameToString } from "@dnsrep/wdns";
import { afterAll, describe, expect, it } from "vitest";
import { readVector, vectorPath } from "../../../test/vectors.js";
import { run } from "../src/nmsg-dns-filter.js";

const dir = mkdtempSync(join(tmpdir(), "nmsg-dns-filter-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (f: string): string => join(dir, f);

async function payloads(bytes: Uint8Array): Promise<NmsgPayload[]> {
  const out: NmsgPayload[] = [];
  for await (const p of readPayloads(Readable.from([Buffer.from(bytes)]))) out.push(p);
  return out;
}

const owner = (p: NmsgPayload): string => nameToString(decodeDnsDedupe(p.payload).rrname!);
const all = await payloads(readVector("dedupe/dedupe.nmsg"));

describe("nmsg-dns-filter", () => {
  it("drops records by subdomain, exact name and regex, and diverts them with --reject-output", async () => {
    writeFileSync(at("a.list"), "# lab noise\nanother.test\n=ns1.example.test.\n~^_dmarc\\.\n");
    const io = memoryIo();
    const rc = await runCommand(
      "nmsg-dns-filter",
      run,
      ["-f", at("a.list"), "-r", vectorPath("dedupe/dedupe.nmsg"), "--reject-output", at("rej.nmsg")],
      io,
    );
    expect(rc).toBe(0);
    const kept = await payloads(io.outBytes());
    const rej = await payloads(new Uint8Array(readFileSync(at("rej.nmsg"))));
    const bad = (n: string): boolean =>
      n === "another.test." || n.endsWith(".another.test.") || n === "ns1.example.test." || n.startsWith("_dmarc.");
    expect(rej.length).toBeGreaterThan(0);
    expect(rej.every((p) => bad(owner(p)))).toBe(true);
    expect(kept.some((p) => bad(owner(p)))).toBe(false);
    expect(kept.length + rej.length).toBe(all.length);
    expect(io.err()).toBe(`nmsg-dns-filter: in=${all.length} passed=${kept.length} rejected=${rej.length} reloads=0\n`);
  });

  it("an input that fails halfway leaves the old output files as they were, and no temporary files", async () => {
    writeFileSync(at("b.list"), "another.test\n");
    const good = readVector("dedupe/dedupe.nmsg");
    const cut = at("cut.nmsg");
    writeFileSync(cut, Buffer.concat([good, good.subarray(0, good.length - 7)]));
    writeFileSync(at("kept.nmsg"), "old");
    writeFileSync(at("diverted.nmsg"), "old");
    const io = memoryIo();
    const argv = ["-q", "-f", at("b.list"), "-r", cut, "-w", at("kept.nmsg"), "--reject-output", at("diverted.nmsg")];
    expect(await runCommand("nmsg-dns-filter", run, argv, io)).toBe(1);
    expect(io.err()).toMatch(/cut\.nmsg/);
    expect(readFileSync(at("kept.nmsg"), "utf8")).toBe("old");
    expect(readFileSync(at("diverted.nmsg"), "utf8")).toBe("old");
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("--rdata also matches names and addresses in rdata", async () => {
    writeFileSync(at("r.list"), "192.0.2.80\nns1.example.test\n");
    const plain = memoryIo();
    await runCommand("nmsg-dns-filter", run, ["-q", "-f", at("r.list"), "-r", vectorPath("dedupe/dedupe.nmsg")], plain);
    const deep = memoryIo();
    await runCommand("nmsg-dns-filter", run, ["-q", "--rdata", "-f", at("r.list"), "-r", vectorPath("dedupe/dedupe.nmsg")], deep);
    const kept = await payloads(deep.outBytes());
    expect(kept.length).toBeLessThan((await payloads(plain.outBytes())).length);
    for (const p of kept) {
      const d = decodeDnsDedupe(p.payload);
      expect(d.rdata.some((r) => r.length === 4 && r.join(".") === "192.0.2.80")).toBe(false);
    }
  });

  it("a list change takes effect between records, without a restart and without losing one", async () => {
    // the stream in two parts; the list file changes after the first part is consumed
    const half = Math.floor(all.length / 2);
    const part = async (ps: NmsgPayload[]): Promise<Buffer> => {
      const chunks: Uint8Array[] = [];
      const w = new NmsgWriter((c) => {
        chunks.push(c);
      });
      for (const p of ps) await w.write(p);
      await w.close();
      return Buffer.concat(chunks);
    };
    const [one, two] = [await part(all.slice(0, half)), await part(all.slice(half))];
    const list = at("live.list");
    writeFileSync(list, "example.test\n");
    const io = memoryIo();
    // an async generator, not a stream: nothing is read ahead of the records being filtered
    io.stdin = (async function* () {
      yield one;
      writeFileSync(list, "another.test\n");
      utimesSync(list, new Date(), new Date(Date.now() + 5000));
      yield two;
    })() as unknown as Readable;
    const rc = await runCommand(
      "nmsg-dns-filter",
      run,
      ["-f", list, "--reload-interval", "0", "-r", "-", "--reject-output", at("live.rej.nmsg")],
      io,
    );
    expect(rc).toBe(0);
    const kept = await payloads(io.outBytes());
    const rej = await payloads(new Uint8Array(readFileSync(at("live.rej.nmsg"))));
    const under = (n: string, z: string): boolean => n === z || n.endsWith(`.${z}`);
    const expectRejected = [
      ...all.slice(0, half).filter((p) => under(owner(p), "example.test.")),
      ...all.slice(half).filter((p) => under(owner(p), "another.test.")),
    ];
    expect(rej.map(owner)).toEqual(expectRejected.map(owner));
    expect(kept.length + rej.length).toBe(all.length);
    expect(io.err()).toMatch(/reloads=1\n$/);
  });

  it("a broken list on reload keeps the previous one and says so", async () => {
    const list = at("broken.list");
    writeFileSync(list, "another.test\n");
    const io = memoryIo();
    const bytes = readVector("dedupe/dedupe.nmsg");
    io.stdin = (async function* () {
      yield Buffer.from(bytes.subarray(0, 10));
      writeFileSync(list, "~(unclosed\n");
      utimesSync(list, new Date(), new Date(Date.now() + 5000));
      yield Buffer.from(bytes.subarray(10));
    })() as unknown as Readable;
    const rc = await runCommand("nmsg-dns-filter", run, ["-f", list, "--reload-interval", "0"], io);
    expect(rc).toBe(0);
    expect(io.err()).toMatch(/reload failed, keeping the previous lists: .*broken\.list: line 1: bad regular expression/);
    expect((await payloads(io.outBytes())).some((p) => owner(p).endsWith("another.test."))).toBe(false);
  });

  it.each([
    [[], /no filter list/, 2],
    [["-f", "/nonexistent/list"], /\/nonexistent\/list: ENOENT/, 1],
    [["-f", "x", "--reload-interval", "soon"], /--reload-interval/, 2],
  ])("bad usage %j", async (argv, msg, code) => {
    const io = memoryIo();
    const rc = await runCommand("nmsg-dns-filter", run, argv as string[], io);
    expect(rc).toBe(code);
    expect(io.err()).toMatch(msg);
  });
});

describe("nmsg-dns-filter on a UDP socket", () => {
  it("counts containers received and lost (sequence numbers) in its counters line, with a line for the sender", async () => {
    const { createSocket } = await import("node:dgram");
    writeFileSync(at("udp.list"), "another.test\n");
    const probe = createSocket("udp4");
    await new Promise<void>((res) => probe.bind(0, "127.0.0.1", res));
    const port = probe.address().port;
    await new Promise<void>((res) => probe.close(() => res()));
    const ac = new AbortController();
    const io = memoryIo();
    io.signal = ac.signal;
    const done = runCommand("nmsg-dns-filter", run, ["-f", at("udp.list"), "-l", `127.0.0.1/${port}`], io);
    await new Promise((r) => setTimeout(r, 300));
    const s = createSocket("udp4");
    await new Promise<void>((res) => s.bind(0, "127.0.0.1", res));
    const sport = s.address().port;
    // one payload per container, containers 3 and 7 never sent
    let k = 0;
    const w = new NmsgWriter(
      async (c) => {
        const i = k++;
        if (i !== 3 && i !== 7) await new Promise<void>((res, rej) => s.send(c, port, "127.0.0.1", (e) => (e ? rej(e) : res())));
        await new Promise((r) => setTimeout(r, 1));
      },
      { unbuffered: true, bufsz: 1280, sequence: true },
    );
    const sent = all.slice(0, 20);
    for (const p of sent) await w.write(p);
    await w.close();
    s.close();
    // loopback has delivered them by now; the signal stops the listener
    await new Promise((r) => setTimeout(r, 500));
    ac.abort();
    expect(await done).toBe(0);
    const lines = io.err().split("\n");
    expect(lines[0]).toMatch(/^nmsg-dns-filter: in=18 passed=\d+ rejected=\d+ reloads=0 container_recvs=18 container_drops=2$/);
    expect(lines[1]).toMatch(
      new RegExp(`^nmsg-dns-filter: 127\\.0\\.0\\.1/${sport} \\(sequence id [0-9a-f]{16}\\): 2 containers lost, 18 received$`),
    );
  }, 20_000);
});
