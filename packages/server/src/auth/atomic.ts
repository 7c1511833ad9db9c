import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { tempPathFor } from "@dnsrep/util";

/**
 * Write `text` to `path` atomically: into a temporary file created exclusively (`wx`, so two
 * writers never share one), flushed to disk, then renamed over `path`. A reader sees the old
 * file or the new one, never a part. `temp` names the temporary file (default: beside `path`,
 * with a random suffix); on failure it is removed and the error rethrown.
 */
export function writeFileAtomic(path: string, text: string, temp?: string, mode = 0o600): void {
  const tmp = temp ?? tempPathFor(path);
  const fd = openSync(tmp, "wx", mode);
  try {
    writeTempFile(fd, text);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw e;
  }
}

/** Write, flush and close an open temporary file (closes it even on failure). */
export function writeTempFile(fd: number, text: string): void {
  try {
    const buf = Buffer.from(text, "utf8");
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
