/**
 * Set files that are not what they should be: libmtbl skips missing or unparsable members and
 * reads an unreadable set file as an empty set, all silently; Fileset throws a typed error or,
 * for a member that cannot be opened, reports it to onError.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { vectorPath } from "../../../test/vectors.js";
import { Fileset, type FilesetOptions, isMtblError, type MtblError, Writer } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "mtbl-fileset-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const enc = new TextEncoder();
function mtbl(name: string, keys: string[]): string {
  const p = join(dir, name);
  const w = Writer.create(p);
  for (const k of keys) w.add(enc.encode(k), enc.encode("v"));
  w.close();
  return p;
}
const a = mtbl("a.mtbl", ["a1", "a2"]);
const b = mtbl("b.mtbl", ["b1"]);
writeFileSync(join(dir, "text.txt"), "hello, not an mtbl file\n".repeat(40));
writeFileSync(join(dir, "small.txt"), "tiny\n");
mkdirSync(join(dir, "subdir"));

let n = 0;
function setfile(text: string | Uint8Array): string {
  const p = join(dir, `s${n++}.set`);
  writeFileSync(p, text);
  return p;
}
function keys(fs: Fileset): string[] {
  const out: string[] = [];
  for (const it = fs.iter(); it.next(); ) out.push(new TextDecoder().decode(it.key));
  return out;
}
function thrown(f: () => unknown): MtblError {
  try {
    f();
  } catch (e) {
    if (isMtblError(e)) return e;
    throw e;
  }
  throw new Error("did not throw");
}
function collecting(): { opts: FilesetOptions; seen: [string, string, string][] } {
  const seen: [string, string, string][] = [];
  return { seen, opts: { onError: (e, path) => seen.push([e.code, path, e.message]) } };
}

describe("Fileset", () => {
  it("merges its members; relative names resolve against the set file, blank lines and repeats ignored", () => {
    const fs = new Fileset(setfile("a.mtbl\n\n  b.mtbl  \na.mtbl\n"));
    try {
      expect(fs.files).toEqual([a, b]);
      expect(keys(fs)).toEqual(["a1", "a2", "b1"]);
    } finally {
      fs.close();
    }
  });

  it("a missing member throws ERR_IO naming it, unless onError takes it (then it is left out)", () => {
    const s = setfile("a.mtbl\nnope.mtbl\nb.mtbl\n");
    const e = thrown(() => new Fileset(s));
    expect(e.code).toBe("ERR_IO");
    expect(e.message).toBe(`cannot open set member ${join(dir, "nope.mtbl")}: no such file or directory`);
    const { opts, seen } = collecting();
    const fs = new Fileset(s, opts);
    try {
      expect(seen).toEqual([["ERR_IO", join(dir, "nope.mtbl"), e.message]]);
      expect(fs.files).toEqual([a, b]);
      expect(keys(fs)).toEqual(["a1", "a2", "b1"]);
    } finally {
      fs.close();
    }
  });

  it("a member that is not an mtbl file throws, onError or not", () => {
    for (const [name, code, msg] of [
      ["text.txt", "ERR_CORRUPTION", /^bad set member .*text\.txt: bad magic 0x[0-9a-f]{8} \(not an mtbl file\)$/],
      ["subdir", "ERR_CORRUPTION", /^bad set member .*subdir: a directory, not an mtbl file$/],
      ["small.txt", "ERR_CORRUPTION", /^bad set member .*small\.txt: file too small \(\d+ bytes\) to be an mtbl file$/],
    ] as const) {
      const s = setfile(`a.mtbl\n${name}\n`);
      for (const opts of [{}, collecting().opts]) {
        const e = thrown(() => new Fileset(s, opts));
        expect(e.code, name).toBe(code);
        expect(e.message, name).toMatch(msg);
      }
    }
  });

  it("a set file that cannot be read is ERR_IO; one that is not text is ERR_INVALID", () => {
    expect(thrown(() => new Fileset(join(dir, "missing.set"))).message).toBe(
      `cannot read set file ${join(dir, "missing.set")}: no such file or directory`,
    );
    const d = thrown(() => new Fileset(join(dir, "subdir"), collecting().opts));
    expect([d.code, d.message]).toEqual(["ERR_IO", `cannot read set file ${join(dir, "subdir")}: is a directory`]);
    const garbage = new Uint8Array(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 2654435761) >>> 24;
    const g = thrown(() => new Fileset(setfile(garbage)));
    expect([g.code, g.message]).toEqual([
      "ERR_INVALID",
      expect.stringMatching(/^not a set file: .*\(it holds binary data, not a list of file names\)$/),
    ]);
    const m = thrown(() => new Fileset(a));
    expect([m.code, m.message]).toEqual(["ERR_INVALID", `not a set file: ${a} (it is an mtbl file, not a list of file names)`]);
  });

  it("an empty set file is an empty set, not an error", () => {
    for (const text of ["", "\n \n"]) {
      const fs = new Fileset(setfile(text));
      expect(fs.files).toEqual([]);
      expect(keys(fs)).toEqual([]);
      fs.close();
    }
  });

  it("a failed reload keeps the set in effect and goes to onError, or is thrown from the query", () => {
    const live = join(dir, "live.set");
    const bump = (text: string): void => {
      writeFileSync(live, text);
      const t = new Date(Date.now() + 10_000 * ++n);
      utimesSync(live, t, t);
    };
    bump("a.mtbl\n");
    const { opts, seen } = collecting();
    const quiet = new Fileset(live, { ...opts, reload: true, reloadIntervalMs: 0 });
    const loud = new Fileset(live, { reload: true, reloadIntervalMs: 0 });
    try {
      bump("a.mtbl\ntext.txt\n");
      expect(keys(quiet)).toEqual(["a1", "a2"]);
      expect(seen.map(([code, path]) => [code, path])).toEqual([["ERR_CORRUPTION", live]]);
      expect(thrown(() => loud.iter()).message).toMatch(/^bad set member .*text\.txt: /);
      expect(thrown(() => loud.iter()).code).toBe("ERR_CORRUPTION"); // retried at the next check, still bad
      expect(loud.files).toEqual([a]);
      seen.length = 0;
      bump("b.mtbl\nlater.mtbl\n");
      expect(keys(quiet)).toEqual(["b1"]);
      expect(seen).toEqual([
        ["ERR_IO", join(dir, "later.mtbl"), `cannot open set member ${join(dir, "later.mtbl")}: no such file or directory`],
      ]);
      expect(thrown(() => loud.iter()).code).toBe("ERR_IO");
      expect(loud.files).toEqual([a]);
      copyFileSync(a, join(dir, "later.mtbl"));
      bump("b.mtbl\nlater.mtbl\n");
      expect(keys(quiet)).toEqual(["a1", "a2", "b1"]);
      expect(keys(loud)).toEqual(["a1", "a2", "b1"]);
      rmSync(live);
      seen.length = 0;
      expect(keys(quiet)).toEqual(["a1", "a2", "b1"]);
      expect(seen.map(([code, path]) => [code, path])).toEqual([["ERR_IO", live]]);
      expect(thrown(() => loud.iter()).message).toBe(`cannot read set file ${live}: no such file or directory`);
    } finally {
      quiet.close();
      loud.close();
    }
  });

  it("reads the vectors' set file", () => {
    const fs = new Fileset(vectorPath("dnstable/parts.set"));
    try {
      expect(fs.files).toEqual([vectorPath("dnstable/dns.part1.none.mtbl"), vectorPath("dnstable/dns.part2.none.mtbl")]);
    } finally {
      fs.close();
    }
  });
});
