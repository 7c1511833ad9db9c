import { type CliIo, configureProgram, packageVersion } from "@dnsrep/cli";
import { isMtblError, Reader, verifyFile } from "@dnsrep/mtbl";
import { Command } from "commander";

/** mtbl-verify: check every block's CRC32C and framing; "FILE: OK" or "FILE: FAILED". */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const p = configureProgram(new Command("mtbl-verify"), io, packageVersion(import.meta.url))
    .description("Verify the data blocks (framing, CRC32C, decoding) of mtbl files (mtbl_verify)")
    .option("-p", "accepted for compatibility (progress lines)")
    .argument("<file...>", "mtbl files");
  p.parse(argv, { from: "user" });
  let failed = 0;
  for (const f of p.args) {
    let reason: string | null;
    let r: Reader | null = null;
    try {
      r = Reader.open(f, { verifyChecksums: true });
      reason = verifyFile(r);
    } catch (e) {
      if (!isMtblError(e)) throw e;
      reason = e.message;
    } finally {
      r?.close();
    }
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
