import { writeSync } from "node:fs";

/** Write all of `b` to `fd` synchronously (a short write is continued where it stopped). */
export function writeAllSync(fd: number, b: Uint8Array): void {
  for (let from = 0; from < b.length; ) from += writeSync(fd, b, from, b.length - from);
}
