/**
 * A signal stops a streaming tool cleanly (issue 29, part 1): each tool that reads NMSG or pcap
 * from a pipe is fed by a slow writer (chunks of 1 B to 16 KiB, cut anywhere in a container or a
 * packet record) and sent SIGTERM or SIGINT at a random moment, 20 times per tool. Every run must
 * exit 0 with no error line, its output must read back whole with our readers, and its counters
 * line must equal what it wrote. Spawns the built binaries (`tsc -b` first).
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { Reader } from "@dnsrep/mtbl";
import type { NmsgPayload } from "@dnsrep/nmsg";
import { afterAll, describe, expect, it } from "vitest";
import { run as importRun } from "../tools/dnstable/src/dnstable-import.js";
import { payloadsOf, writePrefix } from "./nmsg-payloads.js";
import { repoRoot } from "./run-tool.js";
import { vectorPath } from "./vectors.js";

const RUNS = 20;
/** the tool's built bin script, run by this node (no shell shim between the signal and the tool) */
const bins: Record<string, string> = {
  "nmsg-tool": "tools/nmsg-tool/bin/nmsg-tool.js",
  "nmsg-dns-cache": "tools/dns-cache/bin/nmsg-dns-cache.js",
  "nmsg-dns-filter": "tools/filter/bin/nmsg-dns-filter.js",
  "nmsg-sensor": "tools/sensor/bin/nmsg-sensor.js",
  "dnstable-import": "tools/dnstable/bin/dnstable-import.js",
};
const dir = mkdtempSync(join(tmpdir(), "signal-stop-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A seeded generator, so a failing run can be told apart and repeated (the seed is in the message). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

interface Stopped {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  what: string;
}

/**
 * Spawn `tool args` in `cwd`, feed it `head` and then `unit` over and over in random chunks with
 * pauses, and once it is reading (the first big write drained) send `sig` after a random delay.
 * Resolves when it has exited (killed after 30 s: a hang fails the test).
 */
function stopRun(
  tool: string,
  args: string[],
  cwd: string,
  head: Uint8Array,
  unit: Uint8Array,
  sig: NodeJS.Signals,
  seed: number,
): Promise<Stopped> {
  const rand = rng(seed);
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [join(repoRoot, bins[tool] as string), ...args], {
    cwd,
    env: { ...process.env, TZ: "UTC" },
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdout.resume();
  child.stdin.on("error", () => {}); // EPIPE once the tool has stopped reading
  let exited = false;
  let off = 0;
  const next = (n: number): Buffer => {
    const parts: Uint8Array[] = [];
    for (let k = 0; k < n; ) {
      const m = Math.min(n - k, unit.length - off);
      parts.push(unit.subarray(off, off + m));
      off = (off + m) % unit.length;
      k += m;
    }
    return Buffer.concat(parts);
  };
  const delay = Math.floor(rand() * 400);
  const what = `${tool} ${sig} ${delay} ms after it started reading (seed ${seed})`;
  return new Promise<Stopped>((resolve) => {
    const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("close", (code, signal) => {
      exited = true;
      clearTimeout(killer);
      resolve({ code, signal, stderr, what });
    });
    // more than the pipe holds: 'drain' says the tool has started reading (its signal handlers are set by then)
    // (a socket pair's buffers may take more than a pipe: write until it pushes back)
    let first = child.stdin.write(head);
    for (let n = 0; first && n < 64; n++) first = child.stdin.write(next(64 << 10));
    child.stdin.once("drain", () => {
      setTimeout(() => {
        if (!exited) child.kill(sig);
      }, delay);
      const feed = (): void => {
        if (exited) return;
        // a slow writer: 1 B to 16 KiB at a time (about 2 MB/s), cut anywhere, every few milliseconds
        const ok = child.stdin.write(next(1 + Math.floor(rand() * (16 << 10))));
        if (ok) setTimeout(feed, 2 + Math.floor(rand() * 4));
        else child.stdin.once("drain", feed);
      };
      feed();
    });
  });
}

/** RUNS stopped runs of one tool, two at a time, alternating SIGTERM and SIGINT; `check` judges each. */
async function stopRuns(
  tool: string,
  args: string[],
  head: Uint8Array,
  unit: Uint8Array,
  check: (r: Stopped, cwd: string) => Promise<void>,
): Promise<void> {
  const seed0 = Date.now() >>> 0;
  let i = 0;
  const worker = async (): Promise<void> => {
    while (i < RUNS) {
      const k = i++;
      const cwd = mkdtempSync(join(dir, `${tool}-`));
      const r = await stopRun(tool, args, cwd, head, unit, k % 2 ? "SIGINT" : "SIGTERM", seed0 + k);
      expect(r.signal, r.what).toBe(null);
      expect(r.code, `${r.what}: ${r.stderr}`).toBe(0);
      await check(r, cwd);
      rmSync(cwd, { recursive: true, force: true });
    }
  };
  await Promise.all([worker(), worker()]);
}

/** The one line of stderr, which must match `re` (no error line beside it). */
function countersLine(r: Stopped, re: RegExp): RegExpMatchArray {
  const lines = r.stderr.split("\n").filter(Boolean);
  expect(lines.length, `${r.what}: ${r.stderr}`).toBe(1);
  const m = (lines[0] as string).match(re);
  expect(m, `${r.what}: ${r.stderr}`).not.toBeNull();
  return m as RegExpMatchArray;
}

const same = (a: NmsgPayload, b: NmsgPayload): boolean =>
  a.vid === b.vid && a.msgtype === b.msgtype && a.timeSec === b.timeSec && Buffer.compare(a.payload, b.payload) === 0;

const timeout = 120_000;
const dnsqr = readFileSync(vectorPath("nmsg/dnsqr.nmsg"));
const dedupe = readFileSync(vectorPath("dedupe/dedupe.nmsg"));
const none = new Uint8Array(0);

describe(`a signal on a piped run, ${RUNS} times per tool at random moments: exit 0, output whole, counters equal to it`, () => {
  it(
    "nmsg-tool -r - -w FILE: the output is the first payloads of the input",
    async () => {
      const input = await payloadsOf(dnsqr);
      await stopRuns("nmsg-tool", ["-v", "-r", "-", "-w", "out.nmsg"], none, dnsqr, async (r, cwd) => {
        const [, seen, n] = countersLine(r, /^nmsg-tool: in=(\d+) payloads=(\d+)$/).map(Number);
        expect(n, r.what).toBe(seen);
        const out = await payloadsOf(readFileSync(join(cwd, "out.nmsg")));
        expect(out.length, r.what).toBe(n);
        for (const [i, p] of out.entries()) expect(same(p, input[i % input.length] as NmsgPayload), `${r.what}: payload ${i}`).toBe(true);
      });
    },
    timeout,
  );

  it(
    "nmsg-dns-cache -r - -w FILE: every counted RRset is written",
    async () => {
      const hints = vectorPath("inputs/zones/root.hints");
      await stopRuns("nmsg-dns-cache", ["--root-hints", hints, "-r", "-", "-w", "out.nmsg"], none, dnsqr, async (r, cwd) => {
        const n = Number(countersLine(r, /^nmsg-dns-cache: messages=\d+ .* payloads=(\d+) rejected: /)[1]);
        const out = await payloadsOf(readFileSync(join(cwd, "out.nmsg")));
        expect(out.length, r.what).toBe(n);
        for (const p of out) expect([p.vid, p.msgtype], r.what).toEqual([2, 1]);
      });
    },
    timeout,
  );

  it(
    "nmsg-dns-filter -r - -w FILE: what passed is written, in order",
    async () => {
      const input = await payloadsOf(dedupe);
      const list = join(repoRoot, "examples", "noise.list");
      await stopRuns("nmsg-dns-filter", ["-f", list, "-r", "-", "-w", "out.nmsg"], none, dedupe, async (r, cwd) => {
        const [, seen, passed, rejected] = countersLine(r, /^nmsg-dns-filter: in=(\d+) passed=(\d+) rejected=(\d+) reloads=0$/).map(Number);
        expect((passed as number) + (rejected as number), r.what).toBe(seen);
        const out = await payloadsOf(readFileSync(join(cwd, "out.nmsg")));
        expect(out.length, r.what).toBe(passed);
        // each written payload is one of the first `seen` read, in their order
        let j = 0;
        for (const p of out) {
          while (j < (seen as number) && !same(p, input[j % input.length] as NmsgPayload)) j++;
          expect(j < (seen as number), r.what).toBe(true);
          j++;
        }
      });
    },
    timeout,
  );

  it(
    "nmsg-sensor -p - -w FILE: every counted payload is written",
    async () => {
      const pcap = readFileSync(vectorPath("pcap/dns.pcap"));
      // one global header, then the packet records again and again
      await stopRuns("nmsg-sensor", ["-p", "-", "-w", "out.nmsg"], pcap.subarray(0, 24), pcap.subarray(24), async (r, cwd) => {
        const n = Number(countersLine(r, /^nmsg-sensor: packets=\d+ payloads=(\d+) /)[1]);
        const out = await payloadsOf(readFileSync(join(cwd, "out.nmsg")));
        expect(out.length, r.what).toBe(n);
        for (const p of out) expect([p.vid, p.msgtype], r.what).toEqual([1, 9]);
      });
    },
    timeout,
  );

  it(
    "dnstable-import - DNS DNSSEC: both files written and committed, identical to an import of the payloads it read",
    async () => {
      const input = await payloadsOf(dedupe);
      await stopRuns("dnstable-import", ["-p", "-", "dns.mtbl", "dnssec.mtbl"], none, dedupe, async (r, cwd) => {
        const [, k, dnsEntries, dnssecEntries] = countersLine(
          r,
          /^dnstable-import: (\d+) payloads \(0 skipped\) → (\d+) DNS entries, (\d+) DNSSEC entries in [\d.]+ s$/,
        ).map(Number);
        const count = (f: string): number => {
          const rd = Reader.open(join(cwd, f), { verifyChecksums: true });
          try {
            let n = 0;
            for (const it = rd.iter(); it.next(); ) n++;
            return n;
          } finally {
            rd.close();
          }
        };
        expect([count("dns.mtbl"), count("dnssec.mtbl")], r.what).toEqual([dnsEntries, dnssecEntries]);
        // the same files as an import of the first k payloads from a file
        const prefix = join(cwd, "prefix.nmsg");
        await writePrefix(prefix, input, k as number);
        const io = memoryIo();
        const rc = await runCommand("dnstable-import", importRun, ["-q", "-p", prefix, join(cwd, "a.mtbl"), join(cwd, "b.mtbl")], io);
        expect(rc, io.err()).toBe(0);
        expect(readFileSync(join(cwd, "dns.mtbl")).equals(readFileSync(join(cwd, "a.mtbl"))), r.what).toBe(true);
        expect(readFileSync(join(cwd, "dnssec.mtbl")).equals(readFileSync(join(cwd, "b.mtbl"))), r.what).toBe(true);
        expect(existsSync(join(cwd, "dns.mtbl")), r.what).toBe(true);
      });
    },
    timeout,
  );
});
