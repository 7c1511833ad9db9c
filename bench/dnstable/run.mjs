// dnstable: import throughput and lookup latency on synthetic passive DNS, beside what a small team
// would build instead — the same records in SQLite (better-sqlite3) with indexes on owner name,
// reversed owner name and rdata — in one run, one process.
//   node bench/dnstable/run.mjs [--rrsets N] [--queries Q]
// Needs `npx tsc -b tools/dnstable` first. Files go to $TMPDIR and are removed.
import { spawnSync } from "node:child_process";
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DnstableReader } from "@dnsrep/dnstable";
import { decodeDnsDedupe, encodeDnsDedupe, NmsgWriter, readPayloads } from "@dnsrep/nmsg";
import Database from "better-sqlite3";

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
  const fd = openSync(input, "w");
  const w = new NmsgWriter((c) => {
    writeSync(fd, c);
  });
  for (let i = 0; i < N; i++) await w.write({ vid: 2, msgtype: 1, timeSec: 1_700_000_000, timeNsec: 0, payload: encodeDnsDedupe(record(i)) });
  await w.close();
  closeSync(fd);
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

// SQLite: the same nmsg file decoded into rows and inserted (one transaction), then indexed — all
// of it timed as SQLite's import — then the same lookups through prepared statements
const dbPath = join(dir, "rrsets.sqlite");
const tLite = process.hrtime.bigint();
const db = new Database(dbPath);
db.pragma("journal_mode = OFF");
db.pragma("synchronous = OFF");
db.exec("CREATE TABLE rrset (owner TEXT, rev_owner TEXT, rrtype INTEGER, bailiwick TEXT, rdata BLOB, count INTEGER, time_first INTEGER, time_last INTEGER)");
{
  const insert = db.prepare("INSERT INTO rrset VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  const labelsOf = (w) => {
    const out = [];
    for (let p = 0; w[p] !== 0; p += w[p] + 1) out.push(Buffer.from(w.buffer, w.byteOffset + p + 1, w[p]).toString("latin1"));
    return out;
  };
  db.exec("BEGIN");
  for await (const p of readPayloads(createReadStream(input, { highWaterMark: 1 << 20 }))) {
    const d = decodeDnsDedupe(p.payload);
    const labels = labelsOf(d.rrname);
    insert.run(`${labels.join(".")}.`, `${labels.reverse().join(".")}.`, d.rrtype, `${labelsOf(d.bailiwick).join(".")}.`, Buffer.from(d.rdata[0]), d.count, d.time_first, d.time_last);
  }
  db.exec("COMMIT");
  db.exec("CREATE INDEX by_owner ON rrset(owner)");
  db.exec("CREATE INDEX by_rev ON rrset(rev_owner)");
  db.exec("CREATE INDEX by_rdata ON rrset(rdata)");
}
const liteImportS = Number(process.hrtime.bigint() - tLite) / 1e9;
const sqliteVersion = db.prepare("SELECT sqlite_version()").pluck().get();
const driverVersion = createRequire(import.meta.url)("better-sqlite3/package.json").version;
const byOwner = db.prepare("SELECT * FROM rrset WHERE owner = ?");
const byRev = db.prepare("SELECT * FROM rrset WHERE rev_owner >= ? AND rev_owner < ?");
const byRdata = db.prepare("SELECT * FROM rrset WHERE rdata = ? AND rrtype = 1");
// the same queries, in the table's terms: a reversed zone name as a prefix, an address as bytes
const liteLists = {
  exact: lists.exact,
  left: lists.left.map((z) => `${z.split(".").reverse().join(".")}.`),
  ip: lists.ip.map((a) => Buffer.from(a)),
};
const liteLat = latencies(liteLists, {
  exact: (q) => byOwner.all(q).length,
  left: (q) => byRev.all(q, `${q}\uffff`).length,
  ip: (q) => byRdata.all(q).length,
});
db.close();
const lite = { importS: liteImportS, bytes: statSync(dbPath).size, lat: liteLat };
rmSync(dir, { recursive: true, force: true });

const ms = (x) => `${x.toFixed(3)} ms`;
const rate = (s) => `${Math.round(N / s).toLocaleString("en")}/s`;
console.log(`\n${N.toLocaleString("en")} RRsets in ${ZONES.toLocaleString("en")} zones (SIE/dnsdedupe nmsg in), ${Q} lookups of each kind on a warm file, node ${process.version}\n`);
console.log(`| measure | dnsrep dnstable | SQLite ${sqliteVersion} (better-sqlite3 ${driverVersion}, indexed table) | SQLite ÷ dnstable |`);
console.log("|---|---:|---:|---:|");
console.log(`| import (payloads/s, incl. sort/index build) | ${rate(oursImportS)} (${oursImportS.toFixed(1)} s) | ${rate(lite.importS)} (${lite.importS.toFixed(1)} s) | ${(lite.importS / oursImportS).toFixed(2)}× |`);
console.log(`| file size | ${(oursBytes / 2 ** 20).toFixed(0)} MiB | ${(lite.bytes / 2 ** 20).toFixed(0)} MiB | – |`);
for (const [k, label] of [["exact", "rrset exact name"], ["left", "rrset left wildcard (*.zone)"], ["ip", "rdata ip"]]) {
  console.log(`| ${label} p50 / p99 | ${ms(ours[k].p50)} / ${ms(ours[k].p99)} | ${ms(lite.lat[k].p50)} / ${ms(lite.lat[k].p99)} | ${(lite.lat[k].p99 / ours[k].p99).toFixed(2)}× (p99) |`);
}
