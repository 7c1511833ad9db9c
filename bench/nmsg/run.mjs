#!/usr/bin/env node
// nmsg benchmark: payloads/s for read + decode + re-encode + write of a large nmsg file
// (the vectors' dnsqr payloads repeated), plain and zlib, beside two limits measured in
// the same run:
//   I/O limit     reading the same file bytes, no decoding;
//   decode limit  protobufjs decoding the same payloads from memory; for a zlib file it
//                 also inflates the same compressed container bodies (from memory), since
//                 any reader of that file must.
// Ours is also shown decoding the same in-memory payloads alone (codec against codec), and
// reading + decoding the file without writing. The full pipeline re-encodes each message
// straight into the output container (NmsgWriter.writeMessage); the older way, encodeMessage
// into an array and NmsgWriter.write of it, is shown beside it. Every measurement runs
// --repeat times (default 3; the columns interleaved) and the best run counts, the same for every column.
//   node bench/nmsg/run.mjs [--payloads N] [--repeat R]     (default 200,000 and 3)
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { decodeMessage, encodeMessage, NmsgWriter, readNmsgFileBatches, readPayloadBatches } from "@dnsrep/nmsg";
import { mod, nmsgFile, opt, payloads } from "./common.mjs";

const N = opt("--payloads", 200_000);
const R = opt("--repeat", 3);
const dir = mkdtempSync(join(tmpdir(), "nmsg-bench-"));

async function build(zlib) {
  const f = join(dir, zlib ? "big.zlib.nmsg" : "big.nmsg");
  writeFileSync(f, await nmsgFile(N, zlib));
  return f;
}

/**
 * Best of R runs of each function, in seconds. The runs are interleaved (every function once, then
 * again), so that a column measured early and one measured late see the same machine: this VM's
 * speed drifts by a third within minutes, which skewed ratios taken column after column.
 */
async function bestOf(fns) {
  const b = fns.map(() => Infinity);
  for (let r = 0; r < R; r++) {
    for (let i = 0; i < fns.length; i++) {
      const t = performance.now();
      await fns[i]();
      b[i] = Math.min(b[i], (performance.now() - t) / 1000);
    }
  }
  return b;
}

/** the compressed bodies of a zlib file's containers (after the 4-byte length) */
function zlibBodies(file) {
  const b = readFileSync(file);
  const out = [];
  for (let p = 0; p < b.length; ) {
    const len = b.readUInt32BE(p + 6);
    out.push(b.subarray(p + 14, p + 10 + len));
    p += 10 + len;
  }
  return out;
}

const stream = (f) => createReadStream(f, { highWaterMark: 1 << 20 });

/** read every payload of the file and hand it to writeOne(writer, payload), awaiting the writer's pushback */
async function pipeline(file, zlib, engine, writeOne, threaded = false) {
  let n = 0;
  const w = new NmsgWriter(() => {}, { zlib, zlibEngine: engine });
  for await (const batch of threaded ? readNmsgFileBatches(file) : readPayloadBatches(stream(file))) {
    for (const p of batch) {
      const pending = writeOne(w, p);
      if (pending) await pending;
      n++;
    }
  }
  await w.close();
  if (n !== N) throw new Error(`read ${n} of ${N}`);
}

async function measure(label, file, zlib, engine) {
  const bodies = zlib ? zlibBodies(file) : [];
  const [io, decode, inflate, codec, readDecode, full, fullArrays, fullThreaded] = await bestOf([
    async () => {
      for await (const _ of stream(file));
    },
    () => {
      for (let i = 0; i < N; i++) mod.type.decode(payloads[i % payloads.length]);
    },
    () => {
      for (const z of bodies) inflateSync(z);
    },
    () => {
      for (let i = 0; i < N; i++) decodeMessage(mod, payloads[i % payloads.length]);
    },
    async () => {
      let n = 0;
      for await (const batch of readPayloadBatches(stream(file))) for (const p of batch) n += decodeMessage(mod, p.payload) ? 1 : 0;
      if (n !== N) throw new Error(`read ${n} of ${N}`);
    },
    // read + decode + re-encode + write: each message encoded into the writer's container
    () => pipeline(file, zlib, engine, (w, p) => w.writeMessage(p, mod, decodeMessage(mod, p.payload))),
    // the same through encodeMessage (a new array per message) and write
    () => pipeline(file, zlib, engine, (w, p) => w.write({ ...p, payload: encodeMessage(mod, decodeMessage(mod, p.payload)) })),
    // the first, with the file read, inflated and CRC-checked on a worker thread (readNmsgFileBatches)
    () => pipeline(file, zlib, engine, (w, p) => w.writeMessage(p, mod, decodeMessage(mod, p.payload)), true),
  ]);
  // the decode limit: protobufjs decoding, plus inflating the bodies for a zlib file (any reader must)
  const limit = decode + inflate;
  return [label, `${(readFileSync(file).length / 1e6).toFixed(0)} MB`, N / io, N / limit, N / codec, N / readDecode, N / full, N / fullArrays, limit / full, N / fullThreaded, limit / fullThreaded];
}

const only = process.argv.includes("--plain") ? "plain" : process.argv.includes("--zlib") ? "zlib" : "";
const rows = [];
if (only !== "zlib") rows.push(await measure("plain → plain", await build(false), false, "native"));
if (only !== "plain") {
  const zlibFile = await build(true);
  rows.push(await measure("zlib → zlib (deflate as libnmsg: pako)", zlibFile, true, "libnmsg"));
  rows.push(await measure("zlib → zlib (Node's native deflate)", zlibFile, true, "native"));
}
rmSync(dir, { recursive: true, force: true });
const f = (x) => Math.round(x).toLocaleString("en-US");
console.log(`\nnmsg: ${N.toLocaleString("en-US")} base/dnsqr payloads, best of ${R} runs, node ${process.version}\n`);
console.log("| file | size | I/O limit | decode limit (protobufjs; + inflate for zlib) | ours: decode only | ours: read + decode | ours: read + decode + re-encode + write (writeMessage) | the same with encodeMessage + write | full ÷ decode limit | full, file read on a worker (readNmsgFileBatches) | that ÷ decode limit |");
console.log("|---|---|---|---|---|---|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r[0]} | ${r[1]} | ${f(r[2])} | ${f(r[3])} | ${f(r[4])} | ${f(r[5])} | ${f(r[6])} | ${f(r[7])} | ${r[8].toFixed(2)}× | ${f(r[9])} | ${r[10].toFixed(2)}× |`);
console.log("\n(all rates in payloads/s)");
