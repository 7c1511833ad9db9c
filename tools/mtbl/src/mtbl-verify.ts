import { CliError, type CliIo } from "@dnsrep/cli";

/** mtbl-verify: not written yet. */
export async function run(_argv: string[], _io: CliIo): Promise<number> {
  throw new CliError("mtbl-verify is not implemented yet");
}
