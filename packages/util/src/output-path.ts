/**
 * Where a writer that replaces its output atomically (a temporary file renamed into place) should
 * put it. A regular file, or one behind symbolic links, is replaced through the links (the links
 * stay); a path that does not exist yet is created. Anything else that exists (a character device
 * such as /dev/null, a FIFO, a socket) is written in place, as it is: renaming a file over it would
 * destroy it. A directory is an error.
 */
import { lstatSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

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
