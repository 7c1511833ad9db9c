import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "./helpers.js";
import { MockIngest } from "./mock-ingest.js";
import { diffTotals, runScenario, type Totals } from "./scenario.js";

/** The outage length (the acceptance says 30 s; SHIPPER_OUTAGE_SECONDS shortens it by hand). */
const OUTAGE_MS = Number(process.env.SHIPPER_OUTAGE_SECONDS ?? 30) * 1000;

describe("run against a mock ingest endpoint that goes away and comes back", () => {
  it(`server away ${OUTAGE_MS / 1000} s, log rotated meanwhile: totals equal a single-pass parse`, async () => {
    const dir = tempDir("shipper-outage-");
    const state = join(dir, "server-state.json");
    let mock = await new MockIngest({ statePath: state }).start();
    const port = mock.port;
    try {
      const r = await runScenario(
        dir,
        {
          url: () => `http://127.0.0.1:${port}`,
          key: mock.key,
          kill: () => mock.close(),
          restart: async () => {
            mock = await new MockIngest({ statePath: state, port }).start();
          },
          totals: async (keys) => {
            const out: Totals = {};
            for (const k of keys) {
              const t = mock.totals[k];
              if (t) out[k] = { ...t };
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
      expect(r.shipperStderr).toMatch(/server reachable again/);
      expect(r.shipperStderr).toMatch(/0 dropped/);
    } finally {
      await mock.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
