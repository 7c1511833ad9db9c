// dnstap → base/dnsqr throughput: frames/s of `nmsg-sensor --dnstap FILE` beside the Go reader
// (`dnstap -r FILE -q`, Debian's golang-github-dnstap-golang-dnstap-cli) on the same file, and
// beside nmsg-sensor's pcap path on the same traffic (every DNS message of the dnstap file as a
// captured UDP datagram). Also the protobuf decoding alone: the hand-written decoder against
// protobufjs on the same frames, in this process.
//   node bench/dnstap/run.mjs [--frames N] [--runs N]
// Needs `npx tsc -b` first; the Go row needs the Debian package.
import { spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { DNSTAP_PROTO, FrameStreamReader, decodeDnstap, decodeDnstapView, DnstapView, encodeControl, ControlType, DNSTAP_CONTENT_TYPE } = await import(
  join(root, "packages/dnstap/dist/index.js")
);
const { encodePcap, ethernetFrame, udpDatagram } = await import(join(root, "packages/capture/dist/index.js"));
// protobufjs as @dnsrep/dnstap's tests have it (a dev dependency there)
const protobuf = createRequire(join(root, "packages/dnstap/package.json"))("protobufjs");
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const target = opt("--frames", 1_000_000);
const runs = opt("--runs", 1);

// the frames of both vector files
const frames = [];
for (const f of ["unbound/unbound.dnstap", "named/named.dnstap"]) {
  const r = new FrameStreamReader((b) => frames.push(b.slice()));
  r.push(new Uint8Array(readFileSync(join(root, "test/vectors/logs", f))));
  r.end();
}

// the big dnstap file: the frames repeated
const dnstapFile = join(tmpdir(), `dnsrep-bench-dnstap-${process.pid}.dnstap`);
let fd = openSync(dnstapFile, "w");
writeSync(fd, encodeControl(ControlType.START, [DNSTAP_CONTENT_TYPE]));
const one = Buffer.concat(frames.flatMap((f) => [Buffer.from([f.length >>> 24, (f.length >> 16) & 255, (f.length >> 8) & 255, f.length & 255]), f]));
let n = 0;
while (n + frames.length <= target) {
  writeSync(fd, one);
  n += frames.length;
}
writeSync(fd, encodeControl(ControlType.STOP));
closeSync(fd);
const nframes = n;

// the same traffic as a capture: each DNS message of each frame as a UDP datagram in Ethernet
const packets = [];
for (const b of frames) {
  const m = decodeDnstap(b).message;
  const zero = new Uint8Array(4);
  const qa = m.query_address ?? zero;
  const ra = m.response_address ?? zero;
  if (m.query_message)
    packets.push({ sec: m.query_time_sec ?? 0, usec: 0, data: ethernetFrame(udpDatagram({ src: qa, dst: ra, sport: m.query_port ?? 0, dport: m.response_port ?? 53, payload: m.query_message })) });
  if (m.response_message)
    packets.push({ sec: m.response_time_sec ?? 0, usec: 0, data: ethernetFrame(udpDatagram({ src: ra, dst: qa, sport: m.response_port ?? 53, dport: m.query_port ?? 0, payload: m.response_message })) });
}
const pcapOne = Buffer.from(encodePcap(packets));
const pcapFile = join(tmpdir(), `dnsrep-bench-dnstap-${process.pid}.pcap`);
fd = openSync(pcapFile, "w");
writeSync(fd, pcapOne.subarray(0, 24));
let npackets = 0;
for (let i = 0; i < nframes / frames.length; i++) {
  writeSync(fd, pcapOne.subarray(24));
  npackets += packets.length;
}
closeSync(fd);

function time(name, unit, count, cmd, argv) {
  let best;
  for (let i = 0; i < runs; i++) {
    // GNU time adds the CPU seconds (user + system, all threads): on a shared machine the fairer measure
    const t0 = process.hrtime.bigint();
    const r = spawnSync("/usr/bin/time", ["-f", "CPU %U %S", cmd, ...argv], { stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 28 });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.error || r.status !== 0) return { name, error: (r.error?.message ?? r.stderr.toString()).split("\n")[0] };
    const m = /CPU ([\d.]+) ([\d.]+)/.exec(r.stderr.toString());
    const cpu = m ? Number(m[1]) + Number(m[2]) : Number.NaN;
    if (!best || s < best.s) best = { name, s, rate: count / s, cpu, cpuRate: count / cpu, unit };
  }
  return best;
}

