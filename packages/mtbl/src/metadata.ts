/**
 * The 512-byte metadata trailer at the end of every mtbl file:
 * nine little-endian uint64 fields, zero padding, and an LE32 magic in the
 * last four bytes (0x4D54424C "LBTM" for format V2, 0x77846676 for V1).
 */
import { corruption } from "./errors.js";

export const METADATA_SIZE = 512;
export const MAGIC_V1 = 0x77846676;
export const MAGIC_V2 = 0x4d54424c;
export const FORMAT_V1 = 1;
export const FORMAT_V2 = 2;

export interface Metadata {
  fileVersion: number;
  indexBlockOffset: number;
  dataBlockSize: number;
  compressionAlgorithm: number;
  countEntries: number;
  countDataBlocks: number;
  bytesDataBlocks: number;
  bytesIndexBlock: number;
  bytesKeys: number;
  bytesValues: number;
}

function readU64(dv: DataView, off: number): number {
  const lo = dv.getUint32(off, true);
  const hi = dv.getUint32(off + 4, true);
  if (hi >= 0x200000) throw corruption(`metadata field at ${off} exceeds 2^53`);
  return hi * 0x100000000 + lo;
}

/** Parse a trailer (exactly 512 bytes). */
export function parseMetadata(t: Uint8Array): Metadata {
  if (t.length !== METADATA_SIZE) throw corruption("short metadata trailer");
  const dv = new DataView(t.buffer, t.byteOffset, t.byteLength);
  const magic = dv.getUint32(METADATA_SIZE - 4, true);
  let fileVersion: number;
  if (magic === MAGIC_V2) fileVersion = FORMAT_V2;
  else if (magic === MAGIC_V1) fileVersion = FORMAT_V1;
  else throw corruption(`bad magic 0x${magic.toString(16).padStart(8, "0")} (not an mtbl file)`);
  return {
    fileVersion,
    indexBlockOffset: readU64(dv, 0),
    dataBlockSize: readU64(dv, 8),
    compressionAlgorithm: readU64(dv, 16),
    countEntries: readU64(dv, 24),
    countDataBlocks: readU64(dv, 32),
    bytesDataBlocks: readU64(dv, 40),
    bytesIndexBlock: readU64(dv, 48),
    bytesKeys: readU64(dv, 56),
    bytesValues: readU64(dv, 64),
  };
}

/** Serialize a V2 trailer. */
export function writeMetadata(m: Omit<Metadata, "fileVersion">): Uint8Array {
  const t = new Uint8Array(METADATA_SIZE);
  const dv = new DataView(t.buffer);
  const fields = [
    m.indexBlockOffset,
    m.dataBlockSize,
    m.compressionAlgorithm,
    m.countEntries,
    m.countDataBlocks,
    m.bytesDataBlocks,
    m.bytesIndexBlock,
    m.bytesKeys,
    m.bytesValues,
  ];
  fields.forEach((v, i) => {
    dv.setUint32(i * 8, v >>> 0, true);
    dv.setUint32(i * 8 + 4, Math.floor(v / 0x100000000), true);
  });
  dv.setUint32(METADATA_SIZE - 4, MAGIC_V2, true);
  return t;
}
