/** Errors that carry an exit status. Only the CLI layer maps errors to exit codes. */

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Bad flags or arguments: exit 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  readonly exitCode = EXIT_USAGE;
}

/** A runtime or data error already worded for the user: exit 1. */
export class CliError extends Error {
  override readonly name = "CliError";
  readonly exitCode: number;
  constructor(message: string, exitCode = EXIT_FAILURE) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** True for the errors a closed pipe produces (`| head`). */
export function isBrokenPipe(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "EPIPE" || code === "ERR_STREAM_DESTROYED" || code === "ERR_STREAM_WRITE_AFTER_END";
}

/** A Node system error (fs, net: an errno code and the syscall that failed). */
export function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  const e = err as { code?: unknown; syscall?: unknown } | null;
  return err instanceof Error && typeof e?.code === "string" && typeof e.syscall === "string";
}

/** A message about file `path`, naming it once (a reader's own messages may start with it already). */
export function aboutFile(path: string, message: string): string {
  return message.startsWith(`${path}: `) ? message : `${path}: ${message}`;
}

/** One line describing any thrown value, without a stack trace. */
export function errorLine(err: unknown): string {
  if (err instanceof Error) {
    if (isSystemError(err)) {
      // Node system errors: "ENOENT: no such file or directory, open 'x'"
      return err.message.split("\n")[0] ?? String(err.code);
    }
    return (err.message || err.name).split("\n")[0] ?? err.name;
  }
  return String(err);
}

/** Exit status for a thrown value: usage 2, typed errors their own, everything else 1. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError) return EXIT_USAGE;
  if (err instanceof CliError) return err.exitCode;
  const code = (err as { exitCode?: unknown } | null)?.exitCode;
  if (typeof code === "number") return code;
  return EXIT_FAILURE;
}
