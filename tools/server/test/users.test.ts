import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { readUsersFile, verifyPassword } from "@dnsrep/server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { run } from "../src/dnstable-server.js";
import { runUsers } from "../src/users.js";

const NOW = Date.parse("2026-12-07T12:00:00Z");
const CHEAP = { ln: 4, r: 8, p: 1 };
let dir = "";
let file = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dnsrep-users-"));
  file = join(dir, "users.json");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function users(stdin: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo(stdin);
  const code = await runCommand("dnstable-server", (a, i) => runUsers(a, i, { nowMs: NOW, scrypt: CHEAP }), argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe("dnstable-server users", () => {
  it("add reads the password from stdin's first line, prints nothing, stores only a scrypt hash with the limits", async () => {
    const r = await users(
      "s3cret password\nignored\n",
      "add",
      "--users",
      file,
      "alice",
      "--daily-limit",
      "100",
      "--results-max",
      "50",
      "--offset-max",
      "10",
      "--burst",
      "5/60",
    );
    expect(r).toEqual({ code: 0, out: "", err: "" });
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain("s3cret");
    const doc = JSON.parse(text);
    expect(doc).toEqual({
      version: 1,
      users: [
        {
          name: "alice",
          password: expect.stringMatching(/^\$scrypt\$ln=4,r=8,p=1\$/),
          created: "2026-12-07T12:00:00Z",
          daily_limit: 100,
          results_max: 50,
          offset_max: 10,
          burst: { size: 5, window: 60 },
        },
      ],
    });
    expect(readUsersFile(file)[0]?.name).toBe("alice");
  });

  it("add: usage errors exit 2 (exists, bad name, short password, bad limits), no password exits 1", async () => {
    expect((await users("s3cret password\n", "add", "--users", file, "alice")).code).toBe(0);
    expect(await users("s3cret password\n", "add", "--users", file, "alice")).toMatchObject({
      code: 2,
      err: `dnstable-server: a user named "alice" already exists in ${file}\n`,
    });
    expect((await users("s3cret password\n", "add", "--users", file, "a b")).code).toBe(2);
    expect(await users("short\n", "add", "--users", file, "bob")).toMatchObject({
      code: 2,
      err: "dnstable-server: a password has at least 8 characters\n",
    });
    expect((await users("s3cret password\n", "add", "--users", file, "bob", "--burst", "5")).code).toBe(2);
    expect((await users("s3cret password\n", "add", "--users", file, "bob", "--daily-limit", "-1")).code).toBe(2);
    expect((await users("s3cret password\n", "add", "bob")).code).toBe(2);
    expect(await users("", "add", "--users", file, "bob")).toMatchObject({
      code: 1,
      err: "dnstable-server: no password on stdin (give it as the first line)\n",
    });
    expect(await users("\r\n", "add", "--users", file, "bob")).toMatchObject({ code: 1 });
    expect(readUsersFile(file).map((u) => u.name)).toEqual(["alice"]);
  });

  it("list (columns and -j, never hashes), passwd, remove", async () => {
    await users("s3cret password\n", "add", "--users", file, "alice", "--daily-limit", "100");
    await users("0ther password\n", "add", "--users", file, "bob");
    writeFileSync(`${file}.state`, JSON.stringify({ version: 1, usage: { "user:alice": { day: Math.floor(NOW / 86_400_000), used: 7 } } }));
    const l = await users("", "list", "--users", file);
    expect(l.code).toBe(0);
    expect(l.out).toBe(
      [
        "NAME   DAILY_LIMIT  USED_TODAY  RESULTS_MAX  OFFSET_MAX  BURST  CREATED",
        "alice  100          7           -            -           -      2026-12-07T12:00:00Z",
        "bob    -            0           -            -           -      2026-12-07T12:00:00Z",
        "",
      ].join("\n"),
    );
    expect(l.out).not.toContain("scrypt");
    const j = await users("", "list", "-j", "--users", file);
    expect(
      j.out
        .trim()
        .split("\n")
        .map((x) => JSON.parse(x))[0],
    ).toEqual({
      name: "alice",
      created: 1796644800,
      daily_limit: 100,
      used_today: 7,
      results_max: null,
      offset_max: null,
      burst: null,
    });
    const before = readUsersFile(file)[1]?.password;
    expect(await users("new password!\n", "passwd", "--users", file, "bob")).toEqual({ code: 0, out: "", err: "" });
    expect(readUsersFile(file)[1]?.password).not.toBe(before);
    expect((await users("new password!\n", "passwd", "--users", file, "nobody")).code).toBe(2);
    expect(await users("", "remove", "--users", file, "bob")).toEqual({ code: 0, out: "", err: "" });
    expect((await users("", "remove", "--users", file, "bob")).code).toBe(2);
    expect(readUsersFile(file).map((u) => u.name)).toEqual(["alice"]);
    expect((await users("", "list", "--users", join(dir, "missing.json"))).code).toBe(1);
  });

  it("reached through dnstable-server's own run (users …), with --help", async () => {
    const io = memoryIo("s3cret password\n");
    expect(await runCommand("dnstable-server", run, ["users", "add", "--users", file, "carol"], io)).toBe(0);
    expect(readUsersFile(file)[0]?.password).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$/);
    const h = memoryIo();
    expect(await runCommand("dnstable-server", run, ["users", "add", "--help"], h)).toBe(0);
    expect(h.out()).toMatch(/--users <file>/);
  });

  it("on a terminal: prompts on stderr, echoes nothing, asks twice (edits with Backspace; a mismatch changes nothing)", async () => {
    const tty = (typed: string) => {
      const stdin = Object.assign(new PassThrough(), {
        isTTY: true as const,
        raw: false,
        setRawMode(m: boolean) {
          this.raw = m;
          return this;
        },
      });
      const io = { ...memoryIo(), stdin };
      setImmediate(() => stdin.write(typed));
      return io;
    };
    const io = tty("pass wordX\u007f1\rpass word1\r");
    expect(
      await runCommand("dnstable-server", (a, i) => runUsers(a, i, { nowMs: NOW, scrypt: CHEAP }), ["add", "--users", file, "dave"], io),
    ).toBe(0);
    expect(io.err()).toBe("Password for dave: \nAgain: \n");
    expect(io.out()).toBe("");
    expect(io.stdin.raw).toBe(false);
    // the password typed (Backspace applied) is the one stored
    const dave = readUsersFile(file)[0];
    if (dave === undefined) throw new Error("dave was not added");
    expect(await verifyPassword("pass word1", dave.hash)).toBe(true);
    const bad = tty("pass word1\rpass word2\r");
    expect(
      await runCommand("dnstable-server", (a, i) => runUsers(a, i, { nowMs: NOW, scrypt: CHEAP }), ["add", "--users", file, "erin"], bad),
    ).toBe(1);
    expect(bad.err()).toMatch(/the passwords differ: nothing changed/);
    const ctrlC = tty("pass\u0003");
    expect(
      await runCommand("dnstable-server", (a, i) => runUsers(a, i, { nowMs: NOW, scrypt: CHEAP }), ["add", "--users", file, "erin"], ctrlC),
    ).toBe(1);
    expect(ctrlC.err()).toMatch(/interrupted: nothing changed/);
    expect(readUsersFile(file).map((u) => u.name)).toEqual(["dave"]);
  });
});

describe("dnstable-server --users flags", () => {
  const DNS = join(import.meta.dirname, "../../../test/vectors/dnstable/dns.mtbl");
  const usage = async (...argv: string[]) => {
    const io = memoryIo();
    return { code: await runCommand("dnstable-server", run, argv, io), err: io.err(), out: io.out() };
  };

  it("--help shows --users, --session-ttl, --secure-cookies and the users subcommands", async () => {
    const h = await usage("--help");
    expect(h.code).toBe(0);
    for (const flag of ["--users <file>", "--session-ttl <seconds>", "--secure-cookies", "users add|list|remove|passwd"])
      expect(h.out).toContain(flag);
  });

  it("usage errors: no auth at all, a session TTL out of range", async () => {
    expect(await usage(DNS)).toMatchObject({
      code: 2,
      err: "dnstable-server: no keys file: give --keys FILE (or --users FILE), or --no-auth to serve without API keys\n",
    });
    expect((await usage("--users", file, "--session-ttl", "5", DNS)).code).toBe(2);
    expect((await usage("--users", file, "--session-ttl", "x", DNS)).code).toBe(2);
  });

  it("a missing users file stops the start with one line (exit 1)", async () => {
    const r = await usage("--listen", "127.0.0.1:0", "--users", join(dir, "missing.json"), DNS);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^dnstable-server: \S*missing\.json: cannot read the users file: ENOENT[^\n]*\n$/);
  });
});
