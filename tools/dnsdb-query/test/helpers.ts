import { memoryIo } from "@dnsrep/cli";
import { run } from "../src/dnsdb-query.js";

/** Run dnsdb-query in-process against a server: exit status, stdout, stderr. */
export async function query(
  url: string,
  args: string[],
  stdin = "",
  env: Record<string, string> = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  const io = memoryIo(stdin, { HOME: "/nonexistent", TZ: "UTC", DNSDB_SERVER: url, DNSDB_API_KEY: "no-auth", ...env });
  let status: number;
  try {
    status = await run(args, io);
  } catch (e) {
    // what runCommand does for the bin: one line, the error's exit status
    const { errorLine, exitCodeOf } = await import("@dnsrep/cli");
    io.stderr.write(`dnsdb-query: ${errorLine(e)}\n`);
    status = exitCodeOf(e);
  }
  return { status, stdout: io.out(), stderr: io.err() };
}

export { type LookupCase as Case, lookupCases as cases, lookupOut } from "../../../test/lookup-cases.js";
