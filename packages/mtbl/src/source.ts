/**
 * The one abstraction shared by Reader, Merger and Fileset (libmtbl's
 * `mtbl_source`): a sorted key/value source with positioned iterators. The
 * Sorter is not one: it takes entries in any order and writes them out sorted.
 *
 * Iterators are LevelDB-style cursors that allocate nothing per step: after
 * `next()` returns true, `key` and `value` are BORROWED views that stay valid
 * only until the next call to `next()`/`seek()` on the same iterator. Copy them
 * (e.g. `key.slice()` on a plain Uint8Array) to keep them.
 */
export interface MtblIterator {
  /** Advance to the next entry; false at the end (then key/value are undefined behaviour). */
  next(): boolean;
  /** Current key (borrowed, valid until the next step). */
  readonly key: Uint8Array;
  /** Current value (borrowed, valid until the next step). */
  readonly value: Uint8Array;
}

export interface MtblSource {
  /** Every entry in key order. */
  iter(): MtblIterator;
  /** Entries whose key equals `key` (0 or 1 for a reader; more for a merger without merge function). */
  get(key: Uint8Array): MtblIterator;
  /** Entries whose key starts with `prefix`. */
  getPrefix(prefix: Uint8Array): MtblIterator;
  /** Entries with `lo <= key <= hi` (bytewise). */
  getRange(lo: Uint8Array, hi: Uint8Array): MtblIterator;
}

/** Merge function for equal keys: returns the merged value (may return one of its arguments). */
export type MergeFn = (key: Uint8Array, a: Uint8Array, b: Uint8Array) => Uint8Array;
