import { aboutFile, CliError } from "@dnsrep/cli";
import { isMtblError, Reader, type ReaderOptions } from "@dnsrep/mtbl";

/** Open a reader, turning open/corruption failures into a one-line CliError (exit 1). */
export function openReader(path: string, opts: ReaderOptions = {}): Reader {
  try {
    return Reader.open(path, opts);
  } catch (e) {
    if (isMtblError(e)) throw new CliError(aboutFile(path, e.message));
    throw e;
  }
}
