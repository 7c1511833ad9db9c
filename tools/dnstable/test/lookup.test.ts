import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { afterAll, describe, expect, it, vi } from "vitest";
import { keysCutInHalf, valuesCutToOneByte, writeDamaged } from "../../../packages/dnstable/test/corrupt.js";
import { readVectorText, vectorPath } from "../../../test/vectors.js";
import { run } from "../src/dnstable-lookup.js";

interface Case {
  id: string;
  env: Record<string, string>;
  args: string[];
  rc: number;
}

const cases: Case[] = readFileSync(vectorPath("lookup/cases.tsv"), "utf8")
  .split("\n")
  .slice(1)
  .filter((l) => l.trim().length > 0)
  .map((l) => {
    const [id, env, args, rc] = l.split("\t") as [string, string, string, string];
    return { id, env: JSON.parse(env) as Record<string, string>, args: JSON.parse(args) as string[], rc: Number(rc) };
  });

async function runCase(c: Case): Promise<{ rc: number; out: string; err: string }> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.env)) env[k] = k === "DNSTABLE_FNAME" || k === "DNSTABLE_SETFILE" ? vectorPath(v) : v;
  const io = memoryIo("", env);
  let rc: number;
  try {
    rc = await run(c.args, io);
  } catch (e) {
    rc = (e as { name?: string }).name === "UsageError" ? 2 : 1;
  }
  return { rc, out: io.out(), err: io.err() };
}

describe("dnstable-lookup vectors: every case of lookup/cases.tsv", () => {
  it("has the cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(246);
  });
  for (const c of cases) {
    it(`${c.id}: ${c.args.join(" ")}`, async () => {
      const r = await runCase(c);
      expect(r.rc).toBe(c.rc);
      expect(r.out).toBe(readVectorText(`lookup/${c.id}.out.txt`));
      expect(r.err).toBe(readVectorText(`lookup/${c.id}.err.txt`));
    });
  }
});

