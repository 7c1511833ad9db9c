import { CliError, type CliIo } from "@dnsrep/cli";

/** nmsg-dns-cache: not written yet. */
export async function run(_argv: string[], _io: CliIo): Promise<number> {
  throw new CliError("nmsg-dns-cache is not implemented yet");
}
