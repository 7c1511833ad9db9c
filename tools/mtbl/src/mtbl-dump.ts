import { CliError, type CliIo, configureProgram, OutputWriter, packageVersion, UsageError } from "@dnsrep/cli";
import { dumpLineInto, dumpLineMax, isMtblError } from "@dnsrep/mtbl";
import { fromHex, startsWith } from "@dnsrep/util";
import { Command } from "commander";
import { openReader } from "./open-reader.js";

function hexArg(flag: string, v: string): Uint8Array {
  if (v.length === 0) throw new UsageError(`need a non-empty argument to ${flag}`);
  const b = fromHex(v);
  if (!b) throw new UsageError(`hex decoding of ${v} failed`);
  return b;
}

function minLen(flag: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`invalid minimum ${flag === "-K" ? "key" : "val"} length: ${v}`);
  return Number(v);
}

/** output chunk size */
const CHUNK = 64 * 1024;

/** mtbl-dump: print every entry of an mtbl file, as mtbl_dump does. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const p = configureProgram(new Command("mtbl-dump"), io, packageVersion(import.meta.url))
    .description('Print the entries of an mtbl file, one "key" "value" line each (mtbl_dump)')
    .usage("[-s] [-x] [-k HEX] [-v HEX] [-K N] [-V N] FILE")
    .option("-s", "silent: read and check every entry, print nothing")
    .option("-x", "print keys and values as LEN:hh-hh-... hex")
    .option("-k <hex>", "only entries whose key starts with these bytes")
    .option("-v <hex>", "only entries whose value starts with these bytes")
    .option("-K <n>", "only entries whose key is at least N bytes")
    .option("-V <n>", "only entries whose value is at least N bytes")
    .argument("<file>", "mtbl file");
  p.parse(argv, { from: "user" });
  const o = p.opts<{ s?: boolean; x?: boolean; k?: string; v?: string; K?: string; V?: string }>();
  const file = p.args[0] as string;
  const kp = o.k !== undefined ? hexArg("-k", o.k) : null;
  const vp = o.v !== undefined ? hexArg("-v", o.v) : null;
  const kmin = o.K !== undefined ? minLen("-K", o.K) : 0;
  const vmin = o.V !== undefined ? minLen("-V", o.V) : 0;
  // every block's CRC32C checked (libmtbl's mtbl_dump does not: a damaged block would print garbage, exit 0)
  const r = openReader(file, { verifyChecksums: true });
  const out = new OutputWriter(io.stdout);
  const hex = o.x === true;
  // lines are written as bytes into a chunk handed to the stream whole (a new chunk after each:
  // the stream keeps the one it was given until it is written)
  let chunk = Buffer.allocUnsafe(CHUNK);
  let pos = 0;
  const send = (): Promise<void> | undefined => {
    const w = out.bytes(chunk.subarray(0, pos));
    pos = 0;
    return w;
  };
  let count = 0;
  try {
    const it = r.iter();
    while (it.next()) {
      count++;
      const k = it.key;
      const v = it.value;
      if (kp && !startsWith(k, kp)) continue;
      if (vp && !startsWith(v, vp)) continue;
      if (k.length < kmin || v.length < vmin || o.s) continue;
      const need = dumpLineMax(k.length, v.length);
      if (pos + need > chunk.length) {
        const w = pos > 0 ? send() : undefined;
        chunk = Buffer.allocUnsafe(Math.max(CHUNK, need));
        if (w) await w;
        if (out.closed) return 0;
      }
      pos = dumpLineInto(k, v, hex, chunk, pos);
    }
    if (pos > 0) send();
  } catch (e) {
    // what was read before the damage is printed, as the lines before it always were
    if (pos > 0) send();
    await out.end();
    if (isMtblError(e)) throw new CliError(`${file}: ${e.message}`);
    throw e;
  } finally {
    r.close();
  }
  await out.end();
  if (count !== r.metadata.countEntries) {
    throw new CliError(`${file}: error: read ${count} of ${r.metadata.countEntries} expected entries; file may be truncated or corrupt`);
  }
  return 0;
}
