// dnstable: import throughput and lookup latency on synthetic passive DNS, beside what a small team
// would build instead — the same records in SQLite with indexes on owner name, reversed owner
// name and rdata — in one run. The SQLite side runs through CPython's sqlite3 module (see
// sqlite_side.py: better-sqlite3 crashes on this machine's Debian Node build).
//   node bench/dnstable/run.mjs [--rrsets N] [--queries Q]
// Needs `npx tsc -b tools/dnstable` first. Files go to $TMPDIR and are removed.
import { spawnSync } from "node:child_process";
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DnstableReader } from "@dnsrep/dnstable";
import { decodeDnsDedupe, encodeDnsDedupe, NmsgWriter, readPayloads } from "@dnsrep/nmsg";

const here = fileURLToPath(import.meta.url);
const root = join(dirname(here), "..", "..");
const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? Number(args[args.indexOf(n) + 1]) : d);
const N = opt("--rrsets", 1_000_000);
const Q = opt("--queries", 2000);
const ZONES = Math.max(10, Math.floor(N / 1000));

// record i: h<i>.z<i % ZONES>.example, A 10.a.b.c (every 10th an NS for the zone); bailiwick the zone
const wire = (name) => Buffer.from(name.split(".").flatMap((l) => [l.length, ...Buffer.from(l)]).concat(0));
const ip = (i) => [10, (i >> 16) & 255, (i >> 8) & 255, i & 255];
const zoneOf = (i) => `z${i % ZONES}.example`;
const ownerOf = (i) => (i % 10 === 9 ? zoneOf(i) : `h${i}.${zoneOf(i)}`);
function record(i) {
  const ns = i % 10 === 9;
  return {
    type: 1, count: 1 + (i % 7), time_first: 1_700_000_000 + (i % 86400), time_last: 1_700_000_000 + (i % 86400) + 3600,
    response_ip: Uint8Array.of(192, 0, 2, 1), bailiwick: wire(zoneOf(i)), rrname: wire(ownerOf(i)), rrclass: 1, rrtype: ns ? 2 : 1, rrttl: 3600,
    rdata: [ns ? wire(`ns${i}.${zoneOf(i)}`) : Uint8Array.from(ip(i))],
  };
}

/** The same Q random lookups of each kind for both sides (plus 200 warm-up ones at the front). */
function queryLists() {
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % N;
  };
  const out = { exact: [], left: [], ip: [] };
  for (let q = 0; q < Q + 200; q++) {
    out.exact.push(`${ownerOf(rnd())}.`);
    out.left.push(zoneOf(rnd()));
    let i = rnd();
    if (i % 10 === 9) i--; // NS records have no address
    out.ip.push(ip(i));
  }
  return out;
}

/** p50/p99 in ms over the lists (the first 200 of each are a warm-up), checking each finds something. */
function latencies(lists, run) {
  const out = {};
  for (const [kind, qs] of Object.entries(lists)) {
    for (const q of qs.slice(0, 200)) run[kind](q);
    const ts = [];
    for (const q of qs.slice(200)) {
      const t = performance.now();
      const got = run[kind](q);
      ts.push(performance.now() - t);
      if (got === 0) throw new Error(`${kind} lookup ${q} found nothing`);
    }
    ts.sort((a, b) => a - b);
    out[kind] = { p50: ts[Math.floor(ts.length * 0.5)], p99: ts[Math.floor(ts.length * 0.99)] };
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), "dnsrep-bench-dnstable-"));
const input = join(dir, "dedupe.nmsg");
{
  const chunks = [];
  let size = 0;
  const { openSync, writeSync, closeSync } = await import("node:fs");
  const fd = openSync(input, "w");
  const w = new NmsgWriter((c) => {
    writeSync(fd, c);
    size += c.length;
  });
  for (let i = 0; i < N; i++) await w.write({ vid: 2, msgtype: 1, timeSec: 1_700_000_000, timeNsec: 0, payload: encodeDnsDedupe(record(i)) });
  await w.close();
  closeSync(fd);
  void chunks;
}

