/** What the nmsg-sensor tests share: running the tool in-process, and reading its NMSG output back. */
import { memoryIo, runCommand } from "@dnsrep/cli";
import { type NmsgPayload, readPayloads } from "@dnsrep/nmsg";
import { run } from "../src/nmsg-sensor.js";

/** Run nmsg-sensor in-process (as its bin does): exit status, stdout bytes, stderr. */
export async function sensor(
  argv: string[],
  stdin: Uint8Array | string = "",
  env: Record<string, string> = {},
): Promise<{ rc: number; out: Uint8Array; err: string }> {
  const io = memoryIo(stdin, { ...env });
  const rc = await runCommand("nmsg-sensor", run, argv, io);
  return { rc, out: io.outBytes(), err: io.err() };
}

/** The payloads of an NMSG stream held in memory. */
export async function payloadsOf(bytes: Uint8Array): Promise<NmsgPayload[]> {
  const out: NmsgPayload[] = [];
  for await (const p of readPayloads(
    (async function* () {
      yield bytes;
    })(),
  ))
    out.push(p);
  return out;
}
