/**
 * Where the conformance vectors live inside the repo: a copy of the vectors
 * made with the original C tools (../shared/vectors at the time of copying),
 * so a fresh clone tests without ../shared. See test/vectors/MANIFEST.md.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const vectorsDir: string = join(dirname(fileURLToPath(import.meta.url)), "vectors");

/** Absolute path of a vector file, e.g. vectorPath("nmsg/dnsqr.nmsg"). */
export function vectorPath(rel: string): string {
  return join(vectorsDir, rel);
}

/** Bytes of a vector file as a plain Uint8Array. */
export function readVector(rel: string): Uint8Array {
  const b = readFileSync(vectorPath(rel));
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Text of a vector file. */
export function readVectorText(rel: string): string {
  return readFileSync(vectorPath(rel), "utf8");
}

/** One command of cases.jsonl. */
export interface VectorCase {
  cmd: string;
  rc: number;
  stdout: string | null;
  stderr: string | null;
  produces: string[];
}

/** Every command of cases.jsonl, parsed. */
export function vectorCases(): VectorCase[] {
  return readVectorText("cases.jsonl")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as VectorCase);
}
