import { PassThrough } from "node:stream";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { describe, expect, it } from "vitest";
import { vectorPath } from "../../../test/vectors.js";
import { run } from "../src/dnstable-lookup.js";

const env = { DNSTABLE_FNAME: vectorPath("dnstable/dns.mtbl") };

async function lookup(args: string[], stdin = ""): Promise<{ rc: number; out: string; err: string }> {
  const io = memoryIo(stdin, env);
  const rc = await runCommand("dnstable-lookup", run, args, io);
  return { rc, out: io.out(), err: io.err() };
}

/** What the batch must print for `lines` under `opts`: each single query's stdout, then "--". */
async function singles(opts: string[], lines: string[]): Promise<{ out: string; err: string }> {
  let out = "";
  let err = "";
  for (const l of lines) {
    const r = await lookup([...opts, ...l.split(" ")]);
    out += `${r.out}--\n`;
    err += r.err;
  }
  return { out, err };
}

describe("dnstable-lookup -f (queries on stdin)", () => {
  const QUERIES = [
    "rrset *.test",
    "rdata ip 192.0.2.0/24",
    "rrset www.example.test A",
    "rdata name *.example.test",
    "version",
    "time_range",
  ];

  it.each([[[]], [["-j"]], [["-J"]], [["-j", "-C"]], [["-n"]], [["-a", "2026-11-22 09:00:00"]]])(
    "with %j: the single queries' output, block after block",
    async (opts) => {
      const r = await lookup([...opts, "-f"], `${QUERIES.join("\n")}\n`);
      expect(r).toEqual({ rc: 0, ...(await singles(opts, QUERIES)) });
      expect(r.out.split("\n").filter((l) => l === "--").length).toBe(QUERIES.length);
    },
  );

  it("-O skips in each query, not across them", async () => {
    const q = ["rrset *.test", "rrset *.test"];
    const r = await lookup(["-O", "3", "-f"], q.join("\n"));
    expect(r).toEqual({ rc: 0, ...(await singles(["-O", "3"], q)) });
  });

  it("tabs, repeated spaces, CRLF, blank and # lines, no final newline", async () => {
    const r = await lookup(["-j", "-f"], "  rrset\t*.test  \r\n\n# rrset x.test\n   \nrdata  ip 192.0.2.0/24");
    expect(r).toEqual({ rc: 0, ...(await singles(["-j"], ["rrset *.test", "rdata ip 192.0.2.0/24"])) });
  });

  it("a bad line: its message with the line number, an empty block, the rest answered, exit 1", async () => {
    const r = await lookup(["-j", "-f"], "rrset\nrrset *.test\nrdata ip 300.1.2.3\nfrobnicate x\nversion rdata\n");
    const good = await singles(["-j"], ["rrset *.test", "version rdata"]);
    const [first, second] = good.out.split("--\n");
    expect(r.out).toBe(`--\n${first}--\n--\n--\n${second}--\n`);
    expect(r.err.split("\n").filter(Boolean)).toEqual([
      "dnstable-lookup: line 1: usage: dnstable-lookup [options] rrset NAME [TYPE [BAILIWICK]]",
      expect.stringMatching(/^dnstable-lookup: line 3: /),
      "dnstable-lookup: line 4: usage: dnstable-lookup [options] rrset|rdata|time_range|version ... (see -h)",
    ]);
    expect(r.rc).toBe(1);
  });

  it("no queries: no output, exit 0; arguments besides the options are a usage error", async () => {
    expect(await lookup(["-f"], "")).toEqual({ rc: 0, out: "", err: "" });
    expect(await lookup(["-f"], "\n# nothing\n")).toEqual({ rc: 0, out: "", err: "" });
    const r = await lookup(["-f", "rrset", "x.test"]);
    expect(r.rc).toBe(2);
    expect(r.err).toBe("dnstable-lookup: -f reads the queries from stdin: unexpected argument rrset\n");
  });

  it("without data named: the usage error of a single query, before reading stdin", async () => {
    const io = memoryIo("rrset *.test\n", {});
    expect(await runCommand("dnstable-lookup", run, ["-f"], io)).toBe(2);
    expect(io.err()).toBe("dnstable-lookup: exactly one of DNSTABLE_FNAME, DNSTABLE_SETFILE must be set\n");
  });

  it("answers each line before the next one arrives (a script can ask as it goes)", async () => {
    const stdin = new PassThrough();
    const io = { ...memoryIo("", env), stdin };
    const done = runCommand("dnstable-lookup", run, ["-j", "-f"], io);
    stdin.write("rrset www.example.test A\n");
    await expect.poll(() => io.out().endsWith("--\n"), { timeout: 10_000 }).toBe(true);
    const first = io.out();
    expect(first).toBe((await singles(["-j"], ["rrset www.example.test A"])).out);
    stdin.end("time_range\n");
    expect(await done).toBe(0);
    expect(io.out().slice(first.length)).toBe((await singles(["-j"], ["time_range"])).out);
  });
});
