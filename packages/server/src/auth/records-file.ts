import { messageOf } from "./errors.js";
import { parseKeyTime } from "./time.js";

// What the keys file and the web UI's users file share: a versioned JSON object holding an array
// of named records, with RFC 3339 times and integer limits. Each file's own module checks the rest.

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** How to read one kind of records file. */
export interface RecordsFormat {
  /** the version it must carry */
  version: number;
  /** the array's field ("keys", "users") */
  list: string;
  /** one record, in messages ("key", "user") */
  what: string;
  /** the fields a record may have */
  fields: ReadonlySet<string>;
  /** the problem with a record's name, or null */
  checkName: (name: string) => string | null;
}

/** A record of a records file whose name checked out; `at` names it in messages. */
export interface NamedRecord {
  name: string;
  at: string;
  o: Record<string, unknown>;
}

/**
 * Parse a records file's text down to its records: a JSON object of the format's version whose
 * `list` array holds objects with known fields and valid, distinct names. Throws `bad(message)`.
 */
export function parseRecords(text: string, f: RecordsFormat, bad: (msg: string) => Error): NamedRecord[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw bad(messageOf(e));
  }
  if (!isObject(doc)) throw bad("not a JSON object");
  if (doc.version !== f.version) throw bad(`unknown version ${JSON.stringify(doc.version)} (expected ${f.version})`);
  const list = doc[f.list];
  if (!Array.isArray(list)) throw bad(`no "${f.list}" array`);
  const names = new Set<string>();
  return list.map((o: unknown, i) => {
    const where = `${f.what} ${i + 1}`;
    if (!isObject(o)) throw bad(`${where}: not an object`);
    for (const k of Object.keys(o)) if (!f.fields.has(k)) throw bad(`${where}: unknown field ${JSON.stringify(k)}`);
    const name = o.name;
    if (typeof name !== "string") throw bad(`${where}: no name`);
    const problem = f.checkName(name);
    if (problem) throw bad(`${where}: ${problem}`);
    if (names.has(name)) throw bad(`${where}: duplicate name ${JSON.stringify(name)}`);
    names.add(name);
    return { name, at: `${f.what} ${JSON.stringify(name)}`, o };
  });
}

const MAX_LIMIT = 2 ** 53 - 1;

/** Readers of a record's typed fields; each throws `bad` naming the record (`at`) and the field. */
export function fieldReaders(at: string, bad: (msg: string) => Error) {
  return {
    /** an RFC 3339 time string (or YYYY-MM-DD, epoch seconds as text) → epoch seconds */
    time(field: string, v: unknown): number {
      if (typeof v !== "string") throw bad(`${at}: ${field} is not an RFC 3339 time string`);
      try {
        return parseKeyTime(v);
      } catch (e) {
        throw bad(`${at}: ${field}: ${messageOf(e)}`);
      }
    },
    /** an integer ≥ min, or null when absent */
    limit(field: string, v: unknown, min: number): number | null {
      if (v === undefined || v === null) return null;
      if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > MAX_LIMIT)
        throw bad(`${at}: ${field} is not an integer ≥ ${min}`);
      return v;
    },
  };
}
