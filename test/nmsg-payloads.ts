/** NMSG helpers for the end-to-end tests that compare a stopped run's output with what it read. */
import { writeFileSync } from "node:fs";
import { Readable } from "node:stream";
import { type NmsgPayload, NmsgWriter, readPayloads } from "@dnsrep/nmsg";

/** The payloads of an NMSG byte string. */
export async function payloadsOf(bytes: Uint8Array): Promise<NmsgPayload[]> {
  const out: NmsgPayload[] = [];
  for await (const p of readPayloads(Readable.from([bytes]))) out.push(p);
  return out;
}

/** Write to `path` an NMSG file of the first `k` payloads of `unit` repeated without end (what a tool fed `unit` again and again read first). */
export async function writePrefix(path: string, unit: NmsgPayload[], k: number): Promise<void> {
  const chunks: Uint8Array[] = [];
  const w = new NmsgWriter((c) => void chunks.push(c.slice()), {});
  for (let i = 0; i < k; i++) await w.write(unit[i % unit.length] as NmsgPayload);
  await w.close();
  writeFileSync(path, Buffer.concat(chunks));
}
