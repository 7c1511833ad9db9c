/**
 * The compaction worker (compaction.ts's MergeThread): merges dnstable files with dnstable's
 * merge function into one, as dnstable-merge does — written to a temporary file, fsynced and
 * renamed into place — and replies with the entry count and bytes written, or the error.
 */
import { statSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { dnstableMerge } from "@dnsrep/dnstable";
import { Merger, Reader, Writer } from "@dnsrep/mtbl";
import type { MergeReply, MergeRequest } from "./compaction.js";

const port = parentPort;
if (!port) throw new Error("compaction-worker runs as a worker thread");

function merge(req: MergeRequest): MergeReply {
  const readers: Reader[] = [];
  let w: Writer | undefined;
  try {
    for (const f of req.inputs) readers.push(Reader.open(f, { verifyChecksums: true }));
    w = Writer.create(req.output, {
      compression: req.compression,
      blockSize: req.blockSize,
      ...(req.level !== undefined ? { level: req.level } : {}),
    });
    const it = new Merger(readers, dnstableMerge).iter();
    while (it.next()) w.add(it.key, it.value);
    w.close();
    return { ok: true, entries: w.countEntries, bytes: statSync(req.output).size };
  } catch (e) {
    w?.abort();
    const err = e as NodeJS.ErrnoException;
    return { ok: false, message: err.message ?? String(e), ...(typeof err.code === "string" ? { code: err.code } : {}) };
  } finally {
    for (const r of readers) r.close();
  }
}

port.on("message", (req: MergeRequest) => port.postMessage(merge(req)));
