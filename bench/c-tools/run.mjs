// Whole commands against the original C tools (issue 30): the same inputs through ours and through
// nmsgtool / mtbl_* / dnstable_* / dnstable_convert built from their upstream sources, each row's
// outputs checked equal, then timed as paired runs (ours, C, ours, C …): median wall time and peak
// RSS (/usr/bin/time) of each side, and the ratio ours ÷ C (< 1: we are faster).
//
//   node bench/c-tools/run.mjs [--runs N] [--packets N] [--rrsets N] [--queries N] [--only a,b]
//                              [--prefix DIR] [--data DIR] [--keep]
//
// --prefix: where the C tools are (default bench/c-tools/.build): built there once with
//   ../shared/peers/c-tools/build.sh (or $DNSREP_CTOOLS_SRC/build.sh) when its env.sh is missing
//   (about 5 minutes; needs root for the build packages the first time).
// --data: the generated inputs (default bench/c-tools/.data), made once and reused; --keep keeps
//   the outputs of the last run there too. Both folders are ignored by git.
// Needs `npx tsc -b` first. Rows: nmsg (plain, zlib, presentation), pcap → dnsqr, dedupe → dnstable
// files (file and stdin), dnstable merge of 4 parts, mtbl dump and verify, one dnstable-lookup
// process per query.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeDnsDedupe, MSGTYPE_DNSDEDUPE, NmsgWriter, VENDOR_SIE } from "@dnsrep/nmsg";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const RUNS = Number(opt("--runs", 3));
const PACKETS = Number(opt("--packets", 1_000_000));
const RRSETS = Number(opt("--rrsets", 1_000_000));
const QUERIES = Number(opt("--queries", 100));
const only = opt("--only", "")
  .split(",")
  .filter(Boolean);
const prefix = opt("--prefix", join(here, ".build"));
const data = opt("--data", join(here, ".data"));
const keep = args.includes("--keep");
const node = process.execPath;
const bin = (tool, name) => join(root, "tools", tool, "bin", `${name}.js`);

// ---- the C tools ---------------------------------------------------------------------------
function cEnv() {
  if (!existsSync(join(prefix, "env.sh"))) {
    const src = process.env.DNSREP_CTOOLS_SRC ?? join(root, "..", "shared", "peers", "c-tools");
    if (!existsSync(join(src, "build.sh"))) throw new Error(`no C tools in ${prefix} and no ${src}/build.sh to build them`);
    console.error(`building the C tools into ${prefix} (about 5 minutes)…`);
    execFileSync("bash", [join(src, "build.sh"), prefix], { stdio: ["ignore", "inherit", "inherit"] });
  }
  return {
    ...process.env,
    PATH: `${join(prefix, "bin")}:${process.env.PATH}`,
    LD_LIBRARY_PATH: `${join(prefix, "lib")}${process.env.LD_LIBRARY_PATH ? `:${process.env.LD_LIBRARY_PATH}` : ""}`,
    NMSG_MSGMOD_DIR: join(prefix, "lib", "nmsg"),
  };
}
const env = cEnv();
const cbin = (name) => join(prefix, "bin", name);

/** Run a command; throws with its stderr when it fails. */
function sh(cmd, argv, { input, stdout } = {}) {
  const out = stdout === undefined ? "pipe" : stdout;
  const fd = typeof out === "string" && out !== "pipe" && out !== "ignore" ? openSync(out, "w") : null;
  const inFd = input ? openSync(input, "r") : "ignore";
  try {
    const r = spawnSync(cmd, argv, { env, stdio: [inFd, fd ?? out, "pipe"], maxBuffer: 1 << 30 });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`${cmd} ${argv.join(" ")}: exit ${r.status}: ${r.stderr.toString().trim().split("\n").pop()}`);
    return r.stdout;
  } finally {
    if (fd !== null) closeSync(fd);
    if (typeof inFd === "number") closeSync(inFd);
  }
}
const sha = (file) => createHash("sha256").update(readFileSync(file)).digest("hex").slice(0, 16);

// ---- inputs --------------------------------------------------------------------------------
mkdirSync(data, { recursive: true });
const F = (name) => join(data, name);
const t0 = Date.now();
const made = (f) => existsSync(f) && statSync(f).size > 0;

