/**
 * The writer flags of the tools that write mtbl files (mtbl-merge, dnstable-merge, dnstable-import):
 * `-c CODEC`, `-l LEVEL`, `-b BLOCKSIZE`, declared and parsed once, bad values usage errors (exit 2).
 */
import { parseIntOption, parseOption } from "@dnsrep/cli";
import { type CompressionName, levelRange, parseCompression } from "@dnsrep/mtbl";
import type { Command } from "commander";

/** Declare `-c` (default zlib) and `-l`. */
export function addCodecOptions(p: Command): Command {
  return p
    .option("-c <codec>", "compression: none, snappy, zlib, lz4, lz4hc, zstd", "zlib")
    .option("-l <level>", "compression level (zlib -1..9, zstd 1..22; others take none)");
}

/** The codec of `-c` and, when `-l` is given, its level. */
export interface CodecFlags {
  compression: CompressionName;
  level?: number;
}

/** Parse `-c` and `-l`: an unknown codec, or a level outside what the codec takes, is a usage error (it was clamped); a codec without levels ignores it. */
export function parseCodecFlags(c: string, l: string | undefined): CodecFlags {
  const compression = parseOption("-c", c, parseCompression);
  return l !== undefined ? { compression, level: parseIntOption(`-l (${compression})`, l, ...levelRange(compression)) } : { compression };
}

/** One `-b` block size in bytes, from `min` to 1 GiB. */
export function parseBlockSize(text: string, min = 1): number {
  return parseIntOption("-b", text, min, 1 << 30);
}
