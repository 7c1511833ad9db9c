import * as fs from "node:fs";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AtomicWriteIo, finishAtomicWrite, fsAtomicWriteIo, syncDir, writeFileAtomic, writeFileAtomicAsync } from "./index.js";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "util-atomic-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const errno = (code: string): Error => Object.assign(new Error(`${code}: injected`), { code });

/** An io that records its calls and fails the chosen one (after writing half its bytes, for writes). */
function failingIo(fail: "none" | "open" | "write" | "fsync"): { io: AtomicWriteIo; calls: string[] } {
  const calls: string[] = [];
  const io: AtomicWriteIo = {
    openSync(path, flags, mode) {
      calls.push(`open ${flags}`);
      if (fail === "open") throw errno("EMFILE");
      return fsAtomicWriteIo.openSync(path, flags, mode);
    },
    writeSync(fd, buf) {
      calls.push("write");
      if (fail === "write") {
        fsAtomicWriteIo.writeSync(fd, buf.subarray(0, buf.length >> 1));
        throw errno("ENOSPC");
      }
      fsAtomicWriteIo.writeSync(fd, buf);
    },
    fsyncSync(fd) {
      calls.push("fsync");
      if (fail === "fsync") throw errno("EIO");
      fsAtomicWriteIo.fsyncSync(fd);
    },
  };
  return { io, calls };
}

