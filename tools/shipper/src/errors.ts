/** The shipper's error class: a closed set of codes, a one-line message. */
export const ShipperErrorCode = {
  CONFIG: "CONFIG",
  REGISTRY: "REGISTRY",
  SPOOL: "SPOOL",
  INPUT: "INPUT",
} as const;
export type ShipperErrorCode = (typeof ShipperErrorCode)[keyof typeof ShipperErrorCode];

export class ShipperError extends Error {
  override readonly name = "ShipperError";
  readonly code: ShipperErrorCode;
  constructor(code: ShipperErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export function isShipperError(e: unknown): e is ShipperError {
  return e instanceof ShipperError;
}
