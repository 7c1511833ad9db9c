import { open } from "node:fs/promises";
import type { CliIo } from "./io.js";

/**
 * Read a file (or stdin for "-") as chunks that all live in ONE buffer, read into again for each
 * chunk: a chunk is valid only until the loop asks for the next one. For readers that parse each
 * chunk before going on (copying what they keep), this keeps a long run's memory at one buffer:
 * a stream of fresh 1 MiB Buffers is freed only by the garbage collector, whose old-space
 * collections they trigger and whose peak they set. stdin is read as it comes (fresh chunks).
 * Errors are the file system's (ENOENT …), thrown by the first iteration.
 */
export async function* openInputReused(path: string, io: CliIo, size = 1 << 20): AsyncGenerator<Uint8Array> {
  if (path === "-") {
    yield* io.stdin as AsyncIterable<Uint8Array>;
    return;
  }
  const fh = await open(path, "r");
  try {
    const buf = new Uint8Array(size);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, size, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
