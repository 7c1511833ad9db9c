/** dnsqrQuery / dnsqrResponse: the DNS messages in a dnsqr's captured datagrams, as nmsgtool prints them. */
import { Readable } from "node:stream";
import { isWdnsError, messageToString, nameToString } from "@dnsrep/wdns";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readVector, readVectorText } from "../../../test/vectors.js";
import {
  type DnsQR,
  decodeDnsQR,
  dnsqrQuery,
  dnsqrQueryWire,
  dnsqrResponse,
  dnsqrResponseWire,
  MSGTYPE_DNSQR,
  type NmsgPayload,
  readPayloads,
  VENDOR_BASE,
} from "../src/index.js";

async function dnsqrs(rel: string): Promise<DnsQR[]> {
  const out: DnsQR[] = [];
  for await (const p of readPayloads(Readable.from([readVector(rel)])) as AsyncIterable<NmsgPayload>) {
    if (p.vid === VENDOR_BASE && p.msgtype === MSGTYPE_DNSQR) out.push(decodeDnsQR(p.payload));
  }
  return out;
}

/** The `query:` or `response:` block of each payload in nmsgtool's presentation output (undefined where it printed none). */
function printedBlocks(pres: string, field: "query" | "response"): (string | undefined)[] {
  return pres
    .split(/\n(?=\[\d+\] \[)/)
    .map((block) => new RegExp(`^${field}: \\[\\d+ octets\\]\\n[\\s\\S]*?^---\\n`, "m").exec(block)?.[0]);
}

// the DNS message 'example.com. IN A' (id 0x1234, RD)
const QUERY = Uint8Array.of(
  0x12,
  0x34,
  0x01,
  0x00,
  0,
  1,
  0,
  0,
  0,
  0,
  0,
  0,
  7,
  ...Buffer.from("example"),
  3,
  ...Buffer.from("com"),
  0,
  0,
  1,
  0,
  1,
);

function udp(dns: Uint8Array, v6: boolean): Uint8Array {
  const ulen = 8 + dns.length;
  const ip = v6 ? new Uint8Array(40) : new Uint8Array(20);
  if (v6) {
    ip[0] = 0x60;
    ip[4] = ulen >> 8;
    ip[5] = ulen & 0xff;
    ip[6] = 17;
    ip[7] = 64;
  } else {
    ip[0] = 0x45;
    ip[2] = (20 + ulen) >> 8;
    ip[3] = (20 + ulen) & 0xff;
    ip[8] = 64;
    ip[9] = 17;
  }
  const u = Uint8Array.of(0x93, 0x2a, 0, 53, ulen >> 8, ulen & 0xff, 0, 0);
  return Uint8Array.from([...ip, ...u, ...dns]);
}

function dnsqr(fields: Partial<DnsQR>): DnsQR {
  const base: DnsQR = {
    type: 1,
    query_ip: Uint8Array.of(192, 0, 2, 1),
    response_ip: Uint8Array.of(192, 0, 2, 53),
    proto: 17,
    query_port: 37674,
    response_port: 53,
    id: 0x1234,
    query_packet: [],
    query_time_sec: [],
    query_time_nsec: [],
    response_packet: [],
    response_time_sec: [],
    response_time_nsec: [],
  };
  return { ...base, ...fields };
}

describe("dnsqrQuery / dnsqrResponse", () => {
  it("give the messages nmsgtool prints for every dnsqr of the vector capture (UDP, unanswered, TCP)", async () => {
    const qs = await dnsqrs("nmsg/dnsqr.nmsg");
    const pres = readVectorText("nmsg/dnsqr.pres.txt");
    const queries = printedBlocks(pres, "query");
    const responses = printedBlocks(pres, "response");
    expect(qs.length).toBe(560);
    expect(queries.length).toBe(560);
    let both = 0;
    for (const [i, q] of qs.entries()) {
      const query = dnsqrQuery(q);
      const response = dnsqrResponse(q);
      const qWire = dnsqrQueryWire(q);
      const rWire = dnsqrResponseWire(q);
      expect(query === undefined ? undefined : `query: [${qWire?.length} octets]\n${messageToString(query)}---\n`).toBe(queries[i]);
      expect(response === undefined ? undefined : `response: [${rWire?.length} octets]\n${messageToString(response)}---\n`).toBe(
        responses[i],
      );
      if (query !== undefined && q.qname !== undefined) expect(nameToString(query.question[0]!.name)).toBe(nameToString(q.qname));
      if (query !== undefined && response !== undefined) {
        expect(response.id).toBe(query.id);
        both++;
      }
      if (q.type === 4) expect([query, response]).toEqual([undefined, undefined]);
    }
    expect(both).toBe(508);
  });

  it("take IPv4 and IPv6 datagrams; the wire forms are views into the packet", () => {
    for (const v6 of [false, true]) {
      const pkt = udp(QUERY, v6);
      const q = dnsqr(v6 ? { query_ip: new Uint8Array(16), query_packet: [pkt] } : { query_packet: [pkt] });
      const wire = dnsqrQueryWire(q)!;
      expect(Buffer.from(wire).equals(Buffer.from(QUERY))).toBe(true);
      expect(wire.buffer).toBe(pkt.buffer);
      const m = dnsqrQuery(q)!;
      expect(nameToString(m.question[0]!.name)).toBe("example.com.");
      expect(m.id).toBe(0x1234);
      expect(dnsqrResponse(q)).toBeUndefined();
    }
  });

  it("give nothing for no datagram, fragments (several datagrams), non-UDP or an address of odd length", () => {
    const pkt = udp(QUERY, false);
    expect(dnsqrQuery(dnsqr({}))).toBeUndefined();
    expect(dnsqrQuery(dnsqr({ query_packet: [pkt, pkt] }))).toBeUndefined();
    const tcp = pkt.slice();
    tcp[9] = 6;
    expect(dnsqrQuery(dnsqr({ query_packet: [tcp] }))).toBeUndefined();
    expect(dnsqrQuery(dnsqr({ query_packet: [pkt], query_ip: new Uint8Array(5) }))).toBeUndefined();
    // the datagram is IPv4 while the address says IPv6: nmsgtool prints no query either
    expect(dnsqrQuery(dnsqr({ query_packet: [pkt], query_ip: new Uint8Array(16) }))).toBeUndefined();
  });

  it("throw WdnsError when the UDP payload is not a DNS message", () => {
    const q = dnsqr({ response_packet: [udp(Uint8Array.of(1, 2, 3), false)] });
    expect(dnsqrResponseWire(q)?.length).toBe(3);
    expect(() => dnsqrResponse(q)).toThrow(expect.objectContaining({ name: "WdnsError" }));
  });

  it("random and bit-flipped datagrams: a message, undefined or WdnsError, nothing else", () => {
    const good = udp(QUERY, false);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 120 }),
          fc.nat({ max: good.length * 8 - 1 }).map((bit) => {
            const b = good.slice();
            b[bit >> 3]! ^= 1 << (bit & 7);
            return b;
          }),
        ),
        fc.boolean(),
        (pkt, v6) => {
          const q = dnsqr({ response_packet: [pkt], response_ip: new Uint8Array(v6 ? 16 : 4) });
          try {
            const m = dnsqrResponse(q);
            if (m !== undefined) expect(typeof m.id).toBe("number");
          } catch (e) {
            if (!isWdnsError(e)) throw e;
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
