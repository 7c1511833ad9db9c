/** wdns_message_to_str: dig-like text of a parsed message, byte-identical to libwdns. */
import { latin1Bytes, TextWriter, textOf } from "@dnsrep/util";
import { writeDomain } from "./name.js";
import type { Message, RR } from "./parse.js";
import { writeRdata } from "./rdata-to-string.js";
import { opcodeName, rcodeName, rrclassNameBytes, rrtypeNameBytes } from "./tables.js";

const CLASS = latin1Bytes("CLASS");
const TYPE = latin1Bytes("TYPE");
/** the fixed text of the message printer, as bytes */
const HEADER = latin1Bytes(";; ->>HEADER<<- opcode: ");
const RCODE = latin1Bytes(", rcode: ");
const ID = latin1Bytes(", id: ");
const FLAGS = latin1Bytes("\n;; flags:");
const QR = latin1Bytes(" qr");
const AA = latin1Bytes(" aa");
const TC = latin1Bytes(" tc");
const RD = latin1Bytes(" rd");
const RA = latin1Bytes(" ra");
const AD = latin1Bytes(" ad");
const CD = latin1Bytes(" cd");
const QUERY = latin1Bytes("; QUERY: ");
const ANSWER = latin1Bytes(", ANSWER: ");
const AUTHORITY = latin1Bytes(", AUTHORITY: ");
const ADDITIONAL = latin1Bytes(", ADDITIONAL: ");
const OPT = latin1Bytes("\n;; OPT PSEUDOSECTION:\n; EDNS: version: ");
const EDNS_FLAGS = latin1Bytes(", flags:");
const DO = latin1Bytes(" do");
const UDP = latin1Bytes("; udp: ");
const OPTION = latin1Bytes("\n; ");
const QUESTION_SECTION = latin1Bytes("\n;; QUESTION SECTION:\n");
const ANSWER_SECTION = latin1Bytes("\n;; ANSWER SECTION:\n");
const AUTHORITY_SECTION = latin1Bytes("\n;; AUTHORITY SECTION:\n");
const ADDITIONAL_SECTION = latin1Bytes("\n;; ADDITIONAL SECTION:\n");

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
  const cn = rrclassNameBytes(rrclass);
  if (cn !== undefined) w.raw(cn);
  else {
    w.raw(CLASS);
    w.uint(rrclass);
  }
  w.byte(0x20);
  const tn = rrtypeNameBytes(rrtype);
  if (tn !== undefined) w.raw(tn);
  else {
    w.raw(TYPE);
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

/** the options' text, before it is written as lines */
const optText = new TextWriter(256);

/** Each non-empty line of the OPT rdata's text as `\n; LINE`. */
function writeOptions(w: TextWriter, options: Uint8Array): void {
  optText.pos = 0;
  writeRdata(optText, 41, 0, options, 0);
  const t = optText.buf;
  const end = optText.pos;
  let a = 0;
  while (a <= end) {
    let b = a;
    while (b < end && t[b] !== 0x0a) b++;
    if (b > a) {
      w.raw(OPTION);
      w.rawRange(t, a, b);
    }
    a = b + 1;
  }
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
  w.raw(HEADER);
  nameOrNumber(w, opcodeName(m.opcode), m.opcode);
  w.raw(RCODE);
  nameOrNumber(w, rcodeName(m.rcode), m.rcode);
  w.raw(ID);
  w.uint(m.id);
  w.raw(FLAGS);
  if (f & 0x8000) w.raw(QR);
  if (f & 0x0400) w.raw(AA);
  if (f & 0x0200) w.raw(TC);
  if (f & 0x0100) w.raw(RD);
  if (f & 0x0080) w.raw(RA);
  if (f & 0x0020) w.raw(AD);
  if (f & 0x0010) w.raw(CD);
  w.raw(QUERY);
  w.uint(m.question.length);
  w.raw(ANSWER);
  w.uint(m.rrs[0].length);
  w.raw(AUTHORITY);
  w.uint(m.rrs[1].length);
  w.raw(ADDITIONAL);
  w.uint(m.rrs[2].length);
  w.byte(0x0a);
  if (m.edns) {
    w.raw(OPT);
    w.uint(m.edns.version);
    w.raw(EDNS_FLAGS);
    if (m.edns.flags & 0x8000) w.raw(DO);
    w.raw(UDP);
    w.uint(m.edns.udpSize);
    if (m.edns.options.length > 0) writeOptions(w, m.edns.options);
  }
  w.raw(QUESTION_SECTION);
  for (const q of m.question) writeRRLine(w, q.name, q.rrtype, q.rrclass, 0, null);
  w.raw(ANSWER_SECTION);
  writeSection(w, m.rrs[0]);
  w.raw(AUTHORITY_SECTION);
  writeSection(w, m.rrs[1]);
  w.raw(ADDITIONAL_SECTION);
  writeSection(w, m.rrs[2]);
}
