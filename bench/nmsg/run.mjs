#!/usr/bin/env node
// nmsg benchmark: payloads/s for read + decode + re-encode + write of a large nmsg file
// (the vectors' dnsqr payloads repeated), plain and zlib, beside two limits measured in
// the same run:
//   I/O limit     reading the same file bytes, no decoding;
//   decode limit  protobufjs decoding the same payloads — the file's, from memory — each
//                 message kept until the next is decoded (a decode whose result is dropped
//                 is partly dead code to V8); for a zlib file it also inflates the same
//                 compressed container bodies (from memory), since any reader of that file must.
// Also shown, for reference: protobufjs decoding the 560 vector payloads over and over with
// each result dropped (this benchmark's decode limit before session 11).
// The full pipeline reads the file, decodes every message, re-encodes each one straight into
// the output container (NmsgWriter.writeMessage) and writes containers to a sink. It runs
// twice: with the file read, framed, inflated and CRC-checked on a worker thread
// (readNmsgFileBatches: what nmsg-tool and the other tools do for a file of 64 MiB or more),
// and all on one thread (readPayloadBatches over a file stream). Also shown: ours decoding the
// same payloads alone (codec against codec), reading + decoding without writing, and the older
// way of encoding (encodeMessage into an array, then NmsgWriter.write).
// Output is plain for the first two rows; the zlib → zlib rows also deflate every container,
// which neither limit includes (deflate takes most of their time).
//
// Every column runs in a process of its own: one warm-up pass (at most 100,000 payloads), then
// one timed pass. Measured in one process, the columns disturbed each other (a column's type
// feedback and garbage slowed the next: protobufjs's decode ran 0.76 µs a payload there and
// 0.4–0.5 µs alone, the pipeline 1.8 µs there and 0.9–1.2 µs alone). Each column runs --repeat
// times (default 3), the columns' runs interleaved (this VM's speed drifts by a third within
// minutes), and the best run counts, the same for every column.
//   node bench/nmsg/run.mjs [--payloads N] [--repeat R] [--plain | --zlib]   (default 200,000 and 3)
import { execFileSync } from "node:child_process";
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { inflateSync } from "node:zlib";
import { decodeMessage, encodeMessage, NmsgWriter, readNmsgFileBatches, readPayloadBatches } from "@dnsrep/nmsg";
import { mod, nmsgFile, opt, payloads } from "./common.mjs";

const N = opt("--payloads", 200_000);
const R = opt("--repeat", 3);
const WARMUP = Math.min(N, 100_000);

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

/** the file's payloads (as the worker reader gives them), read before any timing */
async function filePayloads(file) {
  const out = [];
  for await (const batch of readNmsgFileBatches(file)) for (const p of batch) out.push(p.payload);
  return out;
}

/**
 * Read up to n payloads from `batches` and hand each to writeOne(writer, payload), awaiting the
 * writer's pushback. One column per process: each process calls this with one writeOne only.
 */
async function pipeline(batches, n, zlib, engine, writeOne) {
  let i = 0;
  const w = new NmsgWriter(() => {}, { zlib, zlibEngine: engine });
  out: for await (const batch of batches)
    for (const p of batch) {
      const pending = writeOne(w, p);
      if (pending) await pending;
      if (++i === n) break out;
    }
  await w.close();
  return i;
}
// read + decode + re-encode + write: each message encoded into the writer's container
const writeMessage = (w, p) => w.writeMessage(p, mod, decodeMessage(mod, p.payload));

/** a column decoding the file's payloads from memory with decodeOne (protobufjs's or ours), each message kept until the next */
const decodeFile = (decodeOne) => async (file) => {
  const src = await filePayloads(file);
  return async (n) => {
    const k = Math.min(n, src.length);
    let last = null;
    for (let i = 0; i < k; i++) last = decodeOne(src[i]);
    if (last === null) throw new Error("nothing decoded");
    return k;
  };
};

/** the columns: each prepares (untimed) and returns a pass over at most n payloads that returns how many it did */
const columns = {
  io: async (file) => async (n) => {
    for await (const _ of stream(file));
    return n;
  },
  decode: decodeFile((b) => mod.type.decode(b)),
  decodeVectors: async () => async (n) => {
    for (let i = 0; i < n; i++) mod.type.decode(payloads[i % payloads.length]);
    return n;
  },
  inflate: async (file) => {
    const bodies = zlibBodies(file);
    return async (n) => {
      // inflated as our reader does, into one chunk of the stated size (a quarter faster than 16 KiB chunks);
      // the warm-up does a proportional share
      const k = n >= N ? bodies.length : Math.ceil((bodies.length * n) / N);
      for (let i = 0; i < k; i++) inflateSync(bodies[i][0], { chunkSize: bodies[i][1] + 1 });
      return n;
    };
  },
  codec: decodeFile((b) => decodeMessage(mod, b)),
  readDecode: async (file) => async (n) => {
    let i = 0;
    out: for await (const batch of readPayloadBatches(stream(file)))
      for (const p of batch) {
        if (!decodeMessage(mod, p.payload)) throw new Error("not decoded");
        if (++i === n) break out;
      }
    return i;
  },
  // the file read, inflated and CRC-checked on a worker thread (readNmsgFileBatches)
  fullThreaded: async (file, zlib, engine) => (n) => pipeline(readNmsgFileBatches(file), n, zlib, engine, writeMessage),
  full: async (file, zlib, engine) => (n) => pipeline(readPayloadBatches(stream(file)), n, zlib, engine, writeMessage),
  // the same through encodeMessage (a new array per message) and write
  fullArrays: async (file, zlib, engine) => (n) =>
    pipeline(readPayloadBatches(stream(file)), n, zlib, engine, (w, p) => w.write({ ...p, payload: encodeMessage(mod, decodeMessage(mod, p.payload)) })),
};

