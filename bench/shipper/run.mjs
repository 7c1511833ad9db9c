// dnsrep-shipper throughput: a synthetic dnsmasq log-queries file (query + reply per lookup,
// a bounded set of names so the aggregation window folds repeats) read by the built binary end to
// end — tail, parse, aggregate, batch, spool (fsync), POST — into a local ingest sink (a child
// process answering contract §2: NDJSON counted, Idempotency-Key dedupe), beside the same file
// through `--output ndjson` (no HTTP, no spool) and through `parse` (one pass, no tailing).
//   node bench/shipper/run.mjs [--lookups N] [--names N] [--runs N] [--server URL --key-file F]
// With --server/--key-file it posts to that server (e.g. dnstable-server --store) instead of the sink.
// Needs `npx tsc -b tools/shipper` first.
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { gunzipSync } from "node:zlib";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = join(root, "tools/shipper/bin/dnsrep-shipper.js");
const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);

if (args[0] === "--sink") {
  // the ingest sink: counts observations, remembers keys
  const keys = new Set();
  let obs = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const key = req.headers["idempotency-key"];
      let body = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip") body = gunzipSync(body);
      let n = 0;
      for (let i = body.indexOf(10); i >= 0; i = body.indexOf(10, i + 1)) n++;
      if (keys.has(key)) {
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(JSON.stringify({ accepted: n, duplicate: true }));
      }
      keys.add(key);
      obs += n;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ accepted: n }));
    });
  });
  server.listen(0, "127.0.0.1", () => console.log(`sink ${server.address().port}`));
  process.on("SIGTERM", () => {
    console.log(`observations ${obs}`);
    process.exit(0);
  });
} else {
  await main();
}

