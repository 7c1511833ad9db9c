import { CliError, type CliIo } from "@dnsrep/cli";

/** nmsg-sensor: not written yet. */
export async function run(_argv: string[], _io: CliIo): Promise<number> {
  throw new CliError("nmsg-sensor is not implemented yet");
}
