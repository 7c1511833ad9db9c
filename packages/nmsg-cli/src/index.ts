export type { NmsgInputFlags, PayloadHandler, RawBatchHandler } from "./nmsg-input.js";
export {
  abortable,
  addNmsgInputOptions,
  borrowedInput,
  crcDropped,
  hasNmsgInput,
  nmsgSourceBatches,
  readNmsgFilesRaw,
  readNmsgInputs,
  THREADED_READ_MIN,
} from "./nmsg-input.js";
export type { NmsgOutputFlags, NmsgOutputs, SockSpec } from "./nmsg-output.js";
export {
  addNmsgOutputOptions,
  headerStamp,
  openNmsgOutputs,
  PendingWrites,
  parseAddrPort,
  parseSockSpec,
  parseU32Option,
} from "./nmsg-output.js";
export { SocketInputStats, UDP_RECV_BUFFER } from "./socket-stats.js";
export { type NmsgStreamRun, runNmsgStream, runStream, type StreamRun } from "./stream-run.js";
