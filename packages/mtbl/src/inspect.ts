/** The text mtbl_dump, mtbl_info and mtbl_verify print, and the verification walk. */
import { decodeVarint64, type VarintCursor } from "@dnsrep/util";
import { compressionName } from "./compression.js";
import { isMtblError } from "./errors.js";
import { FORMAT_V1 } from "./metadata.js";
import type { Reader } from "./reader.js";

const HEX = "0123456789abcdef";

/** libmy print_string: quoted, isprint bytes literal, `"` as `\"`, others `\xNN` (backslash is not escaped). */
export function quoteBytes(b: Uint8Array): string {
  let s = '"';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x22) s += '\\"';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\x${HEX[c >> 4]}${HEX[c & 15]}`;
  }
  return `${s}"`;
}

/** mtbl_dump -x: 8-digit hex length, colon, dash-separated hex bytes. */
export function hexBytes(b: Uint8Array): string {
  const parts = new Array<string>(b.length);
  for (let i = 0; i < b.length; i++) parts[i] = HEX[b[i]! >> 4]! + HEX[b[i]! & 15]!;
  return `${b.length.toString(16).padStart(8, "0")}:${parts.join("-")}`;
}

/** One mtbl_dump output line (with newline). */
export function formatDumpLine(key: Uint8Array, value: Uint8Array, hex = false): string {
  return hex ? `${hexBytes(key)} ${hexBytes(value)}\n` : `${quoteBytes(key)} ${quoteBytes(value)}\n`;
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
