/** dnstap → base/dnsqr: the vectors' responses become answered UDP queries that parse as captured ones; the rest is counted. */
import { Datagram, IpProto, IpReject, parseIp } from "@dnsrep/capture";
import { decodeDnsQR, encodeDnsQR } from "@dnsrep/nmsg";
import { toHex } from "@dnsrep/util";
import { describe, expect, it } from "vitest";
import { type Dnstap, DnstapToDnsqr, type Message, MessageType } from "../src/index.js";
import { framesOf } from "./frames.js";

/** the UDP payload of an IP datagram */
function udpPayload(p: Uint8Array): { payload: Uint8Array; src: Uint8Array; dst: Uint8Array; sport: number; dport: number } {
  const d = new Datagram();
  expect(parseIp(d, p, 0, p.length)).toBe(IpReject.NONE);
  expect(d.proto).toBe(IpProto.UDP);
  const b = d.buf;
  return {
    payload: p.subarray(d.payload, d.payload + d.payloadLen),
    src: p.subarray(d.src, d.src + d.addrLen),
    dst: p.subarray(d.dst, d.dst + d.addrLen),
    sport: (b[d.trans]! << 8) | b[d.trans + 1]!,
    dport: (b[d.trans + 2]! << 8) | b[d.trans + 3]!,
  };
}

describe.each(["unbound/unbound.dnstap", "named/named.dnstap"])("%s to dnsqr", (rel) => {
  it("every CLIENT_RESPONSE and RESOLVER_RESPONSE becomes a UDP_QUERY_RESPONSE carrying its messages", () => {
    const { messages } = framesOf(rel, 65536);
    const conv = new DnstapToDnsqr();
    let n = 0;
    for (const d of messages) {
      const r = conv.convert(d);
      const m = d.message!;
      if (m.type !== MessageType.CLIENT_RESPONSE && m.type !== MessageType.RESOLVER_RESPONSE) {
        expect(r).toBeUndefined();
        continue;
      }
      n++;
      expect(r).toBeDefined();
      const qr = decodeDnsQR(encodeDnsQR(r!.qr));
      expect(qr.type).toBe(1);
      expect(toHex(qr.query_ip)).toBe(toHex(m.query_address!));
      expect(toHex(qr.response_ip)).toBe(toHex(m.response_address!));
      expect([qr.query_port, qr.response_port]).toEqual([m.query_port, m.response_port]);
      const resp = udpPayload(qr.response_packet[0]!);
      expect(toHex(resp.payload)).toBe(toHex(m.response_message!));
      // the response goes from the server to the querier
      expect([toHex(resp.src), resp.sport, toHex(resp.dst), resp.dport]).toEqual([
        toHex(m.response_address!),
        m.response_port,
        toHex(m.query_address!),
        m.query_port,
      ]);
      expect([r!.sec, r!.nsec]).toEqual([m.response_time_sec, m.response_time_nsec]);
      expect(qr.response_time_sec).toEqual([m.response_time_sec]);
      expect(qr.query_time_sec).toEqual(m.query_time_sec === undefined ? [] : [m.query_time_sec]);
      expect(qr.id).toBe((m.response_message![0]! << 8) | m.response_message![1]!);
      expect(qr.qname).toBeDefined();
    }
    expect(conv.stats).toMatchObject({
      converted: n,
      messages: messages.length,
      skippedType: messages.length - n,
      noResponse: 0,
      truncated: 0,
    });
  });

  it("convertEncoded lays out the same bytes protobufjs encodes for convert's object", () => {
    const { messages } = framesOf(rel, 65536);
    const a = new DnstapToDnsqr();
    const b = new DnstapToDnsqr();
    let n = 0;
    let zones = 0;
    for (const d of messages) {
      const r = a.convert(d);
      const e = b.convertEncoded(d);
      expect(e === undefined).toBe(r === undefined);
      if (!r || !e) continue;
      const o = new Uint8Array(e.length);
      e.putAt(o, 0);
      // dnstap's query_zone follows as our field 1000 (tag 8002: c2 3e), a length and the name
      const zone = r.zone ? `c23e${toHex(Uint8Array.of(r.zone.length))}${toHex(r.zone)}` : "";
      expect(toHex(o)).toBe(toHex(encodeDnsQR(r.qr)) + zone);
      if (r.zone) {
        zones++;
        expect(toHex(r.zone)).toBe(toHex(d.message!.query_zone!));
        // and a reader that does not know the field (protobufjs, as nmsgtool's protobuf-c) skips it
        expect(decodeDnsQR(o)).toEqual(decodeDnsQR(encodeDnsQR(r.qr)));
      }
      expect([b.encodedSec, b.encodedNsec]).toEqual([r.sec, r.nsec]);
      n++;
    }
    expect(n).toBeGreaterThan(200);
    expect(zones).toBeGreaterThan(0);
    expect(b.stats).toEqual(a.stats);
  });

  it("--dnstap-types narrows the conversion", () => {
    const { messages } = framesOf(rel, 65536);
    const conv = new DnstapToDnsqr([MessageType.RESOLVER_RESPONSE]);
    for (const d of messages) conv.convert(d);
    expect(conv.stats.converted).toBe(messages.filter((d) => d.message!.type === MessageType.RESOLVER_RESPONSE).length);
  });
});

describe("what is not converted is counted", () => {
  type Fields = { [K in keyof Message]?: Message[K] | undefined };
  const base = (m: Fields): Dnstap => {
    const all: Fields = {
      type: MessageType.AUTH_RESPONSE,
      socket_family: 1,
      query_address: Uint8Array.of(10, 0, 0, 1),
      response_address: Uint8Array.of(10, 0, 0, 2),
      ...m,
    };
    // fields given as undefined are left out
    return { type: 1, message: Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as unknown as Message };
  };
  const dns = Uint8Array.of(0, 7, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1);

  it("no response body, a cut one, no address, no message", () => {
    const conv = new DnstapToDnsqr();
    expect(conv.convert(base({}))).toBeUndefined();
    expect(conv.convert(base({ response_message: dns.subarray(0, 11) }))).toBeUndefined();
    expect(conv.convert(base({ response_message: dns.subarray(0, 15) }))).toBeUndefined();
    expect(
      conv.convert(base({ response_message: dns, socket_family: undefined, query_address: undefined, response_address: undefined })),
    ).toBeUndefined();
    expect(conv.convert(base({ response_message: dns, query_address: new Uint8Array(16) }))).toBeUndefined();
    expect(conv.convert({ type: 1 })).toBeUndefined();
    expect(conv.convert(base({ type: MessageType.AUTH_QUERY, query_message: dns }))).toBeUndefined();
    expect(conv.stats).toMatchObject({
      messages: 7,
      converted: 0,
      noResponse: 1,
      truncated: 2,
      noAddress: 2,
      notMessage: 1,
      skippedType: 1,
    });
    // an address missing on one side is the family's zero address
    const r = conv.convert(base({ response_message: dns, query_address: undefined }));
    expect(Array.from(r!.qr.query_ip)).toEqual([0, 0, 0, 0]);
    expect(r!.qr.qtype).toBe(1);
  });
});
