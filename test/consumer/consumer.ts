// A TypeScript consumer of the packed @dnsrep packages (strict, module nodenext), type-checked and
// run by test/packaging.test.ts. Arguments: a dnsqr NMSG file, a dnstable file, a scratch directory.
import { PdnsClient, type PdnsRecord } from "@dnsrep/client";
import { DnstableReader, type EntryObject, resultObject } from "@dnsrep/dnstable";
import { type MtblIterator, Reader, Writer } from "@dnsrep/mtbl";
import { type DnsQR, decodeDnsQR, dnsqrResponse, MSGTYPE_DNSQR, readNmsgFile, VENDOR_BASE } from "@dnsrep/nmsg";
import { createServer } from "@dnsrep/server";
import { isWdnsError, type Message, nameToString, parseMessage, rdataToString, rrtypeToString } from "@dnsrep/wdns";

const [nmsgFile, dnstableFile, dir] = process.argv.slice(2) as [string, string, string];

// wdns: a malformed message is a WdnsError
try {
  parseMessage(Uint8Array.of(1, 2, 3));
} catch (e: unknown) {
  if (isWdnsError(e)) console.log(`wdns: ${e.code}`);
}

// nmsg: the answers of every response
let answers = 0;
for await (const p of readNmsgFile(nmsgFile)) {
  if (p.vid !== VENDOR_BASE || p.msgtype !== MSGTYPE_DNSQR) continue;
  const q: DnsQR = decodeDnsQR(p.payload);
  const response: Message | undefined = dnsqrResponse(q);
  for (const rrset of response?.answer ?? []) {
    for (const rd of rrset.rdatas) {
      if (answers++ < 3)
        console.log(
          `answer: ${nameToString(rrset.name)} ${rrtypeToString(rrset.rrtype)} ${rdataToString(rrset.rrtype, rrset.rrclass, rd)}`,
        );
    }
  }
}
console.log(`nmsg: ${answers} answer records`);

// mtbl: a thousand keys in order, a prefix read back
const enc = new TextEncoder();
const w = Writer.create(`${dir}/typed.mtbl`, { compression: "none" });
for (let i = 0; i < 1000; i++) w.add(enc.encode(`key${String(i).padStart(4, "0")}`), Uint8Array.of(i & 0xff));
w.close();
const r = Reader.open(`${dir}/typed.mtbl`);
const it: MtblIterator = r.getPrefix(enc.encode("key09"));
let inRange = 0;
while (it.next()) inRange++;
r.close();
console.log(`mtbl: ${inRange} keys under key09`);

// dnstable: results as JSON objects
const d = DnstableReader.open(dnstableFile);
for await (const e of d.query({ type: "rdata_ip", ip: "192.0.2.80" })) {
  const o: EntryObject | null = resultObject(e);
  if (o !== null) console.log(JSON.stringify(o));
}
d.close();

// server and client: the same query over HTTP, served from the same file on 127.0.0.1
const server = await createServer({ data: [dnstableFile], auth: { noAuth: true }, pollMs: 0 });
const url = await server.listen("127.0.0.1", 0);
const client = new PdnsClient({ server: url, apiKey: "none" });
const answer = client.lookupRdataIp("192.0.2.80");
const records: PdnsRecord[] = [];
for await (const rec of answer) records.push(rec);
console.log(`client: ${records.length} records, ${answer.terminator?.cond ?? "no terminator"}`);
await server.close();
