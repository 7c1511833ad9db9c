import { aboutFile, CliError, errorLine, isSystemError } from "@dnsrep/cli";
import { isMtblError, Reader, type ReaderOptions } from "@dnsrep/mtbl";

/**
 * Open an mtbl input for a tool (the mtbl tools and the dnstable tools): anything that goes wrong
 * opening it or reading its trailer and index is a one-line CliError (exit 1) naming the file once.
 */
export function openReader(path: string, opts: ReaderOptions = {}): Reader {
  try {
    return Reader.open(path, opts);
  } catch (e) {
    if (isMtblError(e) || isSystemError(e)) throw new CliError(aboutFile(path, errorLine(e)));
    throw e;
  }
}