const load0 = loadavg().map((x) => x.toFixed(2)).join(" ");
const sensor = join(root, "tools/sensor/bin/nmsg-sensor.js");
const rows = [
  time("nmsg-sensor --dnstap FILE (→ dnsqr NMSG)", "frames", nframes, process.execPath, [sensor, "-q", "--dnstap", dnstapFile]),
  time("dnstap -r FILE -q (Go, text to /dev/null)", "frames", nframes, "dnstap", ["-r", dnstapFile, "-q"]),
  time("nmsg-sensor -p PCAP (same traffic as packets)", "packets", npackets, process.execPath, [sensor, "-q", "-p", pcapFile]),
];

// decoding alone, in this process
const PbDnstap = protobuf.parse(DNSTAP_PROTO, { keepCase: true }).root.resolveAll().lookupType("dnstap.Dnstap");
/** frames decoded per CPU second (this process), best of 4 interleaved rounds */
function decodeRate(fn) {
  const c0 = process.cpuUsage();
  let count = 0;
  for (let k = 0; k < 300; k++) {
    for (const b of frames) fn(b);
    count += frames.length;
  }
  const c = process.cpuUsage(c0);
  return count / ((c.user + c.system) / 1e6);
}
let ours = 0;
let inPlace = 0;
let pbjs = 0;
const view = new DnstapView();
for (let i = 0; i < 4; i++) {
  ours = Math.max(ours, decodeRate(decodeDnstap));
  inPlace = Math.max(inPlace, decodeRate((b) => decodeDnstapView(b, view)));
  pbjs = Math.max(pbjs, decodeRate((b) => PbDnstap.decode(b)));
}
const load1 = loadavg().map((x) => x.toFixed(2)).join(" ");

console.log(`${nframes.toLocaleString("en")} frames (${(statSync(dnstapFile).size / 1e6).toFixed(0)} MB), pcap of the same traffic ${npackets.toLocaleString("en")} packets (${(statSync(pcapFile).size / 1e6).toFixed(0)} MB); best of ${runs}; load average before ${load0}, after ${load1}\n`);
console.log("| reader | rate (wall) | per CPU second | ÷ nmsg-sensor --dnstap (CPU) |\n|---|---:|---:|---:|");
for (const r of rows) {
  if (r.error) console.log(`| ${r.name} | error: ${r.error} | |`);
  else
    console.log(
      `| ${r.name} | ${Math.round(r.rate).toLocaleString("en")} ${r.unit}/s (${r.s.toFixed(2)} s) | ${Math.round(r.cpuRate).toLocaleString("en")}/s (${r.cpu.toFixed(2)} s) | ${(rows[0].cpuRate / r.cpuRate).toFixed(2)}× |`,
    );
}
console.log(`\n| decoder (in process, the vectors' ${frames.length} frames, best of 4) | frames per CPU second | ÷ protobufjs |\n|---|---:|---:|`);
console.log(`| decodeDnstapView (in place, what nmsg-sensor uses) | ${Math.round(inPlace).toLocaleString("en")} | ${(inPlace / pbjs).toFixed(2)}× |`);
console.log(`| decodeDnstap (objects) | ${Math.round(ours).toLocaleString("en")} | ${(ours / pbjs).toFixed(2)}× |`);
console.log(`| protobufjs Type.decode | ${Math.round(pbjs).toLocaleString("en")} | 1.00× |`);
rmSync(dnstapFile);
rmSync(pcapFile);
