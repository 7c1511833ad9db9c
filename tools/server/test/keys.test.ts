import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runKeys } from "../src/keys.js";

const NOW = Date.parse("2026-12-07T12:00:00Z");
let dir = "";
let file = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dnsrep-keys-"));
  file = join(dir, "keys.json");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function keys(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo();
  const code = await runCommand("dnstable-server", (a, i) => runKeys(a, i, NOW), argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe("dnstable-server keys", () => {
  it("add prints only the new key, and the file keeps only its digest", async () => {
    const r = await keys(
      "add",
      "--keys",
      file,
      "alice",
      "--daily-limit",
      "1000",
      "--results-max",
      "256",
      "--offset-max",
      "3000",
      "--burst",
      "10/60",
      "--expires",
      "2027-01-01",
    );
    expect(r).toMatchObject({ code: 0, err: "" });
    expect(r.out).toMatch(/^[0-9a-f]{64}\n$/);
    const token = r.out.trim();
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain(token);
    expect(JSON.parse(text)).toEqual({
      version: 1,
      keys: [
        {
          name: "alice",
          digest: createHash("sha256").update(token).digest("hex"),
          created: "2026-12-07T12:00:00Z",
          daily_limit: 1000,
          results_max: 256,
          offset_max: 3000,
          burst: { size: 10, window: 60 },
          expires: "2027-01-01T00:00:00Z",
        },
      ],
    });
    // a second key: a different random key; the lock file is gone
    const b = await keys("keys", "add", "--keys", file, "bob");
    expect(b.code).toBe(0);
    expect(b.out.trim()).not.toBe(token);
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });

  it("list shows names, limits, usage and status, never keys or digests", async () => {
    const a = (await keys("add", "--keys", file, "alice", "--daily-limit", "5", "--burst", "3/3600")).out.trim();
    await keys("add", "--keys", file, "bob", "--expires", String(NOW / 1000 + 60));
    await keys("add", "--keys", file, "carol", "--role", "ingest");
    await keys("revoke", "--keys", file, "carol");
    const day = Math.floor(NOW / 86_400_000);
    writeFileSync(`${file}.state`, JSON.stringify({ version: 1, usage: { alice: { day, used: 4 }, bob: { day: day - 1, used: 9 } } }));
    const r = await keys("list", "--keys", file);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        "NAME   STATUS   ROLE    DAILY_LIMIT  USED_TODAY  RESULTS_MAX  OFFSET_MAX  BURST   EXPIRES               CREATED",
        "alice  active   lookup  5            4           -            -           3/3600  -                     2026-12-07T12:00:00Z",
        "bob    active   lookup  -            0           -            -           -       2026-12-07T12:01:00Z  2026-12-07T12:00:00Z",
        "carol  revoked  ingest  -            0           -            -           -       -                     2026-12-07T12:00:00Z",
        "",
      ].join("\n"),
    );
    const digest = JSON.parse(readFileSync(file, "utf8")).keys[0].digest as string;
    const j = await keys("list", "--keys", file, "-j", "--state", join(dir, "none"));
    expect(j.out).not.toContain(a);
    expect(j.out).not.toContain(digest);
    expect(r.out).not.toContain(digest);
    expect(
      j.out
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l))[0],
    ).toEqual({
      name: "alice",
      status: "active",
      role: "lookup",
      created: NOW / 1000,
      daily_limit: 5,
      used_today: 0,
      results_max: null,
      offset_max: null,
      burst: { size: 3, window: 3600 },
      expires: null,
    });
  });

  it("revoke marks the key revoked and keeps it, and the file keeps its mode", async () => {
    await keys("add", "--keys", file, "alice");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    chmodSync(file, 0o640);
    expect(await keys("revoke", "--keys", file, "alice")).toEqual({ code: 0, out: "", err: "" });
    expect(JSON.parse(readFileSync(file, "utf8")).keys[0]).toMatchObject({ name: "alice", revoked: true });
    expect(statSync(file).mode & 0o777).toBe(0o640);
  });

  it.each([
    [["add", "alice"], "required option '--keys <file>' not specified"],
    [["add", "--keys", "F"], "missing required argument 'name'"],
    [["add", "--keys", "F", "alice", "--daily-limit", "ten"], '--daily-limit: not an integer: "ten"'],
    [["add", "--keys", "F", "alice", "--daily-limit", "-1"], "--daily-limit: must be between 0 and"],
    [["add", "--keys", "F", "alice", "--results-max", "0"], "--results-max: must be between 1 and"],
    [["add", "--keys", "F", "alice", "--offset-max", "1e3"], "--offset-max: not an integer"],
    [["add", "--keys", "F", "alice", "--burst", "10"], '--burst: expected N/SECONDS (as 10/60), got "10"'],
    [["add", "--keys", "F", "alice", "--burst", "0/60"], "--burst N: must be between 1 and"],
    [["add", "--keys", "F", "alice", "--burst", "5/0"], "--burst SECONDS: must be between 1 and"],
    [["add", "--keys", "F", "alice", "--expires", "soon"], '--expires: not a time (epoch seconds, YYYY-MM-DD or RFC 3339): "soon"'],
    [["add", "--keys", "F", "alice", "--expires", "2026-02-30"], "--expires: not a valid date or time"],
    [["add", "--keys", "F", "alice", "--expires", "2020-01-01T00:00:00Z"], "--expires: 2020-01-01T00:00:00Z is not in the future"],
    [["add", "--keys", "F", "a:b"], 'a key name is 1 to 64 letters, digits or ._@+-: "a:b"'],
    [["add", "--keys", "F", "-"], 'the key name "-" is reserved'],
    [["list"], "required option '--keys <file>' not specified"],
    [["revoke", "--keys", "F"], "missing required argument 'name'"],
    [["frob"], "unknown command 'frob'"],
  ])("%j is a usage error (exit 2, one line)", async (argv, msg) => {
    const r = await keys(...argv.map((a) => (a === "F" ? file : a)));
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toContain(msg);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(existsSync(file)).toBe(false);
  });

  it("add --role ingest makes a key that can only write; a bad role is exit 2", async () => {
    expect((await keys("add", "--keys", file, "shipper", "--role", "ingest")).code).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8")).keys[0]).toMatchObject({ name: "shipper", role: "ingest" });
    expect((await keys("add", "--keys", file, "reader", "--role", "lookup")).code).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8")).keys[1].role).toBeUndefined();
    const bad = await keys("add", "--keys", file, "x", "--role", "admin");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--role: expected lookup or ingest");
  });

  it("refuses a duplicate name and an unknown name with exit 2, leaving the file as it was", async () => {
    await keys("add", "--keys", file, "alice");
    const before = readFileSync(file, "utf8");
    const dup = await keys("add", "--keys", file, "alice");
    expect(dup).toMatchObject({ code: 2, out: "" });
    expect(dup.err).toBe(`dnstable-server: a key named "alice" already exists in ${file}\n`);
    const unknown = await keys("revoke", "--keys", file, "bob");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe(`dnstable-server: no key named "bob" in ${file}\n`);
    expect(readFileSync(file, "utf8")).toBe(before);
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });

  it("fails with exit 1 and one line on a corrupt keys file, a missing one (list) and a held lock", async () => {
    writeFileSync(file, "{not json");
    const add = await keys("add", "--keys", file, "alice");
    expect(add.code).toBe(1);
    expect(add.err).toMatch(new RegExp(`^dnstable-server: ${file}: not a valid keys file: .*\\n$`));
    expect(readFileSync(file, "utf8")).toBe("{not json");
    const list = await keys("list", "--keys", join(dir, "missing.json"));
    expect(list.code).toBe(1);
    expect(list.err).toMatch(/missing\.json: cannot read the keys file: ENOENT/);
    rmSync(file);
    writeFileSync(`${file}.tmp`, "");
    const busy = await keys("add", "--keys", file, "alice");
    expect(busy.code).toBe(1);
    expect(busy.err).toBe(
      `dnstable-server: ${file}.tmp exists: another keys command is changing ${file} (remove ${file}.tmp if none is)\n`,
    );
  });

  it("--help describes the subcommands", async () => {
    const r = await keys("add", "--help");
    expect(r.code).toBe(0);
    expect(r.out).toContain("--daily-limit <n>");
    expect(r.out).toContain("--burst <n/seconds>");
  });
});