describe("writeFileAtomic", () => {
  it("creates a file, then replaces it whole; text, bytes and pieces; no temporary file stays", () => {
    const p = join(dir, "state.json");
    writeFileAtomic(p, "first\n");
    expect(readFileSync(p, "utf8")).toBe("first\n");
    writeFileAtomic(p, new Uint8Array([0, 1, 2, 255]));
    expect([...readFileSync(p)]).toEqual([0, 1, 2, 255]);
    writeFileAtomic(p, [Buffer.from("head\n"), new Uint8Array(0), Buffer.from("body é\n")]);
    expect(readFileSync(p, "utf8")).toBe("head\nbody é\n");
    expect(readdirSync(dir)).toEqual(["state.json"]);
  });

  it("gives a new file the mode asked for (0600 for secrets)", () => {
    const p = join(dir, "keys");
    writeFileAtomic(p, "secret\n", { mode: 0o600 });
    expect(statSync(p).mode & 0o777).toBe(0o600);
  });

  it("fsyncs the file before the rename, and not when sync is false", () => {
    const a = failingIo("none");
    writeFileAtomic(join(dir, "a"), "x", { io: a.io });
    expect(a.calls).toEqual(["open wx", "write", "fsync"]);
    const b = failingIo("none");
    writeFileAtomic(join(dir, "b"), "x", { io: b.io, sync: false });
    expect(b.calls).toEqual(["open wx", "write"]);
  });

  for (const fail of ["write", "fsync"] as const) {
    it(`a failure in the middle (${fail}) leaves the old file intact and no temporary file behind`, () => {
      const p = join(dir, "journal");
      writeFileSync(p, "old contents\n");
      const { io } = failingIo(fail);
      expect(() => writeFileAtomic(p, "new contents, much longer than the old ones\n", { io })).toThrow(/injected/);
      expect(readFileSync(p, "utf8")).toBe("old contents\n");
      expect(readdirSync(dir)).toEqual(["journal"]);
    });
  }

  it("a failed open leaves nothing behind and creates no target", () => {
    const { io } = failingIo("open");
    expect(() => writeFileAtomic(join(dir, "new"), "x", { io })).toThrow(/EMFILE/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a failed rename (the target is a directory) removes the temporary file and keeps the directory", () => {
    const p = join(dir, "sub");
    mkdirSync(p);
    writeFileSync(join(p, "inside"), "kept");
    expect(() => writeFileAtomic(p, "x")).toThrow();
    expect(readdirSync(dir)).toEqual(["sub"]);
    expect(readFileSync(join(p, "inside"), "utf8")).toBe("kept");
  });

  it("a missing directory is an ENOENT with nothing created", () => {
    expect(() => writeFileAtomic(join(dir, "no", "such"), "x")).toThrow(expect.objectContaining({ code: "ENOENT" }));
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a named temporary file is used (and a leftover of a crash overwritten); a default one is fresh each time", () => {
    const p = join(dir, "journal");
    const temp = `${p}.tmp`;
    writeFileSync(temp, "torn leftover of a crash");
    const { io, calls } = failingIo("none");
    writeFileAtomic(p, "whole\n", { temp, io });
    expect(calls[0]).toBe("open w");
    expect(readFileSync(p, "utf8")).toBe("whole\n");
    expect(readdirSync(dir)).toEqual(["journal"]);
  });
});

describe("finishAtomicWrite", () => {
  it("finishes a write into a temporary file the caller opened (as a lock)", () => {
    const p = join(dir, "users");
    const temp = `${p}.tmp`;
    writeFileSync(p, "old\n");
    const fd = fs.openSync(temp, "wx", 0o600);
    finishAtomicWrite(fd, temp, p, "new\n");
    expect(readFileSync(p, "utf8")).toBe("new\n");
    expect(statSync(p).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["users"]);
    expect(() => fs.fstatSync(fd)).toThrow(/EBADF/);
  });

  it("closes the descriptor and removes the temporary file when the write fails", () => {
    const p = join(dir, "users");
    writeFileSync(p, "old\n");
    const temp = `${p}.tmp`;
    const fd = fs.openSync(temp, "wx");
    expect(() => finishAtomicWrite(fd, temp, p, "new\n", { io: failingIo("write").io })).toThrow(/ENOSPC/);
    expect(() => fs.fstatSync(fd)).toThrow(/EBADF/);
    expect(readFileSync(p, "utf8")).toBe("old\n");
    expect(readdirSync(dir)).toEqual(["users"]);
  });
});

describe("syncDir", () => {
  it("flushes a directory; a missing one is an error", () => {
    expect(() => syncDir(dir)).not.toThrow();
    expect(() => syncDir(join(dir, "missing"))).toThrow(expect.objectContaining({ code: "ENOENT" }));
  });
});

describe("writeFileAtomicAsync", () => {
  it("replaces the file with the new bytes and leaves no temporary file", async () => {
    const p = join(dir, "state.bin");
    writeFileSync(p, "old");
    const data = new Uint8Array(3 << 20).map((_, i) => i & 0xff);
    await writeFileAtomicAsync(p, data);
    expect(Buffer.compare(readFileSync(p), Buffer.from(data))).toBe(0);
    expect(readdirSync(dir)).toEqual(["state.bin"]);
    // a named temporary file (created or truncated), as the dashboard's saves use
    writeFileSync(`${p}.tmp`, "a leftover of a crash, longer than what is written now");
    await writeFileAtomicAsync(p, Uint8Array.of(1, 2, 3), { temp: `${p}.tmp` });
    expect([...readFileSync(p)]).toEqual([1, 2, 3]);
    expect(readdirSync(dir)).toEqual(["state.bin"]);
  });

  it("rejects with the system error, the target untouched and the temporary file removed, when the rename fails", async () => {
    const p = join(dir, "target");
    mkdirSync(p);
    writeFileSync(join(p, "inside"), "x");
    await expect(writeFileAtomicAsync(p, Uint8Array.of(1))).rejects.toMatchObject({ code: expect.stringMatching(/^E/) });
    expect(statSync(p).isDirectory()).toBe(true);
    expect(readdirSync(dir)).toEqual(["target"]);
  });

  it("rejects when the temporary file cannot be created (no such directory)", async () => {
    await expect(writeFileAtomicAsync(join(dir, "missing", "f"), Uint8Array.of(1))).rejects.toMatchObject({ code: "ENOENT" });
  });
});
