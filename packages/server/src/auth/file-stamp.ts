import { statSync } from "node:fs";
import { messageOf } from "./errors.js";

/**
 * What tells a polled file's versions apart: device, inode, size and mtime (ns), or the error
 * that stat gives. An atomic rewrite (a new inode) changes it even within one mtime tick.
 */
export function fileStamp(path: string): string {
  try {
    const st = statSync(path, { bigint: true });
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`;
  } catch (e) {
    return `error:${(e as NodeJS.ErrnoException).code ?? messageOf(e)}`;
  }
}
