/** The JSON rendering of a DNS message that dnsqr's query_json/response_json fields carry. */
import {
  type Message,
  nameToString,
  opcodeName,
  parseMessage,
  type Question,
  type RRset,
  rcodeName,
  rdataToString,
  rrclassName,
  rrtypeName,
} from "@dnsrep/wdns";
import { jsonString } from "./format.js";

function flagList(pairs: [boolean, string][]): string {
  return `[${pairs
    .filter(([on]) => on)
    .map(([, n]) => `"${n}"`)
    .join(",")}]`;
}

function sectionJson(list: (RRset | Question)[], question: boolean): string {
  const items = list.map((r) => {
    let s = `{"${question ? "qname" : "rrname"}":${jsonString(nameToString(r.name))}`;
    if (!question) s += `,"rrttl":${(r as RRset).rrttl}`;
    const c = rrclassName(r.rrclass);
    s += `,"${question ? "qclass" : "rrclass"}":${c ? `"${c}"` : `"CLASS${r.rrclass}"`}`;
    const t = rrtypeName(r.rrtype);
    // libnmsg prints an unknown type as TYPE<class number> (sic)
    s += `,"${question ? "qtype" : "rrtype"}":${t ? `"${t}"` : `"TYPE${r.rrclass}"`}`;
    if (!question) {
      const rs = r as RRset;
      s += `,"rdata":[${rs.rdatas.map((d) => jsonString(rdataToString(rs.rrtype, rs.rrclass, d))).join(",")}]`;
    }
    return `${s}}`;
  });
  return `[${items.join(",")}]`;
}

/** JSON text of a DNS message, or "null" when it does not parse. */
export function dnsMessageJson(wire: Uint8Array): string {
  let m: Message;
  try {
    m = parseMessage(wire);
  } catch {
    return "null";
  }
  const f = m.flags;
  const op = opcodeName(m.opcode);
  const rc = rcodeName(m.rcode);
  let s = `{"header":{"opcode":${op ? `"${op}"` : m.opcode},"rcode":${rc ? `"${rc}"` : m.rcode},"id":${m.id},"flags":`;
  s += flagList([
    [(f & 0x8000) !== 0, "qr"],
    [(f & 0x0400) !== 0, "aa"],
    [(f & 0x0200) !== 0, "tc"],
    [(f & 0x0100) !== 0, "rd"],
    [(f & 0x0080) !== 0, "ra"],
    [(f & 0x0020) !== 0, "ad"],
    [(f & 0x0010) !== 0, "cd"],
  ]);
  if (m.edns) {
    s += `,"opt":{"edns":{"version":${m.edns.version},"flags":${flagList([[(m.edns.flags & 0x8000) !== 0, "do"]])},"udp":${m.edns.udpSize}`;
    const opts = rdataToString(41, 0, m.edns.options)
      .split("\n")
      .filter((l) => l);
    s += `,"options":[${opts.map(jsonString).join(",")}]}}`;
  }
  s += "}";
  s += `,"question":${sectionJson(m.question, true)}`;
  s += `,"answer":${sectionJson(m.answer, false)}`;
  s += `,"authority":${sectionJson(m.authority, false)}`;
  s += `,"additional":${sectionJson(m.additional, false)}`;
  return `${s}}`;
}
