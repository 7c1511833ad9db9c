// The process the crash test kills (crash.test.ts): opens a store in a directory and puts batches
// as fast as it can, 16 in flight, printing "sent I" before each put and "ack I" once it
// resolved. Runs from the built package (dist). Arguments: DIR FIRST [file:N | wal:N | step:NAME:N]:
// file:N kills itself just before the Nth file write of a flush, compaction or manifest swap;
// wal:N writes half of its Nth WAL write and kills itself (a torn record); step:NAME:N kills
// itself at the Nth durable step of that name (see StoreIo.step).
import { writeSync } from "node:fs";
import * as fs from "node:fs";
import { Store } from "@dnsrep/store";
import { nameFromString } from "@dnsrep/wdns";

const [dir, firstArg, crashAt = ""] = process.argv.slice(2);
const parts = crashAt.split(":");
const kind = parts[0];
let countdown = Number(parts.at(-1) ?? 0);
const stepName = parts.length === 3 ? parts[1] : null;
const die = (at = kind) => {
  writeSync(1, `crash ${at}\n`);
  process.kill(process.pid, "SIGKILL");
};
const io = {};
if (kind === "file")
  io.beforeFileWrite = () => {
    if (--countdown === 0) die();
  };
if (kind === "step")
  io.step = (name) => {
    if ((stepName === null || name === stepName) && --countdown === 0) die(name);
  };
if (kind === "wal")
  io.write = async (fd, buf, position) => {
    if (--countdown === 0) {
      fs.writeSync(fd, buf, 0, buf.length >> 1, position);
      die();
    }
    let off = 0;
    while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off, position + off);
  };

const bailiwick = nameFromString("example.");
const obs = (name, count, addr) => ({
  rrname: nameFromString(name),
  rrtype: 1,
  bailiwick,
  rdata: [Uint8Array.of(192, 0, 2, addr)],
  timeFirst: 1_700_000_000,
  timeLast: 1_700_000_000,
  count,
});
/** batch i: its own RRset (count 1 + i % 5), the shared one (same count), 20 fillers from a pool of 50 (count 1 each) */
const batch = (i) => {
  const c = 1 + (i % 5);
  const out = [obs(`b${i}.crash.example.`, c, 1), obs("shared.crash.example.", c, 2)];
  for (let k = 0; k < 20; k++) out.push(obs(`f${(i * 20 + k) % 50}.fill.example.`, 1, 3));
  return out;
};

const store = await Store.open(dir, {
  memtableBytes: 16 * 1024,
  tiers: [
    { name: "s1", spanSeconds: 1 },
    { name: "s2", spanSeconds: 2 },
    { name: "s8", spanSeconds: 8 },
  ],
  compactionFanIn: 3,
  io,
});
let i = Number(firstArg);
const inflight = new Set();
for (;;) {
  while (inflight.size < 16) {
    const n = i++;
    writeSync(1, `sent ${n}\n`);
    const p = store.put(batch(n)).then(
      () => writeSync(1, `ack ${n}\n`),
      (e) => writeSync(1, `fail ${n} ${e.code}\n`),
    );
    inflight.add(p);
    p.finally(() => inflight.delete(p));
  }
  await Promise.race(inflight);
}
