// Start-up cost of the tools (issue 30): every tool's `--help` and a one-query `dnstable-lookup`,
// each run as a whole process under /usr/bin/time, paired with a bare `node -e 0` in the same loop
// (node -e 0, then each command, round after round), so the machine's load hits both alike.
// Prints mean and median CPU (user + system) and wall time, the ratio of the mean CPU to node -e 0's,
// and the median peak RSS.
//
//   node bench/startup/run.mjs [--runs N] [--only NAME,NAME] [--unbundled] [--no-help] [--before DIR] [--json]
//
// --unbundled: run the tools' modules (DNSREP_UNBUNDLED=1) instead of their bundles.
// --before DIR: also run each command from another built checkout (an earlier commit, e.g.
//   `git archive C | tar -x -C DIR`, then pnpm install, the native builds and tsc -b there), in the
//   same loop: its rows are marked "(before)".
// Needs `npx tsc -b` and `node scripts/bundle-tools.mjs` first (scripts/setup.sh does both).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(import.meta.url), "..", "..", "..");
const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const RUNS = Number(opt("--runs", 20));
const only = opt("--only", "").split(",").filter(Boolean);
const unbundled = args.includes("--unbundled");
const node = process.execPath;
const fixture = join(root, "test", "vectors", "dnstable", "dns.mtbl");
const before = opt("--before", "");

/** The commands of the checkout at `top`, their names marked with `mark`. */
function toolCommands(top, mark) {
  const out = [];
  const lookup = join(top, "tools", "dnstable", "bin", "dnstable-lookup.js");
  out.push({ name: `dnstable-lookup rrset '*.test'${mark}`, argv: [lookup, "rrset", "*.test"] });
  out.push({ name: `dnstable-lookup rdata ip 192.0.2.0/24${mark}`, argv: [lookup, "rdata", "ip", "192.0.2.0/24"] });
  if (!args.includes("--no-help")) {
    for (const tool of readdirSync(join(top, "tools")).sort()) {
      let bins = [];
      try {
        bins = readdirSync(join(top, "tools", tool, "bin")).filter((f) => f.endsWith(".js"));
      } catch {}
      for (const b of bins.sort()) out.push({ name: `${b.slice(0, -3)} --help${mark}`, argv: [join(top, "tools", tool, "bin", b), "--help"] });
    }
  }
  return out.filter((c) => only.length === 0 || only.some((o) => c.name.includes(o)));
}
const mine = toolCommands(root, "");
const theirs = before ? toolCommands(before, " (before)") : [];
// each command beside its before, so the table reads in pairs
const chosen = [{ name: "node -e 0", argv: ["-e", "0"] }];
for (const c of mine) {
  const b = theirs.find((t) => t.name === `${c.name} (before)`);
  if (b) chosen.push(b);
  chosen.push(c);
}

const env = { ...process.env, DNSTABLE_FNAME: fixture };
if (unbundled) env.DNSREP_UNBUNDLED = "1";
else delete env.DNSREP_UNBUNDLED;
const tmp = mkdtempSync(join(tmpdir(), "startup-bench-"));
const timeFile = join(tmp, "time");

/** One run: [wall s, cpu s, peak RSS KB]. */
function once(c) {
  const r = spawnSync("/usr/bin/time", ["-o", timeFile, "-f", "%e %U %S %M", node, ...c.argv], { env, stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0) throw new Error(`${c.name}: exit ${r.status}: ${r.stderr.toString().trim()}`);
  const [e, u, s, m] = readFileSync(timeFile, "utf8").trim().split("\n").pop().split(" ").map(Number);
  return [e, u + s, m];
}

const samples = chosen.map(() => []);
const load0 = loadavg();
for (let r = 0; r < RUNS; r++) for (let i = 0; i < chosen.length; i++) samples[i].push(once(chosen[i]));
const load1 = loadavg();
rmSync(tmp, { recursive: true, force: true });

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const stats = samples.map((ss) => ({
  wall: mean(ss.map((x) => x[0])),
  cpu: mean(ss.map((x) => x[1])),
  cpuMedian: median(ss.map((x) => x[1])),
  rss: median(ss.map((x) => x[2])) / 1024,
}));
const base = stats[0];
let commit = "";
try {
  commit = spawnSync("git", ["-C", root, "rev-parse", "--short", "HEAD"]).stdout.toString().trim();
} catch {}
if (args.includes("--json")) {
  console.log(JSON.stringify(chosen.map((c, i) => ({ name: c.name, ...stats[i], ratio: stats[i].cpu / base.cpu }))));
} else {
  const la = (l) => l.map((x) => x.toFixed(1)).join(" ");
  console.log(
    `commit ${commit}${before ? ` (before: ${before})` : ""}, ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores, load ${la(load0)} → ${la(load1)}; ${RUNS} paired runs, ${unbundled ? "unbundled modules" : "bundles"}`,
  );
  console.log("");
  console.log("| command | CPU mean (s) | CPU median (s) | ÷ node -e 0 (mean CPU) | wall mean (s) | peak RSS (MB) |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (let i = 0; i < chosen.length; i++) {
    const s = stats[i];
    console.log(
      `| \`${chosen[i].name}\` | ${s.cpu.toFixed(3)} | ${s.cpuMedian.toFixed(2)} | ${(s.cpu / base.cpu).toFixed(2)}× | ${s.wall.toFixed(3)} | ${s.rss.toFixed(0)} |`,
    );
  }
}
