// Live ingest into dnstable-server --store, with 8 concurrent lookup clients running:
//   1. idle: the 8 clients alone (exact-name lookups on keep-alive connections) → p50/p99
//   2. HTTP: NDJSON batches of 1,000 observations POSTed by 4 writers for S seconds → observations/s, lookup p50/p99
//   3. NMSG: SIE dnsdedupe containers streamed over 2 TCP connections for S seconds → observations/s, lookup p50/p99
// Server RSS (max per phase, /proc/PID/status) and bytes it wrote per observation (/proc/PID/io:
// the WAL and the flushed/compacted files together: the write amplification as seen from the OS).
//   node bench/store/ingest.mjs [--seconds S] [--names N] [--memtable-mb M] [--sync batch|always|none] [--server-prof DIR]
//                               [--enrich] [--fresh] [--http-only]
// --enrich: the server stamps every A record (--geoip-db/--asn-db with @dnsrep/enrich's test databases: 10.0.0.0/8 is in them).
// --fresh: every HTTP observation is a name never seen before (every one a new stamp: enrichment's worst case);
//          without it the HTTP phase repeats the seeded names (already stamped: the steady state of passive DNS).
// --http-only: no NMSG phase.
// --settle S: after seeding, wait until the server is idle (under 5 % of a core for a second), at most S s (default 30).
// --lookup-clients N: lookup clients beside the writers (default 8; 0: ingest alone, its CPU per observation unmixed).
// Server CPU (user + system from /proc/PID/stat) per phase and per observation: steadier than rates on a shared machine.
// --server-prof DIR: the server runs under `node --cpu-prof` and writes its profile to DIR when it exits.
// --server-node-flags "F…": node flags for the server process alone (e.g. "--max-semi-space-size=32").
// Needs `npx tsc -b` first. Everything on 127.0.0.1; the store goes to $TMPDIR and is removed.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeDnsDedupe, MSGTYPE_DNSDEDUPE, NmsgWriter, VENDOR_SIE } from "@dnsrep/nmsg";
import { nameFromString } from "@dnsrep/wdns";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const SECONDS = Number(opt("--seconds", 15));
const NAMES = Number(opt("--names", 200_000));
const MEMTABLE_MB = Number(opt("--memtable-mb", 64));
const SYNC = opt("--sync", "batch");
const ENRICH = args.includes("--enrich");
const FRESH = args.includes("--fresh");
const HTTP_ONLY = args.includes("--http-only");
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "packages", "enrich", "test", "fixtures");
const LOOKUP_CLIENTS = Number(opt("--lookup-clients", 8));
const HTTP_WRITERS = 4;
const BATCH = 1000;

const dir = mkdtempSync(join(tmpdir(), "dnsrep-bench-ingest-"));
const prof = args.includes("--server-prof") ? ["--cpu-prof", "--cpu-prof-dir", opt("--server-prof", "")] : [];
// --server-node-flags "F…": node flags for the server alone (e.g. "--max-semi-space-size=32")
prof.push(...opt("--server-node-flags", "").split(" ").filter((f) => f !== ""));
const server = spawn(
  process.execPath,
  [...prof, join(root, "tools/server/bin/dnstable-server.js"), "--no-auth", "-q", "--listen", "127.0.0.1:0", "--poll-interval", "0", "--store", join(dir, "store"),
    "--nmsg-listen", "tcp:127.0.0.1:0", "--memtable-mb", String(MEMTABLE_MB), "--sync", SYNC,
    ...(ENRICH ? ["--geoip-db", join(FIXTURES, "country-v1.mmdb"), "--asn-db", join(FIXTURES, "asn-v1.mmdb")] : [])],
  { stdio: ["ignore", "ignore", "pipe"] },
);
let err = "";
const ready = new Promise((resolve, reject) => {
  server.stderr.on("data", (d) => {
    err += d.toString();
    const m = /listening on (\S+)\n/.exec(err);
    if (m) resolve(m[1]);
  });
  server.once("exit", (c) => reject(new Error(`server exited ${c}: ${err}`)));
});
const url = await ready;
const [nmsgHost, nmsgPort] = /reading NMSG on tcp:([0-9.]+):(\d+)/.exec(err).slice(1);
const { hostname, port } = new URL(url);

