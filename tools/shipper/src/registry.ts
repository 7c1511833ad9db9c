/**
 * The registry: where each tailed file was read up to, so a restart resumes there. One JSON file
 * replaced atomically (temp + fsync + rename). `seq` is the spool sequence number of the last
 * batch whose lines the positions cover: batches spooled after it carry newer positions (see
 * spool.ts), which win at start-up if the shipper stopped between spooling and committing.
 */
import { readFileSync } from "node:fs";
import { writeFileAtomic } from "@dnsrep/util";
import { ShipperError } from "./errors.js";
import type { FilePosition } from "./tailer.js";

export interface RegistryState {
  seq: number;
  files: FilePosition[];
}

export function readRegistry(path: string): RegistryState {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { seq: 0, files: [] };
    throw new ShipperError("REGISTRY", `${path}: ${(e as Error).message}`);
  }
  try {
    const j = JSON.parse(text) as { version?: unknown; seq?: unknown; files?: unknown };
    if (j.version !== 1 || typeof j.seq !== "number" || !Array.isArray(j.files)) throw new Error("not a registry (version 1)");
    return { seq: j.seq, files: j.files.filter(isPosition) };
  } catch (e) {
    throw new ShipperError("REGISTRY", `${path}: ${(e as Error).message}`);
  }
}

function isPosition(x: unknown): x is FilePosition {
  const p = x as Partial<FilePosition> | null;
  return (
    typeof p?.path === "string" &&
    typeof p.dev === "number" &&
    typeof p.ino === "number" &&
    typeof p.offset === "number" &&
    typeof p.head === "string" &&
    typeof p.head_len === "number"
  );
}

export function writeRegistry(path: string, state: RegistryState): void {
  writeFileAtomic(path, `${JSON.stringify({ version: 1, seq: state.seq, files: state.files })}\n`, { mode: 0o600 });
}