/** the vectors' capture repeated to PACKETS packets, timestamps shifted 20 s per copy */
function makePcap(file) {
  const src = readFileSync(join(root, "test/vectors/pcap/dns.pcap"));
  const recs = [];
  for (let off = 24; off + 16 <= src.length; ) {
    const cap = src.readUInt32LE(off + 8);
    recs.push([off, 16 + cap]);
    off += 16 + cap;
  }
  const fd = openSync(`${file}.tmp`, "w");
  writeSync(fd, src.subarray(0, 24));
  const batch = Buffer.alloc(src.length);
  let packets = 0;
  for (let rep = 0; packets < PACKETS; rep++) {
    let n = 0;
    for (const [off, len] of recs) {
      if (packets >= PACKETS) break;
      src.copy(batch, n, off, off + len);
      batch.writeUInt32LE(src.readUInt32LE(off) + rep * 20, n);
      n += len;
      packets++;
    }
    writeSync(fd, batch, 0, n);
  }
  closeSync(fd);
  execFileSync("mv", [`${file}.tmp`, file]);
}

/** RRSETS synthetic SIE/dnsdedupe payloads (names, A and NS RRsets over many zones), in `parts` files */
async function makeDedupe(files) {
  const zones = Math.max(10, Math.floor(RRSETS / 1000));
  const wire = (name) => Buffer.from(name.split(".").flatMap((l) => [l.length, ...Buffer.from(l)]).concat(0));
  const writers = files.map((f) => {
    const fd = openSync(`${f}.tmp`, "w");
    return { f, fd, w: new NmsgWriter((c) => void writeSync(fd, c)) };
  });
  for (let i = 0; i < RRSETS; i++) {
    const zone = `z${i % zones}.example`;
    const ns = i % 10 === 9;
    const rec = {
      type: 1 + (i % 3 === 0 ? 1 : 0),
      count: 1 + (i % 7),
      time_first: 1_700_000_000 + (i % 86400),
      time_last: 1_700_000_000 + (i % 86400) + 3600,
      response_ip: Uint8Array.of(192, 0, 2, 1),
      bailiwick: wire(zone),
      rrname: wire(ns ? zone : `h${i}.${zone}`),
      rrclass: 1,
      rrtype: ns ? 2 : 1,
      rrttl: 3600,
      rdata: [ns ? wire(`ns${i % 97}.${zone}`) : Uint8Array.of(10, (i >> 16) & 255, (i >> 8) & 255, i & 255)],
    };
    const payload = encodeDnsDedupe(rec);
    const tgt = writers[i % writers.length];
    await tgt.w.write({ vid: VENDOR_SIE, msgtype: MSGTYPE_DNSDEDUPE, timeSec: rec.time_last, timeNsec: 0, payload });
  }
  for (const { f, fd, w } of writers) {
    await w.close();
    closeSync(fd);
    execFileSync("mv", [`${f}.tmp`, f]);
  }
}

