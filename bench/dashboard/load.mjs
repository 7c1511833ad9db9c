// Dashboard load time on a big live store (issue 28: under 1 s on a 10M-RRset store).
//   node bench/dashboard/load.mjs [--rrsets N] [--loads L]
// 1. starts dnstable-server --store (no auth, 127.0.0.1) and POSTs N distinct RRsets (NDJSON
//    batches of 5,000 by 2 writers; distinct names under 200k registered domains, A/AAAA/NS/MX/TXT,
//    time_last spread over 30 days, 4 sources: sensor + 3 log sources) → ingest rate;
// 2. GET /dnsdb/v2/dashboard?range=24h|7d|30d L times each on a keep-alive connection → p50 / max ms;
// 3. restarts the server on the same store and times its first dashboard load (aggregates read back);
// 4. in-process: the cost of counting one observation (Aggregates.observe), the ingest hook's share.
// Reports the aggregates file's size and the server's RSS. Needs `npx tsc -b` first.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { Agent, request } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { nameFromString } from "@dnsrep/wdns";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const N = Number(opt("--rrsets", 1_000_000));
const LOADS = Number(opt("--loads", 20));
const BATCH = 5000;
const T_END = 1_765_000_000;
const SOURCES = [null, "zeek", "suricata", "dnsmasq"];
const TYPES = ["A", "A", "A", "AAAA", "NS", "MX", "TXT"];

const dir = mkdtempSync(join(tmpdir(), "dnsrep-bench-dashboard-"));
const store = join(dir, "store");

function start() {
  const server = spawn(
    process.execPath,
    [join(root, "tools/server/bin/dnstable-server.js"), "--no-auth", "-q", "--listen", "127.0.0.1:0", "--poll-interval", "0", "--store", store],
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
  return { server, ready };
}
const stop = (s) => new Promise((r) => { s.once("exit", r); s.kill("SIGTERM"); });
const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) * 1024;

const agent = new Agent({ keepAlive: true, maxSockets: 4 });
function http(url, method, body) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, agent, headers: body ? { "content-type": "application/x-ndjson" } : {} }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function line(i) {
  const source = SOURCES[i % 4];
  const rrtype = TYPES[i % TYPES.length];
  const rdata = rrtype === "A" ? `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` : rrtype === "AAAA" ? `2001:db8::${(i & 0xffff).toString(16)}` : rrtype === "NS" ? `ns${i % 7}.d${i % 200_000}.com` : rrtype === "MX" ? `10 mx${i % 5}.d${i % 200_000}.com` : `"v=spf1 -all ${i % 1000}"`;
  const t = T_END - (i % (30 * 86400));
  const suffix = ["com", "net", "org", "co.uk", "de"][i % 5];
  const o = { rrname: `h${i}.d${i % 200_000}.${suffix}`, rrtype, rdata, time_first: t - 60, time_last: t, count: 1 + (i % 17) };
  if (source === null) o.bailiwick = suffix.split(".").pop();
  else o.source = source;
  return JSON.stringify(o);
}

async function ingest(url) {
  let next = 0;
  const writer = async () => {
    for (;;) {
      const from = next;
      if (from >= N) return;
      next = Math.min(N, from + BATCH);
      const lines = [];
      for (let i = from; i < next; i++) lines.push(line(i));
      for (;;) {
        const r = await http(`${url}/api/v1/ingest`, "POST", lines.join("\n"));
        if (r.status === 200) break;
        if (r.status !== 503) throw new Error(`ingest: ${r.status} ${r.body}`);
        await new Promise((res) => setTimeout(res, 200));
      }
    }
  };
  const t0 = performance.now();
  await Promise.all([writer(), writer()]);
  return (performance.now() - t0) / 1000;
}

async function loads(url) {
  const out = {};
  for (const range of ["24h", "7d", "30d"]) {
    const ms = [];
    for (let i = 0; i < LOADS; i++) {
      const t0 = performance.now();
      const r = await http(`${url}/dnsdb/v2/dashboard?range=${range}`, "GET");
      ms.push(performance.now() - t0);
      if (r.status !== 200) throw new Error(`dashboard: ${r.status} ${r.body}`);
      if (i === 0) out[`${range}.bytes`] = r.body.length;
    }
    ms.sort((a, b) => a - b);
    out[range] = { p50: +ms[Math.floor(ms.length / 2)].toFixed(1), max: +ms[ms.length - 1].toFixed(1) };
  }
  return out;
}

const load0 = loadavg()[0];
let s = start();
let secs, view, warm, rssAfter, aggBytes, first, firstMs, after;
try {
  let url = await s.ready;
  secs = await ingest(url);
  view = JSON.parse((await http(`${url}/dnsdb/v2/dashboard?range=30d`, "GET")).body);
  warm = await loads(url);
  rssAfter = rss(s.server.pid);
  await stop(s.server);
  aggBytes = statSync(join(store, "dashboard", "aggregates.bin")).size;
  s = start();
  url = await s.ready;
  const t0 = performance.now();
  first = await http(`${url}/dnsdb/v2/dashboard?range=24h`, "GET");
  firstMs = performance.now() - t0;
  after = JSON.parse((await http(`${url}/dnsdb/v2/dashboard?range=30d`, "GET")).body);
} finally {
  // a failed run leaves no server or store behind
  if (s.server.exitCode === null && s.server.signalCode === null) await stop(s.server);
  agent.destroy();
  rmSync(dir, { recursive: true, force: true });
}

// the hook's cost per observation, in process
const { Aggregates } = await import(join(root, "packages/server/dist/dashboard/index.js"));
const a = new Aggregates();
const M = 300_000;
const obs = Array.from({ length: 1000 }, (_, i) => ({ rrname: nameFromString(`h${i}.d${i % 200}.com`), rrtype: 1, rdata: [Uint8Array.of(10, 0, i >> 8, i & 255)], timeFirst: T_END - i, timeLast: T_END, count: 1 }));
let tt = performance.now();
for (let i = 0; i < M; i++) {
  const o = obs[i % 1000];
  a.observe(i < 1000 ? o : { ...o, rrname: nameFromString(`n${i}.d${i % 20000}.com`) }, "sensor");
}
const observeUs = ((performance.now() - tt) * 1000) / M;

console.log(JSON.stringify({
  rrsets: N,
  ingest: { seconds: +secs.toFixed(1), perSecond: Math.round(N / secs) },
  counted: view.observations,
  warm,
  firstLoadAfterRestartMs: +firstMs.toFixed(1),
  firstStatus: first.status,
  keptAcrossRestart: after.observations === view.observations,
  aggregatesFileBytes: aggBytes,
  serverRssBytes: rssAfter,
  observeMicrosecondsPerObservation: +observeUs.toFixed(2),
  loadavgBefore: load0,
  loadavgAfter: loadavg()[0],
  cpus: (await import("node:os")).cpus().length,
}, null, 1));
