import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../src/dnsrep-shipper.js";

const here = dirname(fileURLToPath(import.meta.url));
const fx = join(here, "fixtures/logs");
const dir = mkdtempSync(join(tmpdir(), "shipper-parse-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function shipper(argv: string[], stdin?: Uint8Array | string): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo(stdin);
  const code = await runCommand("dnsrep-shipper", run, argv, io);
  return { code, out: io.out(), err: io.err() };
}

const DNSMASQ = "Nov 22 11:07:55 dnsmasq[30519]: 1 127.0.0.1/56938 reply example.test is 192.0.2.10\n";

describe("dnsrep-shipper parse", () => {
  it("prints observations in the documented key order and a summary on stderr", async () => {
    const r = await shipper(["parse", "--format", "dnsmasq", "--year", "2026", "--utc", "-"], DNSMASQ + DNSMASQ);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      '{"rrname":"example.test","rrtype":"A","rdata":"192.0.2.10","time_first":1795345675,"time_last":1795345675,"count":2,"source":"dnsmasq"}\n',
    );
    expect(r.err).toBe("dnsrep-shipper parse: 2 lines, 1 observations, 0 rejected\n");
  });

  it("--source names the source; -q is quiet; --format auto guesses", async () => {
    const r = await shipper(["parse", "-f", "auto", "--source", "gw1", "-q", "-"], DNSMASQ);
    expect(JSON.parse(r.out).source).toBe("gw1");
    expect(r.err).toBe("");
  });

  it("several files aggregate into one set", async () => {
    const r = await shipper(["parse", "-f", "squid", join(fx, "squid/access.log"), join(fx, "squid/access.log")]);
    const rows = r.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows.length).toBe(13);
    expect(rows.find((o) => o.rrname === "api.web.test").count).toBe(12);
  });

  it("usage errors exit 2: no/unknown format, bad year, bad definition, no command", async () => {
    expect((await shipper(["parse", "-"])).code).toBe(2);
    const u = await shipper(["parse", "-f", "nope", "-"]);
    expect(u.code).toBe(2);
    expect(u.err).toMatch(/unknown format "nope"/);
    expect((await shipper(["parse", "-f", "dnsmasq", "--year", "26", "-"])).code).toBe(2);
    expect((await shipper(["parse", "-f", "squid", "--log-format", "%ts %", "-"])).code).toBe(2);
    expect((await shipper([])).code).toBe(2);
    expect((await shipper(["frobnicate"])).code).toBe(2);
    expect((await shipper(["parse", "--help"])).code).toBe(0);
  });

  it("a missing file is a one-line error and exit 1; the other files are still parsed", async () => {
    const r = await shipper(["parse", "-f", "dnsmasq", join(dir, "nope.log"), join(fx, "dnsmasq/dnsmasq.log")]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/nope\.log: .*ENOENT|no such file/i);
    expect(r.out.trim().split("\n").length).toBe(109);
  });

  it("bad input is counted by reason, never a crash: garbage, 1 MB line, invalid UTF-8, NUL, a cut last line", async () => {
    const garbage = new Uint8Array(4096).map((_, i) => (i * 7919) % 256);
    const parts = [
      Buffer.from(DNSMASQ),
      Buffer.from(garbage),
      Buffer.from("\n"),
      Buffer.alloc(1 << 20, 0x41),
      Buffer.from("\n"),
      Buffer.from([0x4e, 0x6f, 0x76, 0xff, 0xfe, 0x0a]),
      Buffer.from("Nov 22 11:07:55 dnsmasq[1]: 2 127.0.0.1/1 reply a.test is 192.0.2.1\u0000\n"),
      Buffer.from(DNSMASQ.replace("192.0.2.10\n", "192.0.2.1")),
    ];
    const f = join(dir, "bad.log");
    writeFileSync(f, Buffer.concat(parts));
    const r = await shipper(["parse", "-f", "dnsmasq", "--year", "2026", f]);
    expect(r.code).toBe(0);
    expect(r.out.trim().split("\n").length).toBe(1); // only the first, good line; the cut one is not guessed at
    expect(r.err).toMatch(/rejected 1: line too long/);
    expect(r.err).toMatch(/rejected \d+: NUL byte/);
    expect(r.err).toMatch(/rejected \d+: invalid UTF-8/);
    expect(r.err).toMatch(/rejected 1: line cut at end of input/);
  });

  it("a truncated dnstap file keeps what was read and counts the truncation", async () => {
    const whole = readFileSync(join(fx, "unbound/unbound.dnstap"));
    const f = join(dir, "cut.dnstap");
    writeFileSync(f, whole.subarray(0, Math.floor(whole.length / 2)));
    const r = await shipper(["parse", "-f", "dnstap", f]);
    expect(r.code).toBe(0);
    expect(r.out.split("\n").length).toBeGreaterThan(10);
    expect(r.err).toMatch(/rejected 1: truncated Frame Streams input/);
    const g = await shipper(["parse", "-f", "dnstap", join(fx, "squid/access.log")]);
    expect(g.code).toBe(0);
    expect(g.out).toBe("");
    expect(g.err).toMatch(/rejected 1: /);
  });

  it("the built binary runs (exit status, stdout)", async () => {
    const bin = join(here, "../bin/dnsrep-shipper.js");
    const { stdout } = await promisify(execFile)(process.execPath, [bin, "parse", "-q", "-f", "kresd", join(fx, "kresd/kresd.log")], {
      timeout: 30_000,
    });
    expect(stdout.trim().split("\n").length).toBe(6);
  });
});
