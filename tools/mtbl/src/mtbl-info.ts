import { type CliIo, configureProgram, packageVersion } from "@dnsrep/cli";
import { formatInfo, verifyFile } from "@dnsrep/mtbl";
import { Command } from "commander";
import { openReader } from "./open-reader.js";

/**
 * mtbl-info: print the metadata of mtbl files, as mtbl_info does (LC_ALL=C formatting). That reads
 * the trailer and the index only; with --verify every data block is read and checked too (its
 * CRC32C, framing and entries, as mtbl-verify does), and a damaged file is named on stderr (exit 1).
 */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const p = configureProgram(new Command("mtbl-info"), io, packageVersion(import.meta.url))
    .description("Print the metadata trailer of each mtbl file (mtbl_info)")
    .option("--verify", "also read every data block and check its CRC32C (exit 1 naming a damaged file)")
    .argument("<file...>", "mtbl files");
  p.parse(argv, { from: "user" });
  const verify = p.opts<{ verify?: boolean }>().verify === true;
  let damaged = 0;
  for (const f of p.args) {
    const r = openReader(f, verify ? { verifyChecksums: true } : {});
    try {
      io.stdout.write(formatInfo(f, r));
      const why = verify ? verifyFile(r) : null;
      if (why !== null) {
        io.stderr.write(`mtbl-info: ${f}: ${why}\n`);
        damaged++;
      }
    } finally {
      r.close();
    }
  }
  return damaged > 0 ? 1 : 0;
}
