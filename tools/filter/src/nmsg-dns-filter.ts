import { CliError, type CliIo } from "@dnsrep/cli";

/** nmsg-dns-filter: not written yet. */
export async function run(_argv: string[], _io: CliIo): Promise<number> {
  throw new CliError("nmsg-dns-filter is not implemented yet");
}
