// Lines/s of @dnsrep/logs' document-format parsers (Zeek TSV/JSON, Suricata eve v3, passivedns,
// Cuckoo report, COF, DNSDB, regex) on synthetic lines of each layout, every line a distinct
// name and address so nothing is cached; one process, one core, best of --runs. Peers where a
// Debian tool reads the same input: jq extracting the Suricata answers and the DNSDB rdata, mawk
// splitting the Zeek and passivedns lines (field extraction only: no normalisation, no checks).
//   node bench/logs/doc-formats.mjs [--lines N] [--runs N] [--only FORMAT]
// Needs `npx tsc -b packages/logs` first.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createParser } from "@dnsrep/logs";

const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? Number(args[args.indexOf(n) + 1]) : d);
const N = opt("--lines", 200_000);
const RUNS = opt("--runs", 3);
const ONLY = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;

const ip = (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const T0 = 1764583200;
const zeekHeader = [
  "#separator \\x09",
  "#set_separator\t,",
  "#empty_field\t(empty)",
  "#unset_field\t-",
  "#path\tdns",
  "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected",
];
const gen = {
  zeek: (i) => `${T0 + i / 1000}\tC${i}\t192.0.2.10\t5${i % 10000}\t192.0.2.53\t53\tudp\t${i & 0xffff}\t0.01\th${i}.example.com\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\tc${i}.cdn.example.net,${ip(i)}\t300.0,60.0\tF`,
  "zeek-json": (i) =>
    `{"ts":${T0 + i / 1000},"uid":"C${i}","id.orig_h":"192.0.2.10","id.orig_p":5000,"id.resp_h":"192.0.2.53","id.resp_p":53,"proto":"udp","trans_id":${i & 0xffff},"query":"h${i}.example.com","qclass":1,"qtype":1,"qtype_name":"A","rcode":0,"rcode_name":"NOERROR","answers":["c${i}.cdn.example.net","${ip(i)}"],"TTLs":[300.0,60.0],"rejected":false}`,
  suricata: (i) =>
    `{"timestamp":"2026-12-01T10:00:00.${String(i % 1e6).padStart(6, "0")}+0000","flow_id":${i},"event_type":"dns","src_ip":"192.0.2.53","src_port":53,"dest_ip":"192.0.2.10","dest_port":5000,"proto":"UDP","dns":{"version":3,"type":"response","id":${i & 0xffff},"flags":"8180","qr":true,"rd":true,"ra":true,"rcode":"NOERROR","queries":[{"rrname":"h${i}.example.com","rrtype":"A"}],"answers":[{"rrname":"h${i}.example.com","rrtype":"CNAME","ttl":300,"rdata":"c${i}.cdn.example.net"},{"rrname":"c${i}.cdn.example.net","rrtype":"A","ttl":60,"rdata":"${ip(i)}"}]}}`,
  passivedns: (i) => `${T0 + Math.floor(i / 1000)}.${String(i % 1e6).padStart(6, "0")}||10.0.0.5||192.0.2.53||IN||h${i}.example.com.||A||${ip(i)}||300||${1 + (i % 7)}`,
  cof: (i) => `{"count": ${1 + (i % 9)}, "time_first": ${T0}, "time_last": ${T0 + i}, "rrtype": "A", "rrname": "h${i}.example.com", "rdata": "${ip(i)}"}`,
  dnsdb: (i) => `{"count":${1 + (i % 9)},"time_first":${T0},"time_last":${T0 + i},"rrname":"h${i}.example.com.","rrtype":"A","bailiwick":"example.com.","rdata":["${ip(i)}","${ip(i + 1)}"]}`,
  regex: (i) => `2026-12-01T10:00:00Z resolved h${i}.example.com -> ${ip(i)}`,
};
const regexOpts = { regex: "^(?<time>\\S+) resolved (?<domain>\\S+) -> (?<value>\\S+)$", timeFormat: "rfc3339" };

function measure(format, lines, opts = {}) {
  let best = 0;
  let bestCpu = 0;
  let produced = 0;
  for (let r = 0; r < RUNS; r++) {
    const p = createParser(format, opts);
    produced = 0;
    const t = process.hrtime.bigint();
    const c = process.cpuUsage();
    for (const l of lines) produced += p.line(l).length;
    produced += p.end().length;
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    const cu = process.cpuUsage(c);
    best = Math.max(best, lines.length / s);
    bestCpu = Math.max(bestCpu, lines.length / ((cu.user + cu.system) / 1e6));
    const rejected = [...p.rejected.values()].reduce((a, b) => a + b, 0);
    if (rejected > 0) throw new Error(`${format}: ${rejected} lines rejected in the bench input`);
  }
  return { rate: best, cpuRate: bestCpu, produced };
}

function peer(cmd, argv, file, lines) {
  let best = 0;
  for (let r = 0; r < RUNS; r++) {
    const t = process.hrtime.bigint();
    const res = spawnSync(cmd, [...argv, file], { stdio: ["ignore", "ignore", "inherit"] });
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    if (res.status !== 0) return null;
    best = Math.max(best, lines / s);
  }
  return best;
}

const dir = mkdtempSync(join(tmpdir(), "dnsrep-bench-logs-"));
const fmt = (n) => (n === null ? "–" : `${Math.round(n).toLocaleString("en-US")}/s`);
console.log(`${N.toLocaleString("en-US")} lines per format, best of ${RUNS}\n`);
console.log("| format | ours: lines/s (wall) | ours: lines per CPU-second | associations | peer | peer lines/s (wall) |");
console.log("|---|---|---|---|---|---|");
try {
  for (const [format, g] of Object.entries(gen)) {
    if (ONLY !== undefined && ONLY !== format) continue;
    const lines = Array.from({ length: N }, (_, i) => g(i));
    if (format === "zeek") lines.unshift(...zeekHeader);
    const { rate, cpuRate, produced } = measure(format, lines, format === "regex" ? regexOpts : {});
    const file = join(dir, `${format}.log`);
    writeFileSync(file, `${lines.join("\n")}\n`);
    let peerName = "";
    let peerRate = null;
    if (format === "suricata") {
      peerName = "jq -c (answers of dns events)";
      peerRate = peer("jq", ["-c", 'select(.event_type=="dns") | .dns.answers[]? | [.rrname,.rrtype,.rdata]'], file, N);
    } else if (format === "dnsdb") {
      peerName = "jq -c (rdata of each line)";
      peerRate = peer("jq", ["-c", "[.rrname,.rrtype,.rdata[]?]"], file, N);
    } else if (format === "zeek") {
      peerName = "mawk -F'\\t' (query, answers)";
      peerRate = peer("mawk", ["-F\t", '!/^#/ { print $10, $22 }'], file, N);
    } else if (format === "passivedns") {
      peerName = "mawk -F'\\\\|\\\\|' (query, type, answer)";
      peerRate = peer("mawk", ["-F\\|\\|", "{ print $5, $6, $7 }"], file, N);
    }
    console.log(`| ${format} | ${fmt(rate)} | ${fmt(cpuRate)} | ${produced.toLocaleString("en-US")} | ${peerName || "–"} | ${fmt(peerRate)} |`);
  }
  if (ONLY !== undefined && ONLY !== "cuckoo") process.exit(0);
  // Cuckoo: one report with N/10 dns entries, indented as Cuckoo writes it.
  const entries = Array.from({ length: Math.max(1, Math.floor(N / 10)) }, (_, i) => ({ request: `h${i}.example.com`, type: "A", answers: [{ type: "CNAME", data: `c${i}.cdn.example.net` }, { type: "A", data: ip(i) }] }));
  const report = JSON.stringify({ info: { id: 1 }, network: { dns: entries } }, null, 4).split("\n");
  const { rate, cpuRate, produced } = measure("cuckoo", report);
  console.log(`| cuckoo (one ${entries.length.toLocaleString("en-US")}-entry report, ${report.length.toLocaleString("en-US")} lines) | ${fmt(rate)} | ${fmt(cpuRate)} | ${produced.toLocaleString("en-US")} | – | – |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
