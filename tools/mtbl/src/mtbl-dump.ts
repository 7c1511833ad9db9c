import { CliError, type CliIo } from "@dnsrep/cli";

/** mtbl-dump: not written yet. */
export async function run(_argv: string[], _io: CliIo): Promise<number> {
  throw new CliError("mtbl-dump is not implemented yet");
}
