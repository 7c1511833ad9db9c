// dnstable-server under load: exact-name lookups from 64 concurrent keep-alive clients (autocannon),
// one large wildcard streamed to a fast client and held by a stalled one (results/s, server RSS),
// beside the same queries on DnstableReader in-process. All on 127.0.0.1.
//   node bench/server/run.mjs [--rrsets N] [--wild W] [--seconds S] [--connections C] [--file PATH] [--server-prof DIR]
// --server-prof DIR: the server runs under `node --cpu-prof` and writes its profile to DIR when it exits.
// --no-inprocess: leave out part 4 (DnstableReader in-process), for quicker A/B runs of the server.
// Needs `npx tsc -b` first. The data file goes to $TMPDIR and is removed; with --file PATH it is
// kept there and reused by later runs with the same PATH (same N and W).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { request } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DnstableReader, encodeTriplet, resultObject, rrsetKey } from "@dnsrep/dnstable";
import { Writer } from "@dnsrep/mtbl";
import { resultLine } from "@dnsrep/server";
import { nameFromString } from "@dnsrep/wdns";
import autocannon from "autocannon";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? Number(args[args.indexOf(n) + 1]) : d);
const N = opt("--rrsets", 10_000_000);
const W = Math.min(opt("--wild", 1_000_000), N);
const SECONDS = opt("--seconds", 20);
const CONNECTIONS = opt("--connections", 64);

// W RRsets h<i>.w.example (the wildcard) and N - W RRsets h<i>.big.example (the exact-lookup
// targets), A records, written in key order (w sorts first) straight into one mtbl file (RRSET entries only)
const keep = args.includes("--file") ? args[args.indexOf("--file") + 1] : null;
const dir = mkdtempSync(join(tmpdir(), "dnsrep-bench-server-"));
const file = keep ?? join(dir, "server.mtbl");
const name = (i, zone) => `h${String(i).padStart(9, "0")}.${zone}.example.`;
const t0 = performance.now();
if (!(keep && existsSync(keep))) {
  const w = Writer.create(file, { compression: "zstd" });
  for (const [zone, count, base] of [["w", W, N - W], ["big", N - W, 0]]) {
    const bw = nameFromString(`${zone}.example.`);
    for (let i = 0; i < count; i++) {
      const j = base + i;
      const value = encodeTriplet({ timeFirst: 1_700_000_000 + (j % 86400), timeLast: 1_700_003_600 + (j % 86400), count: 1 + (j % 7) });
      w.add(rrsetKey(nameFromString(name(i, zone)), 1, bw, [Uint8Array.of(10, (j >> 16) & 255, (j >> 8) & 255, j & 255)]), value);
    }
  }
  w.close();
}
const buildS = (performance.now() - t0) / 1000;
console.error(`bench/server: wrote ${N} RRsets (${(statSync(file).size / 1e6).toFixed(0)} MB) in ${buildS.toFixed(0)} s`);

let seed = 4242;
const rnd = (n) => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed % n;
};
const exactPath = () => `/dnsdb/v2/lookup/rrset/name/${name(rnd(N - W), "big").slice(0, -1)}/A`;

// the server, as a child process
const prof = args.includes("--server-prof") ? ["--cpu-prof", "--cpu-prof-dir", args[args.indexOf("--server-prof") + 1]] : [];
const server = spawn(process.execPath, [...prof, join(root, "tools/server/bin/dnstable-server.js"), "--no-auth", "-q", "--listen", "127.0.0.1:0", "--max-limit", String(10 * W), "--poll-interval", "0", file], {
  stdio: ["ignore", "ignore", "pipe"],
});
const url = await new Promise((resolve, reject) => {
  let err = "";
  server.stderr.on("data", (d) => {
    err += d;
    const m = /listening on (\S+)\n/.exec(err);
    if (m) resolve(m[1]);
  });
  server.once("exit", (c) => reject(new Error(`server exited ${c}: ${err}`)));
});
const rssMB = () => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
};
const load0 = loadavg()[0];
/** The server's CPU time so far (user + system), in ms: per-request cost that a busy machine does not distort. */
const cpuMs = () => {
  const f = readFileSync(`/proc/${server.pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
};

// 0. the dashboard counts the DATA files once after a start, on a worker thread: wait for it, so
// that the lookups below measure the steady state (its own cost is printed apart)
const getJson = (path) =>
  new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.on("error", reject);
    req.end();
  });
const scanT0 = performance.now();
let scanState = "none";
for (;;) {
  const r = await getJson("/dnsdb/v2/dashboard?range=24h");
  scanState = r.status === 200 ? JSON.parse(r.body).files.state : `HTTP ${r.status}`;
  if (scanState !== "computing") break;
  await new Promise((r) => setTimeout(r, 250));
}
const scanS = (performance.now() - scanT0) / 1000;
console.error(`bench/server: the dashboard's files scan: ${scanState} after ${scanS.toFixed(1)} s (server CPU so far ${(cpuMs() / 1000).toFixed(1)} s)`);

// 1. exact lookups, 64 keep-alive clients
await autocannon({ url, connections: CONNECTIONS, duration: 3, requests: [{ method: "GET", setupRequest: (r) => ({ ...r, path: exactPath() }) }] }); // warm-up
const cpu0 = cpuMs();
const ac = await autocannon({
  url,
  connections: CONNECTIONS,
  duration: SECONDS,
  requests: [{ method: "GET", setupRequest: (r) => ({ ...r, path: exactPath() }) }],
});
const exactCpu = (cpuMs() - cpu0) / ac.requests.total;
const exactRss = rssMB();

// 2. the wildcard streamed whole to a client reading as fast as it can
const stream = (path, onResponse) =>
  new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, (res) => onResponse(res, req, resolve));
    req.on("error", reject);
    req.end();
  });
