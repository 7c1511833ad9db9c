/**
 * Whether an entry decodes, as libdnstable's dnstable_entry_decode decides it (which answers NULL and
 * lets every iterator skip the entry without a word). Here the reason is kept, so that readers can
 * report what they skip and merges can refuse what they cannot fold.
 */
import type { MtblSource } from "@dnsrep/mtbl";
import { toHex } from "@dnsrep/util";
import { decodeRdataKey, decodeRRsetKey, decodeTimeRange, decodeTriplet, decodeVersion, EntryType, wireNameLength } from "./entry.js";
import { isDnstableError } from "./errors.js";
import { decodeRRtypeUnion } from "./rrtype-union.js";

const TYPE_NAMES: Record<number, string> = {
  [EntryType.RRSET]: "RRSET",
  [EntryType.RRSET_NAME_FWD]: "RRSET_NAME_FWD",
  [EntryType.RDATA]: "RDATA",
  [EntryType.RDATA_NAME_REV]: "RDATA_NAME_REV",
  [EntryType.SOURCE_INFO]: "SOURCE_INFO",
  [EntryType.TIME_RANGE]: "TIME_RANGE",
  [EntryType.VERSION]: "VERSION",
};

/** null when `decode` succeeds, else the DnstableError it throws as `prefix` + its message */
function failure(decode: () => unknown, prefix: string): string | null {
  try {
    decode();
    return null;
  } catch (e) {
    if (!isDnstableError(e)) throw e;
    return `${prefix}${e.message}`;
  }
}

const bytes = (n: number): string => `${n} byte${n === 1 ? "" : "s"}`;

/**
 * What is wrong with the value of the entry whose key is `key`, or null when it decodes. Empty
 * TIME_RANGE and VERSION values are not damage: the merge function writes them on purpose (a
 * merge with a file that had none), and readers skip them.
 */
export function valueProblem(key: Uint8Array, value: Uint8Array): string | null {
  switch (key[0]) {
    case EntryType.RRSET:
    case EntryType.RDATA:
      if (decodeTriplet(value) !== null) return null;
      return `${TYPE_NAMES[key[0]]} value (${bytes(value.length)}) is not a time_first, time_last, count triplet`;
    case EntryType.RRSET_NAME_FWD:
    case EntryType.RDATA_NAME_REV:
      return failure(() => decodeRRtypeUnion(value), `${TYPE_NAMES[key[0]]} value (${bytes(value.length)}): `);
    case EntryType.TIME_RANGE:
      if (value.length === 0 || decodeTimeRange(value) !== null) return null;
      return `TIME_RANGE value (${bytes(value.length)}) is not a time_first, time_last pair`;
    case EntryType.VERSION:
      if (value.length === 0 || decodeVersion(value) !== null) return null;
      return `VERSION value (${bytes(value.length)}) is not a varint`;
    default:
      return null;
  }
}

/** What is wrong with an entry's key, or null when it decodes (entry types libdnstable does not know pass). */
export function keyProblem(key: Uint8Array): string | null {
  if (key.length === 0) return "empty key";
  switch (key[0]) {
    case EntryType.RRSET:
      return failure(() => decodeRRsetKey(key), "");
    case EntryType.RDATA:
      try {
        return decodeRdataKey(key) === null ? "bad RDATA key" : null;
      } catch (e) {
        if (!isDnstableError(e)) throw e;
        return `bad RDATA key: ${e.message}`;
      }
    case EntryType.RRSET_NAME_FWD:
    case EntryType.RDATA_NAME_REV:
      return wireNameLength(key, 1) === key.length - 1 ? null : `bad name in ${TYPE_NAMES[key[0]]} key`;
    case EntryType.TIME_RANGE:
      return key.length === 1 ? null : "TIME_RANGE key is longer than its type byte";
    case EntryType.VERSION:
      return key.length === 2 ? null : "VERSION key is not its type byte and one entry type";
    default:
      return null;
  }
}

/** Whether `src` holds an entry with this key that does not decode (a file to name in a report). */
export function holdsCorrupt(src: Pick<MtblSource, "get">, key: Uint8Array): boolean {
  const it = src.get(key);
  while (it.next()) if (entryProblem(it.key, it.value) !== null) return true;
  return false;
}

/** What is wrong with an entry, key first, or null when it decodes. */
export function entryProblem(key: Uint8Array, value: Uint8Array): string | null {
  return keyProblem(key) ?? valueProblem(key, value);
}

/** A key for a message: hex, the first 32 bytes of a long one. */
export function keyText(key: Uint8Array): string {
  return key.length <= 32 ? toHex(key) : `${toHex(key.subarray(0, 32))}… (${key.length} bytes)`;
}
