/**
 * Crash safety: a child process (crash-child.mjs) puts batches into a store and is killed with
 * SIGKILL — at random moments, just before a file write of a flush, compaction or manifest swap,
 * halfway through a WAL write, or right after a durable step (files renamed into place, manifest
 * swapped, before the WAL segments or compaction inputs it makes obsolete are deleted) — many times, the store reopened after each. Against a model of
 * what the child was told: every acknowledged batch is there exactly once, a refused one is not
 * there, one in flight is there whole or not at all; the counts of the shared RRset and of the
 * fillers are exact sums over the batches present (nothing lost, nothing counted twice); no
 * temporary or orphan file remains; every file passes our mtbl-verify and Debian's mtbl_verify.
 */
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { decodeRRsetKey } from "@dnsrep/dnstable";
import { mtblVerify } from "@dnsrep/mtbl-tools";
import { nameToString } from "@dnsrep/wdns";
import { afterAll, describe, expect, it } from "vitest";
import { MANIFEST, Store } from "../src/index.js";
import { tempDir } from "./helpers.js";
import { prng } from "./random-rrsets.js";

const t = tempDir("crash");
afterAll(t.done);
const haveDebian = spawnSync("sh", ["-c", "command -v mtbl_verify"]).status === 0;
if (!haveDebian && process.env.CI) throw new Error("mtbl_verify (Debian mtbl-bin) is required on CI");
const RUNS = 24;
/** the step kill points, in turn (the flush's and the compaction's manifest swaps both count as "manifest") */
const STEPS = ["manifest", "flush-files", "compaction-output", "manifest", "wal-segment"];
const child = join(import.meta.dirname, "crash-child.mjs");

interface RunResult {
  sent: number[];
  acked: Set<number>;
  failed: Set<number>;
  /** where it killed itself (null: the test killed it) */
  crashed: string | null;
}

function runChild(dir: string, first: number, crashAt: string, killAfterMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, dir, String(first), crashAt], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    p.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    // the clock starts at the child's first line (the store is open and putting); a bound in case it never gets there
    let timer = setTimeout(() => p.kill("SIGKILL"), 20_000);
    p.stdout.once("data", () => {
      clearTimeout(timer);
      timer = setTimeout(() => p.kill("SIGKILL"), killAfterMs);
    });
    p.on("error", reject);
    p.on("close", (code, signal) => {
      clearTimeout(timer);
      if (signal !== "SIGKILL") return reject(new Error(`child ended with ${code ?? signal}: ${err}`));
      const r: RunResult = { sent: [], acked: new Set(), failed: new Set(), crashed: null };
      for (const line of out.split("\n")) {
        const [what, n] = line.split(" ");
        if (what === "sent") r.sent.push(Number(n));
        else if (what === "ack") r.acked.add(Number(n));
        else if (what === "fail") r.failed.add(Number(n));
        else if (what === "crash") r.crashed = n as string;
      }
      resolve(r);
    });
  });
}

const countOfBatch = (i: number): number => 1 + (i % 5);

/** name → count of every RRset under `zone`. */
function counts(store: Store, zone: string): Map<string, number> {
  const snap = store.snapshot();
  const out = new Map<string, number>();
  try {
    for (const r of snap.reader(true).query({ type: "rrset", name: `*.${zone}` })) {
      const name = nameToString(decodeRRsetKey(r.key).rrname);
      out.set(name, (out.get(name) ?? 0) + r.count);
    }
  } finally {
    snap.release();
  }
  return out;
}

