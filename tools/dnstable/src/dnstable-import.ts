import { CliError, type CliIo } from "@dnsrep/cli";

/** dnstable-import: not written yet. */
export async function run(_argv: string[], _io: CliIo): Promise<number> {
  throw new CliError("dnstable-import is not implemented yet");
}
