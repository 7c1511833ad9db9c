import { closeSync, fchmodSync, fchownSync, openSync, readFileSync, renameSync, type Stats, statSync, unlinkSync } from "node:fs";
import { writeTempFile } from "../auth/atomic.js";
import { messageOf } from "../auth/errors.js";
import { UiError } from "./errors.js";

/**
 * Change a file under its lock: the temporary file `FILE.tmp`, created exclusively, so two
 * commands never interleave their read-modify-write. `change` gets the file's text (null when it
 * does not exist yet) and returns the new text, which goes to the temporary file (flushed, with
 * the old file's mode and, as root, owner; a new file is 0600) and is renamed over the file.
 */
export function updateLockedFile(path: string, change: (text: string | null) => string): void {
  const temp = `${path}.tmp`;
  let fd: number;
  try {
    fd = openSync(temp, "wx", 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST")
      throw new UiError("ERR_BUSY", `${temp} exists: another command is changing ${path} (remove ${temp} if none is)`);
    throw new UiError("ERR_USERS_FILE", `${temp}: cannot create: ${messageOf(e)}`);
  }
  let written = false;
  try {
    let text: string | null = null;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new UiError("ERR_USERS_FILE", `${path}: cannot read: ${messageOf(e)}`);
    }
    if (text !== null) keepOwnerAndMode(fd, path);
    const next = change(text);
    written = true;
    writeTempFile(fd, next);
    renameSync(temp, path);
  } catch (e) {
    if (!written) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
    throw e;
  }
}

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
