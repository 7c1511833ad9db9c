import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { vectorPath } from "../../../test/vectors.js";
import { dedupeObservations, ingested, lookup, makeKeys, nmsgAddress, nmsgTool, post, within } from "./ingest-helpers.js";
import { type Running, startServer } from "./spawn-server.js";

/**
 * dnstable-server --store with the real @dnsrep/store: freshness (an observation acknowledged by
 * POST, or sent over an NMSG socket, is answered by a lookup within 1 s — a bound, not a speed
 * measurement), NMSG over TCP (plain and zlib) and UDP (fragments), SIGTERM keeps what was
 * acknowledged, and the CLI's new flags.
 */
describe("dnstable-server --store", () => {
  const dir = mkdtempSync(join(tmpdir(), "ingest-cli-"));
  const keys = makeKeys(dir);
  let srv: Running;
  let tcp: string;
  let udp: string;

  const start = () =>
    startServer([
      "--keys",
      keys.file,
      "-q",
      "--store",
      join(dir, "store"),
      "--nmsg-listen",
      "tcp:127.0.0.1:0",
      "--nmsg-listen",
      "udp:127.0.0.1:0",
    ]);
  beforeAll(async () => {
    srv = await start();
    tcp = nmsgAddress(srv.stderr(), "tcp");
    udp = nmsgAddress(srv.stderr(), "udp");
  }, 60_000);
  afterAll(async () => {
    await srv?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const obs = (name: string, count: number, extra: Record<string, unknown> = {}) =>
    `${JSON.stringify({ rrname: name, rrtype: "A", rdata: "192.0.2.44", time_first: 1_700_000_000, time_last: 1_700_000_009, count, bailiwick: "fresh.test", ...extra })}\n`;

  it("a POSTed observation is answered by a lookup within 1 s of its acknowledgement", async () => {
    const r = await post(srv.url, keys.writer, obs("post.fresh.test", 4));
    expect([r.status, await r.json()]).toEqual([200, { accepted: 1 }]);
    const acked = Date.now();
    const seen = await within(1000, async () => {
      const o = await lookup(srv.url, keys.reader, "rrset/name/post.fresh.test");
      return o.length > 0 ? o : null;
    });
    expect(seen, `not seen within 1 s of the 200 (${Date.now() - acked} ms)`).not.toBeNull();
    expect(seen?.[0]).toMatchObject({ count: 4, rrname: "post.fresh.test.", bailiwick: "fresh.test.", rdata: ["192.0.2.44"] });
  });

  it("an observation sent over NMSG TCP is answered within 1 s of the sender's end", async () => {
    const payload = {
      time: "2026-12-07 12:00:00.000000000",
      vname: "SIE",
      mname: "dnsdedupe",
      message: {
        type: "EXPIRATION",
        count: 2,
        time_first: "2026-12-07 12:00:00",
        time_last: "2026-12-07 12:00:05",
        bailiwick: "fresh.test.",
        rrname: "nmsg.fresh.test.",
        rrclass: "IN",
        rrtype: "A",
        rrttl: 60,
        rdata: ["192.0.2.45"],
      },
    };
    nmsgTool(["-j", "-", "--writetcp", tcp], `${JSON.stringify(payload)}\n`);
    const sent = Date.now();
    const seen = await within(1000, async () => {
      const o = await lookup(srv.url, keys.reader, "rrset/name/nmsg.fresh.test");
      return o.length > 0 ? o : null;
    });
    expect(seen, `not seen within 1 s (${Date.now() - sent} ms)`).not.toBeNull();
    expect(seen?.[0]).toMatchObject({ count: 2, rrname: "nmsg.fresh.test.", bailiwick: "fresh.test.", rdata: ["192.0.2.45"] });
  });

  it("takes a dnsdedupe stream over TCP (zlib) and over UDP (fragmented containers): every payload stored", async () => {
    const file = vectorPath("dedupe/dedupe.nmsg");
    const n = await dedupeObservations(file);
    expect(n).toBe(345);
    const before = await ingested(srv.url, "nmsg");
    nmsgTool(["-r", file, "-z", "--writetcp", tcp]);
    expect(await within(20_000, async () => ((await ingested(srv.url, "nmsg")) >= before + n ? true : null), 100)).toBe(true);
    // UDP: small containers so the larger payloads go out as fragments; a modest rate so loopback drops none
    nmsgTool(["-r", file, "--mtu", "512", "-s", `${udp},2000`]);
    expect(await within(20_000, async () => ((await ingested(srv.url, "nmsg")) >= before + 2 * n ? true : null), 100)).toBe(true);
    expect(await ingested(srv.url, "nmsg")).toBe(before + 2 * n);
    // twice the stream: counts doubled against the batch-imported file's
    const [live] = await lookup(srv.url, keys.reader, "rrset/name/www.example.test/A");
    expect(live?.count).toBeGreaterThan(0);
  }, 90_000);

  it("keeps what it acknowledged across SIGTERM and a restart (the WAL replays)", async () => {
    expect((await post(srv.url, keys.writer, obs("restart.fresh.test", 6))).status).toBe(200);
    expect(await srv.stop()).toBe(0);
    srv = await start();
    tcp = nmsgAddress(srv.stderr(), "tcp");
    udp = nmsgAddress(srv.stderr(), "udp");
    expect((await lookup(srv.url, keys.reader, "rrset/name/restart.fresh.test"))[0]?.count).toBe(6);
    expect((await lookup(srv.url, keys.reader, "rrset/name/post.fresh.test"))[0]?.count).toBe(4);
  }, 60_000);

  it("log-derived observations come back per source, without a bailiwick", async () => {
    const line = (source: string, count: number) =>
      `${JSON.stringify({ rrname: "logs.fresh.test", rrtype: "CNAME", rdata: "target.fresh.test", time_first: 1_700_000_000, time_last: 1_700_000_000, count, source })}\n`;
    expect((await post(srv.url, keys.writer, line("dnsmasq", 2) + line("squid", 5))).status).toBe(200);
    expect(await lookup(srv.url, keys.reader, "rrset/name/logs.fresh.test")).toEqual([
      {
        count: 2,
        time_first: 1_700_000_000,
        time_last: 1_700_000_000,
        rrname: "logs.fresh.test.",
        rrtype: "CNAME",
        rdata: ["target.fresh.test."],
        source: "dnsmasq",
      },
      {
        count: 5,
        time_first: 1_700_000_000,
        time_last: 1_700_000_000,
        rrname: "logs.fresh.test.",
        rrtype: "CNAME",
        rdata: ["target.fresh.test."],
        source: "squid",
      },
    ]);
  });

  it("/metrics has the store's sizes and the ingest counters", async () => {
    const t = await (await fetch(`${srv.url}/metrics`)).text();
    for (const name of [
      "dnstable_server_ingest_rate",
      "dnstable_server_ingest_lag_seconds",
      'dnstable_server_store_wal_bytes{store="sensor"}',
      'dnstable_server_store_memtable_bytes{store="sensor"}',
      'dnstable_server_store_memtable_entries{store="logs/dnsmasq"}',
      "dnstable_server_store_flush_duration_seconds",
      "dnstable_server_store_compaction_duration_seconds",
    ])
      expect(t).toContain(name);
  });
});

describe("dnstable-server --store: usage errors", () => {
  it.each([
    [["--no-auth", "--nmsg-listen", "tcp:127.0.0.1:0", "x.mtbl"], "--nmsg-listen needs --store DIR"],
    [["--no-auth", "--store", "/tmp/x", "--nmsg-listen", "sctp:127.0.0.1:1"], "--nmsg-listen: expected tcp:HOST:PORT or udp:HOST:PORT"],
    [["--no-auth", "--store", "/tmp/x", "--sync", "sometimes"], "--sync: expected always, batch or none"],
  ])("%j exits 2: %s", async (args, msg) => {
    const { memoryIo } = await import("@dnsrep/cli");
    const { dnstable_server } = await import("../src/index.js");
    const io = memoryIo("");
    await expect(dnstable_server(args, io)).rejects.toThrow(msg);
  });
  it("no DATA and no --store is a usage error naming --store", async () => {
    const { memoryIo } = await import("@dnsrep/cli");
    const { dnstable_server } = await import("../src/index.js");
    await expect(dnstable_server(["--no-auth"], memoryIo(""))).rejects.toThrow("or --store DIR");
  });
  it("a store directory that cannot be made fails with exit 1 and one line", async () => {
    const d = mkdtempSync(join(tmpdir(), "ingest-bad-"));
    writeFileSync(join(d, "file"), "");
    try {
      await expect(startServer(["--no-auth", "--store", join(d, "file", "store")], 20_000)).rejects.toThrow(/exited \(1\)/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
