import { type CliIo, configureProgram, isSystemError, packageVersion } from "@dnsrep/cli";
import { isMtblError, Reader, verifyDataBlocks, verifyFile } from "@dnsrep/mtbl";
import { Command } from "commander";

/**
 * mtbl-verify: what mtbl_verify checks — the trailer, the index block's CRC32C, and every stored
 * data block's length and CRC32C, walked in file order without decompressing anything — printing
 * "FILE: OK" or "FILE: FAILED". With --deep it also decompresses every block, checks the index
 * against the blocks and counts the entries against the trailer.
 */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const p = configureProgram(new Command("mtbl-verify"), io, packageVersion(import.meta.url))
    .description("Verify the data blocks (framing and CRC32C) of mtbl files (mtbl_verify)")
    .option("-p", "print a progress line every 10,000 blocks (as mtbl_verify -p)")
    .option("--deep", "also decompress every block and check the index and the entry count")
    .argument("<file...>", "mtbl files");
  p.parse(argv, { from: "user" });
  const o = p.opts<{ p?: boolean; deep?: boolean }>();
  let failed = 0;
  for (const f of p.args) {
    const reason = verifyOne(f, o.deep === true, o.p === true ? io : null);
    if (reason === null) io.stdout.write(`${f}: OK\n`);
    else {
      io.stderr.write(`${f}: Error: ${reason}\n`);
      io.stdout.write(`${f}: FAILED\n`);
      failed++;
    }
  }
  if (failed > 0) {
    io.stderr.write(`mtbl-verify: WARNING: ${failed} file${failed > 1 ? "s" : ""} did NOT successfully verify\n`);
    return 1;
  }
  return 0;
}

/** Null when `f` verifies, else why not. */
function verifyOne(f: string, deep: boolean, progressTo: CliIo | null): string | null {
  let r: Reader | null = null;
  try {
    r = Reader.open(f, { verifyChecksums: true });
    const progress = progressTo
      ? (n: number, total: number): void => {
          progressTo.stdout.write(`${f}: ${n} out of ${total} blocks (${((100 * n) / total).toFixed(2)}%) OK\n`);
        }
      : undefined;
    const reason = verifyDataBlocks(f, r.metadata, progress ? { progress } : {});
    if (reason !== null || !deep) return reason;
    return verifyFile(r);
  } catch (e) {
    if (isMtblError(e)) return e.message;
    if (isSystemError(e)) return e.message;
    throw e;
  } finally {
    r?.close();
  }
}
