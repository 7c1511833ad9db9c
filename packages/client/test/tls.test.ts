/**
 * https: the client checks a dnstable-server's certificate against the CA it is given, refuses an
 * unknown one (ERR_NETWORK naming the problem), and with rejectUnauthorized: false (dnsdb-query
 * -U) accepts it. The certificate is made with openssl (scripts/setup.sh installs it; on CI its
 * absence fails the test).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selfSignedCert } from "../../../test/tls-cert.js";
import { vectorPath } from "../../../test/vectors.js";
import { query } from "../../../tools/dnsdb-query/test/helpers.js";
import { createServer, type DnstableServer } from "../../server/src/index.js";
import { ClientErrorCode, PdnsClient } from "../src/index.js";

const HAVE = spawnSync("openssl", ["version"]).status === 0;
const CI = Boolean(process.env.CI);

describe.runIf(HAVE || CI)("https", () => {
  let dir: string;
  let s: DnstableServer;
  let url: string;
  let cert: string;
  beforeAll(async () => {
    if (!HAVE) throw new Error("openssl is needed (scripts/setup.sh installs it)");
    dir = mkdtempSync(join(tmpdir(), "client-tls-"));
    const paths = selfSignedCert(dir);
    cert = readFileSync(paths.cert, "utf8");
    s = await createServer({
      fnames: [vectorPath("dnstable/dns.mtbl")],
      auth: { noAuth: true },
      pollMs: 0,
      tls: { cert, key: readFileSync(paths.key) },
    });
    url = await s.listen("127.0.0.1", 0);
  });
  afterAll(async () => {
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  it("with the CA: answers; without: ERR_NETWORK naming the certificate problem; unchecked: answers", async () => {
    expect(url).toMatch(/^https:/);
    const ok = await new PdnsClient({ server: url, apiKey: "k", tls: { ca: cert } })
      .lookupRRset("www.example.test", { type: "A" })
      .collect();
    expect(ok.records).toHaveLength(1);
    await expect(new PdnsClient({ server: url, apiKey: "k" }).lookupRRset("www.example.test").collect()).rejects.toMatchObject({
      code: ClientErrorCode.NETWORK,
      message: expect.stringMatching(/self[- ]signed certificate/),
    });
    const unchecked = await new PdnsClient({ server: url, apiKey: "k", tls: { rejectUnauthorized: false } })
      .lookupRRset("www.example.test")
      .collect();
    expect(unchecked.records.length).toBeGreaterThan(0);
  });
  it("dnsdb-query -U", async () => {
    expect((await query(url, ["-r", "www.example.test/A", "-j"])).status).toBe(1);
    const r = await query(url, ["-U", "-r", "www.example.test/A", "-j"]);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout).rdata).toEqual(["192.0.2.80", "192.0.2.81"]);
  });
});
