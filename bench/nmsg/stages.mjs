#!/usr/bin/env node
// Per-stage cost of the nmsg pipeline in µs per payload, in memory (no file I/O): the vectors'
// base/dnsqr payloads repeated into 1 MiB containers, each stage the best of R runs.
//   node bench/nmsg/stages.mjs [--payloads N] [--repeat R]     (default 100,000 and 7)
import { Readable } from "node:stream";
import { decodeMessage, encodeMessage, NmsgWriter, readPayloadBatches } from "@dnsrep/nmsg";
import { base, mod, nmsgFile, opt, payloads } from "./common.mjs";

const N = opt("--payloads", 100_000);
const R = opt("--repeat", 7);
const msgs = payloads.map((b) => decodeMessage(mod, b));
const file = await nmsgFile(N);
const chunks = [];
for (let i = 0; i < file.length; i += 1 << 20) chunks.push(file.subarray(i, i + (1 << 20)));

async function us(fn) {
  let b = Infinity;
  for (let r = 0; r < R; r++) {
    const t = performance.now();
    await fn();
    b = Math.min(b, performance.now() - t);
  }
  return (b * 1000) / N;
}
const rows = [
  ["protobufjs decode (the limit)", () => { for (let i = 0; i < N; i++) mod.type.decode(payloads[i % payloads.length]); }],
  ["decodeMessage", () => { for (let i = 0; i < N; i++) decodeMessage(mod, payloads[i % payloads.length]); }],
  ["encodeMessage", () => { for (let i = 0; i < N; i++) encodeMessage(mod, msgs[i % msgs.length]); }],
  ["read containers (readPayloadBatches, CRC check)", async () => { for await (const _ of readPayloadBatches(Readable.from(chunks))); }],
  ["write payloads (NmsgWriter.write, CRC)", async () => {
    const w = new NmsgWriter(() => {});
    for (let i = 0; i < N; i++) { const x = w.write(base[i % base.length]); if (x) await x; }
    await w.close();
  }],
  ["encode + write (NmsgWriter.writeMessage)", async () => {
    const w = new NmsgWriter(() => {});
    for (let i = 0; i < N; i++) { const x = w.writeMessage(base[i % base.length], mod, msgs[i % msgs.length]); if (x) await x; }
    await w.close();
  }],
  ["read + decode + writeMessage", async () => {
    const w = new NmsgWriter(() => {});
    for await (const batch of readPayloadBatches(Readable.from(chunks))) for (const p of batch) { const x = w.writeMessage(p, mod, decodeMessage(mod, p.payload)); if (x) await x; }
    await w.close();
  }],
];
console.log(`\nnmsg stages: ${N.toLocaleString("en-US")} base/dnsqr payloads (309 bytes on average), best of ${R}, node ${process.version}\n`);
console.log("| stage | µs per payload |\n|---|---|");
for (const [label, fn] of rows) console.log(`| ${label} | ${(await us(fn)).toFixed(2)} |`);
