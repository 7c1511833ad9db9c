// nmsg-dns-cache throughput and memory: synthetic base/dnsqr responses from a lab authority
// (each answers one new name plus the zone's NS and glue, so the cache fills with distinct
// RRsets), run through the command end to end (read nmsg, decode, parse, bailiwick, cache,
// encode dnsdedupe, write nmsg), and the cache's memory per entry measured in-process.
//   node bench/dedupe/run.mjs [--responses N] [--cache N] [--runs N]
// Needs `npx tsc -b tools/dns-cache` first.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { udpDatagram } from "@dnsrep/capture";
import { DedupeCache, dedupeKey, nameKey } from "@dnsrep/dedupe";
import { encodeDnsQR, NmsgWriter } from "@dnsrep/nmsg";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? Number(args[args.indexOf(n) + 1]) : d);
const N = opt("--responses", 1_000_000);
const CACHE = opt("--cache", 1_000_000);

const wire = (name) => [...name.split(".").filter(Boolean).flatMap((l) => [l.length, ...Buffer.from(l)]), 0];
const rr = (name, type, data, ttl = 3600) => [...wire(name), 0, type, 0, 1, ttl >>> 24, (ttl >>> 16) & 255, (ttl >>> 8) & 255, ttl & 255, data.length >> 8, data.length & 255, ...data];
const SERVER = Uint8Array.of(192, 0, 2, 53);
const CLIENT = Uint8Array.of(10, 0, 0, 1);
function response(i) {
  const qname = `h${i}.example.com`;
  const q = [...wire(qname), 0, 1, 0, 1];
  const body = [...rr(qname, 1, [10, (i >> 16) & 255, (i >> 8) & 255, i & 255]), ...rr("example.com", 2, wire("ns1.example.com")), ...rr("ns1.example.com", 1, [...SERVER])];
  return Uint8Array.from([i >> 8 & 255, i & 255, 0x84, 0, 0, 1, 0, 1, 0, 1, 0, 1, ...q, ...body]);
}

if (args[0] === "--memory-child") {
  // defined below; hoisted function declaration
  console.log(JSON.stringify(await memoryChild(Number(args[1]))));
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), "dnsrep-bench-dedupe-"));
const keep = args.includes("--keep") ? args[args.indexOf("--keep") + 1] : undefined;
const input = keep ?? join(dir, "dnsqr.nmsg");
const zones = join(dir, "zones.txt");
writeFileSync(zones, "192.0.2.53 example.com\n");
{
  const chunks = [];
  const w = new NmsgWriter((c) => {
    chunks.push(c);
  });
  for (let i = 0; i < N; i++) {
    const resp = response(i);
    const pkt = udpDatagram({ src: SERVER, dst: CLIENT, sport: 53, dport: 40000 + (i % 20000), payload: resp });
    const qpkt = udpDatagram({ src: CLIENT, dst: SERVER, sport: 40000 + (i % 20000), dport: 53, payload: resp.subarray(0, 12 + 4 + 2 + 4 + `h${i}`.length + 12) });
    const t = 1_700_000_000 + Math.floor(i / 1000);
    const q = {
      type: 1, query_ip: CLIENT, response_ip: SERVER, proto: 17, query_port: 40000 + (i % 20000), response_port: 53, id: i & 0xffff,
      query_packet: [qpkt], query_time_sec: [t], query_time_nsec: [0], response_packet: [pkt], response_time_sec: [t], response_time_nsec: [500000],
    };
    await w.write({ vid: 1, msgtype: 9, timeSec: t, timeNsec: 0, payload: encodeDnsQR(q) });
  }
  await w.close();
  writeFileSync(input, Buffer.concat(chunks));
}

// end to end, best of --runs: on one core (the input read on the main thread too) and as the
// tool runs by default (files of 64 MiB and more read on a worker thread)
const runs = opt("--runs", 1);
const cmd = [join(root, "tools/dns-cache/bin/nmsg-dns-cache.js"), "--zones", zones, "--cache-size", String(CACHE), "--cache-memory", "4096", "-r", input, "-w", "/dev/null"];
const best = { one: Infinity, worker: Infinity };
let r;
for (let i = 0; i < runs; i++) {
  for (const mode of ["one", "worker"]) {
    const t0 = process.hrtime.bigint();
    r = spawnSync(process.execPath, cmd, { encoding: "utf8", env: { ...process.env, DNSREP_READ_THREAD: mode === "one" ? "0" : "" } });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(r.stderr);
    best[mode] = Math.min(best[mode], s);
  }
}
rmSync(dir, { recursive: true, force: true });

// memory per cached entry, measured in a fresh process that holds nothing else
async function memoryChild(n) {
  // array buffers are freed by a sweeper after the collection: let it finish before each reading
  const settle = async () => {
    globalThis.gc();
    await new Promise((r) => setTimeout(r, 200));
    globalThis.gc();
  };
  await settle();
  const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const c = new DedupeCache(() => {}, { maxEntries: n, maxBytes: 2 ** 40 });
  let keyBytes = 0;
  const bw = nameKey(Uint8Array.from(wire("example.com")));
  for (let i = 0; i < n; i++) {
    const k = dedupeKey(nameKey(Uint8Array.from(wire(`h${i}.example.com`))), bw, 1, 1, [Uint8Array.of(10, (i >> 16) & 255, (i >> 8) & 255, i & 255)]);
    keyBytes += k.length;
    c.observe(k, 3600, SERVER, 1_700_000_000, 0, false);
  }
  await settle();
  const after = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  if (c.stats.entries !== n) throw new Error("cache lost entries");
  return { perEntry: (after - before) / n, perKey: keyBytes / n };
}
const m = JSON.parse(spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), "--memory-child", String(CACHE)], { encoding: "utf8" }).stdout);
const perEntry = m.perEntry;
const perKey = m.perKey;

console.log(`\n${N.toLocaleString("en")} dnsqr responses (3 RRsets each, 1 new), cache of ${CACHE.toLocaleString("en")} entries, best of ${runs}, node ${process.version}\n`);
console.log("| measure | value |");
console.log("|---|---:|");
console.log(`| nmsg-dns-cache end to end on one core (nmsg in → dnsdedupe nmsg out) | ${Math.round(N / best.one).toLocaleString("en")} responses/s (${best.one.toFixed(2)} s) |`);
console.log(`| the same, input file read on a worker thread (the default for files ≥ 64 MiB) | ${Math.round(N / best.worker).toLocaleString("en")} responses/s (${best.worker.toFixed(2)} s) |`);
console.log(`| memory per cached entry (heap + typed arrays) | ${perEntry.toFixed(0)} bytes |`);
console.log(`| of which the key bytes (in the key ring) | ${perKey.toFixed(0)} bytes |`);
console.log(`| beyond the key bytes | ${(perEntry - perKey).toFixed(0)} bytes (goal: under 200) |`);
console.log(`\n${r.stderr.trim()}`);
