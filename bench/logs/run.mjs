// Log parsing throughput: lines/s of each @dnsrep/logs parser on one core (the vector logs repeated
// to about --lines lines, parsed and aggregated in this process, CPU time from process.cpuUsage),
// then the whole `dnsrep-shipper parse` command (wall and CPU) beside Debian's goaccess on the same
// nginx access log (combined format: the format goaccess reads without a custom definition).
//   node bench/logs/run.mjs [--lines N] [--runs N]
// Needs `npx tsc -b` first; the goaccess row needs `apt-get install goaccess`.
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const logs = await import(join(root, "packages/logs/dist/index.js"));
const { FrameStreamReader } = await import(join(root, "packages/dnstap/dist/index.js"));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const target = opt("--lines", 1_000_000);
const runs = opt("--runs", 3);
const fx = join(root, "tools/shipper/test/fixtures/logs");

const SQUID_PDNS = "%ts.%03tu [%tl] %>a %{Host}>h %<a %<p %rm %ru %>Hs %Ss/%Sh %<st";
const NGINX_PDNS =
  '$msec $remote_addr $server_addr $server_port "$host" "$http_host" "$request" $status $body_bytes_sent "$http_via" "$http_x_forwarded_for"';
const cases = [
  ["dnsmasq", "dnsmasq/dnsmasq.log", { year: 2026 }],
  ["squid", "squid/access.log", {}],
  ["squid", "squid/access_pdns.log", { logFormat: SQUID_PDNS }],
  ["nginx", "nginx/access_pdns.log", { logFormat: NGINX_PDNS }],
  ["nginx", "nginx/access.log", {}],
  ["kresd", "kresd/kresd.ts.log", {}],
  ["unbound", "unbound/unbound.log", {}],
  ["bind-querylog", "named/named.querylog", {}],
];

function cpu() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

console.log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(" ")}; ${runs} runs each, best shown\n`);
console.log("| parser | input | lines | observations | lines/s (CPU, best) | lines/s (CPU, worst) |");
console.log("|---|---|---:|---:|---:|---:|");
for (const [format, rel, opts] of cases) {
  const base = readFileSync(join(fx, rel), "utf8").split("\n").filter((l) => l !== "");
  const lines = [];
  while (lines.length < target) lines.push(...base);
  const rates = [];
  let nobs = 0;
  for (let r = 0; r < runs; r++) {
    const p = logs.createParser(format, opts);
    const agg = new logs.Aggregator({ source: format });
    const c0 = cpu();
    for (let i = 0; i < lines.length; i++) {
      const a = p.line(lines[i]);
      for (let j = 0; j < a.length; j++) agg.add(a[j]);
    }
    agg.addAll(p.end());
    nobs = agg.drain().length;
    rates.push(lines.length / (cpu() - c0));
    if ([...p.rejected.values()].some((n) => n > 0)) throw new Error(`${rel}: rejected lines in the bench input`);
  }
  const f = (x) => Math.round(x).toLocaleString("en-US");
  console.log(`| ${format} | ${rel}${opts.logFormat ? " (custom format)" : ""} | ${lines.length.toLocaleString("en-US")} | ${nobs} | ${f(Math.max(...rates))} | ${f(Math.min(...rates))} |`);
}

// dnstap: frames/s through FrameStreamReader + DnstapParser
{
  const frames = [];
  for (const f of ["unbound/unbound.dnstap", "named/named.dnstap"]) {
    const r = new FrameStreamReader((b) => frames.push(b.slice()));
    r.push(new Uint8Array(readFileSync(join(fx, f))));
    r.end();
  }
  const n = Math.max(frames.length, Math.floor(target / 5));
  const rates = [];
  for (let r = 0; r < runs; r++) {
    const p = new logs.DnstapParser({});
    const agg = new logs.Aggregator({ source: "dnstap" });
    const c0 = cpu();
    for (let i = 0; i < n; i++) agg.addAll(p.frame(frames[i % frames.length]));
    agg.drain();
    rates.push(n / (cpu() - c0));
  }
  console.log(`| dnstap | unbound + named .dnstap frames | ${n.toLocaleString("en-US")} frames | – | ${Math.round(Math.max(...rates)).toLocaleString("en-US")} frames/s | ${Math.round(Math.min(...rates)).toLocaleString("en-US")} frames/s |`);
}

// the whole command vs goaccess on the same file
const big = join(tmpdir(), `dnsrep-bench-nginx-${process.pid}.log`);
const base = readFileSync(join(fx, "nginx/access.log"));
const fd = openSync(big, "w");
const nlines = base.toString().split("\n").length - 1;
let total = 0;
while (total < target) {
  writeSync(fd, base);
  total += nlines;
}
closeSync(fd);
function timed(cmd, argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-f", "%U %S", cmd, ...argv], { encoding: "utf8", maxBuffer: 1 << 28 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}: ${r.stderr.slice(-300)}`);
  const [u, s] = r.stderr.trim().split("\n").pop().split(" ").map(Number);
  return { wall, cpu: u + s };
}
console.log(`\nWhole commands on the nginx combined log repeated to ${total.toLocaleString("en-US")} lines (${runs} runs, best):\n`);
console.log("| command | wall s | CPU s | lines/s (wall) |");
console.log("|---|---:|---:|---:|");
const bin = join(root, "tools/shipper/bin/dnsrep-shipper.js");
// the same number of lines of the custom format that does carry host and address
const bigPdns = join(tmpdir(), `dnsrep-bench-nginx-pdns-${process.pid}.log`);
{
  const b = readFileSync(join(fx, "nginx/access_pdns.log"));
  const n = b.toString().split("\n").length - 1;
  const fd2 = openSync(bigPdns, "w");
  for (let t = 0; t < total; t += n) writeSync(fd2, b);
  closeSync(fd2);
}
const rows = [
  ["dnsrep-shipper parse -f nginx (combined)", process.execPath, [bin, "parse", "-q", "-f", "nginx", big]],
  ["dnsrep-shipper parse -f nginx --log-format PDNS (access_pdns.log)", process.execPath, [bin, "parse", "-q", "-f", "nginx", "--log-format", NGINX_PDNS, bigPdns]],
];
if (existsSync("/usr/bin/goaccess")) {
  const out = join(tmpdir(), `dnsrep-bench-goaccess-${process.pid}.json`);
  rows.push(["goaccess --log-format=COMBINED -o json", "/usr/bin/goaccess", [big, "--log-format=COMBINED", "--no-global-config", "-o", out]]);
}
for (const [label, cmd, argv] of rows) {
  const rs = [];
  for (let r = 0; r < runs; r++) rs.push(timed(cmd, argv));
  rs.sort((a, b) => a.wall - b.wall);
  const b = rs[0];
  console.log(`| ${label} | ${b.wall.toFixed(2)} | ${b.cpu.toFixed(2)} | ${Math.round(total / b.wall).toLocaleString("en-US")} |`);
}
if (!existsSync("/usr/bin/goaccess")) console.log("\n(goaccess not installed: `apt-get install goaccess`)");
rmSync(big, { force: true });
rmSync(bigPdns, { force: true });
console.log(`\nload average at end: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