describe("crash safety", () => {
  it(`${RUNS} SIGKILLs at random moments lose nothing acknowledged and count nothing twice`, async () => {
    const dir = t.dir;
    const rand = prng(4242);
    /** batches present after the last reopen */
    const present = new Set<number>();
    let next = 0;
    let acks = 0;
    const crashes = [0, 0, 0, 0];
    const verified = new Set<string>();
    for (let run = 0; run < RUNS; run++) {
      const mode = run % 4;
      const crashAt = [
        "",
        `file:${1 + Math.floor(rand() * 8)}`,
        `wal:${2 + Math.floor(rand() * 40)}`,
        `step:${STEPS[(run >> 2) % STEPS.length]}:${1 + Math.floor(rand() * 3)}`,
      ][mode] as string;
      const t0 = Date.now();
      const r = await runChild(dir, next, crashAt, mode === 0 ? 20 + rand() * 1200 : 2500);
      if (r.crashed) crashes[mode] = (crashes[mode] as number) + 1;
      acks += r.acked.size;
      if (process.env.CRASH_DEBUG)
        console.log(
          `run ${run} ${crashAt} ${r.crashed ?? "killed"} sent ${r.sent.length} acked ${r.acked.size} ${Date.now() - t0} ms, ${readdirSync(dir).length} files`,
        );
      for (const n of r.sent) next = Math.max(next, n + 1);

      const store = await Store.open(dir, { compaction: false });
      try {
        await store.flush();
        // no temporary or orphan file: exactly the manifest's files, the WAL, the lock
        const listed = new Set(readFileSync(join(dir, MANIFEST), "latin1").split("\n").filter(Boolean));
        for (const name of readdirSync(dir)) {
          const ok = name === MANIFEST || name === "LOCK" || /^wal-\d{16}\.log$/.test(name) || listed.has(name);
          expect(ok, `unexpected file ${name} after run ${run}`).toBe(true);
        }
        for (const name of listed) expect(readdirSync(dir)).toContain(name);

        const own = counts(store, "crash.example");
        for (const n of r.sent) {
          const c = own.get(`b${n}.crash.example.`) ?? 0;
          if (r.acked.has(n)) expect(c, `acknowledged batch ${n} (run ${run})`).toBe(countOfBatch(n));
          else if (r.failed.has(n)) expect(c, `refused batch ${n}`).toBe(0);
          else expect([0, countOfBatch(n)], `batch ${n} in flight`).toContain(c);
          if (c > 0) present.add(n);
        }
        // earlier batches are all still there, once
        for (const n of present) expect(own.get(`b${n}.crash.example.`), `batch ${n} after run ${run}`).toBe(countOfBatch(n));
        const batches = [...own.keys()].filter((k) => k.startsWith("b")).length;
        expect(batches).toBe(present.size);
        let shared = 0;
        for (const n of present) shared += countOfBatch(n);
        expect(own.get("shared.crash.example.") ?? 0).toBe(shared);
        let fill = 0;
        for (const c of counts(store, "fill.example").values()) fill += c;
        expect(fill).toBe(20 * present.size);
      } finally {
        await store.close();
      }
      // every file once (files are never changed after they are made)
      const files = readdirSync(dir)
        .filter((n) => n.endsWith(".mtbl") && !verified.has(n))
        .map((n) => join(dir, n));
      for (const f of files) verified.add(f.slice(dir.length + 1));
      if (files.length > 0) {
        const io = memoryIo();
        expect(await runCommand("mtbl-verify", mtblVerify, files, io), io.err()).toBe(0);
        if (haveDebian) {
          for (const f of files) {
            const v = spawnSync("mtbl_verify", [f], { encoding: "utf8" });
            expect(v.status, `${f}: ${v.stdout}${v.stderr}`).toBe(0);
          }
        }
      }
    }
    // the runs did real work: many acknowledged batches, several flushes and compactions on disk
    expect(acks).toBeGreaterThan(RUNS * 5);
    expect(present.size).toBeGreaterThanOrEqual(acks);
    // each kind of crash point was reached several times
    expect(
      crashes.slice(1).every((n) => n >= 3),
      String(crashes),
    ).toBe(true);
    expect(verified.size).toBeGreaterThan(10);
  }, 300_000);
});
