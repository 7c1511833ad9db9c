import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expandGlob } from "../src/glob.js";
import type { TailFile } from "../src/tail-file.js";
import { type FilePosition, Tailer, type TailerSink } from "../src/tailer.js";
import { lineParser } from "./line-parser.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "shipper-tail-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function collector() {
  const lines: string[] = [];
  const bad: string[] = [];
  const events: string[] = [];
  const sink: TailerSink = {
    line: (_f: TailFile, t: string) => lines.push(t),
    bad: (_f: TailFile, r: string) => bad.push(r),
    truncated: (f) => events.push(`truncated ${f.path}`),
    closed: (f) => events.push(`closed ${f.path}`),
    error: (p, m) => events.push(`error ${p} ${m}`),
  };
  return { lines, bad, events, sink };
}

function tailer(globs: string[], known: FilePosition[] = [], extra: Partial<ConstructorParameters<typeof Tailer>[0]> = {}): Tailer {
  return new Tailer({ inputs: [globs], parser: () => lineParser(), known, closeInactiveMs: 0, ...extra });
}

const scratch = Buffer.alloc(64);

function poll(t: Tailer, sink: TailerSink): void {
  t.scan(sink);
  t.read(scratch, 1 << 30, sink);
}

describe("glob", () => {
  it("matches *, ? and [..] per segment, skips compressed files, sorts", () => {
    for (const n of ["a.log", "b.log", "a.log.1", "a.log.2.gz", "c.txt", ".hidden.log"]) writeFileSync(join(dir, n), "x\n");
    expect(expandGlob(join(dir, "*.log"))).toEqual([join(dir, "a.log"), join(dir, "b.log")]);
    expect(expandGlob(join(dir, "a.log*"))).toEqual([join(dir, "a.log"), join(dir, "a.log.1")]);
    expect(expandGlob(join(dir, "[ab].lo?"))).toEqual([join(dir, "a.log"), join(dir, "b.log")]);
    expect(expandGlob(join(dir, "nothing-*"))).toEqual([]);
    expect(expandGlob(join(dir, "c.txt"))).toEqual([join(dir, "c.txt")]);
  });
});

describe("Tailer", () => {
  it("reads lines, holds a line cut at EOF until its rest arrives", () => {
    const p = join(dir, "a.log");
    writeFileSync(p, "one\ntwo\nthr");
    const t = tailer([p]);
    const c = collector();
    poll(t, c.sink);
    expect(c.lines).toEqual(["one", "two"]);
    expect(t.positions()[0]?.offset).toBe(8);
    appendFileSync(p, "ee\r\nfour\n");
    poll(t, c.sink);
    expect(c.lines).toEqual(["one", "two", "three", "four"]);
    expect(t.positions()[0]?.offset).toBe(20);
    t.closeAll();
  });

  it("follows a rename rotation: drains the old file, reads the new one from its start, finishes a last line without newline", () => {
    const p = join(dir, "app.log");
    writeFileSync(p, "a1\na2\n");
    const t = tailer([p]);
    const c = collector();
    poll(t, c.sink);
    appendFileSync(p, "a3\na4-no-newline");
    renameSync(p, `${p}.1`);
    writeFileSync(p, "b1\n");
    poll(t, c.sink);
    poll(t, c.sink);
    expect(c.lines).toEqual(["a1", "a2", "a3", "a4-no-newline", "b1"]);
    expect(c.events).toEqual([`closed ${p}`]);
    expect(t.files.length).toBe(1);
    t.closeAll();
  });

  it("notices copytruncate and reads the file again from 0", () => {
    const p = join(dir, "app.log");
    writeFileSync(p, "a1\na2\n");
    const t = tailer([p]);
    const c = collector();
    poll(t, c.sink);
    truncateSync(p, 0);
    appendFileSync(p, "b1\n");
    poll(t, c.sink);
    expect(c.lines).toEqual(["a1", "a2", "b1"]);
    expect(c.events).toEqual([`truncated ${p}`]);
    t.closeAll();
  });

  it("picks up new files matching a glob, never compressed ones", () => {
    const t = tailer([join(dir, "*.log*")]);
    const c = collector();
    poll(t, c.sink);
    writeFileSync(join(dir, "x.log"), "x1\n");
    writeFileSync(join(dir, "y.log.3.gz"), "not text\n");
    poll(t, c.sink);
    writeFileSync(join(dir, "z.log"), "z1\n");
    poll(t, c.sink);
    expect(c.lines).toEqual(["x1", "z1"]);
    t.closeAll();
  });

  it("resumes at a registry offset only when the first bytes match (inode reuse starts at 0)", () => {
    const p = join(dir, "a.log");
    writeFileSync(p, "one\ntwo\n");
    const t1 = tailer([p]);
    const c1 = collector();
    poll(t1, c1.sink);
    appendFileSync(p, "three\n");
    const pos = t1.positions();
    t1.closeAll();
    const c2 = collector();
    const t2 = tailer([p], pos);
    poll(t2, c2.sink);
    expect(c2.lines).toEqual(["three"]);
    t2.closeAll();
    const forged = pos.map((x) => ({ ...x, head: "0".repeat(32) }));
    const c3 = collector();
    const t3 = tailer([p], forged);
    poll(t3, c3.sink);
    expect(c3.lines).toEqual(["one", "two", "three"]);
    t3.closeAll();
  });

  it("finds a file renamed while it was down by its inode and drains it", () => {
    const p = join(dir, "app.log");
    writeFileSync(p, "a1\n");
    const t1 = tailer([p]);
    const c1 = collector();
    poll(t1, c1.sink);
    const pos = t1.positions();
    t1.closeAll();
    appendFileSync(p, "a2\n");
    renameSync(p, `${p}.1`);
    writeFileSync(p, "b1\n");
    const c2 = collector();
    const t2 = tailer([p], pos);
    poll(t2, c2.sink);
    poll(t2, c2.sink);
    expect(c2.lines.sort()).toEqual(["a2", "b1"]);
    t2.closeAll();
  });

  it("counts lines past the limit, invalid UTF-8 and binary garbage without stalling", () => {
    const p = join(dir, "bad.log");
    const long = "x".repeat(300);
    const garbage = Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 0x80, 0x81, 10]);
    writeFileSync(p, Buffer.concat([Buffer.from(`ok1\n${long}\nok2\n`), garbage, Buffer.from(`${long}`)]));
    const t = tailer([p], [], { maxLineBytes: 100 });
    const c = collector();
    poll(t, c.sink);
    appendFileSync(p, "tail\nok3\n");
    poll(t, c.sink);
    expect(c.lines).toEqual(["ok1", "ok2", "ok3"]);
    expect(c.bad).toEqual(["line too long", "invalid UTF-8", "invalid UTF-8", "line too long"]);
    t.closeAll();
  });

  it("starts at the end of files first seen when asked", () => {
    const p = join(dir, "a.log");
    writeFileSync(p, "old\n");
    const t = tailer([p], [], { startAtEnd: true });
    const c = collector();
    poll(t, c.sink);
    appendFileSync(p, "new\n");
    poll(t, c.sink);
    expect(c.lines).toEqual(["new"]);
    t.closeAll();
  });
});
