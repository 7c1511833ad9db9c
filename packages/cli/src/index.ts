export {
  aboutFile,
  CliError,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  errorLine,
  exitCodeOf,
  isBrokenPipe,
  isSystemError,
  UsageError,
} from "./errors.js";
export type { CliIo } from "./io.js";
export { OutputWriter, openInput, processIo, readAllInput } from "./io.js";
export type { RunFn } from "./main.js";
export { configureProgram, main, parseIntOption, parseOption, runCommand } from "./main.js";
export type { NmsgInputFlags, PayloadHandler } from "./nmsg-input.js";
export {
  abortable,
  addNmsgInputOptions,
  crcDropped,
  hasNmsgInput,
  nmsgSourceBatches,
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
export { Progress } from "./progress.js";
export { checkSignal, interrupted } from "./signals.js";
export { SocketInputStats, UDP_RECV_BUFFER } from "./socket-stats.js";
export type { MemoryIo } from "./testing.js";
export { memoryIo } from "./testing.js";
