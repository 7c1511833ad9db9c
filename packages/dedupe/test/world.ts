/** Hand-made DNS traffic for tests: DNS messages, and captures of query/response exchanges. */
import { encodePcap, ethernetFrame, udpDatagram } from "@dnsrep/capture";
import { nameFromString, parseIpv4 } from "@dnsrep/wdns";

export interface RR {
  name: string;
  type: "A" | "NS" | "SOA" | "CNAME" | "TXT";
  data: string;
  ttl?: number;
}

const TYPES = { A: 1, NS: 2, CNAME: 5, SOA: 6, TXT: 16 } as const;

function rdata(rr: RR): number[] {
  switch (rr.type) {
    case "A":
      return [...parseIpv4(rr.data)!];
    case "NS":
    case "CNAME":
      return [...nameFromString(rr.data)];
    case "SOA": {
      const [m, r, ...nums] = rr.data.split(" ");
      const out = [...nameFromString(m!), ...nameFromString(r!)];
      for (const n of nums) out.push((Number(n) >>> 24) & 0xff, (Number(n) >>> 16) & 0xff, (Number(n) >>> 8) & 0xff, Number(n) & 0xff);
      return out;
    }
    case "TXT":
      return [rr.data.length, ...[...rr.data].map((c) => c.charCodeAt(0))];
  }
}

export interface MsgSpec {
  id: number;
  qname: string;
  qtype?: RR["type"];
  response?: boolean;
  aa?: boolean;
  rd?: boolean;
  rcode?: number;
  answer?: RR[];
  authority?: RR[];
  additional?: RR[];
}

/** Wire form of a DNS message (no name compression). */
export function dnsMessage(m: MsgSpec): Uint8Array {
  const sec = [m.answer ?? [], m.authority ?? [], m.additional ?? []];
  const flags = (m.response ? 0x8000 : 0) | (m.aa ? 0x0400 : 0) | (m.rd ? 0x0100 : 0) | (m.rcode ?? 0);
  const out: number[] = [m.id >> 8, m.id & 0xff, flags >> 8, flags & 0xff, 0, 1];
  for (const s of sec) out.push(s.length >> 8, s.length & 0xff);
  out.push(...nameFromString(m.qname), 0, TYPES[m.qtype ?? "A"], 0, 1);
  for (const s of sec) {
    for (const rr of s) {
      const rd = rdata(rr);
      const ttl = rr.ttl ?? 3600;
      out.push(
        ...nameFromString(rr.name),
        0,
        TYPES[rr.type],
        0,
        1,
        (ttl >>> 24) & 0xff,
        (ttl >>> 16) & 0xff,
        (ttl >>> 8) & 0xff,
        ttl & 0xff,
        rd.length >> 8,
        rd.length & 0xff,
        ...rd,
      );
    }
  }
  return Uint8Array.from(out);
}

export interface Exchange {
  /** the server's IPv4 address */
  server: string;
  /** the response; the query is derived from it */
  response: MsgSpec;
  sec: number;
}

const CLIENT = Uint8Array.of(10, 9, 9, 9);

/** A pcap of query/response pairs from a resolver at 10.9.9.9 to the given servers. */
export function capture(exchanges: readonly Exchange[]): Uint8Array {
  const pkts = [];
  let port = 30000;
  for (const x of exchanges) {
    const srv = parseIpv4(x.server)!;
    const sport = port++;
    const q = dnsMessage({ id: x.response.id, qname: x.response.qname, qtype: x.response.qtype ?? "A", rd: x.response.rd ?? false });
    pkts.push({ data: ethernetFrame(udpDatagram({ src: CLIENT, dst: srv, sport, dport: 53, payload: q })), sec: x.sec });
    const r = dnsMessage({ ...x.response, response: true });
    pkts.push({ data: ethernetFrame(udpDatagram({ src: srv, dst: CLIENT, sport: 53, dport: sport, payload: r })), sec: x.sec, usec: 500 });
  }
  return encodePcap(pkts);
}
