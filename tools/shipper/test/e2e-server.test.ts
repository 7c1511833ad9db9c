/**
 * Issue 26's end-to-end acceptance: the built shipper → dnstable-server with a live store
 * (--store) → Debian's dnsdbq finds the observations. The server is SIGKILLed for 30 s in the
 * middle and restarted on the same store and port; the log is rotated by rename meanwhile. The
 * counts and first/last times dnsdbq reports equal a single-pass `parse` of every line written.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { describe, expect, it } from "vitest";
import { run as serverRun } from "../../server/src/dnstable-server.js";
import { dnsdbq, haveDnsdbq, type Running, startServer } from "../../server/test/spawn-server.js";
import { tempDir } from "./helpers.js";
import { diffTotals, runScenario, type Totals } from "./scenario.js";

const HAVE = haveDnsdbq();
const CI = Boolean(process.env.CI);
const OUTAGE_MS = Number(process.env.SHIPPER_OUTAGE_SECONDS ?? 30) * 1000;

async function addKey(keys: string, name: string, role: string): Promise<string> {
  const io = memoryIo();
  const code = await runCommand("dnstable-server", serverRun, ["keys", "add", "--keys", keys, "--role", role, name], io);
  if (code !== 0) throw new Error(io.err());
  return io.out().trim();
}

describe.runIf(HAVE || CI)("shipper → dnstable-server (live store) → dnsdbq", () => {
  it(`server killed ${OUTAGE_MS / 1000} s and restarted, log rotated: dnsdbq's counts equal a single-pass parse`, async () => {
    if (!HAVE) throw new Error("dnsdbq is not installed (apt-get install dnsdbq; scripts/setup.sh does)");
    const dir = tempDir("shipper-e2e-");
    const store = join(dir, "store");
    mkdirSync(store);
    const keys = join(dir, "keys.json");
    const ingestKey = await addKey(keys, "shipper", "ingest");
    const lookupKey = await addKey(keys, "reader", "lookup");
    let server: Running = await startServer(["--keys", keys, "--store", store, "-q"]);
    const url = server.url;
    const port = new URL(url).port;
    try {
      const r = await runScenario(
        dir,
        {
          url: () => url,
          key: ingestKey,
          kill: async () => {
            await server.stop("SIGKILL");
          },
          restart: async () => {
            // startServer adds --listen 127.0.0.1:0; the later --listen (same port) wins
            server = await startServer(["--keys", keys, "--store", store, "-q", "--listen", `127.0.0.1:${port}`]);
          },
          totals: async () => {
            const q = dnsdbq(url, ["-r", "*.example.test/A", "-j", "-l", "0"], { key: lookupKey });
            const out: Totals = {};
            if (q.status !== 0) return out;
            for (const l of q.stdout.split("\n")) {
              if (!l) continue;
              const o = JSON.parse(l) as {
                rrname: string;
                rrtype: string;
                rdata: string[];
                count: number;
                time_first: number;
                time_last: number;
              };
              for (const rd of o.rdata) {
                const k = `${o.rrname.replace(/\.$/, "")}|${o.rrtype}|${rd}`;
                const t = out[k];
                if (t) {
                  t.count += o.count;
                  t.first = Math.min(t.first, o.time_first);
                  t.last = Math.max(t.last, o.time_last);
                } else out[k] = { count: o.count, first: o.time_first, last: o.time_last };
              }
            }
            return out;
          },
        },
        { outageMs: OUTAGE_MS },
      );
      expect(r.shipperExit, r.shipperStderr).toBe(0);
      expect(Object.keys(r.expected).length).toBeGreaterThan(10);
      expect(diffTotals(r.got, r.expected), r.shipperStderr).toEqual([]);
      expect(r.shipperStderr).toMatch(/server not accepting batches/);
      expect(r.shipperStderr).toMatch(/0 dropped/);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
