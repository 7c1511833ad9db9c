import { CliError, type CliIo, configureProgram, packageVersion } from "@dnsrep/cli";
import { Command } from "commander";
import { runRun } from "./run.js";

/** The subcommands: each its own module with a run(argv, io). */
const COMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = {
  run: runRun,
};

/** dnsrep-shipper: dispatches to a subcommand (parse, run). */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const sub = argv[0] !== undefined ? COMMANDS[argv[0]] : undefined;
  if (sub && Object.hasOwn(COMMANDS, argv[0] as string)) return sub(argv.slice(1), io);
  const p = configureProgram(new Command("dnsrep-shipper"), io, packageVersion(import.meta.url))
    .description("collect domain ↔ address observations from logs and ship them to dnstable-server")
    .usage("COMMAND [options]")
    .addHelpText("after", "\nCommands:\n  run     tail logs and ship observations to dnstable-server (see run --help)\n");
  p.parse(argv, { from: "user" });
  throw new CliError(`unknown command: ${argv[0] ?? "(none)"} (commands: ${Object.keys(COMMANDS).join(", ")})`, 2);
}
