import { type CliIo, configureProgram, packageVersion } from "@dnsrep/cli";
import { formatInfo } from "@dnsrep/mtbl";
import { Command } from "commander";
import { openReader } from "./common.js";

/** mtbl-info: print the metadata of mtbl files, as mtbl_info does (LC_ALL=C formatting). */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const p = configureProgram(new Command("mtbl-info"), io, packageVersion(import.meta.url))
    .description("Print the metadata trailer of each mtbl file (mtbl_info)")
    .argument("<file...>", "mtbl files");
  p.parse(argv, { from: "user" });
  for (const f of p.args) {
    const r = openReader(f);
    try {
      io.stdout.write(formatInfo(f, r));
    } finally {
      r.close();
    }
  }
  return 0;
}
