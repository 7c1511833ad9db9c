export type { AtomicWriteData, AtomicWriteIo, WriteFileAtomicOptions } from "./atomic-write.js";
export { finishAtomicWrite, fsAtomicWriteIo, syncDir, writeFileAtomic, writeFileAtomicAsync } from "./atomic-write.js";
export { firstBinaryLine } from "./binary-text.js";
export {
  allocBytes,
  ByteWriter,
  compareBytes,
  concatBytes,
  copyBytes,
  copyInto,
  equalBytes,
  SlabAllocator,
  startsWith,
  viewOf,
} from "./bytes.js";
export { bswap32, Crc32c, crc32c, crc32cPortable } from "./crc32c.js";
export type { NativeCrc32c } from "./crc32c-native.js";
export { nativeCrc32c } from "./crc32c-native.js";
export { crc32cRanges, crc32cSmall, wasmCrc32c, wasmCrc32cRanges } from "./crc32c-wasm.js";
export { fileReader, readFileChunks } from "./file-chunks.js";
export { fromHex, hexByte, hexValue, toHex } from "./hex.js";
export { latin1Bytes, latin1String, writeLatin1 } from "./latin1.js";
export { lazyAddon } from "./native-addon.js";
export type { OutputTarget } from "./output-path.js";
export { openOutput, outputTarget, tempPathFor } from "./output-path.js";
export { TextWriter, textOf, utf8Bytes } from "./text-writer.js";
export { ingestTurnBudget, TurnBudget } from "./turn-budget.js";
export { utcDateTime, writeUtcDateTime } from "./utc-time.js";
export type { VarintCursor } from "./varint.js";
export {
  bytesFieldLength,
  decodeVarint32,
  decodeVarint64,
  decodeVarint64Big,
  encodeVarint,
  encodeVarintBig,
  putVarint,
  varintLength,
} from "./varint.js";
export { writeAllSync } from "./write-all.js";