let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, rssMB());
}, 50);
const ts = performance.now();
const cpu1 = cpuMs();
const lines = await stream("/dnsdb/v2/lookup/rrset/name/*.w.example?limit=0", (res, _req, resolve) => {
  let n = 0;
  res.on("data", (c) => {
    for (let i = c.indexOf(10); i >= 0; i = c.indexOf(10, i + 1)) n++;
  });
  res.on("end", () => resolve(n));
});
const streamS = (performance.now() - ts) / 1000;
const streamCpu = (cpuMs() - cpu1) / 1000;
clearInterval(sampler);
if (lines !== W + 2) throw new Error(`wildcard: ${lines} lines, expected ${W + 2}`);

// 3. the same wildcard to a client that stops reading: RSS while it is stalled
const before = rssMB();
const stalledRss = await stream("/dnsdb/v2/lookup/rrset/name/*.w.example?limit=0", (res, req, resolve) => {
  res.pause();
  setTimeout(() => {
    const r = rssMB();
    req.destroy();
    resolve(r);
  }, 5000);
});
server.kill("SIGTERM");
await new Promise((r) => server.once("exit", r));

// 4. in-process DnstableReader: the same kinds of query, each result's line made as the server
// makes it (resultLine), and the wildcard also as objects (resultObject + JSON.stringify) and bare
const inprocess = !args.includes("--no-inprocess");
const tl = [];
let inExactS = Number.NaN;
let exactNames = [];
const wild = {};
if (inprocess) {
  const reader = DnstableReader.open(file, { verifyChecksums: true });
  exactNames = Array.from({ length: 20000 }, () => `h${String(rnd(N - W)).padStart(9, "0")}.big.example`);
  for (const n of exactNames.slice(0, 2000)) for (const r of reader.query({ type: "rrset", name: n, rrtype: "A" })) resultLine(r, false);
  const te = performance.now();
  for (const n of exactNames) {
    const t = performance.now();
    let got = 0;
    for (const r of reader.query({ type: "rrset", name: n, rrtype: "A" })) {
      resultLine(r, false);
      got++;
    }
    tl.push(performance.now() - t);
    if (got !== 1) throw new Error(`in-process: ${n} gave ${got}`);
  }
  inExactS = (performance.now() - te) / 1000;
  tl.sort((a, b) => a - b);
  /** CPU µs per wildcard result with `each` applied to every result */
  const perResult = (each) => {
    const c = process.cpuUsage();
    let n = 0;
    for (const r of reader.query({ type: "rrset", name: "*.w.example" })) {
      each(r);
      n++;
    }
    const u = process.cpuUsage(c);
    if (n !== W) throw new Error(`in-process wildcard: ${n} results`);
    return (u.user + u.system) / n;
  };
  wild.bare = perResult(() => {});
  wild.object = perResult((r) => JSON.stringify({ obj: resultObject(r) }));
  wild.line = perResult((r) => resultLine(r, false));
  reader.close();
}
rmSync(dir, { recursive: true, force: true });

const f = (x, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
console.log(`file: ${f(N)} RRsets (RRSET entries, zstd), wildcard *.w.example: ${f(W)} results; ${CONNECTIONS} connections, ${SECONDS} s; load average ${load0.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end\n`);
console.log("| measure | dnstable-server (HTTP, autocannon) | DnstableReader in-process |");
console.log("|---|---|---|");
console.log(`| exact-name lookups/s | ${f(ac.requests.average)} (${f(ac.requests.total)} in ${SECONDS} s; errors ${ac.errors}, timeouts ${ac.timeouts}, non-2xx ${ac.non2xx}) | ${inprocess ? `${f(exactNames.length / inExactS)} (one thread, no HTTP)` : "—"} |`);
console.log(`| exact lookup p50 / p99 | ${ac.latency.p50} ms / ${ac.latency.p99} ms | ${inprocess ? `${tl[Math.floor(tl.length / 2)].toFixed(3)} ms / ${tl[Math.floor(tl.length * 0.99)].toFixed(3)} ms` : "—"} |`);
console.log(`| server CPU per exact lookup | ${(exactCpu * 1000).toFixed(0)} µs (≈ ${f(1000 / exactCpu)} lookups/s per core it has to itself) | — |`);
console.log(`| wildcard streamed, results/s | ${f(W / streamS)} (${f(W)} in ${streamS.toFixed(2)} s) | — |`);
console.log(`| server CPU for the wildcard | ${streamCpu.toFixed(1)} s (${((streamCpu * 1e6) / W).toFixed(2)} µs per result, ≈ ${f(W / streamCpu)} results per CPU-second) | ${inprocess ? `CPU per result: ${wild.bare.toFixed(2)} µs iterating, ${wild.line.toFixed(2)} µs with resultLine, ${wild.object.toFixed(2)} µs with resultObject + JSON.stringify` : "—"} |`);
console.log(`| server RSS | ${f(exactRss)} MB after the lookups; peak ${f(peakRss)} MB while streaming; ${f(stalledRss)} MB with a stalled client (${f(before)} MB before it) | — |`);
