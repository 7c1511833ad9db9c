/**
 * dnsdb-query's command line: usage errors (exit 2, one line), configuration (file and
 * environment), exit statuses for server and connection errors (1) and empty answers (0),
 * output limits, -q, the built binary.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Fixture, REC, saf, startFixture, waitFor } from "../../../packages/client/test/fixture-server.js";
import { repoRoot } from "../../server/test/spawn-server.js";
import { loadConfig, parseConfigText } from "../src/config.js";
import { query } from "./helpers.js";

let fx: Fixture;
let dir: string;
beforeAll(async () => {
  fx = await startFixture();
  dir = mkdtempSync(join(tmpdir(), "dnsdb-query-"));
});
afterAll(async () => {
  await fx.close();
  rmSync(dir, { recursive: true, force: true });
});

const answer = (body: string, status = 200, headers: Record<string, string> = {}) => {
  fx.handle((_req, res) => {
    res.writeHead(status, headers);
    res.end(body);
  });
};

describe("usage errors: exit 2 with one line", () => {
  const bad: [string[], RegExp][] = [
    [[], /must specify -r, -n, -i, -R or -N/],
    [["-r", "a", "-n", "b"], /can only appear once/],
    [["-x"], /unrecognized option -x/],
    [["-r"], /option -r needs an argument/],
    [["-r", "a", "extra"], /no non-option arguments/],
    [["-r", "a", "-p", "yaml"], /-p must specify/],
    [["-r", "a", "-V", "count"], /Unsupported verb/],
    [["-r", "a", "-M", "5"], /-M max_count only makes sense with -V summarize/],
    [["-r", "a", "-k", "count"], /-k must be preceded by -s or -S/],
    [["-r", "a", "-s", "-k", "size"], /key must be in/],
    [["-r", "a", "-s", "-k", "count,count"], /only be specified once/],
    [["-r", "a", "-l", "x"], /-l must be a non-negative integer/],
    [["-r", "a", "-A", "yesterday"], /-A: bad time/],
    [["-i", "10.0.0.1", "-t", "A"], /can't mix -i with -t/],
    [["-n", "a", "-b", "b"], /can't mix -b with -n/],
    [["-t", "NS", "-r", "a/A"], /cannot contain a slash/],
    [["-r", "a/A", "-t", "NS"], /can only specify rrtype\(s\) once/],
    [["-f", "-r", "a"], /can't mix/],
    [["-I", "-p", "csv"], /info must be presented in json or text/],
    [["-u", "bogus", "-r", "a"], /unknown system/],
    [["-u", "circl", "-r", "a/A"], /qualifiers not supported/],
    [["-u", "circl", "-V", "summarize", "-r", "a"], /only understands 'lookup'/],
    [["-f", "-f", "-f"], /too many -f options/],
  ];
  for (const [args, msg] of bad)
    it(args.join(" ") || "(nothing)", async () => {
      const r = await query(fx.url, args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.split("\n")).toHaveLength(2);
      expect(r.stdout).toBe("");
    });
  it("--help (as docs/dnsdb-query.md shows it) and -v", async () => {
    const help = (await query(fx.url, ["--help"])).stdout;
    expect(help).toMatch(/^Usage: dnsdb-query/);
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(join(repoRoot, "docs/dnsdb-query.md"), "utf8")).toContain(`\`\`\`\n${help}\`\`\``);
    expect((await query(fx.url, ["-v"])).stdout).toBe("dnsdb-query: version 0.1.0\n");
  });
});

describe("exit statuses", () => {
  it("0 with nothing found; 0 and a note for a limited answer (none with -q)", async () => {
    answer(saf([]));
    expect(await query(fx.url, ["-r", "a.test"])).toEqual({ status: 0, stdout: "", stderr: "" });
    answer(saf([REC(0)], '{"cond":"limited","msg":"Result limit reached"}'));
    const r = await query(fx.url, ["-r", "a.test", "-j"]);
    expect(r).toEqual({ status: 0, stdout: `${JSON.stringify(REC(0))}\n`, stderr: "dnsdb-query: Result limit reached\n" });
    expect((await query(fx.url, ["-r", "a.test", "-j", "-q"])).stderr).toBe("");
  });
  it("1 with the server's message for 400/401/403/416/429, a failed or cut answer, a refused connection", async () => {
    for (const [status, msg] of [
      [400, "bad name: a..b"],
      [401, "missing API key (X-API-Key header)"],
      [403, "key revoked"],
      [416, "offset 9 is beyond this key's offset_max 2"],
    ] as const) {
      answer(`${msg}\n`, status);
      expect(await query(fx.url, ["-r", "a.test"])).toEqual({ status: 1, stdout: "", stderr: `dnsdb-query: HTTP ${status}: ${msg}\n` });
    }
    answer("daily quota reached: retry in 3600 s\n", 429, { "Retry-After": "3600" });
    expect((await query(fx.url, ["-r", "a.test"])).stderr).toBe("dnsdb-query: HTTP 429: daily quota reached: retry in 3600 s\n");
    answer(saf([REC(0)], '{"cond":"failed","msg":"data error: bad block"}'));
    const f = await query(fx.url, ["-r", "a.test", "-j"]);
    expect(f).toEqual({ status: 1, stdout: `${JSON.stringify(REC(0))}\n`, stderr: "dnsdb-query: query failed: data error: bad block\n" });
    answer(saf([REC(0)], null));
    expect((await query(fx.url, ["-r", "a.test", "-j"])).stderr).toMatch(
      /^dnsdb-query: the response ended without a terminator \(after 1 record\)\n$/,
    );
    answer('{"cond":"begin"}\nnot json\n');
    expect((await query(fx.url, ["-r", "a.test"])).stderr).toBe("dnsdb-query: response line 2: not JSON: not json\n");
    const gone = await query("http://127.0.0.1:9", ["-r", "a.test", "-o", "5"]);
    expect(gone.status).toBe(1);
    expect(gone.stderr).toMatch(/^dnsdb-query: cannot reach the server: .*ECONNREFUSED/);
  });
  it("-o: a silent server times out", async () => {
    fx.handle(() => {});
    const r = await query(fx.url, ["-r", "a.test", "-o", "1"]);
    expect(r).toEqual({ status: 1, stdout: "", stderr: "dnsdb-query: no response within 1000 ms\n" });
  });
});

describe("output", () => {
  it("-L (and -l by default) stop the printing and hang up", async () => {
    answer(saf([REC(0), REC(1), REC(2), REC(3)]));
    expect((await query(fx.url, ["-r", "a.test", "-j", "-L", "2"])).stdout.split("\n")).toHaveLength(3);
    fx.requests.length = 0;
    answer(saf([REC(0), REC(1), REC(2), REC(3)]));
    expect((await query(fx.url, ["-r", "a.test", "-j", "-l", "3"])).stdout.split("\n")).toHaveLength(4);
    expect(fx.requests[0]?.url).toMatch(/[?&]limit=3(&|$)/);
  });
  it("-p dns prints dnstable-lookup's text; -p csv dnsdbq's; -t with several types asks each", async () => {
    answer(saf([REC(0), { count: 2, time_first: 1, time_last: 2, rrname: "a.test.", rrtype: "NS", rdata: "b.test." }]));
    expect((await query(fx.url, ["-r", "a.test"])).stdout).toBe(
      ";;  bailiwick: example.test.\n;;      count: 1\n;; first seen: 2023-11-14 22:13:20 -0000\n;;  last seen: 2023-11-14 22:15:00 -0000\nh0.example.test. IN A 192.0.2.0\n\na.test. IN NS b.test.\n",
    );
    fx.requests.length = 0;
    answer(saf([REC(0)]));
    const csv = await query(fx.url, ["-r", "a.test", "-t", "A,AAAA", "-p", "csv"], "", { DNSDBQ_TIME_FORMAT: "iso" });
    expect(csv.stdout).toBe(
      'time_first,time_last,zone_first,zone_last,count,bailiwick,rrname,rrtype,rdata\n"2023-11-14T22:13:20Z","2023-11-14T22:15:00Z",,,1,"example.test.","h0.example.test.","A","192.0.2.0"\n"2023-11-14T22:13:20Z","2023-11-14T22:15:00Z",,,1,"example.test.","h0.example.test.","A","192.0.2.0"\n',
    );
    expect(fx.requests.map((r) => r.url.split("?")[0])).toEqual([
      "/dnsdb/v2/lookup/rrset/name/a.test/A",
      "/dnsdb/v2/lookup/rrset/name/a.test/AAAA",
    ]);
  });
  it("flex search: --glob / --regex with --flex-key and --exclude", async () => {
    fx.requests.length = 0;
    answer(saf([{ rrname: "www.a.test.", rrtype: "A", raw_rrname: "03777777" }]));
    const r = await query(fx.url, ["--regex", "^www\\.", "--exclude", "x", "-t", "A", "-j"]);
    expect(r.stdout).toBe('{"rrname":"www.a.test.","rrtype":"A","raw_rrname":"03777777"}\n');
    await query(fx.url, ["--glob", "*.a.test", "--flex-key", "rdata"]);
    expect(fx.requests.map((q) => q.url.split("&version")[0])).toEqual([
      "/dnsdb/v2/regex/rrnames/%5Ewww%5C./A?swclient=dnsdb-query",
      "/dnsdb/v2/glob/rdata/*.a.test?swclient=dnsdb-query",
    ]);
  });
});

describe("configuration", () => {
  it("a config file of assignments; the environment overrides it; the server's /dnsdb/v2 is taken off", async () => {
    const conf = join(dir, "conf");
    writeFileSync(conf, `# dnsdbq config\nexport APIKEY="file-key"\nDNSDB_SERVER='${fx.url}/dnsdb/v2'\nCIRCL_AUTH=u:p # the circl login\n`);
    const c = loadConfig({ DNSDBQ_CONFIG_FILE: conf });
    expect(c).toEqual({ dnsdbServer: fx.url, dnsdbApiKey: "file-key", circlServer: null, circlAuth: "u:p", file: conf });
    expect(loadConfig({ DNSDBQ_CONFIG_FILE: conf, DNSDB_API_KEY: "env-key" }).dnsdbApiKey).toBe("env-key");
    writeFileSync(join(dir, ".dnsdb-query.conf"), `DNSDB_API_KEY=home-key\n`);
    expect(loadConfig({ HOME: dir }).dnsdbApiKey).toBe("home-key");
    expect(loadConfig({ HOME: "/nonexistent" })).toMatchObject({ dnsdbServer: "https://api.dnsdb.info", dnsdbApiKey: null });
    fx.requests.length = 0;
    answer(saf([]));
    expect(
      (await query("http://unused", ["-r", "a.test"], "", { DNSDB_SERVER: "", DNSDB_API_KEY: "", DNSDBQ_CONFIG_FILE: conf })).status,
    ).toBe(0);
    expect(fx.requests[0]?.headers["x-api-key"]).toBe("file-key");
  });
  it("a file that is not plain assignments, a missing named file, no key: exit 1 with one line", async () => {
    expect(() => parseConfigText("APIKEY=$(cat key)\n", "f")).toThrow(/f:1: not a plain NAME=value assignment/);
    const r = await query(fx.url, ["-r", "a"], "", { DNSDBQ_CONFIG_FILE: join(dir, "missing") });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/missing: no such config file/);
    expect(await query(fx.url, ["-r", "a"], "", { DNSDB_API_KEY: "" })).toMatchObject({
      status: 1,
      stderr: expect.stringMatching(/no API key given/),
    });
  });
});

describe("the built binary", () => {
  it("SIGINT while streaming: the records that came are printed whole, one line on stderr, exit 1, the server sees the hang-up", async () => {
    fx.hangups = 0;
    fx.handle((_req, res) => {
      res.writeHead(200);
      res.write('{"cond":"begin"}\n');
      let i = 0;
      const t = setInterval(() => res.write(`${JSON.stringify({ obj: REC(i++) })}\n`), 10);
      res.once("close", () => clearInterval(t));
    });
    const { spawn } = await import("node:child_process");
    const bin = join(repoRoot, "tools/dnsdb-query/bin/dnsdb-query.js");
    const env = { PATH: process.env.PATH ?? "", HOME: "/nonexistent", DNSDB_SERVER: fx.url, DNSDB_API_KEY: "k" };
    const child = spawn(process.execPath, [bin, "-r", "a.test", "-j"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    // once the server has sent some records (the client buffers its output: wait on the server's side)
    await new Promise((r) => setTimeout(r, 1500));
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    expect(code).toBe(1);
    expect(err).toBe("dnsdb-query: interrupted by a signal\n");
    const lines = out.split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.length).toBeGreaterThan(0);
    for (const [i, l] of lines.entries()) expect(JSON.parse(l)).toEqual(REC(i));
    await waitFor(() => fx.hangups === 1, "the server to see the client leave");
  });

  it("runs, prints, and exits 0 / 2", async () => {
    answer(saf([REC(1)]));
    const bin = join(repoRoot, "tools/dnsdb-query/bin/dnsdb-query.js");
    const env = { PATH: process.env.PATH ?? "", HOME: "/nonexistent", DNSDB_SERVER: fx.url, DNSDB_API_KEY: "k" };
    // asynchronously: the fixture server answers from this process
    const run = promisify(execFile);
    const ok = await run(process.execPath, [bin, "-r", "a.test", "-j"], { encoding: "utf8", env, timeout: 30000 });
    expect(ok.stdout).toBe(`${JSON.stringify(REC(1))}\n`);
    const bad = await run(process.execPath, [bin, "-r"], { encoding: "utf8", env, timeout: 30000 }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(bad).toMatchObject({ code: 2, stderr: "dnsdb-query: option -r needs an argument\n" });
  });
});
