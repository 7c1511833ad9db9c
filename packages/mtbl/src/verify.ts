/**
 * The block walk mtbl_verify does: every stored data block's CRC32C, in file order, without
 * decompressing anything. The file is read sequentially in large chunks (libmtbl maps it); a block
 * that straddles two chunks is checksummed incrementally, so memory stays at one chunk whatever a
 * block's size. The trailer and the index block are checked by opening the Reader (which always
 * verifies the index block's CRC32C).
 */
import { closeSync, openSync, readSync } from "node:fs";
import { Crc32c, decodeVarint64, type VarintCursor } from "@dnsrep/util";
import { FORMAT_V1, type Metadata } from "./metadata.js";

const CHUNK = 8 << 20;
/** the longest block header: a 10-byte varint (V2) and the 4-byte CRC */
const MAX_HEADER = 14;

export interface BlockWalkOptions {
  /** called every `every` blocks (default 10,000) and after the last, with the blocks checked so far */
  progress?: (checked: number, total: number) => void;
  every?: number;
  /** bytes read at a time (default 8 MiB; at least 14) */
  chunkSize?: number;
}

/**
 * Check the CRC32C of every data block of the mtbl file at `path`, whose trailer is `m`. Returns
 * null when all match, else mtbl_verify's message for the first failure (a block whose length runs
 * past the data, or whose stored CRC differs from the computed one), with the block's number
 * (from 1) and its offset. Throws only for a system error reading the file.
 */
export function verifyDataBlocks(path: string, m: Metadata, opts: BlockWalkOptions = {}): string | null {
  const { progress, every = 10_000 } = opts;
  const total = m.countDataBlocks;
  const bytes = m.bytesDataBlocks;
  if (bytes === 0 && total === 0) return null;
  const base = m.indexBlockOffset - bytes;
  if (base < 0) return `data blocks (${bytes} bytes) run past the index block at ${m.indexBlockOffset}`;
  const fd = openSync(path, "r");
  try {
    const buf = new Uint8Array(Math.min(Math.max(opts.chunkSize ?? CHUNK, MAX_HEADER), Math.max(bytes, MAX_HEADER)));
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const vc: VarintCursor = { value: 0, pos: 0 };
    const crc = new Crc32c();
    /** buf holds the data region's bytes [start, start + have) */
    let start = 0;
    let have = 0;
    const fill = (from: number): void => {
      start = from;
      have = 0;
      const want = Math.min(buf.length, bytes - from);
      while (have < want) {
        const n = readSync(fd, buf, have, want - have, base + from + have);
        if (n === 0) break;
        have += n;
      }
    };
    fill(0);
    let offset = 0;
    for (let block = 1; block <= total; block++) {
      if (offset + MAX_HEADER > start + have && start + have < bytes) fill(offset);
      const p = offset - start;
      const avail = start + have - offset;
      let len: number;
      let hlen: number;
      if (m.fileVersion === FORMAT_V1) {
        if (avail < 8) return runsPast(0, block, offset);
        len = view.getUint32(p, true);
        hlen = 4;
      } else {
        decodeVarint64(buf, p, Math.min(p + 10, have), vc);
        hlen = vc.pos - p;
        len = vc.value;
        if (hlen <= 0 || avail < hlen + 4) return runsPast(0, block, offset);
      }
      if (offset + hlen + 4 + len > bytes) return runsPast(len, block, offset);
      const stored = view.getUint32(p + hlen, true);
      // the contents, chunk by chunk
      crc.reset();
      let from = offset + hlen + 4;
      const end = from + len;
      while (from < end) {
        if (from >= start + have) fill(from);
        const upto = Math.min(end, start + have);
        crc.update(buf, from - start, upto - start);
        from = upto;
      }
      const calc = crc.digest();
      if (calc !== stored) {
        return `block_crc (${hex8(stored)}) != calc_crc (${hex8(calc)}) at data block ${block} (${offset} bytes into file)`;
      }
      offset = end;
      if (progress && (block % every === 0 || block === total)) progress(block, total);
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

function runsPast(len: number, block: number, offset: number): string {
  return `Block length (${len} bytes) exceeds total data length at data block ${block} (${offset} bytes into file)`;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}