// ours: dnstable-import (nmsg → sorted DNS and DNSSEC files), then lookups through the library
const t0 = process.hrtime.bigint();
const imp = spawnSync(process.execPath, [join(root, "tools/dnstable/bin/dnstable-import.js"), "-q", input, join(dir, "dns.mtbl"), join(dir, "dnssec.mtbl")], { encoding: "utf8" });
if (imp.status !== 0) throw new Error(imp.stderr);
const oursImportS = Number(process.hrtime.bigint() - t0) / 1e9;
const reader = DnstableReader.open(join(dir, "dns.mtbl"));
const count = (it) => {
  let n = 0;
  for (const _ of it) n++;
  return n;
};
const lists = queryLists();
const ours = latencies(lists, {
  exact: (q) => count(reader.query({ type: "rrset", name: q })),
  left: (q) => count(reader.query({ type: "rrset", name: `*.${q}` })),
  ip: (q) => count(reader.query({ type: "rdata_ip", ip: q.join(".") })),
});
reader.close();
const oursBytes = statSync(join(dir, "dns.mtbl")).size;

// SQLite: the same nmsg file decoded into rows (timed), then imported, indexed and queried
const tDecode = process.hrtime.bigint();
{
  const { openSync, writeSync, closeSync } = await import("node:fs");
  const fd = openSync(join(dir, "rows.tsv"), "w");
  const text = (w) => {
    const out = [];
    for (let p = 0; w[p] !== 0; p += w[p] + 1) out.push(Buffer.from(w.subarray(p + 1, p + 1 + w[p])).toString("latin1"));
    return out;
  };
  let buf = "";
  for await (const p of readPayloads(createReadStream(input, { highWaterMark: 1 << 20 }))) {
    const d = decodeDnsDedupe(p.payload);
    const labels = text(d.rrname);
    buf += `${labels.join(".")}.\t${labels.reverse().join(".")}.\t${d.rrtype}\t${text(d.bailiwick).join(".")}.\t${Buffer.from(d.rdata[0]).toString("hex")}\t${d.count}\t${d.time_first}\t${d.time_last}\n`;
    if (buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = "";
    }
  }
  writeSync(fd, buf);
  closeSync(fd);
}
const decodeS = Number(process.hrtime.bigint() - tDecode) / 1e9;
writeFileSync(
  join(dir, "queries.json"),
  JSON.stringify({ exact: lists.exact, left: lists.left.map((z) => `${z.split(".").reverse().join(".")}.`), ip: lists.ip.map((a) => Buffer.from(a).toString("hex")) }),
);
const sq = spawnSync("python3", [join(dirname(here), "sqlite_side.py"), join(dir, "rows.tsv"), join(dir, "rrsets.sqlite"), join(dir, "queries.json")], { encoding: "utf8", maxBuffer: 1 << 24 });
if (sq.status !== 0) throw new Error(`sqlite side failed: ${sq.stderr || sq.error}`);
const py = JSON.parse(sq.stdout.trim().split("\n").pop());
const lite = { importS: decodeS + py.import_s, bytes: py.bytes, lat: py.lat };
rmSync(dir, { recursive: true, force: true });

const ms = (x) => `${x.toFixed(3)} ms`;
const rate = (s) => `${Math.round(N / s).toLocaleString("en")}/s`;
console.log(`\n${N.toLocaleString("en")} RRsets in ${ZONES.toLocaleString("en")} zones (SIE/dnsdedupe nmsg in), ${Q} lookups of each kind on a warm file, node ${process.version}\n`);
console.log("| measure | dnsrep dnstable | SQLite 3.40 (indexed table) | SQLite ÷ dnstable |");
console.log("|---|---:|---:|---:|");
console.log(`| import (payloads/s, incl. sort/index build) | ${rate(oursImportS)} (${oursImportS.toFixed(1)} s) | ${rate(lite.importS)} (${lite.importS.toFixed(1)} s) | ${(lite.importS / oursImportS).toFixed(2)}× |`);
console.log(`| file size | ${(oursBytes / 2 ** 20).toFixed(0)} MiB | ${(lite.bytes / 2 ** 20).toFixed(0)} MiB | – |`);
for (const [k, label] of [["exact", "rrset exact name"], ["left", "rrset left wildcard (*.zone)"], ["ip", "rdata ip"]]) {
  console.log(`| ${label} p50 / p99 | ${ms(ours[k].p50)} / ${ms(ours[k].p99)} | ${ms(lite.lat[k].p50)} / ${ms(lite.lat[k].p99)} | ${(lite.lat[k].p99 / ours[k].p99).toFixed(2)}× (p99) |`);
}
