/**
 * The whole pipeline on the vectors' capture, in-process:
 *   nmsg-sensor -p dns.pcap | nmsg-dns-cache --root-hints root.hints | nmsg-dns-filter -f LIST |
 *   dnstable-import - dns.mtbl dnssec.mtbl
 * compared with the dnstable files the reference tools made from the vectors' dedupe model
 * (dns.none.mtbl, dns.dnssec.none.mtbl): same RRsets (owner, type, bailiwick, rdata); the only
 * differences are the ones docs/formats/bailiwick.md explains.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryIo, type RunFn, runCommand } from "@dnsrep/cli";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run as cache } from "../../tools/dns-cache/src/nmsg-dns-cache.js";
import { run as dump } from "../../tools/dnstable/src/dnstable-dump.js";
import { run as importer } from "../../tools/dnstable/src/dnstable-import.js";
import { run as filter } from "../../tools/filter/src/nmsg-dns-filter.js";
import { run as sensor } from "../../tools/sensor/src/nmsg-sensor.js";
import { vectorPath } from "../vectors.js";

const dir = mkdtempSync(join(tmpdir(), "dnsrep-pipeline-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (f: string): string => join(dir, f);

async function tool(name: string, run: RunFn, argv: string[]): Promise<string> {
  const io = memoryIo();
  const rc = await runCommand(name, run, argv, io);
  if (rc !== 0) throw new Error(`${name} ${argv.join(" ")}: exit ${rc}: ${io.err()}`);
  return io.out();
}

interface Block {
  /** owner, type, bailiwick, rdata: the identity of an RRset entry */
  id: string;
  owner: string;
  rrtype: string;
  bailiwick: string;
  count: number;
  first: string;
  last: string;
}

/** RRSET entries of a dnstable file, through dnstable-dump -r. */
async function rrsets(file: string): Promise<Map<string, Block>> {
  const text = await tool("dnstable-dump", dump, ["-r", file]);
  const out = new Map<string, Block>();
  for (const b of text.split("\n\n").filter((x) => x.trim())) {
    const lines = b.split("\n");
    const get = (label: string): string =>
      lines
        .find((l) => l.startsWith(label))!
        .slice(label.length)
        .trim();
    const rrs = lines.filter((l) => !l.startsWith(";;"));
    const [owner, , rrtype] = rrs[0]!.split(" ");
    const bailiwick = get(";;  bailiwick:");
    const id = `${bailiwick} | ${rrs.join(" / ")}`;
    out.set(id, {
      id,
      owner: owner!,
      rrtype: rrtype!,
      bailiwick,
      count: Number(get(";;      count:")),
      first: get(";; first seen:"),
      last: get(";;  last seen:"),
    });
  }
  return out;
}

/** Is `owner` at or below `zone` (presentation forms)? */
const within = (owner: string, zone: string): boolean => zone === "." || owner === zone || owner.endsWith(`.${zone}`);

async function pipeline(tag: string, cacheFlags: string[]): Promise<{ dns: string; dnssec: string; cacheErr: string }> {
  await tool("nmsg-sensor", sensor, ["-q", "-p", vectorPath("pcap/dns.pcap"), "-w", at(`${tag}.dnsqr.nmsg`)]);
  const io = memoryIo();
  const rc = await runCommand(
    "nmsg-dns-cache",
    cache,
    ["-r", at(`${tag}.dnsqr.nmsg`), "--root-hints", vectorPath("inputs/zones/root.hints"), ...cacheFlags, "-w", at(`${tag}.dedupe.nmsg`)],
    io,
  );
  expect(rc).toBe(0);
  writeFileSync(at("noise.list"), "# nothing in the lab world is noise\ninvalid\n");
  await tool("nmsg-dns-filter", filter, ["-q", "-f", at("noise.list"), "-r", at(`${tag}.dedupe.nmsg`), "-w", at(`${tag}.kept.nmsg`)]);
  await tool("dnstable-import", importer, ["-q", "-c", "none", at(`${tag}.kept.nmsg`), at(`${tag}.dns.mtbl`), at(`${tag}.dnssec.mtbl`)]);
  return { dns: at(`${tag}.dns.mtbl`), dnssec: at(`${tag}.dnssec.mtbl`), cacheErr: io.err() };
}

describe("sensor → dns-cache → filter → dnstable-import on the vectors' capture", () => {
  let ref: Map<string, Block>;
  let refSec: Map<string, Block>;
  beforeAll(async () => {
    ref = await rrsets(vectorPath("dnstable/dns.none.mtbl"));
    refSec = await rrsets(vectorPath("dnstable/dns.dnssec.none.mtbl"));
  });

  it("holds exactly the reference's RRsets, and none outside its bailiwick", async () => {
    const p = await pipeline("full", []);
    expect(p.cacheErr).toMatch(/rejected: .*out_of_bailiwick=13/);
    const mine = await rrsets(p.dns);
    const mineSec = await rrsets(p.dnssec);
    expect(ref.size).toBeGreaterThan(100);
    expect([...mine.keys()].sort()).toEqual([...ref.keys()].sort());
    expect([...mineSec.keys()].sort()).toEqual([...refSec.keys()].sort());
    for (const b of [...mine.values(), ...mineSec.values()]) expect(within(b.owner, b.bailiwick), `${b.id}`).toBe(true);
    // differences: SOA times (the model's made-up zone times), and RRsets also seen over TCP (the
    // model reads UDP only): more sightings, a wider first..last window
    let widened = 0;
    for (const [id, b] of mine) {
      const r = ref.get(id)!;
      if (b.rrtype === "SOA") continue;
      expect(b.first <= r.first && b.last >= r.last && b.count >= r.count, id).toBe(true);
      if (b.count > r.count) widened++;
    }
    expect(widened).toBeGreaterThan(0);
  });

  it("without DNS over TCP, differs from the reference only in the model's SOA zone times (first−1h, last+1h)", async () => {
    const p = await pipeline("udp", ["--no-tcp"]);
    const mine = await rrsets(p.dns);
    const hour = (s: string, d: number): string => {
      const t = new Date(`${s.slice(0, 19).replace(" ", "T")}Z`).getTime() + d * 3600_000;
      return `${new Date(t).toISOString().slice(0, 19).replace("T", " ")} -0000`;
    };
    let soa = 0;
    for (const [id, b] of mine) {
      const r = ref.get(id)!;
      expect(b.count, id).toBe(r.count);
      if (b.rrtype === "SOA") {
        soa++;
        expect([hour(b.first, -1), hour(b.last, 1)], id).toEqual([r.first, r.last]);
      } else expect([b.first, b.last], id).toEqual([r.first, r.last]);
    }
    expect(soa).toBe(7);
    // the DNSSEC file has no SOA entries: byte-identical
    expect(Buffer.compare(readFileSync(p.dnssec), readFileSync(vectorPath("dnstable/dns.dnssec.none.mtbl")))).toBe(0);
  });
});
