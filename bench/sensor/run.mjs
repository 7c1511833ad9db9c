// nmsg-sensor throughput: packets/s from a large pcap to nmsg on stdout, beside tcpdump (read and
// write the capture, no dissection) and tshark's DNS dissector on the same file, in one run.
//   node bench/sensor/run.mjs [--packets N] [--runs N] [--no-tshark] [--baseline DIR]
// --runs N keeps the best of N runs of each row, the rows' runs interleaved; --baseline DIR adds
// the nmsg-sensor of another checkout (built) for an A/B on the same file in the same run.
// Needs `npx tsc -b tools/sensor` first, and tcpdump/tshark (Debian packages) for the peers.
import { spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const target = opt("--packets", 2_000_000);
const withTshark = !args.includes("--no-tshark");
const runs = opt("--runs", 1);
const bi = args.indexOf("--baseline");
const baseline = bi >= 0 ? args[bi + 1] : undefined;

// the vectors' capture, repeated with timestamps shifted 20 s per copy
const src = readFileSync(join(root, "test/vectors/pcap/dns.pcap"));
const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
const recs = [];
for (let off = 24; off + 16 <= src.length; ) {
  const cap = dv.getUint32(off + 8, true);
  recs.push([off, 16 + cap]);
  off += 16 + cap;
}
const file = join(tmpdir(), `dnsrep-bench-sensor-${process.pid}.pcap`);
const fd = openSync(file, "w");
writeSync(fd, src.subarray(0, 24));
let packets = 0;
const batch = Buffer.alloc(src.length);
for (let rep = 0; packets < target; rep++) {
  let n = 0;
  for (const [off, len] of recs) {
    if (packets >= target) break;
    src.copy(batch, n, off, off + len);
    batch.writeUInt32LE(src.readUInt32LE(off) + rep * 20, n);
    n += len;
    packets++;
  }
  writeSync(fd, batch, 0, n);
}
closeSync(fd);
const mb = statSync(file).size / 1e6;

function time(name, cmd, argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 28 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error || r.status !== 0) return { name, error: (r.error?.message ?? r.stderr.toString()).split("\n")[0] };
  return { name, s, pps: packets / s };
}

const sensorArgs = ["-q", "-p", file, "-w", "-"];
const cmds = [["nmsg-sensor (pcap → dnsqr nmsg on stdout)", process.execPath, [join(root, "tools/sensor/bin/nmsg-sensor.js"), ...sensorArgs]]];
if (baseline) cmds.push([`nmsg-sensor of ${baseline}`, process.execPath, [join(baseline, "tools/sensor/bin/nmsg-sensor.js"), ...sensorArgs]]);
cmds.push(["tcpdump -r FILE -w /dev/null (no dissection)", "tcpdump", ["-r", file, "-w", "/dev/null"]]);
if (withTshark) cmds.push(["tshark -r FILE -Y dns -T fields -e dns.id (DNS dissector)", "tshark", ["-r", file, "-Y", "dns", "-T", "fields", "-e", "dns.id"]]);
const rows = cmds.map(([name]) => ({ name, s: Infinity }));
for (let run = 0; run < runs; run++) {
  cmds.forEach(([name, cmd, argv], i) => {
    if (rows[i].error || (run > 0 && cmd === "tshark")) return; // tshark: one run is enough
    const r = time(name, cmd, argv);
    if (r.error) rows[i] = r;
    else if (r.s < rows[i].s) rows[i] = r;
  });
}
rmSync(file, { force: true });

const ours = rows[0].pps;
console.log(`\n${packets.toLocaleString("en")} packets, ${mb.toFixed(0)} MB (test/vectors/pcap/dns.pcap repeated)\n`);
console.log("| tool | seconds | packets/s | nmsg-sensor ÷ tool |");
console.log("|---|---:|---:|---:|");
for (const r of rows) {
  if (r.error) console.log(`| ${r.name} | — | — | failed: ${r.error} |`);
  else console.log(`| ${r.name} | ${r.s.toFixed(2)} | ${Math.round(r.pps).toLocaleString("en")} | ${(ours / r.pps).toFixed(2)}× |`);
}
