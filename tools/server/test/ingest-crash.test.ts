import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lookup, MTBL_VERIFY, post } from "./ingest-helpers.js";
import { type Running, startServer } from "./spawn-server.js";

/**
 * Issue 23's crash acceptance: a child dnstable-server ingesting from a generator (this test,
 * POSTing batches four at a time) is killed with SIGKILL at random moments — mid-put, mid-flush,
 * mid-compaction (1 MiB memtables flush every few batches) — 20 times, restarted each time. Each
 * batch has an Idempotency-Key and holds sensor lines and one log line (so it is split over the
 * sensor store and a log source's store); after each restart the writers first send again, with
 * the same key, every batch whose answer a kill cut off, as a shipper does. Before each retry a
 * batch is there whole or not at all; at the end every batch has been acknowledged and is present
 * exactly once (its markers' counts, and the summed count of everything equals what the batches
 * hold); our mtbl-verify passes on every file; the store holds no temporary or orphan file (only
 * LOCK, MANIFEST, the current TAGS file, WAL segments and the files the manifest names). Debian's
 * mtbl_verify checks every file too (required with CI=true).
 */
const ROUNDS = 20;
/** Debian's mtbl_verify (mtbl-bin, installed by scripts/setup.sh): required on CI, else used when present. */
const HAVE_DEBIAN_VERIFY = spawnSync("sh", ["-c", "command -v mtbl_verify"]).status === 0;
const PER_BATCH = 150;
const SHARED_NAMES = 60;

interface Batch {
  id: number;
  body: string;
  total: number;
  acked: boolean;
}

/** A seeded PRNG (mulberry32): the run is the same each time but for the kill timing. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeBatch(id: number, rand: () => number): Batch {
  const line = (name: string, count: number, rdata: string) =>
    `${JSON.stringify({ rrname: name, rrtype: "A", rdata, time_first: 1_700_000_000 + id, time_last: 1_700_000_000 + id + 10, count, bailiwick: "crash.test" })}\n`;
  // the marker: a name only this batch has, its count the batch's number
  let body = line(`m.b${id}.crash.test`, id + 1, "192.0.2.1");
  // the log part: a marker of its own in the log source "crashlog"
  body += `${JSON.stringify({ rrname: `l.b${id}.crash.test`, rrtype: "A", rdata: "192.0.2.2", time_first: 1_700_000_000 + id, time_last: 1_700_000_000 + id, count: id + 1, source: "crashlog" })}\n`;
  // (summarize counts both parts)
  let total = 2 * (id + 1);
  for (let i = 1; i < PER_BATCH; i++) {
    const count = 1 + Math.floor(rand() * 5);
    body += line(`s${Math.floor(rand() * SHARED_NAMES)}.crash.test`, count, `10.0.${Math.floor(rand() * 4)}.${Math.floor(rand() * 250)}`);
    total += count;
  }
  return { id, body, total, acked: false };
}

/** Every file under `dir`, relative. */
function walk(dir: string, base = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, base), { withFileTypes: true })) {
    const rel = join(base, e.name);
    if (e.isDirectory()) out.push(...walk(dir, rel));
    else out.push(rel);
  }
  return out;
}

