/**
 * NMSG file helpers: read payloads from a path, and write payloads to a path
 * through a temporary file that is renamed into place on close.
 */
import { createReadStream } from "node:fs";
import { type FileHandle, open, rename, unlink } from "node:fs/promises";
import { outputTarget, tempPathFor } from "@dnsrep/util";
import type { NmsgPayload } from "./payload.js";
import { type ReadOptions, readPayloads } from "./reader.js";
import { NmsgWriter, type WriterOptions } from "./writer.js";

/** Stream the payloads of an NMSG file (bounded memory). */
export function readNmsgFile(path: string, opts: ReadOptions = {}): AsyncGenerator<NmsgPayload> {
  return readPayloads(createReadStream(path, { highWaterMark: 1 << 20 }), opts);
}

/** A payload sink backed by a file; nothing appears at `path` until close(). */
export interface NmsgFileWriter {
  write(p: NmsgPayload): Promise<void>;
  /** flush the last container, then rename the temporary file into place */
  close(): Promise<void>;
  /** drop the temporary file; `path` is left untouched */
  abort(): Promise<void>;
  readonly writer: NmsgWriter;
}

/** Open an NMSG file for writing (containers sized like nmsgtool -w: 1 MiB unless `bufsz`). */
export async function createNmsgFileWriter(path: string, opts: WriterOptions = {}): Promise<NmsgFileWriter> {
  // a regular file is replaced by renaming a finished temp file onto it (through any symlinks); a
  // device or FIFO (/dev/null, a named pipe) is written in place, never replaced
  const target = outputTarget(path);
  const tmp = target.inPlace ? target.path : tempPathFor(target.path);
  const fh: FileHandle = await open(tmp, target.inPlace ? "w" : "wx");
  let done = false;
  const writer = new NmsgWriter(async (c) => {
    let off = 0;
    while (off < c.length) off += (await fh.write(c, off, c.length - off)).bytesWritten;
  }, opts);
  const finish = async (keep: boolean): Promise<void> => {
    if (done) return;
    done = true;
    try {
      if (keep) await writer.close();
    } finally {
      await fh.close();
      if (!target.inPlace) {
        if (keep) await rename(tmp, target.path);
        else await unlink(tmp).catch(() => undefined);
      }
    }
  };
  return {
    writer,
    write: async (p) => {
      await writer.write(p);
    },
    close: () =>
      finish(true).catch(async (e: unknown) => {
        if (!target.inPlace) await unlink(tmp).catch(() => undefined);
        throw e;
      }),
    abort: () => finish(false),
  };
}

/** Write every payload to `path` (temp file renamed into place); returns the payload count. */
export async function writeNmsgFile(
  path: string,
  payloads: Iterable<NmsgPayload> | AsyncIterable<NmsgPayload>,
  opts: WriterOptions = {},
): Promise<number> {
  const w = await createNmsgFileWriter(path, opts);
  let n = 0;
  try {
    for await (const p of payloads) {
      await w.write(p);
      n++;
    }
  } catch (e) {
    await w.abort();
    throw e;
  }
  await w.close();
  return n;
}
