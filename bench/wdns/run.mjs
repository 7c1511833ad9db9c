#!/usr/bin/env node
// wdns parse benchmark: @dnsrep/wdns parseMessage (full parse: every name
// decompressed, every rdata checked field by field against its type's descriptor
// and copied, names in it decompressed) vs dns-packet's decode, in one run over the
// vectors' 1018 real messages.   node bench/wdns/run.mjs [--seconds S]
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { messageToString, parseMessage } from "@dnsrep/wdns";

const require = createRequire(import.meta.url);
const dnsPacket = require("dns-packet");
const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf("--seconds") + 1] || 0) || 3;
const msgs = readFileSync(join(here, "../../test/vectors/wdns/messages.hex"), "utf8")
  .split("\n")
  .filter((l) => l)
  .map((h) => Buffer.from(h, "hex"));

function measure(name, fn) {
  // warm up, then run whole passes over the corpus for `seconds`
  for (let i = 0; i < 200; i++) for (const m of msgs) fn(m);
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < seconds * 1000) {
    for (const m of msgs) fn(m);
    n += msgs.length;
    t = performance.now();
  }
  return { name, rate: n / ((t - t0) / 1000) };
}

let sink = 0;
const rows = [
  measure("dns-packet decode", (m) => {
    sink += dnsPacket.decode(m).answers.length;
  }),
  measure("wdns parseMessage", (m) => {
    sink += parseMessage(m).answer.length;
  }),
  measure("wdns parseMessage + messageToString", (m) => {
    sink += messageToString(parseMessage(m)).length;
  }),
];
const base = rows[0].rate;
console.log(`\nwdns vs dns-packet, ${msgs.length} real messages from the vectors' capture, node ${process.version}\n`);
console.log("| parser | messages/s | ÷ dns-packet |");
console.log("|---|---|---|");
for (const r of rows) console.log(`| ${r.name} | ${Math.round(r.rate).toLocaleString("en-US")} | ${(r.rate / base).toFixed(2)}× |`);
if (sink === 0) console.log("");
