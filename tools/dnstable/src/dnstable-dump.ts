import { CliError, type CliIo } from "@dnsrep/cli";

/** dnstable-dump: not written yet. */
export async function run(_argv: string[], _io: CliIo): Promise<number> {
  throw new CliError("dnstable-dump is not implemented yet");
}
