import { messageOf } from "./errors.js";
import { fileStamp } from "./file-stamp.js";
import { type KeyRecord, readKeysFile } from "./keys-file.js";
import { digestsEqual, tokenDigest } from "./token.js";

/** Why a presented key was refused (a 403), or the key it names. */
export type KeyCheck = { ok: true; key: KeyRecord } | { ok: false; reason: string };

const DUMMY_DIGEST = Buffer.alloc(32);

/**
 * The keys of a keys file, reloaded when the file changes. `open` reads the file (a bad file
 * throws: the server refuses to start); `poll` re-reads it when its identity, size or mtime
 * changed, and on failure keeps the last good keys and reports the error through `onError`.
 */
export class KeyStore {
  readonly path: string;
  #keys: KeyRecord[] = [];
  #byName = new Map<string, KeyRecord>();
  /** keys by the hex of their digest */
  #byDigest = new Map<string, KeyRecord>();
  #stamp = "";
  #failedStamp = "";
  readonly #onError: (line: string) => void;

  constructor(path: string, onError: (line: string) => void) {
    this.path = path;
    this.#onError = onError;
    const stamp = fileStamp(this.path);
    this.#set(readKeysFile(path));
    this.#stamp = stamp ?? "";
  }

  get keys(): readonly KeyRecord[] {
    return this.#keys;
  }

  #set(keys: KeyRecord[]): void {
    this.#keys = keys;
    this.#byName = new Map(keys.map((k) => [k.name, k]));
    this.#byDigest = new Map(keys.map((k) => [k.digest.toString("hex"), k]));
  }

  /** Re-read the keys file if it changed; true when new keys were loaded. */
  poll(): boolean {
    const stamp = fileStamp(this.path);
    if (stamp === this.#stamp || stamp === this.#failedStamp) return false;
    try {
      this.#set(readKeysFile(this.path));
      this.#stamp = stamp ?? "";
      this.#failedStamp = "";
      return true;
    } catch (e) {
      // one line per bad version of the file, not one per poll
      this.#failedStamp = stamp ?? "";
      this.#onError(`${messageOf(e)} (keeping the ${this.#keys.length} keys loaded before)`);
      return false;
    }
  }

  /**
   * The key whose digest matches `token` (X-API-Key). The presented key is hashed first and looked
   * up by its digest: a lookup's timing can only tell about digests, which an attacker cannot steer
   * towards a stored one (SHA-256 preimages), so it says nothing about the keys; the digest found is
   * then compared in constant time. One hash and one comparison a request, whatever the number of keys.
   */
  byToken(token: string, nowSeconds: number): KeyCheck {
    const d = tokenDigest(token);
    const k = this.#byDigest.get(d.toString("hex"));
    return usable(k !== undefined && digestsEqual(d, k.digest) ? k : undefined, nowSeconds);
  }

  /** The key named `name` if `token` is its key (HTTP basic auth), compared in constant time. */
  byNameAndToken(name: string, token: string, nowSeconds: number): KeyCheck {
    const k = this.#byName.get(name);
    const match = digestsEqual(tokenDigest(token), k?.digest ?? DUMMY_DIGEST);
    return usable(match ? k : undefined, nowSeconds);
  }
}

function usable(k: KeyRecord | undefined, nowSeconds: number): KeyCheck {
  if (k === undefined) return { ok: false, reason: "unknown API key" };
  if (k.revoked) return { ok: false, reason: "API key revoked" };
  if (k.expires !== null && nowSeconds >= k.expires) return { ok: false, reason: "API key expired" };
  return { ok: true, key: k };
}
