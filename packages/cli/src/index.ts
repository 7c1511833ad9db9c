export { OutputWriter, openInput, readAllInput, processIo } from "./io.js";
export type { CliIo } from "./io.js";
export { UsageError, CliError, EXIT_OK, EXIT_FAILURE, EXIT_USAGE, isBrokenPipe, errorLine, exitCodeOf } from "./errors.js";
export { runCommand, main, configureProgram, parseIntOption, parseOption } from "./main.js";
export type { RunFn } from "./main.js";
export { Progress } from "./progress.js";
export { memoryIo } from "./testing.js";
export type { MemoryIo } from "./testing.js";
