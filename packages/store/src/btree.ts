/**
 * sorted-btree is CommonJS with `exports.default`: Node's ESM import gives the exports object
 * (the class is its `default`), a bundler's interop the class itself. This shim gives either's class.
 */
import btree from "sorted-btree";

type Class = typeof btree.default;
const m = btree as unknown as Class | { default: Class };
export const BTree: Class = typeof m === "function" ? m : m.default;
export type BTree<K, V> = btree.default<K, V>;
