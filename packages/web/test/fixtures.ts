/**
 * Test data made in the test setup with our own tools: the demo's dnstable files (the pipeline of
 * scripts/demo.sh on the bundled capture) and a hostile fixture file (SIE dnsdedupe JSON → nmsg-tool
 * → dnstable-import) whose names and TXT records hold markup, script URLs, a right-to-left
 * override, 63-byte labels, a 255-byte name and `\000` escapes.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { toASCII } from "punycode";
import { repoRoot } from "../../../tools/server/test/spawn-server.js";

const bin = join(repoRoot, "node_modules", ".bin");
const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`, TZ: "UTC" };

/** dns.mtbl and dnssec.mtbl as scripts/demo.sh builds them. */
export function buildDemoData(dir: string): string[] {
  const v = join(repoRoot, "test/vectors");
  const dns = join(dir, "dns.mtbl");
  const dnssec = join(dir, "dnssec.mtbl");
  execFileSync(
    "bash",
    [
      "-o",
      "pipefail",
      "-c",
      `nmsg-sensor -q -p "${v}/pcap/dns.pcap" | nmsg-dns-cache -q --root-hints "${v}/inputs/zones/root.hints" | nmsg-dns-filter -q -f "${repoRoot}/examples/noise.list" | dnstable-import -q - "${dns}" "${dnssec}"`,
    ],
    { env, stdio: ["ignore", "ignore", "pipe"], timeout: 120_000 },
  );
  return [dns, dnssec];
}

const LABEL63 = `l${"x".repeat(61)}z`;
/** 255 bytes in wire form: 3×(1+63) + (1+61) + 1 = 255 */
export const NAME255 = `${LABEL63}.${LABEL63}.${LABEL63}.${"e".repeat(61)}.`;
/** an IDN whose Unicode form starts with a right-to-left override (must not be shown decoded) */
export const RLO_IDN = `${toASCII("\u202egnp.exe")}.evil.test.`;

export const HOSTILE: { rrname: string; rrtype: string; rdata: string[] }[] = [
  {
    rrname: "<script>alert(1)</script>.evil.test.",
    rrtype: "TXT",
    rdata: ['"<script>alert(2)</script>"', '"\\"><img src=x onerror=alert(3)>"'],
  },
  { rrname: '"><img\\032src=x\\032onerror=alert(4)>.evil.test.', rrtype: "CNAME", rdata: ["javascript:alert(5).evil.test."] },
  { rrname: "javascript:alert(6).evil.test.", rrtype: "TXT", rdata: ['"javascript:alert(7)"', '"<a href=javascript:alert(8)>x</a>"'] },
  { rrname: "a\\000b\\226\\128\\174gpj.evil.test.", rrtype: "A", rdata: ["192.0.2.66"] },
  { rrname: "rlo.evil.test.", rrtype: "TXT", rdata: ['"\\226\\128\\174txt.exe \\000 end"'] },
  { rrname: RLO_IDN, rrtype: "A", rdata: ["192.0.2.67"] },
  { rrname: `${LABEL63}.evil.test.`, rrtype: "MX", rdata: [`10 ${LABEL63}.evil.test.`] },
  { rrname: NAME255, rrtype: "NS", rdata: [NAME255] },
  { rrname: "style.evil.test.", rrtype: "TXT", rdata: ['"<style>body{display:none}</style>"', '"<svg onload=alert(9)>"'] },
];

/** The hostile records as a dnstable file (one more, .dnssec, is written beside it and unused). */
export function buildHostileData(dir: string): string {
  const lines = HOSTILE.map((h) =>
    JSON.stringify({
      time: "2026-11-22 09:34:59.000000000",
      vname: "SIE",
      mname: "dnsdedupe",
      message: {
        type: "INSERTION",
        count: 2,
        time_first: "2026-11-20 09:34:59",
        time_last: "2026-11-22 09:34:59",
        response_ip: "127.0.0.10",
        bailiwick: "evil.test.",
        rrname: h.rrname,
        rrclass: "IN",
        rrtype: h.rrtype,
        rrttl: 300,
        rdata: h.rdata,
      },
    }),
  );
  const json = join(dir, "hostile.json");
  writeFileSync(json, `${lines.join("\n")}\n`);
  const nmsg = join(dir, "hostile.nmsg");
  execFileSync("nmsg-tool", ["-j", json, "-w", nmsg], { env, stdio: ["ignore", "ignore", "pipe"], timeout: 60_000 });
  const out = join(dir, "hostile.mtbl");
  execFileSync("dnstable-import", ["-q", nmsg, out, join(dir, "hostile.dnssec.mtbl")], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
    timeout: 60_000,
  });
  return out;
}
