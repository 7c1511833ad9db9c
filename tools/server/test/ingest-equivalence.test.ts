import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lookupCases } from "../../../test/lookup-cases.js";
import { vectorPath } from "../../../test/vectors.js";
import { expected, jsonLines, mapCase } from "./dnsdbq-cases.js";
import { dedupeObservations, ingested, nmsgAddress, nmsgTool, within } from "./ingest-helpers.js";
import { dnsdbq, haveDnsdbq, type Running, startServer } from "./spawn-server.js";

/**
 * Issue 23's equivalence acceptance: the dnsdedupe stream the vector files were imported from
 * (dedupe/dedupe.nmsg → dnstable_convert → dnstable/dns.mtbl + dns.dnssec.mtbl), fed live over
 * NMSG TCP into a server holding nothing but an empty store, gives the same `dnsdbq -j` answers as
 * dnstable-lookup -j on the batch-imported files, for every vector case on those two files that
 * dnsdbq can ask. Left out: aggr=f cases (-u: one result per file, and the store's files are not
 * the imported ones) — the aggregated answers are the claim.
 */
const HAVE = haveDnsdbq();
const CI = Boolean(process.env.CI);

const cases = lookupCases
  .filter((c) => c.data === "dnstable/dns.mtbl" || c.data === "dnstable/dns.dnssec.mtbl")
  .filter((c) => !c.args.includes("-u"))
  .map((c) => ({ c, m: mapCase(c) }))
  .filter((x) => x.m !== null);

describe.runIf(HAVE || CI)("dnsdbq against a live store fed over NMSG TCP = dnstable-lookup on the imported files", () => {
  const dir = mkdtempSync(join(tmpdir(), "ingest-equiv-"));
  let srv: Running;
  beforeAll(async () => {
    if (!HAVE) throw new Error("dnsdbq is not installed (apt-get install dnsdbq; scripts/setup.sh does)");
    srv = await startServer(["--no-auth", "-q", "--store", join(dir, "store"), "--nmsg-listen", "tcp:127.0.0.1:0"]);
    const file = vectorPath("dedupe/dedupe.nmsg");
    const n = await dedupeObservations(file);
    nmsgTool(["-r", file, "--writetcp", nmsgAddress(srv.stderr(), "tcp")]);
    const done = await within(30_000, async () => ((await ingested(srv.url, "nmsg")) === n ? true : null), 100);
    if (done === null) throw new Error(`the store did not take the ${n} payloads within 30 s`);
  }, 90_000);
  afterAll(async () => {
    expect(await srv?.stop()).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it("covers most of the vector cases on the two files", () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
  });

  for (const { c, m } of cases) {
    if (m === null) continue;
    it(`${c.id}: dnsdbq ${m.dnsdbqArgs.join(" ")} (${c.data})`, async () => {
      const want = await expected(c, m.lookupArgs);
      const r = dnsdbq(srv.url, m.dnsdbqArgs);
      expect(r.stderr.replace(/^Query status: NOERROR \(no results found for query\.\)\n/, "")).toBe("");
      expect(jsonLines(r.stdout)).toEqual(want);
    });
  }
});
