/** wdns_message_to_str: dig-like text of a parsed message, byte-identical to libwdns. */

import type { Message, RR } from "../../../packages/wdns/src/parse.js";
import { opcodeName, rcodeName, rrclassName, rrtypeName } from "../../../packages/wdns/src/tables.js";
import { domainToString } from "./name.js";
import { appendRdataText, rdataToString } from "./rdata-to-string.js";

function rrLine(name: Uint8Array, rrtype: number, rrclass: number, ttl: number | null, rdata: Uint8Array | null): string {
  let s = ttl === null ? `;${domainToString(name)}` : `${domainToString(name)} ${ttl}`;
  s += ` ${rrclassName(rrclass) ?? `CLASS${rrclass}`}`;
  s += ` ${rrtypeName(rrtype) ?? `TYPE${rrtype}`}`;
  if (rdata !== null) s = appendRdataText(`${s} `, rrtype, rrclass, rdata);
  return `${s}\n`;
}

function section(rrs: RR[]): string {
  let s = "";
  for (const r of rrs) s += rrLine(r.name, r.rrtype, r.rrclass, r.rrttl, r.rdata);
  return s;
}

export function messageToString(m: Message): string {
  const f = m.flags;
  const op = opcodeName(m.opcode);
  const rc = rcodeName(m.rcode);
  let s = `;; ->>HEADER<<- opcode: ${op ?? m.opcode}, rcode: ${rc ?? m.rcode}, id: ${m.id}\n`;
  s += `;; flags:${f & 0x8000 ? " qr" : ""}${f & 0x0400 ? " aa" : ""}${f & 0x0200 ? " tc" : ""}${f & 0x0100 ? " rd" : ""}`;
  s += `${f & 0x0080 ? " ra" : ""}${f & 0x0020 ? " ad" : ""}${f & 0x0010 ? " cd" : ""}; `;
  s += `QUERY: ${m.question.length}, ANSWER: ${m.rrs[0].length}, AUTHORITY: ${m.rrs[1].length}, ADDITIONAL: ${m.rrs[2].length}\n`;
  if (m.edns) {
    s += "\n;; OPT PSEUDOSECTION:";
    s += `\n; EDNS: version: ${m.edns.version}, flags:${m.edns.flags & 0x8000 ? " do" : ""}; udp: ${m.edns.udpSize}`;
    if (m.edns.options.length > 0) {
      for (const line of rdataToString(41, 0, m.edns.options).split("\n")) if (line) s += `\n; ${line}`;
    }
  }
  s += "\n;; QUESTION SECTION:\n";
  for (const q of m.question) s += rrLine(q.name, q.rrtype, q.rrclass, null, null);
  s += "\n;; ANSWER SECTION:\n";
  s += section(m.rrs[0]);
  s += "\n;; AUTHORITY SECTION:\n";
  s += section(m.rrs[1]);
  s += "\n;; ADDITIONAL SECTION:\n";
  s += section(m.rrs[2]);
  return s;
}