if (!made(F("big.pcap"))) makePcap(F("big.pcap"));
if (!made(F("dnsqr.nmsg"))) {
  sh(cbin("nmsgtool"), ["-p", F("big.pcap"), "-V", "base", "-T", "dnsqr", "-w", `${F("dnsqr.nmsg")}.tmp`]);
  execFileSync("mv", [`${F("dnsqr.nmsg")}.tmp`, F("dnsqr.nmsg")]);
}
if (!made(F("dedupe.nmsg"))) await makeDedupe([F("dedupe.nmsg")]);
const parts = [0, 1, 2, 3].map((i) => F(`part${i}.nmsg`));
if (!parts.every(made)) await makeDedupe(parts);
if (!made(F("dns.mtbl"))) sh(cbin("dnstable_convert"), [F("dedupe.nmsg"), F("dns.mtbl"), F("dnssec.mtbl")]);
for (let i = 0; i < 4; i++) {
  if (!made(F(`part${i}.mtbl`))) sh(cbin("dnstable_convert"), [parts[i], F(`part${i}.mtbl`), F(`part${i}.dnssec.mtbl`)]);
}
if (Date.now() - t0 > 1000) console.error(`inputs ready in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

// 100 queries: half wildcard rrset lookups of a zone, half rdata ip lookups of a /24
const queries = [];
for (let q = 0; q < QUERIES; q++) {
  const i = (q * 7919) % RRSETS;
  const zones = Math.max(10, Math.floor(RRSETS / 1000));
  queries.push(q % 2 === 0 ? ["rrset", `*.z${i % zones}.example`] : ["rdata", "ip", `10.${(i >> 16) & 255}.${(i >> 8) & 255}.0/24`]);
}

// ---- rows ----------------------------------------------------------------------------------
const out = (name) => F(`out.${name}`);
/** presentation of an nmsg file through the C nmsgtool, hashed (a neutral reader for both sides) */
const presSha = (file) => {
  sh(cbin("nmsgtool"), ["-r", file, "-o", `${file}.pres`]);
  const h = sha(`${file}.pres`);
  rmSync(`${file}.pres`, { force: true });
  return h;
};
const dumpSha = (file) => {
  sh(cbin("mtbl_dump"), [file], { stdout: `${file}.dump` });
  const h = sha(`${file}.dump`);
  rmSync(`${file}.dump`, { force: true });
  return h;
};
const sameBytesOr = (fallback) => (a, b) => (sha(a) === sha(b) ? "identical bytes" : fallback(a) === fallback(b) ? "same content" : null);

const rows = [
  {
    id: "nmsg-plain",
    label: "`nmsg-tool -r F -w out` vs `nmsgtool -r F -w out` (plain)",
    ours: [node, [bin("nmsg-tool", "nmsg-tool"), "-r", F("dnsqr.nmsg"), "-w", out("ours.nmsg")]],
    c: [cbin("nmsgtool"), ["-r", F("dnsqr.nmsg"), "-w", out("c.nmsg")]],
    check: () => sameBytesOr(presSha)(out("ours.nmsg"), out("c.nmsg")),
  },
  {
    id: "nmsg-zlib",
    label: "`nmsg-tool -r F -z -w out`",
    ours: [node, [bin("nmsg-tool", "nmsg-tool"), "-r", F("dnsqr.nmsg"), "-z", "-w", out("ours.z.nmsg")]],
    c: [cbin("nmsgtool"), ["-r", F("dnsqr.nmsg"), "-z", "-w", out("c.z.nmsg")]],
    check: () => sameBytesOr(presSha)(out("ours.z.nmsg"), out("c.z.nmsg")),
  },
  {
    id: "nmsg-pres",
    label: "`nmsg-tool -r F -o /dev/null` (presentation)",
    ours: [node, [bin("nmsg-tool", "nmsg-tool"), "-r", F("dnsqr.nmsg"), "-o", "/dev/null"]],
    c: [cbin("nmsgtool"), ["-r", F("dnsqr.nmsg"), "-o", "/dev/null"]],
    check: () => {
      sh(node, [bin("nmsg-tool", "nmsg-tool"), "-r", F("dnsqr.nmsg"), "-o", out("ours.pres")]);
      sh(cbin("nmsgtool"), ["-r", F("dnsqr.nmsg"), "-o", out("c.pres")]);
      return sha(out("ours.pres")) === sha(out("c.pres")) ? "identical text" : null;
    },
  },
  {
    id: "sensor",
    label: "`nmsg-sensor --no-icmp -p big.pcap -w out` vs `nmsgtool -p big.pcap -V base -T dnsqr -w out`",
    ours: [node, [bin("sensor", "nmsg-sensor"), "-q", "--no-icmp", "-p", F("big.pcap"), "-w", out("ours.sensor.nmsg")]],
    c: [cbin("nmsgtool"), ["-p", F("big.pcap"), "-V", "base", "-T", "dnsqr", "-w", out("c.sensor.nmsg")]],
    check: () => sameBytesOr(presSha)(out("ours.sensor.nmsg"), out("c.sensor.nmsg")),
  },
  {
    id: "import-file",
    label: "`dnstable-import` vs `dnstable_convert` (file)",
    ours: [node, [bin("dnstable", "dnstable-import"), "-q", F("dedupe.nmsg"), out("ours.dns.mtbl"), out("ours.dnssec.mtbl")]],
    c: [cbin("dnstable_convert"), [F("dedupe.nmsg"), out("c.dns.mtbl"), out("c.dnssec.mtbl")]],
    pre: (side) => [`${side}.dns.mtbl`, `${side}.dnssec.mtbl`].forEach((f) => rmSync(out(f), { force: true })),
    check: () => sameBytesOr(dumpSha)(out("ours.dns.mtbl"), out("c.dns.mtbl")),
  },
  {
    id: "import-stdin",
    label: "`dnstable-import` vs `dnstable_convert` (stdin)",
    ours: [node, [bin("dnstable", "dnstable-import"), "-q", "-", out("ours.dns2.mtbl"), out("ours.dnssec2.mtbl")], F("dedupe.nmsg")],
    c: [cbin("dnstable_convert"), ["/dev/stdin", out("c.dns2.mtbl"), out("c.dnssec2.mtbl")], F("dedupe.nmsg")],
    pre: (side) => [`${side}.dns2.mtbl`, `${side}.dnssec2.mtbl`].forEach((f) => rmSync(out(f), { force: true })),
    check: () => sameBytesOr(dumpSha)(out("ours.dns2.mtbl"), out("c.dns2.mtbl")),
  },
  {
    id: "merge",
    label: "`mtbl-merge --merge dnstable` (4 parts) vs `mtbl_merge` with the dnstable DSO",
    ours: [node, [bin("mtbl", "mtbl-merge"), "-q", "--merge", "dnstable", ...[0, 1, 2, 3].map((i) => F(`part${i}.mtbl`)), out("ours.merged.mtbl")]],
    c: [cbin("mtbl_merge"), [...[0, 1, 2, 3].map((i) => F(`part${i}.mtbl`)), out("c.merged.mtbl")]],
    cEnv: { MTBL_MERGE_DSO: join(prefix, "lib", "libdnstable.so.0"), MTBL_MERGE_FUNC_PREFIX: "dnstable_merge" },
    pre: (side) => rmSync(out(`${side}.merged.mtbl`), { force: true }),
    check: () => sameBytesOr(dumpSha)(out("ours.merged.mtbl"), out("c.merged.mtbl")),
  },
  {
    id: "dump",
    label: "`mtbl-dump F > /dev/null` vs `mtbl_dump`",
    ours: [node, [bin("mtbl", "mtbl-dump"), F("dns.mtbl")]],
    c: [cbin("mtbl_dump"), [F("dns.mtbl")]],
    check: () => {
      sh(node, [bin("mtbl", "mtbl-dump"), F("dns.mtbl")], { stdout: out("ours.dump") });
      sh(cbin("mtbl_dump"), [F("dns.mtbl")], { stdout: out("c.dump") });
      return sha(out("ours.dump")) === sha(out("c.dump")) ? "identical text" : null;
    },
  },
  {
    id: "verify",
    label: "`mtbl-verify F` vs `mtbl_verify`",
    ours: [node, [bin("mtbl", "mtbl-verify"), F("dns.mtbl")]],
    c: [cbin("mtbl_verify"), [F("dns.mtbl")]],
    check: () => "both exit 0",
  },
  {
    id: "lookup",
    label: `one \`dnstable-lookup\` process per query, ${QUERIES} wildcard/rdata queries`,
    many: true,
    ours: queries.map((q) => [node, [bin("dnstable", "dnstable-lookup"), ...q]]),
    c: queries.map((q) => [cbin("dnstable_lookup"), q]),
    lookupEnv: { DNSTABLE_FNAME: F("dns.mtbl") },
    check: () => {
      for (const q of queries.slice(0, 10)) {
        const a = sh(node, [bin("dnstable", "dnstable-lookup"), ...q]).toString();
        const b = sh(cbin("dnstable_lookup"), q).toString();
        if (a !== b) return null;
        if (a.length === 0) return null; // a query that finds nothing proves little
      }
      return "same text (first 10 queries)";
    },
  },
];

