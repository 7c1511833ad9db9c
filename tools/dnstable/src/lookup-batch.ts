/**
 * dnstable-lookup -f: queries on stdin, one a line, each answered as the same query on the command
 * line would be (the same stdout, the same stderr lines), its answer block ended by a line `--`, and
 * written out before the next line is read — so a script can also keep one process open and ask as
 * it goes. The data is opened once for all of them.
 *
 * A line is a query's words as on the command line, separated by spaces or tabs: `rrset NAME [TYPE
 * [BAILIWICK]]`, `rdata name NAME [TYPE]`, `rdata ip ADDRESS`, `rdata raw HEX [TYPE]`, `time_range`,
 * `version [TYPE]`. Blank lines and lines starting with `#` are skipped (no block). A line that is
 * not a query, or that the data cannot take (a bad name or type), gets `dnstable-lookup: line N:
 * message` on stderr and an empty block, and the run goes on; it then exits 1. The options given
 * with -f apply to every query; -O and -t count per query. Damaged data ends the run (exit 1).
 */
import { type CliIo, OutputWriter, UsageError } from "@dnsrep/cli";
import { CorruptTally } from "./inputs.js";
import { answer, corruptFile, dumped, openSource } from "./lookup-query.js";
import { type LookupOptions, parseRequest } from "./lookup-request.js";

/** The lines of `input` as they arrive (UTF-8, without their line ends). */
async function* lines(input: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const dec = new TextDecoder();
  let rest = "";
  for await (const chunk of input) {
    rest += typeof chunk === "string" ? chunk : dec.decode(chunk, { stream: true });
    let nl = rest.indexOf("\n");
    while (nl >= 0) {
      yield rest.slice(0, nl).replace(/\r$/, "");
      rest = rest.slice(nl + 1);
      nl = rest.indexOf("\n");
    }
  }
  rest += dec.decode();
  if (rest.length > 0) yield rest.replace(/\r$/, "");
}

/** Answer every query line of stdin; the exit status. */
export async function lookupBatch(io: CliIo, o: LookupOptions): Promise<number> {
  const src = openSource(io, o.unaggregated);
  const out = new OutputWriter(io.stdout);
  const corrupt = new CorruptTally();
  let failed = false;
  let lineNo = 0;
  let file = src.fname;
  try {
    for await (const line of lines(io.stdin as AsyncIterable<Uint8Array | string>)) {
      lineNo++;
      const words = line.split(/[ \t]+/).filter((w) => w.length > 0);
      if (words.length === 0 || (words[0] as string).startsWith("#")) continue;
      try {
        const r = await answer(parseRequest(words, o), src, o, out, corrupt);
        // the block on stdout before its closing lines on stderr, as a single query has them
        await out.flush();
        dumped(io, o, r);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        failed = true;
        io.stderr.write(`dnstable-lookup: line ${lineNo}: ${e.message}\n`);
      }
      await out.text("--\n");
      await out.flush();
      if (out.closed) break;
    }
    file = corruptFile(src, corrupt);
  } finally {
    src.reader.close();
  }
  await out.end();
  const status = corrupt.finish(io, "dnstable-lookup", file);
  return failed ? 1 : status;
}
