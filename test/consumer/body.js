// The work the JavaScript consumers of the packed @dnsrep packages do (test/packaging.test.ts
// wraps it as an ES module with `import` and as CommonJS with `require` and with `import()`):
// `wdns`, `nmsg`, `mtbl` and `dnstable` are the packages' namespaces; `args` = [a dnsqr NMSG file,
// a dnstable file, a scratch directory].
const [nmsgFile, dnstableFile, dir] = args;

// @dnsrep/wdns: parse a DNS message ('example.com. IN A', id 0x1234, RD)
const wire = Uint8Array.from(Buffer.from("123401000001000000000000076578616d706c6503636f6d0000010001", "hex"));
const msg = wdns.parseMessage(wire);
const q0 = msg.question[0];
console.log(`wdns: id ${msg.id} ${wdns.nameToString(q0.name)} ${wdns.rrclassToString(q0.rrclass)} ${wdns.rrtypeToString(q0.rrtype)}`);

// @dnsrep/nmsg: each dnsqr's query name, from the DNS message in its captured query datagram
let dnsqrs = 0;
for await (const p of nmsg.readNmsgFile(nmsgFile)) {
  if (p.vid !== nmsg.VENDOR_BASE || p.msgtype !== nmsg.MSGTYPE_DNSQR) continue;
  dnsqrs++;
  const query = nmsg.dnsqrQuery(nmsg.decodeDnsQR(p.payload));
  if (query !== undefined) console.log(`query: ${wdns.nameToString(query.question[0].name)}`);
}
console.log(`nmsg: ${dnsqrs} dnsqr payloads`);

// @dnsrep/mtbl: write a table, read it back
const enc = new TextEncoder();
const dec = new TextDecoder();
const path = `${dir}/example.mtbl`;
const w = mtbl.Writer.create(path, { compression: "zstd" });
for (const [k, v] of [["a", "1"], ["b", "2"], ["c", "3"]]) w.add(enc.encode(k), enc.encode(v));
w.close();
const r = mtbl.Reader.open(path);
const got = r.get(enc.encode("b"));
const bValue = got.next() ? dec.decode(got.value) : "(none)";
let n = 0;
for (const it = r.iter(); it.next(); ) n++;
r.close();
console.log(`mtbl: ${n} entries, b = ${bValue}`);

// @dnsrep/dnstable: a query, its results printed as dnstable_lookup prints them
const d = dnstable.DnstableReader.open(dnstableFile);
let text = "";
for await (const e of d.query({ type: "rrset", name: "www.example.test" })) text += dnstable.formatResult(e);
d.close();
process.stdout.write(text);
