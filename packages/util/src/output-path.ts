/**
 * Where a writer that replaces its output atomically (a temporary file renamed into place) should
 * put it. A regular file, or one behind symbolic links, is replaced through the links (the links
 * stay); a path that does not exist yet is created. Anything else that exists (a character device
 * such as /dev/null, a FIFO, a socket) is written in place, as it is: renaming a file over it would
 * destroy it. A directory is an error.
 */
import { lstatSync, openSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

export interface OutputTarget {
  /** the path to write (inPlace) or to rename the finished temporary file onto */
  path: string;
  /** write straight to `path`: it is a device, FIFO or socket */
  inPlace: boolean;
}

export function outputTarget(path: string): OutputTarget {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    // nothing there, or a link to nothing: create what the link names
    try {
      if (lstatSync(path).isSymbolicLink()) return { path: resolve(dirname(path), readlinkSync(path)), inPlace: false };
    } catch {}
    return { path, inPlace: false };
  }
  if (st.isDirectory()) throw Object.assign(new Error(`${path}: is a directory`), { code: "EISDIR" });
  if (!st.isFile()) return { path, inPlace: true };
  return { path: realpathSync(path), inPlace: false };
}

let tempSerial = 0;

/**
 * A temporary path beside `path` for writing its replacement: hidden (`.NAME.PID.N.RANDOM.tmp`),
 * in the same directory so the rename is atomic, and unique to this process and call.
 */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${++tempSerial}.${Math.random().toString(36).slice(2, 8)}.tmp`);
}

/**
 * Open where the output for `target` is written: the target itself when it is written in place
 * (`temp` is ""), else a new temporary file beside it, created exclusively (`wx`: never a file
 * another writer has open) with `mode`, to be renamed onto `target.path` when complete.
 */
export function openOutput(target: OutputTarget, mode = 0o644): { fd: number; temp: string } {
  if (target.inPlace) return { fd: openSync(target.path, "w"), temp: "" };
  const temp = tempPathFor(target.path);
  return { fd: openSync(temp, "wx", mode), temp };
}
