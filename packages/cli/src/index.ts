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
export { Progress } from "./progress.js";
export { checkSignal, interrupted, stopController } from "./signals.js";
export { SyncFileStream, writesNeverBlock } from "./sync-file.js";
export type { MemoryIo } from "./testing.js";
export { memoryIo } from "./testing.js";
export { packageVersion, versionLine } from "./version.js";
