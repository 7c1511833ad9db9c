import { CliError, type CliIo } from "@dnsrep/cli";

/** mtbl-merge: not written yet. */
export async function run(_argv: string[], _io: CliIo): Promise<number> {
  throw new CliError("mtbl-merge is not implemented yet");
}
