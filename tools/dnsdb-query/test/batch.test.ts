/**
 * Acceptance: batch mode (-f) over the dnstable-lookup vector cases, one batch per data file
 * against a spawned dnstable-server, prints exactly what dnstable-lookup prints for each case
 * (its text with -p dns, its JSON lines with -j), each answer followed by "--". Fences, offsets
 * and unaggregated (-u, dnsdbq's -g) cases go through $OPTIONS lines.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dnsdbqOptions } from "../../../test/lookup-cases.js";
import { vectorPath } from "../../../test/vectors.js";
import { type Running, startServer } from "../../server/test/spawn-server.js";
import { type Case, cases, lookupOut, query } from "./helpers.js";

interface Mapped {
  c: Case;
  /** dnstable-lookup's arguments (without -j) */
  lookupArgs: string[];
  /** the $OPTIONS words for the case, and its batch line */
  options: string[];
  line: string;
}

const enc = (s: string): string => s.replace(/%/g, "%25").replace(/\//g, "%2F").replace(/,/g, "%2C");

/** A vector case as a batch line, or null when batch mode cannot ask it (-R, -C, -n, -J, -t, time_range, version). */
function mapCase(c: Case): Mapped | null {
  const o = dnsdbqOptions(c.args);
  if (o === null) return null;
  const { flags, options, query: q } = o;
  // the server's ANY leaves the DNSSEC types out, as DNSDB's does: ask the DNSSEC file for ANY-DNSSEC
  const any = c.data.includes("dnssec") ? "ANY-DNSSEC" : "ANY";
  let line: string;
  if (q[0] === "rrset" && q.length >= 2 && q.length <= 4) {
    const [, name, type, bw] = q as [string, string, string?, string?];
    line = `rrset/name/${enc(name)}${type !== undefined || bw !== undefined || any !== "ANY" ? `/${type ?? any}` : ""}${bw !== undefined ? `/${enc(bw)}` : ""}`;
  } else if (q[0] === "rdata" && (q[1] === "name" || q[1] === "raw") && q.length >= 3 && q.length <= 4) {
    const type = q[3] ?? (any === "ANY" ? undefined : any);
    line = `rdata/${q[1]}/${enc(q[2] as string)}${type !== undefined ? `/${type}` : ""}`;
  } else if (q[0] === "rdata" && q[1] === "ip" && q.length === 3) line = `rdata/ip/${(q[2] as string).replace("/", ",")}`;
  else return null;
  return { c, lookupArgs: [...flags, ...q], options, line };
}

const FILES = ["dnstable/dns.mtbl", "dnstable/dns.dnssec.mtbl", "dnstable/parts.set"];
const mapped = cases.map(mapCase).filter((m): m is Mapped => m !== null && FILES.includes(m.c.data));

function batchInput(ms: Mapped[]): string {
  let s = "# dnstable-lookup vector cases\n";
  for (const m of ms) s += `$OPTIONS\n${m.options.length > 0 ? `$OPTIONS ${m.options.join(" ")}\n` : ""}${m.line}\n`;
  return s;
}

describe("dnsdb-query -f over the dnstable-lookup vector cases", () => {
  const servers = new Map<string, Running>();
  beforeAll(async () => {
    for (const data of FILES)
      servers.set(data, await startServer(["--no-auth", "-q", data.endsWith(".set") ? "--setfile" : "--fname", vectorPath(data)]));
  }, 120_000);
  afterAll(async () => {
    for (const s of servers.values()) expect(await s.stop()).toBe(0);
  });

  it("covers most cases and every kind", () => {
    expect(mapped.length).toBeGreaterThanOrEqual(180);
    for (const want of [
      /^rrset\/name\/\*\./,
      /^rrset\/name\/[^/]+\.\*/,
      /^rrset\/name\/[^/]+\/[^/]+\/[^/]+$/,
      /^rdata\/name\//,
      /^rdata\/ip\//,
      /^rdata\/raw\//,
    ])
      expect(
        mapped.some((m) => want.test(m.line)),
        String(want),
      ).toBe(true);
    for (const opt of ["-A", "-B", "-c", "-O", "-g"]) expect(mapped.some((m) => m.options.includes(opt))).toBe(true);
  });

  for (const data of FILES)
    for (const json of [false, true]) {
      it(`${data}${json ? " with -j" : ""}: each answer is dnstable-lookup's, then --`, async () => {
        const ms = mapped.filter((m) => m.c.data === data);
        let want = "";
        for (const m of ms) want += `${await lookupOut(m.c, json ? ["-j", ...m.lookupArgs] : m.lookupArgs)}--\n`;
        const got = await query((servers.get(data) as Running).url, json ? ["-f", "-j"] : ["-f"], batchInput(ms));
        expect(got.stderr).toBe("");
        expect(got.status).toBe(0);
        // compared answer by answer, so a difference names its case
        const gotAnswers = got.stdout.split(/^--\n/m);
        const wantAnswers = want.split(/^--\n/m);
        expect(gotAnswers).toHaveLength(wantAnswers.length);
        for (let i = 0; i < ms.length; i++) expect(gotAnswers[i], `${ms[i]?.c.id}: ${ms[i]?.line}`).toBe(wantAnswers[i]);
      });
    }

  it("-ff: each answer between '++ QUERY' and '-- STATUS (MESSAGE)'", async () => {
    const url = (servers.get("dnstable/dns.mtbl") as Running).url;
    const got = await query(
      url,
      ["-ff", "-j", "-l", "2"],
      "rrset/name/*.example.test\nrrset/name/nothing.invalid\nrrset/name/www.example.test/A\nrrset/bad\n",
    );
    const lines = got.stdout.split("\n");
    expect(lines[0]).toBe("++ rrset/name/*.example.test");
    expect(lines[3]).toBe("-- NOERROR (Result limit reached)");
    expect(lines[4]).toBe("++ rrset/name/nothing.invalid");
    expect(lines[5]).toBe("-- NOERROR (no results found for query.)");
    expect(lines[6]).toBe("++ rrset/name/www.example.test/A");
    expect(lines[8]).toBe("-- NOERROR (no error)");
    expect(lines[9]).toBe("++ rrset/bad");
    expect(lines[10]).toMatch(/^-- ERROR \(batch entry parse error: /);
    // a bad line is reported, the others answered: exit 1
    expect(got.stderr).toMatch(/^dnsdb-query: rrset\/bad: batch entry parse error/);
    expect(got.status).toBe(1);
  });
});