const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, "utf8"))[1]) * 1024;
// the server's CPU (user + system, /proc/PID/stat fields 14 and 15, in clock ticks of 1/100 s)
const cpuSeconds = () => {
  const f = readFileSync(`/proc/${server.pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
};
// per thread (name, tid): the main thread, V8's GC helpers, libuv's pool, the stores' compaction workers
const threadCpu = () => {
  const out = new Map();
  for (const tid of readdirSync(`/proc/${server.pid}/task`)) {
    try {
      const st = readFileSync(`/proc/${server.pid}/task/${tid}/stat`, "utf8");
      const name = st.slice(st.indexOf("(") + 1, st.lastIndexOf(")"));
      const f = st.slice(st.lastIndexOf(") ") + 2).split(" ");
      out.set(`${name}#${tid}`, (Number(f[11]) + Number(f[12])) / 100);
    } catch {
      // the thread ended
    }
  }
  return out;
};
const written = () => {
  try {
    return Number(/write_bytes: (\d+)/.exec(readFileSync(`/proc/${server.pid}/io`, "utf8"))[1]);
  } catch {
    return Number.NaN;
  }
};

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
function http(method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path, agent, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

let seed = 2323;
const rnd = (n) => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed % n;
};
const hostName = (i) => `h${i}.bench.test`;
let fresh = NAMES;
const ndjsonBatch = () => {
  let s = "";
  const t = 1_700_000_000 + rnd(86400);
  for (let i = 0; i < BATCH; i++) {
    const j = FRESH ? fresh++ : rnd(NAMES);
    s += `{"rrname":"${hostName(j)}","rrtype":"A","rdata":"10.${(j >> 16) & 255}.${(j >> 8) & 255}.${j & 255}","time_first":${t},"time_last":${t + 60},"count":1,"bailiwick":"bench.test"}\n`;
  }
  return s;
};

// seed the store so the lookups find something: every name once
for (let i = 0; i < NAMES; i += BATCH) {
  let s = "";
  for (let j = i; j < Math.min(NAMES, i + BATCH); j++)
    s += `{"rrname":"${hostName(j)}","rrtype":"A","rdata":"10.${(j >> 16) & 255}.${(j >> 8) & 255}.${j & 255}","time_first":1700000000,"time_last":1700000000,"bailiwick":"bench.test"}\n`;
  const r = await http("POST", "/api/v1/ingest", s, { "content-type": "application/x-ndjson" });
  if (r.status !== 200) throw new Error(`seed: ${r.status} ${r.body}`);
}

// let the seed's flushes and compactions (the data's, and with --enrich the seeded stamps') finish
// before measuring: wait until the server spends under 5 % of a core for a second, at most SETTLE s
const SETTLE = Number(opt("--settle", 30));
{
  const t0 = Date.now();
  for (let c = cpuSeconds(); Date.now() - t0 < SETTLE * 1000; ) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = cpuSeconds();
    if (now - c < 0.05) break;
    c = now;
  }
  console.error(`bench/store: settled ${((Date.now() - t0) / 1000).toFixed(0)} s after seeding`);
}