async function main() {
  const LOOKUPS = Number(opt("--lookups", 500_000));
  const NAMES = Number(opt("--names", 20_000));
  const RUNS = Number(opt("--runs", 2));
  const dir = mkdtempSync(join(tmpdir(), "dnsrep-bench-shipper-"));
  const log = join(dir, "dnsmasq.log");
  await new Promise((resolve) => {
    const w = createWriteStream(log);
    const M = ["Nov"];
    let i = 0;
    const step = () => {
      let ok = true;
      while (i < LOOKUPS && ok) {
        const s = 3 + (i % 57);
        const ts = `${M[0]} 22 11:${String(Math.floor(i / 60000) % 60).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
        const name = `host${i % NAMES}.example.test`;
        ok = w.write(
          `${ts} dnsmasq[30519]: ${i + 1} 127.0.0.1/5${i % 1000} query[A] ${name} from 127.0.0.1\n` +
            `${ts} dnsmasq[30519]: ${i + 1} 127.0.0.1/5${i % 1000} reply ${name} is 10.${(i % NAMES) >> 16}.${((i % NAMES) >> 8) & 255}.${i % NAMES & 255}\n`,
        );
        i++;
      }
      if (i < LOOKUPS) w.once("drain", step);
      else w.end(resolve);
    };
    step();
  });
  const lines = LOOKUPS * 2;
  const sizeMiB = (spawnSync("stat", ["-c", "%s", log], { encoding: "utf8" }).stdout.trim() / 2 ** 20).toFixed(0);
  console.log(`input: ${lines.toLocaleString("en")} lines (${sizeMiB} MiB), ${NAMES.toLocaleString("en")} names; ${cpus().length} cores, load ${loadavg().map((x) => x.toFixed(1)).join(" ")}\n`);
  console.log("| path | lines/s of CPU (user+sys) | lines/s wall | CPU s | wall s | observations out |");
  console.log("|---|---|---|---|---|---|");
  const common = ["-f", "dnsmasq", "--year", "2025", "-q"];
  // wall time, and the child's CPU time from bash's `times` (the machine is shared: CPU time is the steadier figure)
  const time = (argv) => {
    const outFile = join(dir, "out");
    const t0 = process.hrtime.bigint();
    const r = spawnSync("bash", ["-c", '"$0" "$@" > "$OUT"; rc=$?; times >&2; exit $rc', process.execPath, BIN, ...argv], {
      encoding: "utf8",
      env: { ...process.env, OUT: outFile },
    });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`${argv.join(" ")}: exit ${r.status}: ${r.stderr}`);
    const t = r.stderr.trim().split("\n").at(-1).split(/\s+/).map((x) => {
      const m = /(\d+)m([\d.]+)s/.exec(x);
      return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
    });
    const out = spawnSync("wc", ["-l", outFile], { encoding: "utf8" }).stdout;
    return { s, cpu: (t[0] ?? 0) + (t[1] ?? 0), lines: Number.parseInt(out, 10) };
  };
  const row = async (name, fn) => {
    let best = null;
    let obs = 0;
    for (let k = 0; k < RUNS; k++) {
      const r = await fn(k);
      if (!best || r.cpu < best.cpu) best = r;
      obs = r.obs;
    }
    const f = (x) => Math.round(x).toLocaleString("en");
    console.log(`| ${name} | ${f(lines / best.cpu)} | ${f(lines / best.s)} | ${best.cpu.toFixed(2)} | ${best.s.toFixed(2)} | ${Number.isNaN(obs) ? "–" : obs.toLocaleString("en")} |`);
  };
  await row("parse (one pass, no tailing)", () => {
    const r = time(["parse", ...common, log]);
    return { ...r, obs: r.lines };
  });
  await row("run --once --output ndjson (tail, window 5 s)", (k) => {
    const r = time(["run", "--once", "-o", "ndjson", "--registry", join(dir, `reg-nd-${k}.json`), ...common, log]);
    return { ...r, obs: r.lines };
  });
  let server = opt("--server");
  let keyFile = opt("--key-file");
  let sink = null;
  let sinkOut = "";
  if (!server) {
    sink = spawn(process.execPath, [fileURLToPath(import.meta.url), "--sink"], { stdio: ["ignore", "pipe", "inherit"] });
    const port = await new Promise((resolve) => {
      sink.stdout.on("data", (d) => {
        sinkOut += d;
        const m = /sink (\d+)/.exec(sinkOut);
        if (m) resolve(m[1]);
      });
    });
    server = `http://127.0.0.1:${port}`;
    keyFile = join(dir, "key");
    writeFileSync(keyFile, "bench\n");
  }
  for (const [label, extra] of [
    ["run --once → HTTP sink (spool fsync per batch)", []],
    ["run --once → HTTP sink, gzip", ["--gzip"]],
  ])
    await row(label, (k) => {
      const spool = join(dir, `spool-${label.length}-${k}`);
      const stats = join(dir, "stats.json");
      const t = time(["run", "--once", "--server", server, "--key-file", keyFile, "--spool", spool, "--stats-file", stats, "--name", `bench-${label.length}-${k}`, ...extra, ...common, log]);
      return { ...t, obs: JSON.parse(readFileSync(stats, "utf8")).observationsSent };
    });
  // the real thing: dnstable-server with a live store (one store per run, fresh)
  const SERVER_BIN = join(root, "tools/server/bin/dnstable-server.js");
  if (!args.includes("--no-store-server") && !opt("--server")) {
    const keys = join(dir, "keys.json");
    const k = spawnSync(process.execPath, [SERVER_BIN, "keys", "add", "--keys", keys, "--role", "ingest", "bench"], { encoding: "utf8" });
    if (k.status !== 0) throw new Error(`keys add: ${k.stderr}`);
    const kf = join(dir, "store-key");
    writeFileSync(kf, k.stdout);
    await row("run --once → dnstable-server --store (live store)", (n) => {
      const storeDir = join(dir, `store-${n}`);
      const srv = spawn(process.execPath, [SERVER_BIN, "--listen", "127.0.0.1:0", "--keys", keys, "--store", storeDir, "-q"], { stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      const ready = new Promise((resolve, reject) => {
        srv.stderr.on("data", (d) => {
          err += d;
          const m = /listening on (\S+)/.exec(err);
          if (m) resolve(m[1]);
        });
        srv.once("close", (c) => reject(new Error(`dnstable-server exited ${c}: ${err}`)));
      });
      return ready.then((url) => {
        const stats = join(dir, "stats-store.json");
        const t = time(["run", "--once", "--server", url, "--key-file", kf, "--spool", join(dir, `spool-store-${n}`), "--stats-file", stats, ...common, log]);
        srv.kill("SIGTERM");
        return { ...t, obs: JSON.parse(readFileSync(stats, "utf8")).observationsSent };
      });
    });
  }
  if (sink) {
    sink.kill("SIGTERM");
    await new Promise((r) => sink.once("close", r));
    console.log(`\nsink: ${/observations (\d+)/.exec(sinkOut)?.[1] ?? "?"} observations received in all runs`);
  }
  rmSync(dir, { recursive: true, force: true });
}
