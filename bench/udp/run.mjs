#!/usr/bin/env node
// UDP loss against pacing: `nmsg-tool -r BIG -s 127.0.0.1/PORT[,RATE,FREQ]` into
// `nmsg-tool -l 127.0.0.1/PORT -w /dev/null`, once per rate, and what the listener reports
// (container_recvs, container_drops). BIG is the vectors' dnsqr.nmsg repeated --copies times
// (560 payloads each). Options: --copies N (default 400), --rates LIST (default "0,3000,8000";
// 0 = unpaced), --freq N (default 100). Prints a markdown table and the load average before and
// after: the listener's speed, and so the rate it keeps up with, depends on what else runs.
// Needs `npx tsc -b` first.
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const tool = join(root, "tools", "nmsg-tool", "bin", "nmsg-tool.js");
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const copies = Number(arg("copies", "400"));
const rates = arg("rates", "0,3000,8000").split(",").map(Number);
const freq = Number(arg("freq", "100"));

const dir = mkdtempSync(join(tmpdir(), "bench-udp-"));
const big = join(dir, "big.nmsg");
const one = readFileSync(join(root, "test", "vectors", "nmsg", "dnsqr.nmsg"));
writeFileSync(big, Buffer.concat(Array.from({ length: copies }, () => one)));

async function freePort() {
  const s = createSocket("udp4");
  await new Promise((res) => s.bind(0, "127.0.0.1", res));
  const { port } = s.address();
  await new Promise((res) => s.close(res));
  return port;
}

function start(args) {
  const child = spawn(process.execPath, [tool, ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr.on("data", (b) => {
    err += b;
  });
  const done = new Promise((res) => child.on("exit", (code) => res({ code, err })));
  return { child, done, err: () => err };
}

const fmt = (n) => n.toLocaleString("en-US");
console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(" ")}; ${fmt(copies * 560)} payloads\n`);
console.log("| -s suffix | send s | datagrams/s | containers sent | received | lost | lost % |");
console.log("|---|---|---|---|---|---|---|");
try {
  for (const rate of rates) {
    const port = await freePort();
    const listener = start(["-l", `127.0.0.1/${port}`, "-w", "/dev/null", "-v"]);
    for (let i = 0; i < 200 && !listener.err().includes("receive buffer"); i++) await new Promise((r) => setTimeout(r, 50));
    const suffix = rate > 0 ? `,${rate},${freq}` : "";
    const t0 = performance.now();
    const sender = await start(["-r", big, "-s", `127.0.0.1/${port}${suffix}`]).done;
    const secs = (performance.now() - t0) / 1000;
    if (sender.code !== 0) throw new Error(`sender: ${sender.err}`);
    await new Promise((r) => setTimeout(r, 2000)); // let the listener drain its buffer
    listener.child.kill("SIGTERM");
    const { err } = await listener.done;
    // the last counters line (-v also prints them every 10 s)
    const m = [...err.matchAll(/container_recvs=(\d+) container_drops=(\d+)/g)].at(-1);
    if (!m || process.env.BENCH_DEBUG) console.error(err);
    if (!m) throw new Error("listener printed no counters");
    const [recvs, drops] = [Number(m[1]), Number(m[2])];
    const sent = recvs + drops;
    console.log(
      `| ${suffix || "(unpaced)"} | ${secs.toFixed(2)} | ${fmt(Math.round(sent / secs))} | ${fmt(sent)} | ${fmt(recvs)} | ${fmt(drops)} | ${((100 * drops) / sent).toFixed(1)} |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\nload average after: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
