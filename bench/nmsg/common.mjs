// What the nmsg benchmarks share: their options, the vectors' base/dnsqr payloads, and
// nmsg files made of those payloads repeated.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { getModule, NmsgWriter, readPayloads } from "@dnsrep/nmsg";

const args = process.argv.slice(2);
/** the number after `name` on the command line, else dflt */
export const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) || dflt : dflt);

/** the vectors' base/dnsqr payloads (560, 309 bytes of message on average) and their module */
export const base = [];
for await (const p of readPayloads(Readable.from([readFileSync(join(dirname(fileURLToPath(import.meta.url)), "../../test/vectors/nmsg/dnsqr.nmsg"))]))) base.push(p);
export const mod = getModule(1, 9);
export const payloads = base.map((p) => p.payload);

/** n payloads (base repeated) as an nmsg file of 1 MiB containers */
export async function nmsgFile(n, zlib = false) {
  const parts = [];
  const w = new NmsgWriter((c) => void parts.push(c), { zlib, zlibEngine: "native" });
  for (let i = 0; i < n; i++) await w.write(base[i % base.length]);
  await w.close();
  return Buffer.concat(parts);
}
