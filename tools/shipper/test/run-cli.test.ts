import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { run } from "../src/dnsrep-shipper.js";
import { dnsmasqLines } from "./dnsmasq-lines.js";
import { tempDir, until } from "./helpers.js";
import { MockIngest } from "./mock-ingest.js";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "../bin/dnsrep-shipper.js");

let dir: string;
beforeEach(() => {
  dir = tempDir("shipper-cli-");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo();
  const code = await runCommand("dnsrep-shipper", run, argv, io);
  return { code, out: io.out(), err: io.err() };
}

/** What `parse` gives for the same files: the single-pass reference. */
async function parseRef(files: string[]): Promise<string[]> {
  const r = await cli(["parse", "--format", "dnsmasq", "--year", "2025", "-q", ...files]);
  expect(r.code).toBe(0);
  return r.out.split("\n").filter((l) => l);
}

describe("dnsrep-shipper run (CLI)", () => {
  it("--help lists the options; the dispatcher knows run", async () => {
    const r = await cli(["run", "--help"]);
    expect(r.code).toBe(0);
    for (const o of ["--config", "--server", "--key-file", "--spool", "--registry", "--output", "--metrics-listen", "--stats-file"])
      expect(r.out).toContain(o);
    expect((await cli(["--help"])).out).toContain("run ");
  });

  it("usage errors exit 2 with one line", async () => {
    const cases: [string[], RegExp][] = [
      [["run", "x.log"], /--format is required/],
      [["run", "--format", "dnsmasq", "x.log"], /no server/],
      [["run", "--format", "nope", "--output", "ndjson", "x.log"], /unknown format "nope"/],
      [["run", "--format", "dnstap", "--output", "ndjson", "x.log"], /binary/],
      [["run", "--format", "dnsmasq", "--server", "ftp://x", "--key-file", "k", "--spool", "s", "x.log"], /key file|not an http/],
      [["run", "--format", "dnsmasq", "--output", "ndjson", "--window", "abc", "x.log"], /not a number/],
      [["run", "--config", join("/nonexistent", "c.toml")], /c\.toml: ENOENT/],
    ];
    for (const [argv, re] of cases) {
      const r = await cli(argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.err, argv.join(" ")).toMatch(re);
      expect(r.err.trim().split("\n").length).toBe(1);
    }
  });

  it("a config file with an unknown setting or a bad value is refused, naming it", async () => {
    const bad = join(dir, "bad.toml");
    writeFileSync(bad, 'server = "http://127.0.0.1:1"\nwindow_secs = 3\n');
    expect((await cli(["run", "-c", bad])).err).toMatch(/unknown setting "window_secs"/);
    writeFileSync(bad, '[[input]]\npaths = ["a.log"]\nformat = "dnsmasq"\nwindow_seconds = 3\n');
    expect((await cli(["run", "-c", bad])).err).toMatch(/input 1: unknown setting "window_seconds"/);
    writeFileSync(bad, 'output = "ndjson"\nwindow_seconds = "x"\n[[input]]\npaths = ["a.log"]\nformat = "dnsmasq"\n');
    expect((await cli(["run", "-c", bad])).err).toMatch(/window_seconds.*must be a number/);
    writeFileSync(bad, "not = toml = at all");
    const r = await cli(["run", "-c", bad]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.toml: /);
  });

  it("--output ndjson --once prints what parse prints for the same file (aggregated, null-free times)", async () => {
    const log = join(dir, "dnsmasq.log");
    writeFileSync(log, `${dnsmasqLines(300)}garbage\n`);
    const r = await cli(["run", "--output", "ndjson", "--once", "-q", "--format", "dnsmasq", "--year", "2025", "--window", "60", log]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    const got = r.out
      .split("\n")
      .filter((l) => l)
      .sort();
    expect(got).toEqual((await parseRef([log])).sort());
  });

  it("a TOML config with [[input]] sections and relative paths ships to the server; stats file written", async () => {
    const server = await new MockIngest().start();
    try {
      writeFileSync(join(dir, "a.log"), dnsmasqLines(100));
      writeFileSync(join(dir, "b.log"), dnsmasqLines(100, 100));
      writeFileSync(join(dir, "key"), `${server.key}\n`);
      const cfg = join(dir, "shipper.toml");
      writeFileSync(
        cfg,
        [
          `server = "${server.url}"`,
          'key_file = "key"',
          'spool = "spool"',
          'stats_file = "stats.json"',
          "window_seconds = 1",
          "batch_size = 30",
          "gzip = true",
          "",
          "[[input]]",
          'paths = ["*.log"]',
          'format = "dnsmasq"',
          "year = 2025",
        ].join("\n"),
      );
      const r = await cli(["run", "-c", cfg, "--once"]);
      expect(r.code, r.err).toBe(0);
      expect(r.err).toMatch(/400 lines, 200 observations, 0 lines rejected.*batches sent/);
      const ref = await parseRef([join(dir, "a.log"), join(dir, "b.log")]);
      const want: Record<string, number> = {};
      for (const l of ref) {
        const o = JSON.parse(l);
        want[`${o.rrname}|${o.rrtype}|${o.rdata}`] = o.count;
      }
      const got = Object.fromEntries(Object.entries(server.totals).map(([k, v]) => [k, v.count]));
      expect(got).toEqual(want);
      const stats = JSON.parse(readFileSync(join(dir, "stats.json"), "utf8"));
      expect(stats.lines).toBe(400);
      expect(stats.spoolBatches).toBe(0);
      expect(existsSync(join(dir, "spool", "registry.json"))).toBe(true);
    } finally {
      await server.close();
    }
  });

  it("bad input: binary garbage, a 1.5 MB line, invalid UTF-8, a file truncated under it — counted, reported, no stall", async () => {
    const log = join(dir, "bad.log");
    const garbage = Buffer.alloc(200_000);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) & 255;
    writeFileSync(
      log,
      Buffer.concat([
        Buffer.from(dnsmasqLines(5)),
        garbage,
        Buffer.from(`\n${"y".repeat(1_500_000)}\n`),
        Buffer.from([0x4e, 0x6f, 0x76, 0xff, 0xfe, 0x0a]),
        Buffer.from(dnsmasqLines(5, 5)),
      ]),
    );
    const io = memoryIo();
    const ac = new AbortController();
    io.signal = ac.signal;
    const stats = join(dir, "stats.json");
    const done = runCommand(
      "dnsrep-shipper",
      run,
      ["run", "-o", "ndjson", "--window", "0", "--poll-ms", "20", "--stats-file", stats, "-f", "dnsmasq", "--year", "2025", log],
      io,
    );
    await until(() => io.out().split("\n").length > 10, 20_000, "first lines shipped");
    // truncated under it, then new lines
    writeFileSync(log, dnsmasqLines(3, 100));
    await until(
      () =>
        io.out().includes("host0.example.test") &&
        io
          .out()
          .split("\n")
          .filter((l) => l.includes('"time_first":1763809300')).length > 0,
      20_000,
      "lines after the truncation",
    );
    ac.abort();
    expect(await done).toBe(0);
    const err = io.err();
    expect(err).toMatch(/file truncated; reading it again from the start/);
    expect(err).toMatch(/line too long: [1-9]/);
    expect(err).toMatch(/invalid UTF-8: [1-9]/);
    expect(err.split("\n").filter((l) => l).length).toBeLessThanOrEqual(3);
    const st = JSON.parse(readFileSync(stats, "utf8"));
    expect(st.truncations).toBe(1);
  });

  it("JSON config works the same way", async () => {
    writeFileSync(join(dir, "a.log"), dnsmasqLines(10));
    const cfg = join(dir, "c.json");
    writeFileSync(cfg, JSON.stringify({ output: "ndjson", input: [{ paths: ["a.log"], format: "dnsmasq", year: 2025 }] }));
    const r = await cli(["run", "-c", cfg, "--once", "-q"]);
    expect(r.code, r.err).toBe(0);
    expect(r.out.split("\n").filter((l) => l).length).toBe(10);
  });

  it("/metrics serves the counters while running", async () => {
    writeFileSync(join(dir, "a.log"), dnsmasqLines(20));
    const io = memoryIo();
    const ac = new AbortController();
    io.signal = ac.signal;
    const port = 20000 + Math.floor(Math.random() * 20000);
    const done = run(
      ["run", "-o", "ndjson", "-q", "--metrics-listen", `127.0.0.1:${port}`, "-f", "dnsmasq", "--year", "2025", join(dir, "a.log")],
      io,
    );
    let text = "";
    for (let i = 0; i < 100 && !/dnsrep_shipper_lines_total 40/.test(text); i++) {
      await new Promise((r) => setTimeout(r, 50));
      text = await fetch(`http://127.0.0.1:${port}/metrics`).then(
        (r) => r.text(),
        () => "",
      );
    }
    ac.abort();
    expect(await done).toBe(0);
    expect(text).toMatch(/^dnsrep_shipper_lines_total 40$/m);
    expect(text).toMatch(/# TYPE dnsrep_shipper_spool_batches gauge/);
  });

  it("the binary: SIGTERM with the server away spools what it held and exits 0; the next run delivers it", async () => {
    const log = join(dir, "dnsmasq.log");
    writeFileSync(log, dnsmasqLines(50));
    writeFileSync(join(dir, "key"), "ingest-key-1\n");
    const server = await new MockIngest().start();
    const port = server.port;
    await server.close();
    const args = ["run", "--server", `http://127.0.0.1:${port}`, "--key-file", join(dir, "key"), "--spool", join(dir, "spool")];
    const stats = join(dir, "stats.json");
    const child = spawn(
      process.execPath,
      [BIN, ...args, "--stats-file", stats, "--window", "3600", "-f", "dnsmasq", "--year", "2025", log],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("close", (c) => resolve(c)));
    // the stats file is first written after the first poll has read what is there
    await until(() => existsSync(stats), 20_000, "stats file");
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const code = await exited;
    clearTimeout(killer);
    expect(code, err).toBe(0);
    expect(err).toMatch(/100 lines, 50 observations.*1 left in the spool/);
    expect(readdirSync(join(dir, "spool", "pending")).filter((n) => n.endsWith(".batch")).length).toBe(1);
    const back = await new MockIngest({ port }).start();
    try {
      const r = await cli([...args, "--once", "-q", "-f", "dnsmasq", "--year", "2025", log]);
      expect(r.code, r.err).toBe(0);
      expect(Object.values(back.totals).reduce((a, t) => a + t.count, 0)).toBe(50);
    } finally {
      await back.close();
    }
  }, 60_000);
});
