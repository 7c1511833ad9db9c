import { readFileSync } from "node:fs";
import { memoryIo } from "@dnsrep/cli";
import { vectorPath } from "../../../test/vectors.js";
import { run as lookup } from "../../dnstable/src/dnstable-lookup.js";
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

/** A dnstable-lookup vector case. */
export interface Case {
  id: string;
  data: string;
  setfile: boolean;
  args: string[];
}

export const cases: Case[] = readFileSync(vectorPath("lookup/cases.tsv"), "utf8")
  .split("\n")
  .slice(1)
  .filter((l) => l.trim().length > 0)
  .map((l) => {
    const [id, env, args] = l.split("\t") as [string, string, string];
    const e = JSON.parse(env) as Record<string, string>;
    return {
      id,
      data: (e.DNSTABLE_SETFILE ?? e.DNSTABLE_FNAME) as string,
      setfile: e.DNSTABLE_SETFILE !== undefined,
      args: JSON.parse(args) as string[],
    };
  });

/** dnstable-lookup's stdout for a case (its exit status must be 0). */
export async function lookupOut(c: Case, args: string[]): Promise<string> {
  const env = c.setfile ? { DNSTABLE_SETFILE: vectorPath(c.data) } : { DNSTABLE_FNAME: vectorPath(c.data) };
  const io = memoryIo("", env);
  const rc = await lookup(args, io);
  if (rc !== 0) throw new Error(`dnstable-lookup ${args.join(" ")}: ${rc}: ${io.err()}`);
  return io.out();
}