async function lookups(stopAt, lat) {
  while (Date.now() < stopAt) {
    const t0 = process.hrtime.bigint();
    const r = await http("GET", `/dnsdb/v2/lookup/rrset/name/${hostName(rnd(NAMES))}/A`);
    if (r.status !== 200) throw new Error(`lookup: ${r.status}`);
    lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
}
const pct = (a, p) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
async function ingested(via) {
  const t = (await http("GET", "/metrics")).body;
  const m = new RegExp(`dnstable_server_ingest_observations_total\\{via="${via}"\\} (\\d+)`).exec(t);
  return m ? Number(m[1]) : 0;
}

async function phase(name, work) {
  const lat = [];
  let maxRss = rss();
  const sampler = setInterval(() => {
    maxRss = Math.max(maxRss, rss());
  }, 200);
  const w0 = written();
  const c0 = cpuSeconds();
  const th0 = threadCpu();
  const t0 = Date.now();
  const stopAt = t0 + SECONDS * 1000;
  const [n] = await Promise.all([work ? work(stopAt) : Promise.resolve(0), ...Array.from({ length: LOOKUP_CLIENTS }, () => lookups(stopAt, lat))]);
  const s = (Date.now() - t0) / 1000;
  clearInterval(sampler);
  const wrote = written() - w0;
  const cpu = cpuSeconds() - c0;
  const threads = [...threadCpu()].map(([k, v]) => [k, v - (th0.get(k) ?? 0)]).filter(([, v]) => v > 0);
  threads.sort((a, b) => b[1] - a[1]);
  if (work) console.error(`bench/store: ${name}: server CPU by thread (name#tid, the first is the main one): ${threads.map(([k, v]) => `${k} ${v.toFixed(2)} s`).join(", ")}`);
  return { name, rate: n / s, n, cpu, cpuUs: n > 0 ? (cpu * 1e6) / n : Number.NaN, lookups: lat.length / s, p50: pct(lat, 50), p99: pct(lat, 99), rss: maxRss, bytesPerObs: n > 0 ? wrote / n : Number.NaN };
}

const idle = await phase("idle (lookups only)");

const httpPhase = await phase(`HTTP NDJSON, batches of ${BATCH}, ${HTTP_WRITERS} writers`, async (stopAt) => {
  let n = 0;
  let busy = 0;
  await Promise.all(
    Array.from({ length: HTTP_WRITERS }, async () => {
      while (Date.now() < stopAt) {
        const r = await http("POST", "/api/v1/ingest", ndjsonBatch(), { "content-type": "application/x-ndjson" });
        if (r.status === 200) n += BATCH;
        else if (r.status === 503) {
          busy++;
          await new Promise((res) => setTimeout(res, 100));
        } else throw new Error(`ingest: ${r.status} ${r.body}`);
      }
    }),
  );
  if (busy) console.error(`bench/store: ${busy} HTTP batches answered 503 (store busy) and retried`);
  return n;
});

const nmsgPhase = HTTP_ONLY ? null : await nmsgBench();
async function nmsgBench() {
// NMSG: containers of dnsdedupe payloads made up front, streamed round and round
const containers = [];
{
  const w = new NmsgWriter((c) => void containers.push(c.slice()), { bufsz: 8192 });
  const bw = nameFromString("bench.test.");
  for (let i = 0; i < NAMES; i++) {
    const j = rnd(NAMES);
    const p = encodeDnsDedupe({ type: 1, count: 1, time_first: 1_700_000_000, time_last: 1_700_000_060, bailiwick: bw, rrname: nameFromString(`${hostName(j)}.`), rrclass: 1, rrtype: 1, rrttl: 60, rdata: [Uint8Array.of(10, (j >> 16) & 255, (j >> 8) & 255, j & 255)] });
    await w.write({ vid: VENDOR_SIE, msgtype: MSGTYPE_DNSDEDUPE, timeSec: 1_700_000_000, timeNsec: 0, payload: p });
  }
  await w.close();
}
const nmsgPhase = await phase("NMSG TCP, dnsdedupe, 2 connections", async (stopAt) => {
  const before = await ingested("nmsg");
  await Promise.all(
    [0, 1].map(
      (k) =>
        new Promise((resolve, reject) => {
          const sock = connect(Number(nmsgPort), nmsgHost, async () => {
            let i = k * 7;
            while (Date.now() < stopAt) {
              const c = containers[i++ % containers.length];
              if (!sock.write(c)) await new Promise((r) => sock.once("drain", r));
            }
            sock.end(resolve);
          });
          sock.on("error", reject);
        }),
    ),
  );
  // what the server had stored when the senders stopped (the rate counts acknowledged puts only)
  return (await ingested("nmsg")) - before;
});
return nmsgPhase;
}

server.kill("SIGTERM");
await new Promise((r) => server.once("exit", r));
rmSync(dir, { recursive: true, force: true });
agent.destroy();

const f = (x, d = 0) => (Number.isFinite(x) ? x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d }) : "–");
console.log(`\nLive ingest, ${SECONDS} s a phase, ${NAMES.toLocaleString("en-US")} names, memtable ${MEMTABLE_MB} MiB, --sync ${SYNC}${ENRICH ? ", enrichment on (--geoip-db, --asn-db)" : ""}${FRESH ? ", HTTP names all new" : ""}; load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(" ")}\n`);
console.log(`| phase | observations/s | server CPU s (µs / observation) | lookups/s (${LOOKUP_CLIENTS} clients) | lookup p50 ms | lookup p99 ms | p99 ÷ idle | server RSS MB | bytes written / observation |`);
console.log("|---|---|---|---|---|---|---|---|---|");
for (const r of [idle, httpPhase, nmsgPhase].filter((x) => x !== null))
  console.log(`| ${r.name} | ${r.n ? f(r.rate) : "–"} | ${f(r.cpu, 2)}${r.n ? ` (${f(r.cpuUs, 1)})` : ""} | ${f(r.lookups)} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${f(r.p99 / idle.p99, 2)}× | ${f(r.rss / 1e6)} | ${f(r.bytesPerObs, 0)} |`);
