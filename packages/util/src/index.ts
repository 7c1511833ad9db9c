export {
  decodeVarint32,
  decodeVarint64,
  decodeVarint64Big,
  encodeVarint,
  encodeVarintBig,
  varintLength,
} from "./varint.js";
export type { VarintCursor } from "./varint.js";
export { crc32c, Crc32c, bswap32 } from "./crc32c.js";
export { toHex, fromHex, hexByte, hexValue } from "./hex.js";
export { compareBytes, equalBytes, startsWith, concatBytes, copyBytes, allocBytes, SlabAllocator, viewOf, ByteWriter } from "./bytes.js";
export { outputTarget } from "./output-path.js";
export type { OutputTarget } from "./output-path.js";
