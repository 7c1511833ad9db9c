import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeBigFile } from "../../../packages/server/test/big-file.js";
import { selfSignedCert } from "../../../test/tls-cert.js";
import { vectorPath } from "../../../test/vectors.js";
import { isLoopback, parseListen, run } from "../src/dnstable-server.js";
import { type Running, startServer } from "./spawn-server.js";

const DNS = vectorPath("dnstable/dns.mtbl");
const CI = Boolean(process.env.CI);

async function usage(argv: string[]): Promise<{ rc: number; err: string }> {
  const io = memoryIo();
  const rc = await runCommand("dnstable-server", run, argv, io);
  return { rc, err: io.err() };
}

/** GET a URL and collect the body (a whole streamed response). */
function fetchText(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    })
      .on("error", reject)
      .end();
  });
}

/** GET a streamed URL: `started` once the first bytes came, `done` with the whole body. */
function streaming(url: string): { started: Promise<void>; done: Promise<string> } {
  let started!: () => void;
  const startedP = new Promise<void>((r) => {
    started = r;
  });
  const done = new Promise<string>((resolve, reject) => {
    request(url, (res) => {
      let b = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        b += c;
        started();
      });
      res.on("end", () => resolve(b));
      res.on("error", reject);
    })
      .on("error", reject)
      .end();
  });
  return { started: startedP, done };
}

describe("dnstable-server options", () => {
  it("parses HOST:PORT", () => {
    expect(parseListen("--listen", "127.0.0.1:8080")).toEqual(["127.0.0.1", 8080]);
    expect(parseListen("--listen", "[::1]:0")).toEqual(["::1", 0]);
    expect(() => parseListen("--listen", "::1:80")).toThrow();
    expect(() => parseListen("--listen", "127.0.0.1")).toThrow();
    expect(() => parseListen("--listen", "127.0.0.1:65536")).toThrow();
    expect(() => parseListen("--listen", "example.com:80")).toThrow();
    expect(isLoopback("127.0.0.1") && isLoopback("::1") && !isLoopback("0.0.0.0") && !isLoopback("192.0.2.1")).toBe(true);
  });

  it("bad flags exit 2 with one line", async () => {
    for (const argv of [
      ["--no-auth"],
      [DNS],
      ["--frobnicate", "--no-auth", DNS],
      ["--no-auth", "--listen", "127.0.0.1", DNS],
      ["--no-auth", "--listen", "0.0.0.0:0", DNS],
      ["--no-auth", "--listen", "[::]:0", DNS],
      ["--no-auth", "--keys", "/nonexistent/keys", DNS],
      ["--no-auth", "--tls-cert", "c.pem", DNS],
      ["--no-auth", "--default-limit", "ten", DNS],
      ["--no-auth", "--default-limit", "0", DNS],
      ["--no-auth", "--default-limit", "100", "--max-limit", "10", DNS],
      ["--no-auth", "--poll-interval", "-1", DNS],
      ["--no-auth", "--metrics-listen", "nowhere", DNS],
    ]) {
      const r = await usage(argv);
      expect(r.rc, argv.join(" ")).toBe(2);
      expect(r.err, argv.join(" ")).toMatch(/^dnstable-server: [^\n]+\n$/);
    }
  });

  it("data that cannot be opened exits 1", async () => {
    for (const argv of [
      ["--no-auth", "--listen", "127.0.0.1:0", "/nonexistent.mtbl"],
      ["--no-auth", "--listen", "127.0.0.1:0", "--fname", vectorPath("dnstable/dns.info.txt")],
    ]) {
      const r = await usage(argv);
      expect(r.rc, argv.join(" ")).toBe(1);
      expect(r.err).toMatch(/^dnstable-server: [^\n]+\n$/);
    }
  });

  it("--help", async () => {
    const io = memoryIo();
    expect(await runCommand("dnstable-server", run, ["--help"], io)).toBe(0);
    expect(io.out()).toContain("--no-auth");
  });
});

