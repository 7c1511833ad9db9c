export {
  decodeVarint32,
  decodeVarint64,
  decodeVarint64Big,
  encodeVarint,
  encodeVarintBig,
  varintLength,
} from "./varint.js";
export type { VarintCursor } from "./varint.js";
export { crc32c, crc32cPortable, Crc32c, bswap32 } from "./crc32c.js";
export { nativeCrc32c } from "./crc32c-native.js";
export type { NativeCrc32c } from "./crc32c-native.js";
export { toHex, fromHex, hexByte, hexValue } from "./hex.js";
export { compareBytes, equalBytes, startsWith, concatBytes, copyBytes, allocBytes, SlabAllocator, viewOf, ByteWriter } from "./bytes.js";
export { outputTarget } from "./output-path.js";
export type { OutputTarget } from "./output-path.js";
