import { type CliIo, configureProgram, packageVersion, UsageError } from "@dnsrep/cli";
import { Command } from "commander";

/**
 * dnsrep-shipper: a thin dispatcher; each command lives in its own module, loaded when used.
 *   parse  — logs → aggregated observations as JSON lines (parse.ts)
 *   run    — tail logs and ship observations to dnstable-server (run.ts)
 */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const cmd = argv[0];
  if (cmd === "parse") {
    const { runParse } = await import("./parse.js");
    return runParse(argv.slice(1), io);
  }
  if (cmd === "run") {
    const { runRun } = await import("./run.js");
    return runRun(argv.slice(1), io);
  }
  const p = configureProgram(new Command("dnsrep-shipper"), io, packageVersion(import.meta.url))
    .description("collect domain ↔ address observations from logs and ship them to dnstable-server")
    .usage(
      "COMMAND [options]\n       dnsrep-shipper parse --format FORMAT [options] FILE...|-\n       dnsrep-shipper run [--config FILE] [options] [FILE|GLOB...]",
    )
    .addHelpText(
      "after",
      "\nCommands:\n  parse   parse logs into observations (JSON lines); see `dnsrep-shipper parse --help`\n  run     tail logs and ship observations to dnstable-server; see `dnsrep-shipper run --help`\n",
    )
    .argument("[command]");
  p.parse(argv, { from: "user" });
  throw new UsageError(cmd === undefined ? "no command given (parse, run)" : `unknown command "${cmd}" (parse, run)`);
}