async function child(args) {
  const [name, file, zlib, engine] = args;
  const pass = await columns[name](file, zlib === "1", engine);
  await pass(WARMUP);
  const t = performance.now();
  const done = await pass(N);
  const s = (performance.now() - t) / 1000;
  if (done !== N) throw new Error(`${name}: ${done} of ${N} payloads`);
  process.stdout.write(`${JSON.stringify({ s })}\n`);
}

if (process.argv[2] === "--child") {
  await child(process.argv.slice(3));
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), "nmsg-bench-"));
const passArgs = ["--payloads", String(N)];

async function build(zlib) {
  const f = join(dir, zlib ? "big.zlib.nmsg" : "big.nmsg");
  writeFileSync(f, await nmsgFile(N, zlib));
  return f;
}

/** seconds of one timed pass of a column, in a new process */
function runColumn(name, file, zlib, engine) {
  const out = execFileSync(process.execPath, [self, "--child", name, file, zlib ? "1" : "0", engine, ...passArgs], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split("\n").pop()).s;
}

/** one row: the input file (zlib or not) re-encoded to plain or zlib output (deflated by `engine`) */
function measure(label, file, zlibIn, zlib, engine) {
  const names = ["io", "decode", "decodeVectors", ...(zlibIn ? ["inflate"] : []), "codec", "readDecode", "full", "fullArrays", "fullThreaded"];
  const best = Object.fromEntries(names.map((k) => [k, Infinity]));
  for (let r = 0; r < R; r++) {
    for (const k of names) best[k] = Math.min(best[k], runColumn(k, file, zlib, engine));
    if (process.stderr.isTTY) process.stderr.write(`\r${label}: run ${r + 1} of ${R}   `);
  }
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
  // the decode limit: protobufjs decoding, plus inflating the bodies for a zlib file (any reader must)
  const inflate = zlibIn ? best.inflate : 0;
  const limit = best.decode + inflate;
  const limitVectors = best.decodeVectors + inflate;
  const size = `${(readFileSync(file).length / 1e6).toFixed(0)} MB`;
  return {
    label,
    size,
    io: N / best.io,
    limit: N / limit,
    limitVectors: N / limitVectors,
    threaded: N / best.fullThreaded,
    threadedRatio: limit / best.fullThreaded,
    threadedRatioVectors: limitVectors / best.fullThreaded,
    full: N / best.full,
    fullRatio: limit / best.full,
    codec: N / best.codec,
    codecRatio: best.decode / best.codec,
    readDecode: N / best.readDecode,
    arrays: N / best.fullArrays,
  };
}

const only = process.argv.includes("--plain") ? "plain" : process.argv.includes("--zlib") ? "zlib" : "";
const rows = [];
if (only !== "zlib") rows.push(measure("plain → plain", await build(false), false, false, "native"));
if (only !== "plain") {
  const zlibFile = await build(true);
  rows.push(measure("zlib → plain", zlibFile, true, false, "native"));
  rows.push(measure("zlib → zlib (deflate as libnmsg: pako)", zlibFile, true, true, "libnmsg"));
  rows.push(measure("zlib → zlib (Node's native deflate)", zlibFile, true, true, "native"));
}
rmSync(dir, { recursive: true, force: true });
const f = (x) => Math.round(x).toLocaleString("en-US");
console.log(`\nnmsg: ${N.toLocaleString("en-US")} base/dnsqr payloads, each column in its own process, best of ${R} runs, node ${process.version}\n`);
console.log(
  "| input → output | file size | I/O limit | decode limit (protobufjs, the file's payloads; + inflate for zlib) | ours: read + decode + re-encode + write, file read on a worker | ÷ decode limit | the same on one thread | ÷ decode limit | ours: decode only (÷ protobufjs) | ours: read + decode, one thread | encodeMessage + write, one thread | protobufjs on the vector payloads, results dropped (full on a worker ÷ it) |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const r of rows)
  console.log(
    `| ${r.label} | ${r.size} | ${f(r.io)} | ${f(r.limit)} | ${f(r.threaded)} | ${r.threadedRatio.toFixed(2)}× | ${f(r.full)} | ${r.fullRatio.toFixed(2)}× | ${f(r.codec)} (${r.codecRatio.toFixed(2)}×) | ${f(r.readDecode)} | ${f(r.arrays)} | ${f(r.limitVectors)} (${r.threadedRatioVectors.toFixed(2)}×) |`,
  );
console.log("\n(all rates in payloads/s; a ratio of 0.67× is the goal's 1.5× of the decode limit)");
