#!/usr/bin/env node
// nmsg benchmark: payloads/s for read + decode + re-encode of a large nmsg file
// (the vectors' dnsqr payloads repeated), plain and zlib, beside two limits measured
// in the same run: reading the same bytes with no decoding (I/O), and protobufjs
// decoding the same payloads from memory (decode).
//   node bench/nmsg/run.mjs [--payloads N]     (default 200,000)
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { decodeMessage, encodeMessage, getModule, NmsgWriter, readPayloadBatches, readPayloads } from "@dnsrep/nmsg";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const N = Number(args[args.indexOf("--payloads") + 1] || 0) || 200_000;
const dir = mkdtempSync(join(tmpdir(), "nmsg-bench-"));
const base = [];
for await (const p of readPayloads(Readable.from([readFileSync(join(here, "../../test/vectors/nmsg/dnsqr.nmsg"))]))) base.push(p);
const mod = getModule(1, 9);

async function build(zlib) {
  const parts = [];
  const w = new NmsgWriter((c) => void parts.push(c), { zlib });
  for (let i = 0; i < N; i++) await w.write(base[i % base.length]);
  await w.close();
  const f = join(dir, zlib ? "big.zlib.nmsg" : "big.nmsg");
  writeFileSync(f, Buffer.concat(parts));
  return f;
}
const time = async (fn) => {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
};
const rows = [];
for (const zlib of [false, true]) {
  const f = await build(zlib);
  const size = readFileSync(f).length;
  const io = await time(async () => {
    let n = 0;
    for await (const c of createReadStream(f, { highWaterMark: 1 << 20 })) n += c.length;
  });
  const payloads = base.map((p) => p.payload);
  const dec = await time(() => {
    for (let i = 0; i < N; i++) mod.type.decode(payloads[i % payloads.length]);
  });
  let count = 0;
  const ours = await time(async () => {
    const w = new NmsgWriter(() => {}, { zlib });
    for await (const batch of readPayloadBatches(createReadStream(f, { highWaterMark: 1 << 20 }))) {
      for (const p of batch) {
        const m = decodeMessage(mod, p.payload);
        const pending = w.write({ ...p, payload: encodeMessage(mod, m) });
        if (pending) await pending;
        count++;
      }
    }
    await w.close();
  });
  if (count !== N) throw new Error(`read ${count} of ${N}`);
  rows.push([zlib ? "zlib" : "plain", `${(size / 1e6).toFixed(0)} MB`, N / io, N / dec, N / ours, dec / ours]);
}
rmSync(dir, { recursive: true, force: true });
const f = (x) => Math.round(x).toLocaleString("en-US");
console.log(`\nnmsg: ${N.toLocaleString("en-US")} base/dnsqr payloads, node ${process.version}\n`);
console.log("| file | size | I/O limit (payloads/s of bytes read) | protobufjs decode limit | read + decode + re-encode | ours ÷ decode limit |");
console.log("|---|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r[0]} | ${r[1]} | ${f(r[2])} | ${f(r[3])} | ${f(r[4])} | ${(r[5]).toFixed(2)}× |`);