describe("dnstable-lookup errors", () => {
  for (const [args, rc] of [
    [["rrset", "www.example.test", "NOSUCHTYPE"], 2],
    [["-A", "yesterday", "rrset", "www.example.test"], 2],
    [["rrset", "a..b"], 2],
    [["frobnicate"], 2],
    [["rdata", "ip", "10.0.0.0/33"], 2],
    [["rdata", "ip", "10.0.0.300"], 2],
    [["rdata", "ip", "2001:db8:::1"], 2],
    [["rdata", "raw", "abc"], 2],
    [["rdata", "raw", "zz"], 2],
    [["-a", "2020-13-45", "rrset", "*.test"], 2],
    [["-A", "2020-01-01 25:61:61", "rrset", "*.test"], 2],
    [["-b", "99999999999999999999", "rrset", "*.test"], 2],
    [["-B", "2020-02-30", "rrset", "*.test"], 0],
  ] as [string[], number][]) {
    it(`${args.join(" ")} exits ${rc}`, async () => {
      const r = await runCase({ id: "x", env: { DNSTABLE_FNAME: "dnstable/dns.mtbl" }, args, rc });
      expect(r.rc).toBe(rc);
    });
  }
  it("-u needs a set file; -n refuses JSON; -R needs JSON", async () => {
    expect((await runCase({ id: "x", env: { DNSTABLE_FNAME: "dnstable/dns.mtbl" }, args: ["-u", "rrset", "a.test"], rc: 1 })).rc).toBe(1);
    expect(
      (await runCase({ id: "x", env: { DNSTABLE_FNAME: "dnstable/dns.mtbl" }, args: ["-n", "-j", "rrset", "a.test"], rc: 2 })).rc,
    ).toBe(2);
    expect((await runCase({ id: "x", env: { DNSTABLE_FNAME: "dnstable/dns.mtbl" }, args: ["-R", "rrset", "a.test"], rc: 2 })).rc).toBe(2);
  });
  it("a time limit that has passed stops the query and says so", async () => {
    // the clock jumps 2 s between parsing -t 1 and the first entry
    let t = 1_000_000;
    const now = vi.spyOn(Date, "now").mockImplementation(() => (t += 2000));
    try {
      const r = await runCase({ id: "x", env: { DNSTABLE_FNAME: "dnstable/dns.mtbl" }, args: ["-t", "1", "rrset", "*.test"], rc: 0 });
      expect(r.rc).toBe(0);
      expect(r.err).toBe(";;; timed out\n;;; Dumped 0 entries.\n");
    } finally {
      now.mockRestore();
    }
  });
  it("a missing data file exits 1", async () => {
    const r = await runCase({ id: "x", env: { DNSTABLE_FNAME: "dnstable/nope.mtbl" }, args: ["rrset", "a.test"], rc: 1 });
    expect(r.rc).toBe(1);
  });
  it("a damaged data block exits 1 with one line, as a file and as a set member (dnstable_lookup would print what it holds)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dnstable-lookup-crc-"));
    try {
      const f = join(dir, "flip.mtbl");
      const b = readFileSync(vectorPath("dnstable/dns.none.mtbl"));
      for (let i = 200; i < 204; i++) b[i] = (b[i] as number) ^ 0xff;
      writeFileSync(f, b);
      writeFileSync(join(dir, "flip.set"), `${f}\n`);
      for (const env of [{ DNSTABLE_FNAME: f }, { DNSTABLE_SETFILE: join(dir, "flip.set") }]) {
        // run() throws the CliError that the bin prints as one line and exits 1 for
        await expect(run(["rrset", "*.test"], memoryIo("", env))).rejects.toMatchObject({
          name: "CliError",
          message: expect.stringMatching(/block at offset \d+ has a bad CRC32C$/),
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("dnstable-lookup set files that are not what they should be", () => {
  const dir = mkdtempSync(join(tmpdir(), "dnstable-lookup-set-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const part1 = vectorPath("dnstable/dns.part1.none.mtbl");
  const set = (name: string, text: string | Uint8Array): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const lookup = async (env: Record<string, string>, args = ["rrset", "*.test"]): Promise<{ rc: number; out: string; err: string }> => {
    const io = memoryIo("", env);
    let rc: number;
    try {
      rc = await run(args, io);
    } catch (e) {
      io.stderr.write(`dnstable-lookup: ${(e as Error).message}\n`);
      rc = (e as { name?: string }).name === "UsageError" ? 2 : 1;
    }
    return { rc, out: io.out(), err: io.err() };
  };

  it("a missing member is named on stderr and left out; the others answer", async () => {
    const s = set("holey.set", `${part1}\nmissing.mtbl\n`);
    const alone = await lookup({ DNSTABLE_FNAME: part1 });
    for (const args of [
      ["rrset", "*.test"],
      ["-u", "rrset", "*.test"],
    ]) {
      const r = await lookup({ DNSTABLE_SETFILE: s }, args);
      expect(r.rc).toBe(0);
      expect(r.out).toBe(alone.out);
      expect(r.err).toBe(`dnstable-lookup: cannot open set member ${join(dir, "missing.mtbl")}: no such file or directory\n${alone.err}`);
    }
  });

  it("exits 1 with one line for a bad member, an unreadable or non-text set file, an empty set", async () => {
    const garbage = new Uint8Array(3000);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 2654435761) >>> 24;
    for (const [setfile, line] of [
      [
        set("nonmtbl.set", `${part1}\n${vectorPath("dnstable/parts.set")}\n`),
        `bad set member ${vectorPath("dnstable/parts.set")}: file too small (40 bytes) to be an mtbl file`,
      ],
      [set("dirmember.set", `${part1}\n${dir}\n`), `bad set member ${dir}: a directory, not an mtbl file`],
      [dir, `cannot read set file ${dir}: is a directory`],
      [join(dir, "absent.set"), `cannot read set file ${join(dir, "absent.set")}: no such file or directory`],
      [set("garbage.set", garbage), `not a set file: ${join(dir, "garbage.set")} (it holds binary data, not a list of file names)`],
      [part1, `not a set file: ${part1} (it is an mtbl file, not a list of file names)`],
      [set("empty.set", ""), `set file ${join(dir, "empty.set")} names no files`],
      [set("blank.set", "\n  \n"), `set file ${join(dir, "blank.set")} names no files`],
    ]) {
      const r = await lookup({ DNSTABLE_SETFILE: setfile as string });
      expect(r.rc, line).toBe(1);
      expect(r.out).toBe("");
      expect(r.err).toBe(`dnstable-lookup: ${line}\n`);
    }
  });

  it("exits 1 when no member opens, after naming each", async () => {
    const r = await lookup({ DNSTABLE_SETFILE: set("allgone.set", "x.mtbl\ny.mtbl\n") });
    expect(r.rc).toBe(1);
    expect(r.err).toBe(
      `dnstable-lookup: cannot open set member ${join(dir, "x.mtbl")}: no such file or directory\n` +
        `dnstable-lookup: cannot open set member ${join(dir, "y.mtbl")}: no such file or directory\n` +
        `dnstable-lookup: no member of set file ${join(dir, "allgone.set")} could be opened\n`,
    );
  });

  it("the built binary says the same and exits 1", () => {
    const bin = fileURLToPath(new URL("../bin/dnstable-lookup.js", import.meta.url));
    const r = spawnSync(process.execPath, [bin, "rrset", "*.test"], {
      env: { ...process.env, DNSTABLE_SETFILE: set("bin.set", `${part1}\n${dir}\n`) },
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`dnstable-lookup: bad set member ${dir}: a directory, not an mtbl file\n`);
  });
});

describe("dnstable-lookup on entries that do not decode", () => {
  const dir = mkdtempSync(join(tmpdir(), "dnstable-lookup-corrupt-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const ok = vectorPath("dnstable/dns.none.mtbl");
  const val1 = join(dir, "val1.mtbl");
  const keyhalf = join(dir, "keyhalf.mtbl");
  writeDamaged(val1, valuesCutToOneByte);
  writeDamaged(keyhalf, keysCutInHalf);
  const lookup = async (env: Record<string, string>, args: string[]): Promise<{ rc: number; out: string; err: string }> => {
    const io = memoryIo("", env);
    const rc = await runCommand("dnstable-lookup", run, args, io);
    return { rc, out: io.out(), err: io.err() };
  };
  const triplet = "RRSET value (1 byte) is not a time_first, time_last, count triplet";

  it("skips them as dnstable_lookup does, then names the file in one line and exits 1", async () => {
    const r = await lookup({ DNSTABLE_FNAME: val1 }, ["rrset", "*.test"]);
    expect(r.rc).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toMatch(
      new RegExp(
        `^;;; Dumped 0 entries\\.\ndnstable-lookup: ${val1}: 120 corrupt entries skipped, the first \\(key [0-9a-f]+… \\(\\d+ bytes\\)\\): ${triplet.replace(/[()]/g, "\\$&")}\n$`,
      ),
    );
    const t = await lookup({ DNSTABLE_FNAME: val1 }, ["-j", "time_range"]);
    expect(t.rc).toBe(1);
    expect(t.err).toBe(
      `dnstable-lookup: ${val1}: corrupt entry skipped (key fe): TIME_RANGE value (1 byte) is not a time_first, time_last pair\n`,
    );
  });

  it("a set with a damaged member prints the good member's entries and names the damaged one", async () => {
    const set = join(dir, "half-bad.set");
    writeFileSync(set, `${ok}\n${val1}\n`);
    const alone = await lookup({ DNSTABLE_FNAME: ok }, ["rrset", "*.test"]);
    for (const args of [
      ["rrset", "*.test"],
      ["-u", "rrset", "*.test"],
    ]) {
      const r = await lookup({ DNSTABLE_SETFILE: set }, args);
      expect(r.rc, args.join(" ")).toBe(1);
      expect(r.out, args.join(" ")).toBe(alone.out);
      expect(r.err, args.join(" ")).toMatch(
        new RegExp(`^;;; Dumped 120 entries\\.\ndnstable-lookup: ${val1}: 120 corrupt entries skipped, the first \\(key `),
      );
    }
  });

  it("a damaged name in an index is a data error naming the file (exit 1), not a usage error", async () => {
    const r = await lookup({ DNSTABLE_FNAME: keyhalf }, ["-j", "rdata", "name", "*.test"]);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(
      new RegExp(
        `^dnstable-lookup: ${keyhalf}: \\d+ corrupt entries skipped, the first \\(key 03[0-9a-f]+\\): bad name in RDATA_NAME_REV key\n$`,
      ),
    );
  });
});

describe("dnstable-lookup usage", () => {
  const env = { DNSTABLE_FNAME: vectorPath("dnstable/dns.mtbl") };
  const lookup = async (e: Record<string, string>, args: string[]): Promise<{ rc: number; err: string }> => {
    const io = memoryIo("", e);
    const rc = await runCommand("dnstable-lookup", run, args, io);
    return { rc, err: io.err() };
  };
  it("-j and -J together are a usage error, as dnstable_lookup refuses them", async () => {
    for (const args of [
      ["-j", "-J"],
      ["-J", "-j"],
    ]) {
      expect(await lookup(env, [...args, "rrset", "x.test"])).toEqual({ rc: 2, err: "dnstable-lookup: cannot specify both -j and -J\n" });
    }
    expect((await lookup(env, ["-J", "-J", "rrset", "x.test"])).rc).toBe(0);
  });
  it("an empty DNSTABLE_FNAME or DNSTABLE_SETFILE counts as unset, and the message says it was empty", async () => {
    expect(await lookup({ DNSTABLE_FNAME: "" }, ["rrset", "x.test"])).toEqual({
      rc: 2,
      err: "dnstable-lookup: exactly one of DNSTABLE_FNAME, DNSTABLE_SETFILE must be set (DNSTABLE_FNAME is empty)\n",
    });
    expect((await lookup({ DNSTABLE_SETFILE: "", ...env }, ["rrset", "x.test"])).rc).toBe(0);
  });
  it("address errors show the query as typed", async () => {
    expect(await lookup(env, ["rdata", "ip", "1.2.3.4/-1"])).toEqual({ rc: 2, err: "dnstable-lookup: bad prefix length: 1.2.3.4/-1\n" });
    expect(await lookup(env, ["rdata", "ip", "1.2.3.4-1.2.3.999"])).toEqual({
      rc: 2,
      err: "dnstable-lookup: bad address: 1.2.3.999 (in 1.2.3.4-1.2.3.999)\n",
    });
  });
  it("a data file that is a directory is named", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dnstable-lookup-dir-"));
    try {
      expect(await lookup({ DNSTABLE_FNAME: dir }, ["rrset", "x.test"])).toEqual({
        rc: 1,
        err: `dnstable-lookup: ${dir}: a directory, not an mtbl file\n`,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
