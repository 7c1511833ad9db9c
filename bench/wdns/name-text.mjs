// wdns name text both ways: nameToString (wire → presentation) and nameFromString (text → wire), CPU ns
// per call over 100,000 names like the server's (h000123456.big.example. and a few with escapes), best of 5.
// For A/B runs, run it from two worktrees alternately.   node bench/wdns/name-text.mjs
import { nameFromString, nameToString } from "@dnsrep/wdns";

const texts = Array.from({ length: 100_000 }, (_, i) => (i % 50 === 0 ? `a\\.b\\032c.h${i}.example.` : `h${String(i).padStart(9, "0")}.big.example.`));
const wires = texts.map((t) => nameFromString(t));
const best = (f) => {
  let b = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 5; r++) {
    const c = process.cpuUsage();
    f();
    const u = process.cpuUsage(c);
    b = Math.min(b, ((u.user + u.system) * 1000) / texts.length);
  }
  return b;
};
let sink = 0;
const toText = best(() => {
  for (const w of wires) sink += nameToString(w).length;
});
const fromText = best(() => {
  for (const t of texts) sink += nameFromString(t).length;
});
console.log(`nameToString ${toText.toFixed(0)} ns; nameFromString ${fromText.toFixed(0)} ns (${sink > 0 ? "ok" : ""})`);
