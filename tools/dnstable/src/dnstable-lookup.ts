import { CliError, type CliIo } from "@dnsrep/cli";

/** dnstable-lookup: not written yet. */
export async function run(_argv: string[], _io: CliIo): Promise<number> {
  throw new CliError("dnstable-lookup is not implemented yet");
}
