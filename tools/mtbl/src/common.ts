import { CliError } from "@dnsrep/cli";
import { isMtblError, Reader, type ReaderOptions } from "@dnsrep/mtbl";

/** Open a reader, turning open/corruption failures into a one-line CliError (exit 1). */
export function openReader(path: string, opts: ReaderOptions = {}): Reader {
  try {
    return Reader.open(path, opts);
  } catch (e) {
    if (isMtblError(e)) throw new CliError(e.message.startsWith(path) ? e.message : `${path}: ${e.message}`);
    throw e;
  }
}
