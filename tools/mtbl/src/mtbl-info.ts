import { CliError, type CliIo } from "@dnsrep/cli";

/** mtbl-info: not written yet. */
export async function run(_argv: string[], _io: CliIo): Promise<number> {
  throw new CliError("mtbl-info is not implemented yet");
}
