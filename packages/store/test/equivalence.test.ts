/**
 * The store against the batch tools: random RRsets put through the store (several flushes, a
 * compaction) give, merged with dnstable-merge, files byte-identical to dnstable-import (+
 * dnstable-merge) of the same input written as a dnsdedupe nmsg file; and every query answers what
 * one file holding all the data answers, at every stage (memtable only, files + memtable, files).
 */
import { appendFileSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { type DnstableQuery, DnstableReader } from "@dnsrep/dnstable";
import { dnstable_import, dnstable_merge } from "@dnsrep/dnstable-tools";
import { Reader } from "@dnsrep/mtbl";
import { encodeDnsDedupe, MSGTYPE_DNSDEDUPE, NmsgWriter, VENDOR_SIE } from "@dnsrep/nmsg";
import { equalBytes } from "@dnsrep/util";
import { afterAll, describe, expect, it } from "vitest";
import { type RRsetObservation, Store } from "../src/index.js";
import { answers, tempDir } from "./helpers.js";
import { RRsetGen } from "./random-rrsets.js";

const t = tempDir("equiv");
afterAll(t.done);

async function writeNmsg(path: string, rrsets: RRsetObservation[]): Promise<void> {
  const w = new NmsgWriter((c) => void appendFileSync(path, c), {});
  for (const r of rrsets) {
    const payload = encodeDnsDedupe({
      type: 1,
      count: r.count,
      time_first: r.timeFirst,
      time_last: r.timeLast,
      rrname: r.rrname,
      rrtype: r.rrtype,
      rrclass: 1,
      bailiwick: r.bailiwick,
      rdata: r.rdata,
    });
    await w.write({ vid: VENDOR_SIE, msgtype: MSGTYPE_DNSDEDUPE, timeSec: r.timeLast, timeNsec: 0, payload });
  }
  await w.close();
}

async function tool(run: typeof dnstable_import, name: string, args: string[]): Promise<void> {
  const io = memoryIo();
  const rc = await runCommand(name, run, args, io);
  expect(io.err()).toBe("");
  expect(rc).toBe(0);
}

function queries(gen: RRsetGen): DnstableQuery[] {
  const q: DnstableQuery[] = [];
  for (const n of gen.names) {
    q.push({ type: "rrset", name: n });
    q.push({ type: "rdata_name", name: n });
  }
  q.push(
    { type: "rrset", name: "*.example.com" },
    { type: "rrset", name: "example.*" },
    { type: "rrset", name: "*.example.net", rrtype: "MX" },
    { type: "rrset", name: "*.test.org", rrtype: "DS" },
    { type: "rdata_name", name: "*.example.net" },
    { type: "rdata_ip", ip: "0.0.0.0/0" },
    { type: "rdata_ip", ip: "::/0" },
  );
  return q;
}

function sameAnswers(store: Store, reference: DnstableReader, qs: DnstableQuery[]): number {
  const snap = store.snapshot();
  let n = 0;
  try {
    for (const q of qs) {
      const ours = answers(snap.reader(true), q);
      expect(ours, JSON.stringify(q)).toEqual(answers(reference, q));
      n += ours.length;
    }
  } finally {
    snap.release();
  }
  return n;
}

describe("store ≡ dnstable-import + dnstable-merge", () => {
  it("random RRsets: same answers at every stage, byte-identical merged files", async () => {
    const gen = new RRsetGen(20261207);
    const rrsets = Array.from({ length: 3000 }, () => gen.rrset());
    const d = t.dir;
    const nmsg = join(d, "input.nmsg");
    await writeNmsg(nmsg, rrsets);
    const refDns = join(d, "ref.dns.mtbl");
    const refSec = join(d, "ref.dnssec.mtbl");
    await tool(dnstable_import, "dnstable-import", ["-q", nmsg, refDns, refSec]);
    const reference = DnstableReader.fromSources([Reader.open(refDns), Reader.open(refSec)]);
    const qs = queries(gen);

    let clock = 1_765_000_000_000;
    const storeDir = join(d, "store");
    const store = await Store.open(storeDir, { compaction: false, now: () => clock });
    // in batches of 1..60, flushing four times along the way
    let i = 0;
    let flushes = 0;
    while (i < rrsets.length) {
      const n = 1 + gen.int(60);
      await store.put(rrsets.slice(i, i + n));
      i += n;
      if (flushes < 4 && i > ((flushes + 1) * rrsets.length) / 5) {
        if (flushes === 0) {
          // memtable only, against an import of what was put so far
          const part = join(d, "part.nmsg");
          await writeNmsg(part, rrsets.slice(0, i));
          await tool(dnstable_import, "dnstable-import", ["-q", part, join(d, "part.dns.mtbl"), join(d, "part.dnssec.mtbl")]);
          const partRef = DnstableReader.fromSources([Reader.open(join(d, "part.dns.mtbl")), Reader.open(join(d, "part.dnssec.mtbl"))]);
          expect(store.stats().flushes).toBe(0);
          expect(sameAnswers(store, partRef, qs)).toBeGreaterThan(500);
          partRef.close();
        }
        await store.flush();
        flushes++;
        clock += 61_000;
        if (flushes === 2) {
          // the minutes so far merged into their hour (files + memtable are checked at the end)
          clock += 3_600_000;
          await store.compact();
          expect(store.stats().filesPerTier.minute).toBe(0);
          expect(store.stats().filesPerTier.hour).toBeGreaterThan(0);
        }
      }
    }
    expect(store.stats().flushes).toBe(4);
    expect(store.stats().memtableEntries).toBeGreaterThan(0);
    // files + memtable
    expect(sameAnswers(store, reference, qs)).toBeGreaterThan(3000);
    await store.flush();
    // files only
    sameAnswers(store, reference, qs);
    const minuteFiles = readdirSync(storeDir).filter((f) => f.startsWith("minute-"));
    expect(minuteFiles.length).toBeGreaterThan(2);

    // the store's files merged with dnstable-merge are the import's files, byte for byte
    const files = readdirSync(storeDir).filter((f) => f.endsWith(".mtbl"));
    const dnsFiles = files.filter((f) => f.endsWith(".dns.mtbl")).map((f) => join(storeDir, f));
    const secFiles = files.filter((f) => f.endsWith(".dnssec.mtbl")).map((f) => join(storeDir, f));
    expect(dnsFiles.length).toBeGreaterThan(0);
    expect(secFiles.length).toBeGreaterThan(0);
    const mergedDns = join(d, "merged.dns.mtbl");
    const mergedSec = join(d, "merged.dnssec.mtbl");
    await tool(dnstable_merge, "dnstable-merge", ["-q", ...dnsFiles, mergedDns]);
    await tool(dnstable_merge, "dnstable-merge", ["-q", "-b", "65536", ...secFiles, mergedSec]);
    expect(equalBytes(readFileSync(mergedDns), readFileSync(refDns))).toBe(true);
    expect(equalBytes(readFileSync(mergedSec), readFileSync(refSec))).toBe(true);

    // forty days on, everything is compacted into one month file pair: the import's files themselves
    clock += 40 * 86_400_000;
    await store.compact();
    const st = store.stats();
    expect(st.filesPerTier).toEqual({ minute: 0, hour: 0, day: 0, month: 2 });
    expect(st.compactions).toBeGreaterThan(4);
    const month = readdirSync(storeDir).filter((f) => f.endsWith(".mtbl"));
    expect(month).toHaveLength(2);
    const monthDns = join(storeDir, month.find((f) => f.endsWith(".dns.mtbl")) as string);
    const monthSec = join(storeDir, month.find((f) => f.endsWith(".dnssec.mtbl")) as string);
    expect(equalBytes(readFileSync(monthDns), readFileSync(refDns))).toBe(true);
    expect(equalBytes(readFileSync(monthSec), readFileSync(refSec))).toBe(true);
    sameAnswers(store, reference, qs);

    // and after reopening
    await store.close();
    const again = await Store.open(storeDir, { compaction: false, now: () => clock });
    sameAnswers(again, reference, qs);
    await again.close();
    reference.close();
  });
});
