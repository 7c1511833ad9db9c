/** What readNmsgFileBatches (thread-reader.ts) and its worker (read-worker.ts) send each other. */
import type { NmsgErrorCode } from "./errors.js";
import type { ReaderStats } from "./reader.js";

export interface ReadWorkerData {
  path: string;
  /** batches posted before the first acknowledgement */
  ahead: number;
  maxFragmentSets?: number;
}

/** numbers per payload in a batch's table: vid, msgtype, timeSec, timeNsec, offset, length, source, operator, group (NaN: absent) */
export const FIELDS = 9;

export interface BatchMessage {
  kind: "batch";
  buf: ArrayBuffer;
  table: Float64Array;
  stats: ReaderStats;
}

export type WorkerReply =
  | BatchMessage
  | { kind: "crc"; dropped: number; offset: number | undefined }
  | { kind: "done"; stats: ReaderStats }
  | {
      kind: "error";
      nmsg?: { code: NmsgErrorCode; detail: string; offset: number | undefined };
      sys?: {
        message: string;
        code?: string | undefined;
        syscall?: string | undefined;
        path?: string | undefined;
        errno?: number | undefined;
      };
      stats: ReaderStats;
    };
