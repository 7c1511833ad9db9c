// The DATA files' side of the dashboard: one bounded count of a dnstable file's RRSET entries
// (what a server does once per set of files, in the background), then the dashboard's answer.
//   node bench/dashboard/files.mjs --file F.mtbl [--max N]
// Needs `npx tsc -b` first.
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const file = opt("--file", "");
const max = Number(opt("--max", 5_000_000));
if (!file) {
  console.error("usage: node bench/dashboard/files.mjs --file F.mtbl [--max N]");
  process.exit(2);
}
const { Dashboard, scanFiles } = await import(join(root, "packages/server/dist/dashboard/index.js"));
const load0 = loadavg()[0];
let t = performance.now();
const scan = await scanFiles([file], { maxEntries: max });
const scanS = (performance.now() - t) / 1000;
const dash = new Dashboard({ files: () => [file], maxFileEntries: max, scanWaitMs: 600_000 });
await dash.view("24h");
const ms = [];
for (let i = 0; i < 20; i++) {
  t = performance.now();
  await dash.view(i % 2 ? "30d" : "24h");
  ms.push(performance.now() - t);
}
dash.close();
ms.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    file,
    rrsets: scan.rrsets,
    partial: scan.partial,
    scanSeconds: +scanS.toFixed(1),
    rrsetsPerSecond: Math.round(scan.rrsets / scanS),
    viewP50Ms: +ms[10].toFixed(1),
    viewMaxMs: +ms[19].toFixed(1),
    rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
    loadavg: [load0, loadavg()[0]],
  }),
);
