/** wdns_message_to_str: dig-like text of a parsed message, byte-identical to libwdns. */
import { type TextWriter, textOf } from "@dnsrep/util";
import { writeDomain } from "./name.js";
import type { Message, RR } from "./parse.js";
import { rdataToString, writeRdata } from "./rdata-to-string.js";
import { opcodeName, rcodeName, rrclassName, rrtypeName } from "./tables.js";

function writeRRLine(w: TextWriter, name: Uint8Array, rrtype: number, rrclass: number, ttl: number, rdata: Uint8Array | null): void {
  const line = w.pos;
  if (rdata === null) {
    w.byte(0x3b);
    writeDomain(w, name);
  } else {
    writeDomain(w, name);
    w.byte(0x20);
    w.uint(ttl);
  }
  w.byte(0x20);
  const cn = rrclassName(rrclass);
  if (cn !== null) w.latin1(cn);
  else {
    w.latin1("CLASS");
    w.uint(rrclass);
  }
  w.byte(0x20);
  const tn = rrtypeName(rrtype);
  if (tn !== null) w.latin1(tn);
  else {
    w.latin1("TYPE");
    w.uint(rrtype);
  }
  if (rdata !== null) {
    w.byte(0x20);
    writeRdata(w, rrtype, rrclass, rdata, line);
  }
  w.byte(0x0a);
}

function writeSection(w: TextWriter, rrs: RR[]): void {
  for (const r of rrs) writeRRLine(w, r.name, r.rrtype, r.rrclass, r.rrttl, r.rdata);
}

/** A code's name from its table, else its number. */
function nameOrNumber(w: TextWriter, name: string | null, n: number): void {
  if (name !== null) w.latin1(name);
  else w.uint(n);
}

export function messageToString(m: Message): string {
  return textOf((w) => writeMessage(w, m));
}

/** messageToString's text written into `w`. */
export function writeMessage(w: TextWriter, m: Message): void {
  const f = m.flags;
  w.latin1(";; ->>HEADER<<- opcode: ");
  nameOrNumber(w, opcodeName(m.opcode), m.opcode);
  w.latin1(", rcode: ");
  nameOrNumber(w, rcodeName(m.rcode), m.rcode);
  w.latin1(", id: ");
  w.uint(m.id);
  w.latin1("\n;; flags:");
  if (f & 0x8000) w.latin1(" qr");
  if (f & 0x0400) w.latin1(" aa");
  if (f & 0x0200) w.latin1(" tc");
  if (f & 0x0100) w.latin1(" rd");
  if (f & 0x0080) w.latin1(" ra");
  if (f & 0x0020) w.latin1(" ad");
  if (f & 0x0010) w.latin1(" cd");
  w.latin1("; QUERY: ");
  w.uint(m.question.length);
  w.latin1(", ANSWER: ");
  w.uint(m.rrs[0].length);
  w.latin1(", AUTHORITY: ");
  w.uint(m.rrs[1].length);
  w.latin1(", ADDITIONAL: ");
  w.uint(m.rrs[2].length);
  w.byte(0x0a);
  if (m.edns) {
    w.latin1("\n;; OPT PSEUDOSECTION:\n; EDNS: version: ");
    w.uint(m.edns.version);
    w.latin1(", flags:");
    if (m.edns.flags & 0x8000) w.latin1(" do");
    w.latin1("; udp: ");
    w.uint(m.edns.udpSize);
    if (m.edns.options.length > 0) {
      for (const line of rdataToString(41, 0, m.edns.options).split("\n"))
        if (line) {
          w.latin1("\n; ");
          w.latin1(line);
        }
    }
  }
  w.latin1("\n;; QUESTION SECTION:\n");
  for (const q of m.question) writeRRLine(w, q.name, q.rrtype, q.rrclass, 0, null);
  w.latin1("\n;; ANSWER SECTION:\n");
  writeSection(w, m.rrs[0]);
  w.latin1("\n;; AUTHORITY SECTION:\n");
  writeSection(w, m.rrs[1]);
  w.latin1("\n;; ADDITIONAL SECTION:\n");
  writeSection(w, m.rrs[2]);
}