describe("the running server", () => {
  let dir: string;
  const N = 150_000;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "server-cli-"));
    writeBigFile(join(dir, "big.mtbl"), N);
    copyFileSync(DNS, join(dir, "dns.mtbl"));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints one listening line, logs requests (no client address with --zero-client-ip), exits 0 on SIGINT", async () => {
    const s = await startServer(["--no-auth", "--zero-client-ip", DNS]);
    const r = await fetchText(`${s.url}/dnsdb/v2/lookup/rrset/name/www.example.test`);
    expect(r.status).toBe(200);
    expect(await s.stop("SIGINT")).toBe(0);
    expect(s.stderr()).toBe(
      `dnstable-server: listening on ${s.url}\ndnstable-server: stopping: letting the responses in flight finish (up to 10000 ms)\n`,
    );
    expect(s.stdout()).toMatch(/^\S+Z - - GET \/dnsdb\/v2\/lookup\/rrset\/name\/www\.example\.test 200 results=2 /);
  });

  it("SIGTERM lets a response in flight finish, then exits 0", async () => {
    const s = await startServer(["--no-auth", "-q", "--max-limit", "10000000", join(dir, "big.mtbl")]);
    const body = await new Promise<string>((resolve, reject) => {
      request(`${s.url}/dnsdb/v2/lookup/rrset/name/*.big.test?limit=0`, (res) => {
        let b = "";
        let signalled = false;
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          b += c;
          if (!signalled) {
            signalled = true;
            s.proc.kill("SIGTERM");
          }
        });
        res.on("end", () => resolve(b));
        res.on("error", reject);
      })
        .on("error", reject)
        .end();
    });
    expect(body.endsWith('{"cond":"succeeded"}\n')).toBe(true);
    expect(body.split("\n")).toHaveLength(N + 3);
    expect(await s.stop()).toBe(0);
  });

  it("a second SIGTERM cuts a response that does not finish (a stalled client) and still exits 0", async () => {
    const s = await startServer(["--no-auth", "-q", "--max-limit", "10000000", join(dir, "big.mtbl")]);
    let got = 0;
    const req = request(`${s.url}/dnsdb/v2/lookup/rrset/name/*.big.test?limit=0`, (res) => {
      res.on("data", (c: Buffer) => {
        got += c.length;
        res.pause();
      });
    });
    req.on("error", () => {});
    req.end();
    for (let i = 0; i < 400 && got === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(got).toBeGreaterThan(0);
    s.proc.kill("SIGTERM");
    // the second signal only once the first was taken (two pending SIGTERMs are delivered as one)
    for (let i = 0; i < 400 && !s.stderr().includes("stopping: letting"); i++) await new Promise((r) => setTimeout(r, 25));
    expect(s.stderr()).toContain("dnstable-server: stopping: letting the responses in flight finish (up to 10000 ms)");
    expect(s.proc.exitCode).toBeNull(); // still waiting for the stalled response (--grace is 10 s)
    expect(await s.stop("SIGTERM")).toBe(0);
    expect(s.stderr()).toContain("dnstable-server: stopping now: cutting the responses still in flight");
  });

  it("SIGHUP reloads a changed set file without dropping a stream in flight", async () => {
    const set = join(dir, "hup.set");
    writeFileSync(set, "big.mtbl\n");
    const s = await startServer(["--no-auth", "-q", "--poll-interval", "0", "--max-limit", "10000000", "--setfile", set]);
    try {
      const inflight = streaming(`${s.url}/dnsdb/v2/lookup/rrset/name/*.big.test?limit=0`);
      await inflight.started;
      writeFileSync(set, "dns.mtbl\n");
      s.proc.kill("SIGHUP");
      for (let i = 0; i < 200 && !s.stderr().includes("reloaded"); i++) await new Promise((r) => setTimeout(r, 25));
      expect(s.stderr()).toContain("dnstable-server: reloaded 1 data file (SIGHUP)");
      const after = await fetchText(`${s.url}/dnsdb/v2/lookup/rrset/name/www.example.test`);
      expect(after.body).toContain("www.example.test.");
      const old = await inflight.done;
      expect(old.endsWith('{"cond":"succeeded"}\n')).toBe(true);
      expect(old.split("\n")).toHaveLength(N + 3);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it("a changed data file is picked up by polling; a broken one keeps the old data", async () => {
    const set = join(dir, "poll.set");
    writeFileSync(set, "dns.mtbl\n");
    const s = await startServer(["--no-auth", "-q", "--poll-interval", "100", set]);
    try {
      expect((await fetchText(`${s.url}/dnsdb/v2/lookup/rrset/name/h00000001.big.test`)).body).toBe(
        '{"cond":"begin"}\n{"cond":"succeeded"}\n',
      );
      writeFileSync(set, "dns.mtbl\nbig.mtbl\n");
      for (let i = 0; i < 200 && !s.stderr().includes("reloaded"); i++) await new Promise((r) => setTimeout(r, 25));
      expect(s.stderr()).toContain("reloaded 2 data files (changed on disk)");
      expect((await fetchText(`${s.url}/dnsdb/v2/lookup/rrset/name/h00000001.big.test`)).body).toContain("h00000001.big.test.");
      writeFileSync(join(dir, "junk.mtbl"), "x".repeat(1000));
      writeFileSync(set, "dns.mtbl\njunk.mtbl\n");
      for (let i = 0; i < 200 && !s.stderr().includes("reload failed"); i++) await new Promise((r) => setTimeout(r, 25));
      expect(s.stderr()).toContain("reload failed, keeping the data in use");
      expect((await fetchText(`${s.url}/dnsdb/v2/lookup/rrset/name/h00000001.big.test`)).body).toContain("h00000001.big.test.");
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it("--metrics-listen serves /metrics on its own address", async () => {
    const s = await startServer(["--no-auth", "-q", "--metrics-listen", "127.0.0.1:0", DNS]);
    try {
      const m = /metrics on (\S+)\n/.exec(s.stderr());
      expect(m).not.toBeNull();
      await fetchText(`${s.url}/dnsdb/v2/ping`);
      const metrics = await fetchText(m?.[1] as string);
      expect(metrics.status).toBe(200);
      expect(metrics.body).toMatch(/^dnstable_server_requests_total\{endpoint="ping",status="200"\} 1$/m);
      expect((await fetchText(`${s.url}/metrics`)).status).toBe(404);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it("with --keys: a key's daily count survives a restart (the state file is written on SIGTERM)", async () => {
    const keys = join(dir, "keys.json");
    const io = memoryIo();
    expect(await runCommand("dnstable-server", run, ["keys", "add", "--keys", keys, "carol", "--daily-limit", "5"], io)).toBe(0);
    const key = io.out().trim();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const remaining = async (url: string): Promise<unknown> => {
      const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        request(`${url}/dnsdb/v2/rate_limit`, { headers: { "X-API-Key": key } }, (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => {
            body += c;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        })
          .on("error", reject)
          .end();
      });
      expect(r.status).toBe(200);
      return (JSON.parse(r.body) as { rate: { remaining: unknown } }).rate.remaining;
    };
    const query = (url: string): Promise<number> =>
      new Promise((resolve, reject) => {
        request(`${url}/dnsdb/v2/lookup/rrset/name/www.example.test`, { headers: { "X-API-Key": key } }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        })
          .on("error", reject)
          .end();
      });
    let s = await startServer(["--keys", keys, "-q", DNS]);
    expect(await query(s.url)).toBe(200);
    expect(await query(s.url)).toBe(200);
    expect(await remaining(s.url)).toBe(3);
    expect(await s.stop()).toBe(0);
    s = await startServer(["--keys", keys, "-q", DNS]);
    try {
      expect(await remaining(s.url)).toBe(3);
      expect(await query(s.url)).toBe(200);
      expect(await remaining(s.url)).toBe(2);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  const haveTools = spawnSync("openssl", ["version"]).status === 0 && spawnSync("curl", ["--version"]).status === 0;
  it.runIf(haveTools || CI)("--tls-cert/--tls-key serve HTTPS (curl)", async () => {
    if (!haveTools) throw new Error("openssl and curl are needed (scripts/setup.sh installs them)");
    const { key, cert } = selfSignedCert(dir);
    let s: Running | null = null;
    try {
      s = await startServer(["--no-auth", "-q", "--tls-cert", cert, "--tls-key", key, DNS]);
      expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const c = spawnSync("curl", ["-sS", "--cacert", cert, `${s.url}/dnsdb/v2/lookup/rrset/name/www.example.test/A`], {
        encoding: "utf8",
        timeout: 30000,
      });
      expect(c.stderr).toBe("");
      expect(c.stdout).toMatch(/^\{"cond":"begin"\}\n\{"obj":\{"count":4,.*\}\}\n\{"cond":"succeeded"\}\n$/);
    } finally {
      if (s) expect(await s.stop()).toBe(0);
    }
  });
});
