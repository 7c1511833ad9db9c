import { closeSync, fchmodSync, fchownSync, openSync, readFileSync, type Stats, statSync, unlinkSync } from "node:fs";
import { finishAtomicWrite } from "@dnsrep/util";
import { messageOf } from "./errors.js";

/** Why a locked update could not start: another writer holds the lock, or the file system refused. */
export type LockedFileFailure = "busy" | "io";

/**
 * Change a file under its lock: the temporary file `FILE.tmp`, created exclusively, so two
 * commands never interleave their read-modify-write. `change` gets the file's text (null when it
 * does not exist yet) and returns the new text, which goes to the temporary file (flushed, with
 * the old file's mode and, as root, owner; a new file is 0600) and is renamed over the file, and
 * the directory flushed.
 * `what` names the commands in the message ("keys", "users"); `fail` makes the error thrown when the lock is held or a file cannot be read; what `change`
 * throws is rethrown as it is.
 */
export function updateLockedFile(
  path: string,
  what: string,
  change: (text: string | null) => string,
  fail: (why: LockedFileFailure, message: string) => Error,
): void {
  const temp = `${path}.tmp`;
  let fd: number;
  try {
    fd = openSync(temp, "wx", 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST")
      throw fail("busy", `${temp} exists: another ${what} command is changing ${path} (remove ${temp} if none is)`);
    throw fail("io", `${temp}: cannot create: ${messageOf(e)}`);
  }
  let next: string;
  try {
    let text: string | null = null;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw fail("io", `${path}: cannot read the ${what} file: ${messageOf(e)}`);
    }
    if (text !== null) keepOwnerAndMode(fd, path);
    next = change(text);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
    throw e;
  }
  finishAtomicWrite(fd, temp, path, next);
}

/**
 * Give the new file the old one's mode (and, when run as root, its owner), so a server running
 * as another user can still read it after a command run as root changed it.
 */
function keepOwnerAndMode(fd: number, path: string): void {
  let old: Stats;
  try {
    old = statSync(path);
  } catch {
    return;
  }
  fchmodSync(fd, old.mode & 0o777);
  if (process.getuid?.() === 0) fchownSync(fd, old.uid, old.gid);
}
