/** formatResult / resultObject: a query's results as dnstable_lookup prints them, without key encodings. */
import { describe, expect, it } from "vitest";
import { readVectorText, vectorPath } from "../../../test/vectors.js";
import { type DnstableQuery, DnstableReader, EntryType, formatResult, resultObject } from "../src/index.js";

/** Every result of a query on the vectors' dns.mtbl, formatted. */
async function lookup(q: DnstableQuery, opts: { json?: boolean; raw?: boolean } = {}): Promise<string> {
  const r = DnstableReader.open(vectorPath("dnstable/dns.mtbl"));
  try {
    let out = "";
    for await (const e of r.query(q)) out += formatResult(e, opts);
    return out;
  } finally {
    r.close();
  }
}

// dnstable_lookup vector cases (test/vectors/lookup/cases.tsv): id, the query its arguments make
const CASES: [string, DnstableQuery, { json?: boolean }][] = [
  ["001", { type: "rrset", name: "www.example.test" }, {}],
  ["008", { type: "rrset", name: "*.example.test" }, {}],
  ["013", { type: "rrset", name: "*.sub.example.test", rrtype: "A", bailiwick: "sub.example.test" }, {}],
  ["039", { type: "rdata_ip", ip: "192.0.2.80" }, {}],
  ["063", { type: "rdata_name", name: "www.example.test" }, {}],
  ["099", { type: "rrset", name: "www.example.test" }, { json: true }],
  ["137", { type: "rdata_ip", ip: "192.0.2.80" }, { json: true }],
];

describe("formatResult", () => {
  for (const [id, q, opts] of CASES) {
    it(`gives dnstable_lookup's output for case ${id} (${JSON.stringify(q)}${opts.json ? ", -j" : ""})`, async () => {
      const expected = readVectorText(`lookup/${id}.out.txt`);
      expect(expected.length).toBeGreaterThan(0);
      expect(await lookup(q, opts)).toBe(expected);
    });
  }

  it("resultObject is the -j line's object; raw adds rdata_raw", async () => {
    const r = DnstableReader.open(vectorPath("dnstable/dns.mtbl"));
    try {
      let n = 0;
      for await (const e of r.query({ type: "rrset", name: "www.example.test", rrtype: "A" })) {
        const o = resultObject(e);
        expect(formatResult(e, { json: true })).toBe(`${JSON.stringify(o)}\n`);
        expect(o).toMatchObject({ rrname: "www.example.test.", rrtype: "A", bailiwick: "example.test.", count: e.count });
        expect(o?.rdata).toEqual(["192.0.2.80", "192.0.2.81"]);
        const raw = resultObject(e, true);
        // the rdata in hex, then the rrtype as a varint (01), as libdnstable writes it
        expect(raw?.rdata_raw).toEqual(["c000025001", "c000025101"]);
        expect(formatResult(e, { json: true, raw: true })).toBe(`${JSON.stringify(raw)}\n`);
        n++;
      }
      expect(n).toBe(1);
    } finally {
      r.close();
    }
  });

  it("null for an entry that does not decode (a value, an RDATA key); an RRSET key that does not throws", async () => {
    const r = DnstableReader.open(vectorPath("dnstable/dns.mtbl"));
    try {
      let n = 0;
      for await (const e of r.query({ type: "rdata_ip", ip: "192.0.2.80" })) {
        expect(e.entryType).toBe(EntryType.RDATA);
        expect(formatResult({ ...e, value: new Uint8Array(0) })).toBeNull();
        expect(resultObject({ ...e, value: Uint8Array.of(0x80) })).toBeNull();
        expect(formatResult({ ...e, key: e.key.subarray(0, 3) })).toBeNull();
        n++;
      }
      for await (const e of r.query({ type: "rrset", name: "www.example.test", rrtype: "A" })) {
        expect(formatResult({ ...e, value: Uint8Array.of(1) })).toBeNull();
        expect(() => formatResult({ ...e, key: e.key.subarray(0, 5) })).toThrow(expect.objectContaining({ code: expect.any(String) }));
        n++;
      }
      expect(n).toBe(3);
    } finally {
      r.close();
    }
  });
});
