import { gunzipSync } from "node:zlib";
import { IngestError, IngestErrorCode } from "./errors.js";

/** The default limit of an ingest body, uncompressed (16 MiB). */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * An ingest request's body as text: `Content-Encoding` identity or gzip (decompressed with a
 * bound, so a small bomb cannot grow past `maxBytes`), then UTF-8. Throws IngestError TOO_LARGE
 * past the limit, UNSUPPORTED for another encoding, BAD_BATCH for a gzip stream that does not
 * decode or text that is not UTF-8.
 */
export function decodeBody(raw: Buffer, encoding: string | undefined, maxBytes: number): string {
  const enc = (encoding ?? "identity").trim().toLowerCase();
  let plain: Buffer;
  if (enc === "" || enc === "identity") plain = raw;
  else if (enc === "gzip" || enc === "x-gzip") {
    try {
      plain = gunzipSync(raw, { maxOutputLength: maxBytes + 1 });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError)
        throw new IngestError(IngestErrorCode.TOO_LARGE, `body larger than ${maxBytes} bytes uncompressed`);
      throw new IngestError(IngestErrorCode.BAD_BATCH, `body: not a valid gzip stream (${(e as Error).message})`);
    }
  } else throw new IngestError(IngestErrorCode.UNSUPPORTED, `Content-Encoding ${JSON.stringify(enc)} is not supported (identity or gzip)`);
  if (plain.length > maxBytes) throw new IngestError(IngestErrorCode.TOO_LARGE, `body larger than ${maxBytes} bytes uncompressed`);
  const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  try {
    return text.decode(plain);
  } catch {
    throw new IngestError(IngestErrorCode.BAD_BATCH, "body: not valid UTF-8");
  }
}
