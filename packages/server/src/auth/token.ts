import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A new API key: 256 random bits as 64 lowercase hex digits. Shown once; only its digest is kept. */
export function newToken(): string {
  return randomBytes(32).toString("hex");
}

/** The SHA-256 digest of a presented key (its UTF-8 bytes, as given). */
export function tokenDigest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

/** Constant-time equality of two 32-byte digests. */
export function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}
