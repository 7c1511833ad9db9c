import { CliError, type CliIo } from "@dnsrep/cli";

/** nmsg-tool: not written yet. */
export async function run(_argv: string[], _io: CliIo): Promise<number> {
  throw new CliError("nmsg-tool is not implemented yet");
}