describe("crash test: SIGKILL at random moments while ingesting", () => {
  const dir = mkdtempSync(join(tmpdir(), "ingest-crash-"));
  const store = join(dir, "store");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const start = (): Promise<Running> => startServer(["--no-auth", "-q", "--store", store, "--memtable-mb", "1"], 60_000);

  it(`loses no acknowledged batch and double-counts none over ${ROUNDS} kills, unanswered batches retried with their keys`, async () => {
    const rand = prng(23);
    const batches: Batch[] = [];
    let kills = 0;
    let retried = 0;
    /** send `b` once with its Idempotency-Key; true if acknowledged (a 503 or a cut-off answer: not) */
    const send = async (url: string, b: Batch): Promise<boolean> => {
      try {
        const r = await post(url, "-", b.body, { "idempotency-key": `crash-${b.id}` });
        if (r.status === 200 && ((await r.json()) as { accepted: number }).accepted === PER_BATCH + 1) b.acked = true;
      } catch {
        // cut off by the kill: unknown
      }
      return b.acked;
    };
    /** a marker's count (sensor: m.bN, the log source: l.bN) */
    const marker = async (url: string, m: string, id: number): Promise<number> =>
      ((await lookup(url, "-", `rrset/name/${m}.b${id}.crash.test`))[0]?.count as number | undefined) ?? 0;
    for (let round = 0; round < ROUNDS; round++) {
      const srv = await start();
      const killAt = Date.now() + 150 + Math.floor(Math.random() * 1200);
      let stop = false;
      // before the retries: a batch whose answer was cut off is there whole (both parts) or not at all
      const retry = batches.filter((b) => !b.acked);
      for (const b of retry) {
        const [m, l] = [await marker(srv.url, "m", b.id), await marker(srv.url, "l", b.id)];
        expect([0, b.id + 1], `unanswered batch ${b.id}, sensor part`).toContain(m);
        expect([0, b.id + 1], `unanswered batch ${b.id}, log part`).toContain(l);
      }
      // four writers until the kill: first the unanswered batches again (same key), then new ones
      const writer = async (): Promise<void> => {
        while (!stop && Date.now() < killAt) {
          const again = retry.shift();
          const b = again ?? makeBatch(batches.length, rand);
          if (!again) batches.push(b);
          if ((await send(srv.url, b)) && again) retried++;
        }
      };
      const writers = [writer(), writer(), writer(), writer()];
      await new Promise((r) => setTimeout(r, Math.max(0, killAt - Date.now())));
      srv.proc.kill("SIGKILL");
      stop = true;
      expect(await srv.stop()).toBeNull();
      kills++;
      await Promise.all(writers);
    }
    expect(kills).toBe(ROUNDS);
    expect(batches.filter((b) => b.acked).length).toBeGreaterThan(ROUNDS);
    expect(retried, "retries acknowledged after a restart").toBeGreaterThan(0);

    const srv = await start();
    try {
      // the last round's unanswered batches, sent again with their keys: now every batch is acknowledged
      for (const b of batches) if (!b.acked) expect(await send(srv.url, b), `retry of batch ${b.id}`).toBe(true);
      // each batch: its markers exactly once
      let applied = 0;
      for (const b of batches) {
        expect(await marker(srv.url, "m", b.id), `batch ${b.id}, sensor part`).toBe(b.id + 1);
        expect(await marker(srv.url, "l", b.id), `batch ${b.id}, log part`).toBe(b.id + 1);
        applied += b.total;
      }
      // the sums of counts: every applied batch's observations exactly once, shared names included
      const r = await fetch(`${srv.url}/dnsdb/v2/summarize/rrset/name/*.crash.test?limit=0`);
      const sum = (await r.text())
        .split("\n")
        .filter((l) => l.includes('"obj"'))
        .map((l) => JSON.parse(l).obj as { count: number })[0];
      expect(sum?.count).toBe(applied);
      // the rounds did real work
      expect(batches.length).toBeGreaterThan(ROUNDS * 4);
    } finally {
      expect(await srv.stop()).toBe(0);
    }

    // every file verifies; nothing but the store's own files remains
    const files = walk(store);
    const mtbls = files.filter((f) => f.endsWith(".mtbl"));
    expect(mtbls.length).toBeGreaterThan(0);
    for (const f of mtbls) {
      const v = spawnSync(process.execPath, [MTBL_VERIFY, join(store, f)], { encoding: "utf8", timeout: 60000 });
      expect(v.status, `mtbl-verify ${f}: ${v.stdout}${v.stderr}`).toBe(0);
      if (HAVE_DEBIAN_VERIFY || process.env.CI) {
        const d = spawnSync("mtbl_verify", [join(store, f)], { encoding: "utf8", timeout: 60000 });
        expect(d.status, `mtbl_verify ${f}: ${d.stdout}${d.stderr}${d.error ? d.error.message : ""}`).toBe(0);
      }
    }
    for (const f of files) {
      const name = f.split("/").pop() as string;
      const where = f.slice(0, f.length - name.length);
      // the journal, and the dashboard's counts (saved by temp + rename; a leftover temp is removed at start)
      if (f === "idempotency.journal" || f === "dashboard/aggregates.bin") continue;
      expect(
        ["LOCK", "MANIFEST"].includes(name) || /^wal-\d{16}\.log$/.test(name) || /^TAGS-\d{16}$/.test(name) || name.endsWith(".mtbl"),
        `unexpected file ${f}`,
      ).toBe(true);
      if (name.startsWith("TAGS-"))
        expect(
          files.filter((g) => g.startsWith(where) && g.slice(where.length).startsWith("TAGS-")),
          `${where}TAGS-*`,
        ).toHaveLength(1);
      if (name.endsWith(".mtbl")) {
        const manifest = readFileSync(join(store, where, "MANIFEST"), "latin1").split("\n");
        expect(manifest, `orphan ${f}`).toContain(name);
      }
      expect(statSync(join(store, f)).isFile()).toBe(true);
    }
  }, 600_000);
});
