import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/**
 * scrypt cost parameters: N = 2^ln (CPU/memory cost), r (block size), p (parallelism). The memory
 * one hash takes is 128·N·r bytes: 32 MiB at the default (ln 15, r 8, p 1).
 */
export interface ScryptParams {
  ln: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { ln: 15, r: 8, p: 1 };
const SALT_BYTES = 16;
const HASH_BYTES = 32;

/** A stored password hash, parsed: `$scrypt$ln=15,r=8,p=1$SALT$HASH` (SALT, HASH: base64 without padding). */
export interface PasswordHash extends ScryptParams {
  salt: Buffer;
  hash: Buffer;
}

const HASH_RE = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,88})\$([A-Za-z0-9+/]{43,88})$/;

/** Whether cost parameters are ones this server computes (bounded: a users file cannot make a login take gigabytes). */
export function checkScryptParams(p: ScryptParams): string | null {
  if (!Number.isInteger(p.ln) || p.ln < 1 || p.ln > 20) return "scrypt ln must be 1 to 20";
  if (!Number.isInteger(p.r) || p.r < 1 || p.r > 32) return "scrypt r must be 1 to 32";
  if (!Number.isInteger(p.p) || p.p < 1 || p.p > 16) return "scrypt p must be 1 to 16";
  if (128 * 2 ** p.ln * p.r > 512 * 2 ** 20) return "scrypt memory (128·2^ln·r) must be at most 512 MiB";
  return null;
}

/** Parse a stored hash; null when it is not one (or asks for costs beyond checkScryptParams). */
export function parsePasswordHash(text: string): PasswordHash | null {
  const m = HASH_RE.exec(text);
  if (!m) return null;
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (checkScryptParams(params) !== null) return null;
  const salt = Buffer.from(m[4] as string, "base64");
  const hash = Buffer.from(m[5] as string, "base64");
  if (salt.length < 8 || hash.length < 32) return null;
  return { ...params, salt, hash };
}

/** The bytes hashed for a password: its NFC form in UTF-8 (the same text typed on any system matches). */
function passwordBytes(password: string): Buffer {
  return Buffer.from(password.normalize("NFC"), "utf8");
}

function derive(password: string, salt: Buffer, length: number, p: ScryptParams): Promise<Buffer> {
  const N = 2 ** p.ln;
  return new Promise((resolve, reject) => {
    // maxmem: the 128·N·r the hash needs, plus room for scrypt's own buffers
    scrypt(passwordBytes(password), salt, length, { N, r: p.r, p: p.p, maxmem: 128 * N * p.r + 2 ** 20 * p.p + 2 ** 20 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** Hash a password with a new random salt (scrypt in node:crypto, off the event loop). */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const problem = checkScryptParams(params);
  if (problem) throw new RangeError(problem);
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, HASH_BYTES, params);
  const b64 = (b: Buffer): string => b.toString("base64").replace(/=+$/, "");
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(hash)}`;
}

/** Whether `password` matches the stored hash: the derived bytes are compared in constant time. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const derived = await derive(password, stored.salt, stored.hash.length, stored);
  return timingSafeEqual(derived, stored.hash);
}
