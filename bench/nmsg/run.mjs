#!/usr/bin/env node
// nmsg benchmark: payloads/s for read + decode + re-encode + write of a large nmsg file
// (the vectors' dnsqr payloads repeated), plain and zlib, beside two limits measured in
// the same run:
//   I/O limit     reading the same file bytes, no decoding;
//   decode limit  protobufjs decoding the same payloads from memory; for a zlib file it
//                 also inflates the same compressed container bodies (from memory), since
//                 any reader of that file must.
// The full pipeline reads the file, decodes every message, re-encodes each one straight into
// the output container (NmsgWriter.writeMessage) and writes containers to a sink. It runs
// twice: with the file read, framed, inflated and CRC-checked on a worker thread
// (readNmsgFileBatches: what nmsg-tool and the other tools do for a file of 64 MiB or more),
// and all on one thread (readPayloadBatches over a file stream). Also shown: ours decoding the
// same in-memory payloads alone (codec against codec), reading + decoding without writing, and
// the older way of encoding (encodeMessage into an array, then NmsgWriter.write).
// Output is plain for the first two rows; the zlib → zlib rows also deflate every container,
// which neither limit includes (deflate takes most of their time).
// Every measurement runs --repeat times (default 3; the columns interleaved) and the best run
// counts, the same for every column.
//   node bench/nmsg/run.mjs [--payloads N] [--repeat R] [--plain | --zlib]   (default 200,000 and 3)
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

/** the compressed bodies of a zlib file's containers (after the 4-byte length), each with its inflated size */
function zlibBodies(file) {
  const b = readFileSync(file);
  const out = [];
  for (let p = 0; p < b.length; ) {
    const len = b.readUInt32BE(p + 6);
    out.push([b.subarray(p + 14, p + 10 + len), b.readUInt32BE(p + 10)]);
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

/** one row: the input file (zlib or not) re-encoded to plain or zlib output (deflated by `engine`) */
async function measure(label, file, zlibIn, zlib, engine) {
  const bodies = zlibIn ? zlibBodies(file) : [];
  const [io, decode, inflate, codec, readDecode, full, fullArrays, fullThreaded] = await bestOf([
    async () => {
      for await (const _ of stream(file));
    },
    () => {
      for (let i = 0; i < N; i++) mod.type.decode(payloads[i % payloads.length]);
    },
    () => {
      // inflated as our reader does, into one chunk of the stated size (a quarter faster than 16 KiB chunks)
      for (const [z, len] of bodies) inflateSync(z, { chunkSize: len + 1 });
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
  const size = `${(readFileSync(file).length / 1e6).toFixed(0)} MB`;
  return [label, size, N / io, N / limit, N / fullThreaded, limit / fullThreaded, N / full, limit / full, N / codec, N / readDecode, N / fullArrays];
}

const only = process.argv.includes("--plain") ? "plain" : process.argv.includes("--zlib") ? "zlib" : "";
const rows = [];
if (only !== "zlib") rows.push(await measure("plain → plain", await build(false), false, false, "native"));
if (only !== "plain") {
  const zlibFile = await build(true);
  rows.push(await measure("zlib → plain", zlibFile, true, false, "native"));
  rows.push(await measure("zlib → zlib (deflate as libnmsg: pako)", zlibFile, true, true, "libnmsg"));
  rows.push(await measure("zlib → zlib (Node's native deflate)", zlibFile, true, true, "native"));
}
rmSync(dir, { recursive: true, force: true });
const f = (x) => Math.round(x).toLocaleString("en-US");
console.log(`\nnmsg: ${N.toLocaleString("en-US")} base/dnsqr payloads, best of ${R} runs, node ${process.version}\n`);
console.log(
  "| input → output | file size | I/O limit | decode limit (protobufjs; + inflate for zlib) | ours: read + decode + re-encode + write, file read on a worker | ÷ decode limit | the same on one thread | ÷ decode limit | ours: decode only | ours: read + decode, one thread | encodeMessage + write, one thread |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|---|");
for (const r of rows)
  console.log(`| ${r[0]} | ${r[1]} | ${f(r[2])} | ${f(r[3])} | ${f(r[4])} | ${r[5].toFixed(2)}× | ${f(r[6])} | ${r[7].toFixed(2)}× | ${f(r[8])} | ${f(r[9])} | ${f(r[10])} |`);
console.log("\n(all rates in payloads/s; a ratio of 0.67× is the goal's 1.5× of the decode limit)");