/** wall seconds and peak RSS (MB) of one command through /usr/bin/time */
function timed(cmd, argv, input, extraEnv) {
  const tf = F("time.out");
  const inFd = input ? openSync(input, "r") : "ignore";
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M %U %S", "-o", tf, cmd, ...argv], {
    env: { ...env, ...extraEnv },
    stdio: [inFd, "ignore", "pipe"],
  });
  if (typeof inFd === "number") closeSync(inFd);
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(" ")}: exit ${r.status}: ${r.stderr.toString().trim().split("\n").pop()}`);
  // the line of four numbers (time may add a line of its own before it, e.g. about a signal)
  const line = readFileSync(tf, "utf8").trim().split("\n").filter((l) => /^[\d.]+ \d+ [\d.]+ [\d.]+$/.test(l)).pop() ?? "";
  const [e, m, u, k] = line.split(" ").map(Number);
  if (!Number.isFinite(m)) throw new Error(`${cmd}: no /usr/bin/time line in ${tf}`);
  return { s: e, rss: m / 1024, cpu: u + k };
}
/** for many commands: the summed wall time (hrtime: /usr/bin/time's 10 ms steps would dominate) and the largest RSS */
function timedMany(cmds, extraEnv) {
  let s = 0;
  let rss = 0;
  let cpu = 0;
  for (const [cmd, argv] of cmds) {
    const t = process.hrtime.bigint();
    const r = timed(cmd, argv, undefined, extraEnv);
    s += Number(process.hrtime.bigint() - t) / 1e9;
    rss = Math.max(rss, r.rss);
    cpu += r.cpu;
  }
  return { s, rss, cpu };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

process.env.DNSTABLE_FNAME = F("dns.mtbl");
const results = [];
for (const row of rows) {
  if (only.length && !only.includes(row.id)) continue;
  const rowEnv = { ...(row.lookupEnv ?? {}) };
  Object.assign(env, rowEnv);
  // one untimed pass of each side, then the check on their outputs
  try {
    if (row.many) {
      timedMany(row.ours.slice(0, 2), rowEnv);
      timedMany(row.c.slice(0, 2), rowEnv);
    } else {
      row.pre?.("ours");
      timed(row.ours[0], row.ours[1], row.ours[2]);
      row.pre?.("c");
      timed(row.c[0], row.c[1], row.c[2], row.cEnv);
    }
  } catch (e) {
    results.push({ row, error: e.message.split("\n")[0] });
    continue;
  }
  const same = row.check();
  const o = [];
  const c = [];
  for (let run = 0; run < RUNS; run++) {
    row.pre?.("ours");
    o.push(row.many ? timedMany(row.ours, rowEnv) : timed(row.ours[0], row.ours[1], row.ours[2]));
    row.pre?.("c");
    c.push(row.many ? timedMany(row.c, rowEnv) : timed(row.c[0], row.c[1], row.c[2], row.cEnv));
  }
  const r = {
    row,
    same,
    ours: median(o.map((x) => x.s)),
    c: median(c.map((x) => x.s)),
    oursCpu: median(o.map((x) => x.cpu)),
    cCpu: median(c.map((x) => x.cpu)),
    oursRss: Math.max(...o.map((x) => x.rss)),
    cRss: Math.max(...c.map((x) => x.rss)),
  };
  results.push(r);
  console.error(`${row.id}: ours ${r.ours.toFixed(2)} s, C ${r.c.toFixed(2)} s (${(r.ours / r.c).toFixed(2)}×), ${same ?? "OUTPUTS DIFFER"}`);
}

let commit = "?";
try {
  commit = execFileSync("git", ["-C", root, "rev-parse", "--short", "HEAD"]).toString().trim();
} catch {}
const mb = (f) => `${(statSync(F(f)).size / 1e6).toFixed(0)} MB`;
console.log(
  `\ncommit ${commit}, ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores, load ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")}; median of ${RUNS} paired runs`,
);
console.log(
  `inputs: dnsqr.nmsg ${mb("dnsqr.nmsg")}, big.pcap ${mb("big.pcap")} (${PACKETS.toLocaleString("en")} packets), dedupe.nmsg ${mb("dedupe.nmsg")} (${RRSETS.toLocaleString("en")} RRsets), dns.mtbl ${mb("dns.mtbl")}\n`,
);
console.log("| command | wall ours / C (s) | ours ÷ C (wall) | CPU ours / C (s) | ours ÷ C (CPU) | peak RSS ours / C | outputs |");
console.log("|---|---:|---:|---:|---:|---:|---|");
for (const r of results) {
  if (r.error) {
    console.log(`| ${r.row.label} | – | – | – | – | – | failed: ${r.error} |`);
    continue;
  }
  const fmt = (ratio) => (ratio <= 1 ? `**${ratio.toFixed(2)}×**` : `${ratio.toFixed(2)}×`);
  console.log(
    `| ${r.row.label} | ${r.ours.toFixed(2)} / ${r.c.toFixed(2)} | ${fmt(r.ours / r.c)} | ${r.oursCpu.toFixed(2)} / ${r.cCpu.toFixed(2)} | ${fmt(r.oursCpu / Math.max(r.cCpu, 0.01))} | ${r.oursRss.toFixed(0)} / ${r.cRss.toFixed(0)} MB | ${r.same ?? "**differ**"} |`,
  );
}
if (!keep) for (const f of ["ours", "c"]) for (const s of ["nmsg", "z.nmsg", "pres", "sensor.nmsg", "dns.mtbl", "dnssec.mtbl", "dns2.mtbl", "dnssec2.mtbl", "merged.mtbl", "dump"]) rmSync(out(`${f}.${s}`), { force: true });
if (results.some((r) => r.error || !r.same)) process.exitCode = 1;
