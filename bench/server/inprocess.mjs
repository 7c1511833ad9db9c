// The server's per-result and per-lookup work without HTTP, on a file bench/server/run.mjs wrote:
// CPU µs per wildcard result (iterating, and with the SAF line the server writes) and per exact
// lookup (query + line). CPU time (process.cpuUsage), best of --runs, so that a busy machine
// distorts it less than wall time. For A/B runs, run it from two worktrees alternately.
//   node bench/server/inprocess.mjs --file PATH [--rrsets N] [--wild W] [--runs R] [--lookups L]
import { DnstableReader } from "@dnsrep/dnstable";
import { resultLine } from "@dnsrep/server";

const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? Number(args[args.indexOf(n) + 1]) : d);
const file = args.includes("--file") ? args[args.indexOf("--file") + 1] : null;
if (!file) throw new Error("--file PATH (a file bench/server/run.mjs wrote) is needed");
const N = opt("--rrsets", 2_000_000);
const W = opt("--wild", 1_000_000);
const RUNS = opt("--runs", 3);
const L = opt("--lookups", 50_000);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : "all";

let seed = 4242;
const rnd = (n) => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed % n;
};
const reader = DnstableReader.open(file);
const cpu = (f) => {
  const c = process.cpuUsage();
  const n = f();
  const u = process.cpuUsage(c);
  return (u.user + u.system) / n;
};
const best = (f) => Math.min(...Array.from({ length: RUNS }, f));
const wildcard = (each) => () =>
  cpu(() => {
    let n = 0;
    for (const r of reader.query({ type: "rrset", name: "*.w.example" })) {
      each(r);
      n++;
    }
    if (n !== W) throw new Error(`wildcard: ${n} results`);
    return n;
  });
const names = Array.from({ length: L }, () => `h${String(rnd(N - W)).padStart(9, "0")}.big.example`);
const exact = () =>
  cpu(() => {
    for (const n of names) {
      let got = 0;
      for (const r of reader.query({ type: "rrset", name: n, rrtype: "A" })) {
        resultLine(r, false);
        got++;
      }
      if (got !== 1) throw new Error(`${n}: ${got} results`);
    }
    return names.length;
  });
const out = {};
if (only === "all" || only === "bare") out.iterate = best(wildcard(() => {}));
if (only === "all" || only === "line") out.line = best(wildcard((r) => resultLine(r, false)));
if (only === "all" || only === "exact") out.exact = best(exact);
reader.close();
console.log(Object.entries(out).map(([k, v]) => `${k} ${v.toFixed(2)} µs`).join("; "));
