// @dnsrep/client and dnsdb-query: how fast a large answer streams from dnstable-server, beside
// Debian's dnsdbq on the same server and query.
//   node bench/client/run.mjs [--rrsets N] [--runs R]
// Needs `npx tsc -b` first (the server and dnsdb-query binaries, the packages' dist). Writes a
// dnstable file of N A RRsets (*.big.test) to $TMPDIR, serves it on 127.0.0.1, and times
// `-r '*.big.test' -l 0` with -j and -p csv, output to /dev/null, with /usr/bin/time (user+sys
// CPU of the client process, and wall time, which includes the server's work on the same cores);
// then the library alone (PdnsClient in this process, records counted). Best of R runs each.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PdnsClient } from "@dnsrep/client";
import { encodeTriplet, rrsetKey } from "@dnsrep/dnstable";
import { Writer } from "@dnsrep/mtbl";
import { nameFromString } from "@dnsrep/wdns";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? Number(args[args.indexOf(n) + 1]) : d);
const N = opt("--rrsets", 200_000);
const RUNS = opt("--runs", 3);

const dir = mkdtempSync(join(tmpdir(), "bench-client-"));
const file = join(dir, "big.mtbl");
const w = Writer.create(file, { compression: "none" });
const bw = nameFromString("big.test.");
const value = encodeTriplet({ timeFirst: 1_700_000_000, timeLast: 1_700_003_600, count: 3 });
for (let i = 0; i < N; i++) {
  const name = nameFromString(`h${String(i).padStart(8, "0")}.big.test.`);
  w.add(rrsetKey(name, 1, bw, [Uint8Array.of(10, (i >> 16) & 255, (i >> 8) & 255, i & 255)]), value);
}
w.close();

const server = spawn(process.execPath, [join(root, "tools/server/bin/dnstable-server.js"), "--listen", "127.0.0.1:0", "--no-auth", "-q", "--max-limit", String(N), "--fname", file], {
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

const env = { ...process.env, DNSDB_SERVER: url, DNSDB_API_KEY: "bench", HOME: "/nonexistent", TZ: "UTC" };
function timed(cmd, argv) {
  let best = null;
  for (let r = 0; r < RUNS; r++) {
    const t = spawnSync("/usr/bin/time", ["-f", "%U %S %e", "sh", "-c", `"$0" "$@" > /dev/null`, cmd, ...argv], { env, encoding: "utf8" });
    const m = /([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(t.stderr);
    if (t.status !== 0 || !m) throw new Error(`${cmd} ${argv.join(" ")}: ${t.stderr}`);
    const cpu = Number(m[1]) + Number(m[2]);
    const wall = Number(m[3]);
    if (best === null || wall < best.wall) best = { cpu, wall };
  }
  return best;
}

const rows = [];
const q = ["-r", "*.big.test", "-l", "0"];
const dq = [process.execPath, join(root, "tools/dnsdb-query/bin/dnsdb-query.js")];
for (const p of [["-j"], ["-p", "csv"]]) {
  const ours = timed(dq[0], [dq[1], ...q, ...p]);
  const theirs = timed("dnsdbq", [...q, ...p]);
  rows.push([`${p.join(" ")}`, ours, theirs]);
}
let lib = null;
for (let r = 0; r < RUNS; r++) {
  const c = new PdnsClient({ server: url, apiKey: "bench" });
  const t0 = process.hrtime.bigint();
  const u0 = process.cpuUsage();
  let n = 0;
  for await (const _ of c.lookupRRset("*.big.test", { limit: 0 })) n++;
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const u = process.cpuUsage(u0);
  if (n !== N) throw new Error(`library: ${n} records, expected ${N}`);
  if (lib === null || wall < lib.wall) lib = { wall, cpu: (u.user + u.system) / 1e6 };
}
server.kill("SIGTERM");
rmSync(dir, { recursive: true, force: true });

const f = (x) => Math.round(N / x).toLocaleString("en-US");
console.log(`${N} RRsets, best of ${RUNS}; load average ${(await import("node:os")).loadavg().map((x) => x.toFixed(1)).join(" ")}`);
console.log("| output | dnsdb-query records/s (wall) | client CPU s | dnsdbq records/s (wall) | client CPU s |");
console.log("|---|---:|---:|---:|---:|");
for (const [p, a, b] of rows) console.log(`| ${p} | ${f(a.wall)} | ${a.cpu.toFixed(2)} | ${f(b.wall)} | ${b.cpu.toFixed(2)} |`);
console.log(`| PdnsClient, records counted in-process | ${f(lib.wall)} | ${lib.cpu.toFixed(2)} | – | – |`);
