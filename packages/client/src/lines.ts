import { ClientError, ClientErrorCode } from "./errors.js";

/** The longest line taken by default (1 MiB): an RRset of large records prints well under this. */
export const DEFAULT_MAX_LINE_BYTES = 1 << 20;

/**
 * The lines of a byte stream (without their `\n`; a `\r` before it is dropped), decoded as UTF-8,
 * in batches: the lines each chunk completes, so a consumer pays one async step per chunk rather
 * than per line. Memory is bounded: a line longer than `maxLineBytes` is an ERR_PROTOCOL error, so
 * a server that never sends a newline cannot grow the buffer. A last line without a newline is
 * given too.
 */
export async function* splitLineBatches(
  chunks: AsyncIterable<Uint8Array>,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
): AsyncGenerator<string[], void, undefined> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const parts: Uint8Array[] = [];
  let pending = 0;
  let lineNo = 0;
  const decode = (bytes: Uint8Array): string => {
    lineNo++;
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === 0x0d) end--;
    try {
      return decoder.decode(bytes.subarray(0, end));
    } catch {
      throw new ClientError(ClientErrorCode.PROTOCOL, `response line ${lineNo} is not UTF-8`);
    }
  };
  const tooLong = (): ClientError =>
    new ClientError(ClientErrorCode.PROTOCOL, `response line ${lineNo + 1} is longer than ${maxLineBytes} bytes`);
  for await (const chunk of chunks) {
    const batch: string[] = [];
    let start = 0;
    try {
      for (;;) {
        const nl = chunk.indexOf(0x0a, start);
        if (nl < 0) break;
        const piece = chunk.subarray(start, nl);
        if (pending + piece.length > maxLineBytes) throw tooLong();
        if (parts.length === 0) batch.push(decode(piece));
        else {
          parts.push(piece);
          batch.push(decode(concat(parts, pending + piece.length)));
          parts.length = 0;
          pending = 0;
        }
        start = nl + 1;
      }
    } catch (e) {
      // the lines before the bad one first
      if (batch.length > 0) yield batch;
      throw e;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      if (pending + rest.length > maxLineBytes) {
        if (batch.length > 0) yield batch;
        throw tooLong();
      }
      // the chunk may be reused by the producer: keep a copy of the part that waits
      parts.push(Uint8Array.from(rest));
      pending += rest.length;
    }
    if (batch.length > 0) yield batch;
  }
  if (pending > 0) yield [decode(concat(parts, pending))];
}

/** The lines of a byte stream one at a time (splitLineBatches, flattened). */
export async function* splitLines(
  chunks: AsyncIterable<Uint8Array>,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
): AsyncGenerator<string, void, undefined> {
  for await (const batch of splitLineBatches(chunks, maxLineBytes)) yield* batch;
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(length);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
