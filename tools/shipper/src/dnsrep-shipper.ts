import { CliError, type CliIo, configureProgram, packageVersion } from "@dnsrep/cli";
import { Command } from "commander";

/** dnsrep-shipper: the parse and run commands are being built (issue 26); only --help/--version work. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const p = configureProgram(new Command("dnsrep-shipper"), io, packageVersion(import.meta.url)).description(
    "collect domain ↔ address observations from logs and ship them to dnstable-server",
  );
  p.parse(argv, { from: "user" });
  throw new CliError("no command yet (parse and run are being built)");
}
