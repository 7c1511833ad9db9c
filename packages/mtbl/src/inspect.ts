/** The text mtbl_dump, mtbl_info and mtbl_verify print, and the verification walk. */
import { decodeVarint64, latin1String, type VarintCursor } from "@dnsrep/util";
import { compressionName } from "./compression.js";
import { isMtblError } from "./errors.js";
import { FORMAT_V1 } from "./metadata.js";
import type { Reader } from "./reader.js";

const HEX = "0123456789abcdef";

/** the byte of each hex digit */
const HEX_BYTE = Uint8Array.from(HEX, (c) => c.charCodeAt(0));

/**
 * libmy print_string into `out` at `pos`: quoted, isprint bytes literal, `"` as `\"`, others
 * `\xNN` (backslash is not escaped). Returns the position after it; `out` needs 4 bytes a byte + 2.
 */
function quoteInto(b: Uint8Array, out: Uint8Array, pos: number): number {
  let o = pos;
  out[o++] = 0x22;
  for (let i = 0; i < b.length; i++) {
    const c = b[i] as number;
    if (c === 0x22) {
      out[o++] = 0x5c;
      out[o++] = 0x22;
    } else if (c >= 0x20 && c < 0x7f) out[o++] = c;
    else {
      out[o++] = 0x5c;
      out[o++] = 0x78;
      out[o++] = HEX_BYTE[c >> 4] as number;
      out[o++] = HEX_BYTE[c & 15] as number;
    }
  }
  out[o++] = 0x22;
  return o;
}

/** mtbl_dump -x into `out` at `pos`: 8-digit hex length, colon, dash-separated hex bytes. Needs 3 bytes a byte + 9. */
function hexInto(b: Uint8Array, out: Uint8Array, pos: number): number {
  let o = pos;
  const n = b.length;
  for (let shift = 28; shift >= 0; shift -= 4) out[o++] = HEX_BYTE[(n >>> shift) & 15] as number;
  out[o++] = 0x3a;
  for (let i = 0; i < n; i++) {
    if (i > 0) out[o++] = 0x2d;
    const c = b[i] as number;
    out[o++] = HEX_BYTE[c >> 4] as number;
    out[o++] = HEX_BYTE[c & 15] as number;
  }
  return o;
}

/** The most bytes dumpLineInto writes for a key and value of these lengths. */
export function dumpLineMax(keyLength: number, valueLength: number): number {
  return 4 * (keyLength + valueLength) + 20;
}

/**
 * One mtbl_dump output line (with newline) written as bytes (ASCII) into `out` at `pos`, which has
 * room for dumpLineMax of the lengths; returns the position after it. What a dump writes per
 * entry, with no string in between.
 */
export function dumpLineInto(key: Uint8Array, value: Uint8Array, hex: boolean, out: Uint8Array, pos: number): number {
  const field = hex ? hexInto : quoteInto;
  let o = field(key, out, pos);
  out[o++] = 0x20;
  o = field(value, out, o);
  out[o++] = 0x0a;
  return o;
}

/** One mtbl_dump output line (with newline), as text. */
export function formatDumpLine(key: Uint8Array, value: Uint8Array, hex = false): string {
  const out = new Uint8Array(dumpLineMax(key.length, value.length));
  return latin1String(out, 0, dumpLineInto(key, value, hex, out, 0));
}

function pct(n: number): string {
  return Number.isFinite(n) ? n.toFixed(2) : n > 0 ? "inf" : "-nan";
}

/** mtbl_info's block for one file, as printed under LC_ALL=C. */
export function formatInfo(name: string, r: Reader): string {
  const m = r.metadata;
  const size = r.fileSize;
  return (
    `file name:             ${name}\n` +
    `file size:             ${size}\n` +
    `index block offset:    ${m.indexBlockOffset}\n` +
    `index bytes:           ${m.bytesIndexBlock} (${pct((100 * m.bytesIndexBlock) / size)}%)\n` +
    `data block bytes       ${m.bytesDataBlocks} (${pct((100 * m.bytesDataBlocks) / size)}%)\n` +
    `data block size:       ${m.dataBlockSize}\n` +
    `data block count       ${m.countDataBlocks}\n` +
    `entry count:           ${m.countEntries}\n` +
    `key bytes:             ${m.bytesKeys}\n` +
    `value bytes:           ${m.bytesValues}\n` +
    `compression algorithm: ${compressionName(m.compressionAlgorithm)}\n` +
    `compactness:           ${pct((100 * size) / (m.bytesKeys + m.bytesValues))}%\n` +
    "\n"
  );
}

/**
 * Walk every data block in file order checking its framing and CRC32C (as
 * mtbl_verify does), then decode every entry and compare the count with the
 * trailer. Returns null when the file is sound, or a one-line reason.
 */
export function verifyFile(r: Reader): string | null {
  const m = r.metadata;
  try {
    const dataOffset = m.indexBlockOffset - m.bytesDataBlocks;
    if (dataOffset < 0) return "data block bytes exceed the index offset";
    let offset = dataOffset;
    let n = 0;
    for (const off of r.blockOffsets()) {
      if (off !== offset) return `index points at offset ${off}, expected a block at ${offset}`;
      r.block(off, true); // throws ERR_CHECKSUM / ERR_CORRUPTION / ERR_DECOMPRESSION
      n++;
      offset = nextBlockOffset(r, off, m.fileVersion);
    }
    if (n !== m.countDataBlocks) return `index lists ${n} data blocks, trailer says ${m.countDataBlocks}`;
    if (offset !== m.indexBlockOffset) return "data blocks do not end at the index block";
    let count = 0;
    const it = r.iter();
    while (it.next()) count++;
    if (count !== m.countEntries) return `read ${count} of ${m.countEntries} expected entries`;
    return null;
  } catch (e) {
    if (isMtblError(e)) return e.message;
    throw e;
  }
}

function nextBlockOffset(r: Reader, off: number, version: number): number {
  const b = r.rawFrame(off);
  const c: VarintCursor = { value: 0, pos: 0 };
  if (version === FORMAT_V1) return off + 8 + ((b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0);
  decodeVarint64(b, 0, b.length, c);
  return off + c.pos + 4 + c.value;
}
