/** The closed set of mtbl error codes, named after libmtbl's failure modes. */
export const MtblErrorCode = {
  /** structural damage: bad trailer, bad block framing, bad varints, out-of-range offsets */
  CORRUPTION: "ERR_CORRUPTION",
  /** a block's CRC32C does not match its bytes */
  CHECKSUM: "ERR_CHECKSUM",
  /** a block failed to decompress */
  DECOMPRESSION: "ERR_DECOMPRESSION",
  /** keys not strictly increasing, or duplicate keys where no merge function was given */
  ORDER: "ERR_ORDER",
  /** unknown compression algorithm, bad option, or a set file that is not one */
  INVALID: "ERR_INVALID",
  /** file system error */
  IO: "ERR_IO",
} as const;
export type MtblErrorCode = (typeof MtblErrorCode)[keyof typeof MtblErrorCode];

export class MtblError extends Error {
  override readonly name = "MtblError";
  readonly code: MtblErrorCode;
  constructor(code: MtblErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export function isMtblError(e: unknown): e is MtblError {
  return e instanceof MtblError;
}

export function corruption(message: string): MtblError {
  return new MtblError(MtblErrorCode.CORRUPTION, message);
}
