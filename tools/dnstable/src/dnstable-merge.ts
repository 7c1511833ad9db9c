import { CliError, type CliIo } from "@dnsrep/cli";

/** dnstable-merge: not written yet. */
export async function run(_argv: string[], _io: CliIo): Promise<number> {
  throw new CliError("dnstable-merge is not implemented yet");
}
