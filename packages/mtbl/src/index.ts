export type { MtblIterator, MtblSource, MergeFn } from "./source.js";
